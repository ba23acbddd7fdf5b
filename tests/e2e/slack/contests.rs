//! The meme contest on Slack end to end: an organiser opens one with
//! `/emcee contest open` (an attendee is refused), 30 members share their
//! images in the channel, 200 voters react with `:+1:` and `:joy:` in
//! bursts, the bot is stopped during the voting and reads back at start
//! the reactions Slack never told it of, and `/emcee contest close` posts
//! the exact winners with their images. Self-votes, the bot's reaction,
//! other emoji, a text file and anything from another workspace count for
//! nothing, and no entrant's name pings. A contest in the agenda may
//! spell its emoji as Slack does (`:joy:`).

use super::harness::{SlackOptions, SlackTestBot};
use crate::feeds::eventually_async as wait;
use crate::harness::PATIENCE;
use emcee::slack::outbound::Pacing;
use emcee_core::contests::Standing;
use fake_slack::{FakeSlack, FakeUser, SharedFile, StoredMessage};
use serde_json::json;
use std::collections::BTreeSet;
use std::time::Duration;

const AT: &str = "2021-10-07T15:55:00Z";
const ENTRANTS: u32 = 30;
const VOTERS: u32 = 200;
/// Voters below this react while the bot runs; the others while it is down.
const LIVE: u32 = 120;

/// A fake Slack that sends file posts and reactions, and waits 3 s for an
/// ack, so a stopping bot's unacked envelopes go to the restarted one.
pub(super) async fn fake() -> FakeSlack {
    FakeSlack::start_with(fake_slack::Config {
        ack_timeout: Duration::from_secs(3),
        stranger_workspace: true,
        events: ["reaction_added", "reaction_removed", "message"]
            .map(str::to_owned)
            .to_vec(),
        ..fake_slack::Config::default()
    })
    .await
    .unwrap()
}

/// Reading 30 entries' reactions back (one tier-3 `reactions.get` per
/// entry) in seconds rather than Slack's real 50 a minute.
pub(super) fn fast(fake: FakeSlack, store: Option<emcee_core::store::Store>) -> SlackOptions {
    SlackOptions {
        fake: Some(fake),
        store,
        pacing: Some(Pacing {
            per_minute: [1200.0, 1200.0, 1200.0],
            ..Pacing::default()
        }),
        ..SlackOptions::default()
    }
}

/// Entrant 0's name tries to ping the whole workspace.
pub(super) fn entrant(n: u32) -> FakeUser {
    let mut user = FakeUser::attendee(100 + n);
    if n == 0 {
        user.name = "<!channel> @everyone".to_owned();
    }
    user
}

pub(super) fn voter(v: u32) -> FakeUser {
    FakeUser::attendee(1_000 + v)
}

/// Who reacts on which entry with which emoji: everyone `:+1:` on one
/// entry, every third voter `:joy:` on another (or the same: one vote
/// still), and the first live voters `:+1:` on entries 0 and 1 too, so the
/// first places are clear.
fn ballots(voters: std::ops::Range<u32>) -> Vec<(u32, usize, &'static str)> {
    let mut out = Vec::new();
    for v in voters {
        let first = (v % ENTRANTS) as usize;
        out.push((v, first, "+1"));
        if v % 3 == 0 {
            out.push((v, ((v * 7 + 3) % ENTRANTS) as usize, "joy"));
        }
        if v < 60 && first != 0 {
            out.push((v, 0, "+1"));
        }
        if v < 35 && first > 1 {
            out.push((v, 1, "+1"));
        }
    }
    out
}

