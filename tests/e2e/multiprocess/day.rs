//! The sample day on three processes running 4 Discord shards: every
//! announcement once, a flash poll in each of six guilds (on every shard)
//! counted exactly, reminders delivered once.

use super::{quiesce, sharded, stored_votes, Cluster, PROCESSES, SHARDS};
use crate::harness::{instant, PATIENCE};
use chrono::TimeDelta;
use emcee_core::config::Config;
use emcee_core::scheduler::{plan, Job, JobKind, PlanSettings};
use fake_discord::{FakeDiscord, FakeUser, StoredMessage};
use serde_json::json;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// Simulated seconds per real second: the day's five hours in about 80 s.
const SPEED: i64 = 240;
/// Voters per poll.
const VOTERS: u32 = 12;
/// Attendees asking for a reminder, and the session.
const REMINDED: u32 = 4;
const SESSION: &str = "morling-jfrunit";

/// The channel each guild's flash poll goes to: the conference's `#polls`,
/// the first channel of every other guild.
fn poll_channels(fake: &FakeDiscord) -> Vec<u64> {
    let ids = fake.ids();
    fake.guilds()
        .iter()
        .map(|guild| match guild.id == ids.guild_id {
            true => ids.polls_channel_id,
            false => guild.channels[0].0,
        })
        .collect()
}

/// The sample day's sessions with one flash poll per guild, and a config
/// serving every guild and routing tracks and rooms to channels of three of
/// them by id.
fn write_day(dir: &Path, fake: &FakeDiscord) -> PathBuf {
    let ids = fake.ids();
    let stranger = &ids.stranger;
    let sample =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("config/agenda.toml"))
            .unwrap();
    let sessions = &sample[..sample.find("[[polls]]").unwrap()];
    let mut agenda = sessions.to_owned();
    for (n, channel) in poll_channels(fake).into_iter().enumerate() {
        let _ = write!(
            agenda,
            "[[polls]]\nid = \"guild-{n}\"\nquestion = \"Three processes, one count?\"\n\
             options = [\"Yes\", \"No\", \"Not yet\"]\nopens = 2021-10-07T08:00:00-07:00\n\
             minutes = 60\nchannel = \"{channel}\"\n\n"
        );
    }
    std::fs::write(dir.join("agenda.toml"), agenda).unwrap();
    let servers: Vec<String> = fake
        .guilds()
        .iter()
        .map(|g| format!("\"{}\"", g.id))
        .collect();
    let hall = fake.guilds().last().unwrap().channels[0].0;
    let config = format!(
        "[conference]\ntimezone = \"US/Pacific\"\n\n[agenda]\nsource = \"agenda.toml\"\n\n\
         [announcements]\nlead_minutes = [5, 0]\ndefault_channel = \"{announcements}\"\n\
         main_channel = \"{general}\"\non_demand = true\ncatch_up_minutes = 10\n\n\
         [announcements.tracks]\n\"Observability\" = \"{s_announcements}\"\n\
         \"Programming Languages\" = \"{polls}\"\n\"Unikernels\" = \"{hall}\"\n\n\
         [announcements.rooms]\n\"Speakers Lounge\" = \"{s_general}\"\n\n\
         [polls]\nchannel = \"{polls}\"\ntally_every_seconds = 5\n\n\
         [discord]\nservers = [{servers}]\n",
        announcements = ids.announcements_channel_id,
        general = ids.general_channel_id,
        polls = ids.polls_channel_id,
        s_announcements = stranger.announcements_channel_id,
        s_general = stranger.general_channel_id,
        servers = servers.join(", "),
    );
    std::fs::write(dir.join("emcee.toml"), config).unwrap();
    dir.join("emcee.toml")
}

/// Every announcement the config plans (polls open and close on their own).
fn announcements(config: &Path) -> Vec<Job> {
    let config = Config::load(config).unwrap();
    let settings = PlanSettings::from_settings(&config.settings);
    plan(&config.programme, &settings, &[])
        .into_iter()
        .filter(|job| !matches!(job.kind(), JobKind::PollOpen | JobKind::PollClose))
        .collect()
}

/// Every message in the channels of both guilds.
fn all_messages(fake: &FakeDiscord) -> Vec<StoredMessage> {
    fake.guilds()
        .iter()
        .flat_map(|guild| guild.channels.clone())
        .flat_map(|(channel, _)| fake.messages(channel))
        .collect()
}

/// How many messages carry each nonce.
fn by_nonce(messages: &[StoredMessage]) -> BTreeMap<String, usize> {
    let mut counts = BTreeMap::new();
    for nonce in messages.iter().filter_map(|m| m.nonce.clone()) {
        *counts.entry(nonce).or_insert(0) += 1;
    }
    counts
}

/// The poll emcee posted in `channel`, once its option reactions are on.
async fn wait_poll(fake: &FakeDiscord, channel: u64) -> StoredMessage {
    let bot = fake.ids().bot_user_id;
    fake.wait_until("a flash poll with its reactions", PATIENCE * 2, |f| {
        f.messages(channel).into_iter().find(|m| {
            !m.embeds.is_empty()
                && m.reactions.len() == 3
                && m.reactions.iter().all(|r| r.users.contains(&bot))
        })
    })
    .await
    .expect("the poll is posted")
}

