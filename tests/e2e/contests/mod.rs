//! Meme contests end to end: an organiser opens one with `/contest open`,
//! attendees post images in the channel, 500 voters react in bursts, the bot
//! is killed during the voting and reconciles what it missed at start, and
//! `/contest close` posts the exact winners with their images.

mod declared;

use crate::harness::{BotOptions, TestBot, PATIENCE};
use emcee_core::contests::{ContestStore, Standing};
use fake_discord::{FakeUser, StoredMessage, UserFile};
use serde_json::json;
use std::collections::{BTreeMap, BTreeSet};

const AT: &str = "2021-10-07T15:55:00Z";

/// The sample config with `[discord] contests = true`, so that organisers
/// may open contests by command (and the bot asks for Message Content).
fn contests_on() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let sample = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("config");
    std::fs::copy(sample.join("agenda.toml"), dir.path().join("agenda.toml")).unwrap();
    let settings = std::fs::read_to_string(sample.join("emcee.toml")).unwrap();
    let on = settings.replacen("servers = []\n", "servers = []\ncontests = true\n", 1);
    assert_ne!(
        settings, on,
        "the sample config has `[discord] servers = []`"
    );
    let path = dir.path().join("emcee.toml");
    std::fs::write(&path, on).unwrap();
    (dir, path)
}
const ENTRANTS: u32 = 30;
const VOTERS: u32 = 500;

fn entrant(n: u32) -> FakeUser {
    FakeUser::attendee(100 + n)
}

fn voter(v: u32) -> FakeUser {
    FakeUser::attendee(10_000 + v)
}

/// The one contest the test opened: its id, once stored.
async fn opened(bot: &TestBot) -> i64 {
    wait("the contest stored", || async {
        let open = bot.data.contests.open_contests().await.unwrap();
        open.first().map(|contest| contest.id)
    })
    .await
}