/// Distinct voters per entry, from the reactions that stand.
fn expected(reactions: &BTreeSet<(u32, usize, &'static str)>) -> Vec<u32> {
    let voters: BTreeSet<(usize, u32)> = reactions.iter().map(|&(v, e, _)| (e, v)).collect();
    let mut counts = vec![0u32; ENTRANTS as usize];
    for (entry, _) in voters {
        counts[entry] += 1;
    }
    counts
}

/// Attendee 1, in the organisers' user group.
pub(super) fn organiser() -> FakeUser {
    FakeUser::attendee(1)
}

/// The organiser runs `/emcee {open}` in #random; returns the contest id.
pub(super) async fn open_contest(bot: &SlackTestBot, open: &str) -> i64 {
    let channel = bot.fake.ids().random_channel_id.clone();
    let (_, opened) = bot.ask_as(&organiser(), &channel, open).await;
    let opened = opened.body.to_string();
    assert!(opened.contains("The contest is open in"), "{opened}");
    wait("the contest stored", || async {
        let open = bot.app().contests.open_contests().await.unwrap();
        open.first().map(|contest| contest.id)
    })
    .await
}

/// Entrants `0..n` share an image each in `channel`, one at a time, so
/// entries are stored in posting order (ties go to the earlier one).
pub(super) async fn enter(
    bot: &SlackTestBot,
    contest: i64,
    channel: &str,
    n: u32,
) -> Vec<fake_slack::Shared> {
    let mut entries = Vec::new();
    for n in 0..n {
        let user = entrant(n);
        bot.fake.add_user(&user);
        let image = SharedFile::new(&format!("meme{n}.png"), "image/png");
        let shared = bot
            .fake
            .user_files(&user, channel, "my entry", &[image])
            .unwrap();
        wait("the entry stored", || async {
            (standings(bot, contest).await.len() == entries.len() + 1).then_some(())
        })
        .await;
        entries.push(shared);
    }
    entries
}

pub(super) async fn standings(bot: &SlackTestBot, contest: i64) -> Vec<Standing> {
    let mut all = bot.app().contests.standings(contest).await.unwrap();
    all.sort_by_key(|s| s.entry.id);
    all
}

/// Waits until every entry's stored votes are `counts` (in posting order).
pub(super) async fn wait_counts(bot: &SlackTestBot, contest: i64, counts: &[u32]) {
    wait("the stored votes", || async {
        let now: Vec<u32> = standings(bot, contest)
            .await
            .iter()
            .map(|s| s.votes)
            .collect();
        (now == counts).then_some(())
    })
    .await;
}

/// Waits for the ack of an event the bot drops in its callback: once acked,
/// nothing of it is left to happen.
async fn acked(fake: &FakeSlack, event: Option<fake_slack::SentEvent>) {
    let event = event.expect("the app subscribes to it");
    fake.wait_for_ack(&event.envelope_id, PATIENCE)
        .await
        .expect("acked");
}

fn text_of(message: &StoredMessage) -> String {
    serde_json::to_string(&message.blocks).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn thirty_entries_and_two_hundred_voters_end_at_the_exact_winners_across_a_restart() {
    let bot = SlackTestBot::start_at(AT, fast(fake().await, None)).await;
    let ids = bot.fake.ids().clone();
    let channel = ids.random_channel_id.clone();
    let open = format!("contest open <#{channel}|random> 60 <https://imgflip.com/t|template>");
    let (_, refused) = bot.ask_as(&FakeUser::attendee(5), &channel, &open).await;
    let refused = refused.text().unwrap_or_default().to_owned();
    assert!(refused.contains("Only organisers can open"), "{refused}");
    let organiser = organiser();
    let contest = open_contest(&bot, &open).await;
    let call = bot
        .fake
        .wait_until("the call for entries", PATIENCE, |fake| {
            fake.messages(&channel)
                .into_iter()
                .find(|m| m.by_bot() && text_of(m).contains("imgflip.com/t"))
        })
        .await
        .expect("posted");
    assert!(
        text_of(&call).contains("Meme contest"),
        "{}",
        text_of(&call)
    );

    let entries = enter(&bot, contest, &channel, ENTRANTS).await;
    // Not entries: a text file, and an image from another workspace.
    let voter_9 = voter(9);
    bot.fake.add_user(&voter_9);
    let notes = SharedFile::new("notes.pdf", "application/pdf");
    let pdf = bot.fake.user_files(&voter_9, &channel, "notes", &[notes]);
    acked(&bot.fake, pdf.unwrap().event).await;
    let stranger = FakeUser::stranger_owner();
    let theirs = SharedFile::new("theirs.png", "image/png");
    let foreign = bot.fake.user_files(&stranger, &channel, "ours!", &[theirs]);
    acked(&bot.fake, foreign.unwrap().event).await;

    // The live half, in one burst; self-votes, the bot's reaction, another
    // emoji and another workspace's reaction never count.
    let mut standing = BTreeSet::new();
    for (v, entry, name) in ballots(0..LIVE) {
        bot.fake
            .react(&voter(v), &channel, &entries[entry].ts, name)
            .unwrap();
        standing.insert((v, entry, name));
    }
    for n in 0..ENTRANTS {
        let ts = &entries[n as usize].ts;
        bot.fake.react(&entrant(n), &channel, ts, "+1").unwrap();
    }
    let me = FakeUser {
        id: ids.bot_user_id.clone(),
        name: "emcee".to_owned(),
        ..FakeUser::attendee(0)
    };
    bot.fake
        .react(&me, &channel, &entries[5].ts, "joy")
        .unwrap();
    bot.fake
        .react(&voter(3), &channel, &entries[6].ts, "tada")
        .unwrap();
    let claimed = json!({
        "type": "reaction_added",
        "user": stranger.id,
        "reaction": "+1",
        "item": { "type": "message", "channel": channel, "ts": entries[2].ts },
        "item_user": entrant(2).id,
        "event_ts": entries[2].ts,
    });
    acked(&bot.fake, bot.fake.event(&ids.stranger.team_id, claimed)).await;
    // Voters 0..4 take their first :+1: back.
    for v in 0..4 {
        let entry = (v % ENTRANTS) as usize;
        bot.fake
            .unreact(&voter(v), &channel, &entries[entry].ts, "+1")
            .unwrap();
        standing.remove(&(v, entry, "+1"));
    }
    wait_counts(&bot, contest, &expected(&standing)).await;

    // Stopped during the voting: Slack drops what happens meanwhile, and
    // emcee reads it back at start.
    let (fake, store) = bot.stop().await;
    for (v, entry, name) in ballots(LIVE..VOTERS) {
        fake.react_unseen(&voter(v), &channel, &entries[entry].ts, name)
            .unwrap();
        standing.insert((v, entry, name));
    }
    for v in 10..13 {
        let entry = (v % ENTRANTS) as usize;
        fake.unreact_unseen(&voter(v), &channel, &entries[entry].ts, "+1")
            .unwrap();
        standing.remove(&(v, entry, "+1"));
    }
    let again = SlackTestBot::start_at(AT, fast(fake, Some(store))).await;
    let counts = expected(&standing);
    let (_, closed) = again.ask_as(&organiser, &channel, "contest close").await;
    let closed = closed.body.to_string();
    assert!(closed.contains("Closed; the result is in"), "{closed}");
    let stored: Vec<u32> = standings(&again, contest)
        .await
        .iter()
        .map(|s| s.votes)
        .collect();
    assert_eq!(stored, counts, "every entry's votes, in posting order");

    let posts = again
        .fake
        .wait_until("the result", PATIENCE, |fake| {
            let posts: Vec<StoredMessage> = fake
                .messages(&channel)
                .into_iter()
                .filter(|m| m.by_bot() && !text_of(m).contains("imgflip.com/t"))
                .collect();
            (posts.len() == 4).then_some(posts)
        })
        .await
        .expect("the summary and the top three");
    let mut ranked: Vec<usize> = (0..ENTRANTS as usize).collect();
    ranked.sort_by(|&a, &b| counts[b].cmp(&counts[a]).then(a.cmp(&b)));
    assert_eq!(ranked[..2], [0, 1], "the clear winners: {counts:?}");
    let summary = text_of(&posts[0]);
    assert!(summary.contains("Meme contest results"), "{summary}");
    assert!(summary.contains("30 entries from 30 people"), "{summary}");
    for (place, &entry) in ranked.iter().take(3).enumerate() {
        let votes = format!(": {} votes", counts[entry]);
        let line = summary
            .split("\\n")
            .find(|line| line.contains(["🥇", "🥈", "🥉"][place]))
            .unwrap_or_else(|| panic!("place {place} in {summary}"));
        assert!(line.contains(&votes), "{line} has {votes}");
        if entry > 0 {
            assert!(
                line.contains(&format!("*attendee{}*", 100 + entry)),
                "{line}"
            );
        }
        let card = text_of(&posts[place + 1]);
        let file = &entries[entry].files[0];
        assert!(card.contains("\"slack_file\""), "{card}");
        assert!(
            card.contains(&format!("files-pri/{}-{file}/meme{entry}.png", ids.team_id)),
            "place {place}: {card}"
        );
        assert!(card.contains("/files/"), "the entry's link: {card}");
    }
    assert!(
        again.fake.bot_pings().is_empty(),
        "{:?}",
        again.fake.bot_pings()
    );
    again.stop().await;
}

/// A contest in the agenda with its emoji as Slack spells it (`:joy:`).
const DECLARED: &str = r#"
[[contests]]
id = "joy-memes"
title = "Joy memes"
channel = "random"
opens = 2021-10-07T16:00:00Z
minutes = 30
emoji = [":joy:"]
top = 1
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_declared_contest_counts_the_emoji_the_agenda_spells_as_slack_does() {
    let sample = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("config/agenda.toml");
    let agenda = std::fs::read_to_string(sample).unwrap();
    let options = SlackOptions {
        scheduler: Some(emcee_core::scheduler::SchedulerOptions {
            holder: "slack".into(),
            lease_ttl: Duration::from_secs(1),
            ..emcee_core::scheduler::SchedulerOptions::default()
        }),
        agenda: Some(format!("{agenda}\n{DECLARED}")),
        ..fast(fake().await, None)
    };
    let bot = SlackTestBot::start_at(AT, options).await;
    let channel = bot.fake.ids().random_channel_id.clone();
    bot.clock
        .set(crate::harness::instant("2021-10-07T16:00:00Z"));
    let contest = wait("the declared contest", || async {
        let open = bot.app().contests.open_contests().await.unwrap();
        open.into_iter()
            .find(|c| c.rules.declared_id.as_deref() == Some("joy-memes"))
    })
    .await;
    assert_eq!(
        contest.rules.emoji,
        ["😂"],
        "keyed as Slack's reactions are"
    );
    let call = bot
        .fake
        .wait_until("the call for entries", PATIENCE, |fake| {
            fake.messages(&channel)
                .into_iter()
                .find(|m| m.by_bot() && text_of(m).contains("Joy memes"))
        })
        .await
        .unwrap();
    assert!(text_of(&call).contains(":joy:"), "{}", text_of(&call));
    let (alice, bob) = (entrant(1), entrant(2));
    let mut posted = Vec::new();
    for user in [&alice, &bob] {
        bot.fake.add_user(user);
        let image = SharedFile::new("meme.jpg", "image/jpeg");
        posted.push(bot.fake.user_files(user, &channel, "", &[image]).unwrap());
        wait("the entry stored", || async {
            let stored = standings(&bot, contest.id).await;
            (stored.len() == posted.len()).then_some(())
        })
        .await;
    }
    // One entry each: alice's second image is not counted, and she is told.
    let again = SharedFile::new("again.png", "image/png");
    bot.fake.user_files(&alice, &channel, "", &[again]).unwrap();
    bot.fake
        .wait_until("the note", PATIENCE, |fake| {
            let dm = fake.dm_channel(&alice.id)?;
            let told = fake.messages(&dm);
            told.iter()
                .any(|m| m.text.contains("not counted"))
                .then_some(())
        })
        .await
        .expect("told by direct message");
    // Two :joy: (one with a skin tone, the same emoji) for bob, one for
    // alice; :+1: is not this contest's emoji.
    let votes = [
        (1, "joy"),
        (1, "joy::skin-tone-3"),
        (0, "joy"),
        (0, "+1"),
        (1, "+1"),
    ];
    for (n, (entry, name)) in votes.into_iter().enumerate() {
        let voter = voter(u32::try_from(n).unwrap());
        bot.fake
            .react(&voter, &channel, &posted[entry].ts, name)
            .unwrap();
    }
    wait_counts(&bot, contest.id, &[1, 2]).await;
    bot.clock
        .set(crate::harness::instant("2021-10-07T16:30:00Z"));
    let summary = bot
        .fake
        .wait_until("the result", PATIENCE, |fake| {
            fake.messages(&channel)
                .into_iter()
                .map(|m| text_of(&m))
                .find(|text| text.contains("Meme contest results"))
        })
        .await
        .unwrap();
    assert!(summary.contains("*attendee102*: 2 votes"), "{summary}");
    assert!(!summary.contains("🥈"), "top 1 only: {summary}");
    assert!(summary.contains("2 entries from 2 people"), "{summary}");
    bot.stop().await;
}