/// Voters react to `poll`, each with one option; returns the votes per option.
async fn vote(fake: &FakeDiscord, poll: &StoredMessage, first_voter: u32) -> Vec<i64> {
    let emoji: Vec<String> = poll.reactions.iter().map(|r| r.emoji.clone()).collect();
    let mut expected = vec![0; emoji.len()];
    for n in 0..VOTERS {
        let option = (n as usize * 7 + 3) % emoji.len();
        let user = FakeUser::attendee(first_voter + n);
        fake.react(poll.channel_id, poll.id, &user, &emoji[option])
            .await
            .unwrap();
        expected[option] += 1;
    }
    expected
}

async fn ask_reminders(cluster: &Cluster) {
    for n in 0..REMINDED {
        let user = FakeUser::attendee(900 + n);
        let options = json!({ "session": SESSION, "minutes_before": 15 });
        let asked = cluster.fake.slash_command(&user, "remind", options).await;
        let reply = cluster
            .fake
            .wait_for_interaction_response(&asked, PATIENCE)
            .await
            .expect("the reminder is taken");
        let body = reply.body.unwrap_or_default();
        let text = body["data"]["content"].as_str().unwrap_or_default();
        assert!(text.contains("I'll DM you 15 min"), "{body}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_processes_on_four_shards_post_the_sample_day_once_count_each_guilds_poll_and_remind_once(
) {
    let fake = FakeDiscord::start_with(sharded(4, true)).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let config = write_day(dir.path(), &fake);
    let jobs = announcements(&config);
    let t0 = instant("2021-10-07T07:00:00-07:00");
    let Some(mut cluster) = Cluster::new(fake, &config, t0, SPEED).await else {
        return;
    };
    cluster.start_all().await;
    let db = cluster.db().await;
    cluster.wait_holder(&db).await;
    ask_reminders(&cluster).await;
    assert!(
        cluster.now() < instant("2021-10-07T07:55:00-07:00"),
        "started in time"
    );

    let mut polls = Vec::new();
    for (n, channel) in poll_channels(&cluster.fake).into_iter().enumerate() {
        let poll = wait_poll(&cluster.fake, channel).await;
        let voters = 100 * (u32::try_from(n).unwrap() + 1);
        let expected = vote(&cluster.fake, &poll, voters).await;
        polls.push((poll, expected));
    }
    let end = jobs.iter().map(|job| job.due_at).max().unwrap();
    tokio::time::sleep_until(cluster.real(end + TimeDelta::minutes(1))).await;
    let expected = jobs.len();
    let _ = cluster
        .fake
        .wait_until("every announcement", PATIENCE, |f| {
            let posted = by_nonce(&all_messages(f));
            jobs.iter()
                .all(|job| posted.contains_key(&job.nonce()))
                .then_some(())
        })
        .await;
    quiesce(&cluster.fake).await;

    let messages = all_messages(&cluster.fake);
    let guilds = cluster.fake.guilds().len();
    let posted = by_nonce(&messages);
    let copies: Vec<usize> = jobs
        .iter()
        .map(|job| posted.get(&job.nonce()).copied().unwrap_or(0))
        .collect();
    let lost = copies.iter().filter(|&&c| c == 0).count();
    let doubled = copies.iter().filter(|&&c| c > 1).count();
    let mut counted = Vec::new();
    for (poll, votes) in &polls {
        let stored = stored_votes(&db, poll.id).await;
        let results: Vec<&StoredMessage> = messages
            .iter()
            .filter(|m| m.channel_id == poll.channel_id)
            .filter(|m| m.nonce.as_deref().is_some_and(|n| n.ends_with("-result")))
            .collect();
        let announced = format!("{VOTERS} voters");
        let results = results
            .iter()
            .filter(|m| {
                m.embeds[0]["description"]
                    .as_str()
                    .is_some_and(|t| t.contains(&announced))
            })
            .count();
        counted.push((votes.clone(), stored, results));
    }
    let mut reminded = Vec::new();
    for n in 0..REMINDED {
        let dm = cluster.fake.dm_channel(&FakeUser::attendee(900 + n));
        let dms = cluster.fake.messages(dm);
        reminded.push(dms.iter().filter(|m| m.content.contains("JfrUnit")).count());
    }
    let senders: Vec<usize> = (0..PROCESSES)
        .map(|n| {
            let requests = cluster.fake.requests();
            requests
                .iter()
                .filter(|r| r.method == "POST" && r.path.ends_with("/messages"))
                .filter(|r| Cluster::sent_by(r, n))
                .count()
        })
        .collect();
    eprintln!(
        "multiprocess: {PROCESSES} processes on {SHARDS} shards, {guilds} guilds, {expected} announcements expected, {lost} lost, \
         {doubled} doubled; polls (reactions, stored, results): {counted:?}; reminders per \
         user: {reminded:?}; message posts per process: {senders:?}"
    );
    cluster.kill_all().await;
    let logs = cluster.logs();
    let adopted = logs
        .matches("counting a poll another process opened")
        .count();
    eprintln!("multiprocess: polls counted by a process that did not open them: {adopted}");
    assert_eq!((lost, doubled), (0, 0), "every announcement once\n{logs}");
    for (votes, stored, results) in counted {
        assert_eq!(stored, votes, "the stored votes are the reactions\n{logs}");
        assert_eq!(results, 1, "one result per poll, of every voter\n{logs}");
    }
    assert_eq!(
        reminded,
        vec![1; REMINDED as usize],
        "one reminder each\n{logs}"
    );
}