/// Polls `check` (a read of the database) until it yields, within PATIENCE.
async fn wait<T, F, Fut>(what: &str, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = std::time::Instant::now() + PATIENCE;
    loop {
        if let Some(found) = check().await {
            return found;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "waited {PATIENCE:?} for {what}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

async fn standings(bot: &TestBot, contest: i64) -> Vec<Standing> {
    ContestStore::standings(&bot.store, contest).await.unwrap()
}

/// Waits until every entry's stored votes are `expected` (in entry order).
async fn wait_counts(bot: &TestBot, contest: i64, expected: &[u32]) {
    wait("the stored votes", || async {
        let now: Vec<u32> = standings(bot, contest)
            .await
            .iter()
            .map(|s| s.votes)
            .collect();
        (now == expected).then_some(())
    })
    .await;
}

/// Posts an image as `user` and waits until the bot has stored it as entry
/// number `count` (so entries are stored in posting order).
async fn enter(bot: &TestBot, channel: u64, contest: i64, user: &FakeUser, count: usize) -> u64 {
    let file = UserFile::new(&format!("{}.png", user.username), Some("image/png"));
    let id = bot
        .fake
        .user_upload(channel, user, "my entry", &[file])
        .await;
    wait("the entry stored", || async {
        (standings(bot, contest).await.len() == count).then_some(())
    })
    .await;
    id
}

/// Who votes for which entries, with which emoji, in the first and second
/// halves of the voting.
fn ballots(half: u32) -> Vec<(u32, usize, &'static str)> {
    let mut out = Vec::new();
    for v in (0..VOTERS).filter(|v| v % 2 == half) {
        let first = (v % ENTRANTS) as usize;
        let second = ((v / 7 + v * 3) % ENTRANTS) as usize;
        out.push((v, first, "👍"));
        if v % 5 == 0 {
            out.push((v, first, "😂"));
        }
        if second != first && v % 3 != 0 {
            out.push((v, second, "😂"));
        }
    }
    out
}

fn expected(votes: &BTreeSet<(u32, usize)>) -> Vec<u32> {
    let mut counts = vec![0u32; ENTRANTS as usize];
    for (_, entry) in votes {
        counts[*entry] += 1;
    }
    counts
}

fn result_posts(bot: &TestBot, channel: u64) -> Vec<StoredMessage> {
    bot.fake
        .messages(channel)
        .into_iter()
        .filter(|m| m.author.bot)
        .filter(|m| m.content.contains("Meme contest results") || !m.embeds.is_empty())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn thirty_entries_and_five_hundred_voters_end_at_the_exact_winners_across_a_restart() {
    let (_dir, config) = contests_on();
    let fake = fake_discord::FakeDiscord::start().await.unwrap();
    let options = BotOptions {
        config: config.clone(),
        ..BotOptions::default()
    };
    let bot = TestBot::start_with(fake, AT, options).await;
    let channel = bot.fake.ids().polls_channel_id;
    let asked = bot
        .fake
        .slash_command(
            &FakeUser::organiser(1),
            "contest",
            json!({ "open": { "channel": "polls", "minutes": 60,
                              "template": "https://example.org/template.png" } }),
        )
        .await;
    let answer = bot.response(&asked).await;
    assert_eq!(answer["data"]["flags"], 64, "{answer}");
    let contest = opened(&bot).await;
    let call = bot.fake.messages(channel);
    assert!(
        call.iter()
            .any(|m| m.content.contains("https://example.org/template.png")),
        "the call for entries links the template"
    );
    let mut entries = Vec::new();
    for n in 0..ENTRANTS {
        entries.push(enter(&bot, channel, contest, &entrant(n), entries.len() + 1).await);
    }
    // Not entries: a second image over the limit of one, a text file, a
    // post without files, and an image from someone in another channel.
    let over = UserFile::new("again.png", Some("image/png"));
    bot.fake
        .user_upload(channel, &entrant(0), "another", &[over])
        .await;
    let notes = UserFile::new("notes.txt", Some("text/plain"));
    bot.fake
        .user_upload(channel, &entrant(40), "notes", &[notes])
        .await;
    bot.fake
        .user_message(channel, &entrant(41), "just chatting")
        .await;
    let general = bot.fake.ids().general_channel_id;
    let elsewhere = UserFile::new("meme.gif", None);
    bot.fake
        .user_upload(general, &entrant(42), "wrong room", &[elsewhere])
        .await;
    // The one over the limit is told once, privately.
    let dm = bot.fake.dm_channel(&entrant(0));
    bot.fake
        .wait_until("the note", PATIENCE, |_| {
            let told = bot.fake.messages(dm);
            told.iter()
                .any(|m| m.content.contains("not counted"))
                .then_some(())
        })
        .await
        .expect("the entrant over the limit is told");

    let mut votes = BTreeSet::new();
    let mut burst = Vec::new();
    let users: BTreeMap<u32, FakeUser> = (0..VOTERS).map(|v| (v, voter(v))).collect();
    for (v, entry, emoji) in ballots(0) {
        burst.push((entries[entry], &users[&v], emoji));
        votes.insert((v, entry));
    }
    // Self-votes, the bot's own reactions and other emoji never count.
    let selves: Vec<FakeUser> = (0..ENTRANTS).map(entrant).collect();
    for (n, me) in selves.iter().enumerate() {
        burst.push((entries[n], me, "👍"));
    }
    let bot_user = FakeUser {
        id: bot.fake.ids().bot_user_id,
        username: "emcee".into(),
        roles: Vec::new(),
        permissions: 0,
    };
    burst.push((entries[3], &bot_user, "👍"));
    burst.push((entries[4], &users[&1], "🎉"));
    for chunk in burst.chunks(100) {
        bot.fake.react_burst(channel, chunk).await.unwrap();
    }
    wait_counts(&bot, contest, &expected(&votes)).await;

    // Killed during the voting: what happens meanwhile is read back at start.
    let (fake, store) = bot.kill();
    fake.close_gateway(4004);
    let mut later = Vec::new();
    for (v, entry, emoji) in ballots(1) {
        later.push((entries[entry], &users[&v], emoji));
        votes.insert((v, entry));
    }
    for chunk in later.chunks(100) {
        fake.react_burst(channel, chunk).await.unwrap();
    }
    // Two first-half voters take their 👍 back while the bot is down.
    for v in [2u32, 4] {
        let entry = (v % ENTRANTS) as usize;
        fake.unreact(channel, entries[entry], &users[&v], "👍")
            .await
            .unwrap();
        let still = ballots(0)
            .iter()
            .any(|&(w, e, emoji)| w == v && e == entry && emoji != "👍");
        if !still {
            votes.remove(&(v, entry));
        }
    }
    let again = TestBot::start_with(
        fake,
        AT,
        BotOptions {
            config,
            store: Some(store),
            ..BotOptions::default()
        },
    )
    .await;
    let counts = expected(&votes);
    wait_counts(&again, contest, &counts).await;

    let closing = again
        .fake
        .slash_command_in(
            channel,
            &FakeUser::organiser(1),
            "contest",
            json!({ "close": {} }),
        )
        .await;
    again
        .fake
        .wait_for_interaction_response(&closing, PATIENCE)
        .await
        .unwrap();
    let posts = again
        .fake
        .wait_until("the result", PATIENCE, |_| {
            let posts = result_posts(&again, channel);
            (posts.len() == 4).then_some(posts)
        })
        .await
        .expect("the summary and the top three");
    // Most votes first; a tie goes to the earlier entry.
    let mut ranked: Vec<usize> = (0..ENTRANTS as usize).collect();
    ranked.sort_by(|&a, &b| counts[b].cmp(&counts[a]).then(a.cmp(&b)));
    let summary = &posts[0].content;
    for (place, &entry) in ranked.iter().take(3).enumerate() {
        let name = entrant(u32::try_from(entry).unwrap()).username;
        let line = format!("**{name}**: {} votes", counts[entry]);
        assert!(
            summary.contains(&line),
            "place {place}: {line} in {summary}"
        );
        let card = &posts[place + 1].embeds[0];
        let title = card["title"].as_str().unwrap();
        assert!(title.contains(&name), "{title}");
        let image = card["image"]["url"].as_str().unwrap();
        assert!(image.ends_with(&format!("/{name}.png")), "{image}");
        let link = format!("/{channel}/{}", entries[entry]);
        assert!(
            card["description"].as_str().unwrap().contains(&link),
            "{card}"
        );
    }
    assert!(summary.contains("30 entries from 30 people"), "{summary}");
    let requests = again.fake.requests();
    let result_bodies = requests.iter().filter(|r| {
        r.method == "POST" && r.path == format!("/api/v10/channels/{channel}/messages")
    });
    for request in result_bodies {
        let body = request.body.as_ref().unwrap();
        assert_eq!(body["allowed_mentions"]["parse"], json!([]), "{body}");
    }
    again.stop().await;
}
