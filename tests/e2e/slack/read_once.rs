//! Reading reactions back after a restart costs one `reactions.get` per
//! message on Slack, however many emoji count there: the call lists every
//! reaction of the message, so the port reads each contest entry, and each
//! reaction poll, once for all of them (a tier-3 call, about 50 a minute
//! on the real Slack). The counts read back are the right ones: votes made
//! while the bot was down count, votes taken back meanwhile go, one voter
//! with both emoji on an entry is one vote, and the entrant's own reaction
//! never counts.

use super::contests::{
    enter, entrant, fake, fast, open_contest, organiser, standings, voter, wait_counts,
};
use super::harness::SlackTestBot;
use crate::feeds::eventually_async as wait;
use crate::harness::PATIENCE;
use emcee_core::chat::MessageKey;
use std::collections::{BTreeMap, BTreeSet};

const AT: &str = "2021-10-07T15:55:00Z";
const ENTRIES: u32 = 6;

/// Distinct voters per entry, from the reactions standing.
fn counts(standing: &BTreeSet<(u32, usize, &str)>) -> Vec<u32> {
    let voters: BTreeSet<(usize, u32)> = standing.iter().map(|&(v, e, _)| (e, v)).collect();
    let mut counts = vec![0; ENTRIES as usize];
    for (entry, _) in voters {
        counts[entry] += 1;
    }
    counts
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restart_reads_each_entry_once_for_both_emoji_and_the_counts_are_right() {
    let bot = SlackTestBot::start_at(AT, fast(fake().await, None)).await;
    let channel = bot.fake.ids().random_channel_id.clone();
    let open = format!("contest open <#{channel}|random> 60 <https://imgflip.com/t|template>");
    let contest = open_contest(&bot, &open).await;
    let entries = enter(&bot, contest, &channel, ENTRIES).await;
    let ts = |entry: usize| entries[entry].ts.clone();

    // While the bot runs: both emoji, on several entries.
    let mut standing = BTreeSet::new();
    for v in 0..12u32 {
        let entry = (v % ENTRIES) as usize;
        let name = if v % 2 == 0 { "+1" } else { "joy" };
        bot.fake
            .react(&voter(v), &channel, &ts(entry), name)
            .unwrap();
        standing.insert((v, entry, name));
    }
    wait_counts(&bot, contest, &counts(&standing)).await;

    // While it is down: more of both, one voter with both on one entry,
    // votes taken back, and an entrant's own reaction.
    let (fake, store) = bot.stop().await;
    for v in 20..32u32 {
        let entry = ((v * 5) % ENTRIES) as usize;
        for name in ["+1", "joy"].into_iter().take(1 + (v % 2) as usize) {
            fake.react_unseen(&voter(v), &channel, &ts(entry), name)
                .unwrap();
            standing.insert((v, entry, name));
        }
    }
    for v in [0u32, 1, 2] {
        let entry = (v % ENTRIES) as usize;
        let name = if v % 2 == 0 { "+1" } else { "joy" };
        fake.unreact_unseen(&voter(v), &channel, &ts(entry), name)
            .unwrap();
        standing.remove(&(v, entry, name));
    }
    fake.react_unseen(&entrant(3), &channel, &ts(3), "joy")
        .unwrap();
    let before = fake.calls_of("reactions.get").len();

    let again = SlackTestBot::start_at(AT, fast(fake, Some(store))).await;
    let expected = counts(&standing);
    wait_counts(&again, contest, &expected).await;
    // The close waits for the start-up reconciliation to end: every read
    // it made is in the log by then.
    let (_, closed) = again.ask_as(&organiser(), &channel, "contest close").await;
    let closed = closed.body.to_string();
    assert!(closed.contains("Closed; the result is in"), "{closed}");
    let mut reads: BTreeMap<String, usize> = BTreeMap::new();
    for call in &again.fake.calls_of("reactions.get")[before..] {
        let read = call.arg("timestamp").unwrap_or_default().to_owned();
        *reads.entry(read).or_default() += 1;
    }
    let once: BTreeMap<String, usize> = (0..ENTRIES as usize).map(|e| (ts(e), 1)).collect();
    assert_eq!(reads, once, "one reactions.get per entry, for both emoji");
    let stored: Vec<u32> = standings(&again, contest)
        .await
        .iter()
        .map(|s| s.votes)
        .collect();
    assert_eq!(stored, expected, "every entry's votes, in posting order");
    println!(
        "slack contest read back: {ENTRIES} entries x 2 emoji in {} reactions.get calls (was {})",
        reads.values().sum::<usize>(),
        2 * ENTRIES
    );
    again.stop().await;
}

/// Slack's reactions for options A, B and C of a reaction poll.
const OPTIONS: [&str; 3] = ["one", "two", "three"];

/// Waits until the stored tally of `poll` has `counts`.
async fn tallied(bot: &SlackTestBot, poll: &MessageKey, counts: [u64; 3]) {
    wait("the stored tally", || async {
        let tally = bot.app().polls.recorder().stored_tally(poll).await.ok()??;
        (tally.counts == counts).then_some(())
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restart_reads_a_reaction_poll_once_for_all_its_options() {
    let bot = SlackTestBot::start_at(AT, fast(fake().await, None)).await;
    let polls = bot.fake.ids().polls_channel_id.clone();
    let create =
        "poll create Which track? | Kernel | Databases | Tracing minutes:30 style:reactions";
    let (_, created) = bot.ask_as(&organiser(), &polls, create).await;
    let created = created.body.to_string();
    assert!(created.contains("Poll posted"), "{created}");
    let posted = bot
        .fake
        .wait_until("the poll's seed reactions", PATIENCE, |fake| {
            let messages = fake.messages(&polls).into_iter();
            messages
                .filter(|m| m.by_bot() && m.text.contains("Which track?"))
                .find(|m| m.reactions.len() == OPTIONS.len())
        })
        .await
        .unwrap();
    let poll = MessageKey::new(&polls, &posted.ts);
    for v in 0..3 {
        let voter = voter(v);
        bot.fake.add_user(&voter);
        bot.fake.set_member(&polls, &voter.id, true).unwrap();
        bot.fake
            .react(&voter, &polls, &posted.ts, OPTIONS[0])
            .unwrap();
    }
    tallied(&bot, &poll, [3, 0, 0]).await;

    // While it is down: votes on every option, and one taken back.
    let (fake, store) = bot.stop().await;
    for v in 10..16u32 {
        let name = OPTIONS[(v % 3) as usize];
        fake.react_unseen(&voter(v), &polls, &posted.ts, name)
            .unwrap();
    }
    fake.unreact_unseen(&voter(0), &polls, &posted.ts, OPTIONS[0])
        .unwrap();
    let before = fake.calls_of("reactions.get").len();

    let again = SlackTestBot::start_at(AT, fast(fake, Some(store))).await;
    tallied(&again, &poll, [4, 2, 2]).await;
    let reads: Vec<String> = again.fake.calls_of("reactions.get")[before..]
        .iter()
        .map(|call| call.arg("timestamp").unwrap_or_default().to_owned())
        .collect();
    assert_eq!(
        reads,
        vec![posted.ts.clone()],
        "one reactions.get for three options"
    );
    again.stop().await;
}
