//! Gateway churn: the connection dropped or closed every few seconds while
//! votes and commands keep coming; and a non-resumable close (4009), after
//! which Discord replays nothing and the bot must catch up on its own.

use super::{answers, ask, open_poll, settled_tally, start, Voting};
use crate::harness::seed;
use crate::harness::{Rng, PATIENCE};
use fake_discord::FakeDiscord;
use std::collections::BTreeMap;
use std::time::Duration;
use tokio::time::Instant;

/// How the gateway goes away this time.
fn disconnect(fake: &FakeDiscord, rng: &mut Rng) -> &'static str {
    match rng.below(3) {
        0 => {
            fake.drop_gateway();
            "drop"
        }
        1 => {
            fake.close_gateway(4000);
            "close 4000"
        }
        _ => {
            fake.close_gateway(1001);
            "close 1001"
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "slow fault suite; .ci/run runs it with --ignored"]
async fn gateway_churn_for_a_minute_loses_no_vote_and_no_command() {
    let seed = seed();
    eprintln!("fault suite: gateway churn seed {seed} (EMCEE_FAULT_SEED={seed} replays it)");
    let mut rng = Rng(seed);
    let bot = start("2021-10-07T15:55:00Z", false).await;
    let poll = open_poll(&bot).await;
    let mut voting = Voting::on(&poll);
    let (mut asked, mut kinds) = (Vec::new(), BTreeMap::<&str, usize>::new());
    let resumes = bot.fake.resumes();
    let identifies = bot.fake.identifies().len();
    let end = Instant::now() + Duration::from_secs(60);
    let mut next_drop = Instant::now() + Duration::from_millis(2_000 + rng.below(2_000));
    let mut n = 0;
    while Instant::now() < end {
        if Instant::now() >= next_drop {
            *kinds.entry(disconnect(&bot.fake, &mut rng)).or_default() += 1;
            next_drop = Instant::now() + Duration::from_millis(2_000 + rng.below(2_000));
        }
        voting.one(&bot.fake, &mut rng).await;
        if n % 10 == 0 {
            asked.push(ask(&bot.fake, &mut rng, n).await);
        }
        n += 1;
        tokio::time::sleep(Duration::from_millis(20 + rng.below(30))).await;
    }
    bot.fake.wait_ready(PATIENCE).await.unwrap();
    let (answered, apologised, silent) = answers(&bot.fake, &asked, PATIENCE).await;
    let (stored, discord, lost) = settled_tally(&bot, &poll).await;
    let drops: usize = kinds.values().sum();
    eprintln!(
        "fault suite: gateway churn: {drops} disconnects {kinds:?}, {} resumes, {} fresh identifies; {} vote events, stored {stored:?} vs discord {discord:?}, {lost} lost; commands {} sent, {answered} answered, {apologised} apologies, {silent} silent; seed {seed}",
        bot.fake.resumes() - resumes, bot.fake.identifies().len() - identifies, voting.events, asked.len(),
    );
    assert_eq!(
        lost, 0,
        "stored tally equals Discord's reactions (seed {seed})"
    );
    assert_eq!(
        (answered, silent),
        (asked.len(), 0),
        "every command answered (seed {seed})"
    );
    bot.stop().await;
}

// Known bug, not fixed here (src/discord/polls/ belongs to another change):
// Votes made between a non-resumable close and the next READY are never
// replayed by Discord: the fresh session reconciles every open poll.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "timing-sensitive fault scenario; .ci/run runs the fault suite one test at a time with --include-ignored"]
async fn after_a_4009_the_fresh_session_catches_up_on_the_votes_discord_did_not_replay() {
    let seed = seed();
    eprintln!("fault suite: re-identify seed {seed} (EMCEE_FAULT_SEED={seed} replays it)");
    let mut rng = Rng(seed);
    let bot = start("2021-10-07T15:55:00Z", false).await;
    let poll = open_poll(&bot).await;
    let mut voting = Voting::on(&poll);
    for _ in 0..50 {
        voting.one(&bot.fake, &mut rng).await;
    }
    let identified = bot.fake.identifies().len();
    assert!(bot.fake.close_gateway(4009));
    // Until the bot identifies again there is no session: these never reach it.
    let (mut gap_votes, mut gap_asked) = (0, Vec::new());
    let deadline = Instant::now() + PATIENCE;
    while bot.fake.identifies().len() == identified && Instant::now() < deadline {
        voting.one(&bot.fake, &mut rng).await;
        gap_votes += 1;
        if gap_votes % 10 == 0 {
            gap_asked.push(ask(&bot.fake, &mut rng, gap_votes).await);
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    bot.fake.wait_ready(PATIENCE).await.unwrap();
    let mut asked = Vec::new();
    for n in 0..50 {
        voting.one(&bot.fake, &mut rng).await;
        if n % 10 == 0 {
            asked.push(ask(&bot.fake, &mut rng, 1_000 + n).await);
        }
    }
    let (answered, _, silent) = answers(&bot.fake, &asked, PATIENCE).await;
    let (gap_answered, _, _) = answers(&bot.fake, &gap_asked, Duration::ZERO).await;
    let (stored, discord, lost) = settled_tally(&bot, &poll).await;
    eprintln!(
        "fault suite: re-identify: 1 close 4009, {} fresh identifies; {} vote events ({gap_votes} in the gap), stored {stored:?} vs discord {discord:?}, {lost} lost; commands {} sent after, {answered} answered, {silent} silent; {} sent in the gap, {gap_answered} answered (Discord does not replay them); seed {seed}",
        bot.fake.identifies().len() - identified, voting.events, asked.len(), gap_asked.len(),
    );
    assert_eq!(lost, 0, "the fresh session caught up (seed {seed})");
    assert_eq!(
        silent, 0,
        "every command after the gap answered (seed {seed})"
    );
    bot.stop().await;
}
