//! `emcee check --online`: the real binary asks the fake Discord whether the
//! config's channels and roles exist and the bot may do its work there; and
//! `emcee run`, which says so once at start and posts a missing channel's
//! announcements in the default channel.

use crate::harness::PATIENCE;
use crate::process::{emcee_command, finish, terminate, TOKEN};
use fake_discord::FakeDiscord;
use std::process::Stdio;
use tokio::process::Command;

/// ADD_REACTIONS, denied to `@everyone` in `#polls`.
const ADD_REACTIONS: u64 = 1 << 6;

/// A config routing to `#announcements` and `#polls` (which exist),
/// `#observability` (which does not) and an organiser role that is not there.
fn config(guild_id: u64, organiser_role: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    let sample = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("config");
    std::fs::copy(sample.join("agenda.toml"), dir.path().join("agenda.toml")).expect("agenda");
    let settings = format!(
        "[conference]\ntimezone = \"America/Los_Angeles\"\n\n[agenda]\nsource = \"agenda.toml\"\n\n\
         [announcements]\ndefault_channel = \"announcements\"\n\n\
         [announcements.tracks]\n\"Observability\" = \"observability\"\n\n\
         [polls]\nchannel = \"polls\"\n\n[organisers]\nroles = [\"{organiser_role}\"]\n\n\
         [discord]\nservers = [\"{guild_id}\"]\n"
    );
    std::fs::write(dir.path().join("emcee.toml"), settings).expect("settings");
    dir
}

async fn check_online(
    fake: &FakeDiscord,
    config: &tempfile::TempDir,
) -> (Option<i32>, String, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_emcee"))
        .args(["check", "--online", "--at", "2021-10-07T08:52", "--config"])
        .arg(config.path().join("emcee.toml"))
        .env("EMCEE_DISCORD_API", fake.base_url())
        .env("DISCORD_TOKEN", TOKEN)
        .env_remove("EMCEE_CONFIG")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .output();
    let output = tokio::time::timeout(PATIENCE, output)
        .await
        .expect("check finishes")
        .expect("emcee runs");
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[tokio::test]
async fn a_missing_channel_role_and_permission_are_each_reported_before_the_day() {
    let polls = fake_discord::Ids::default().polls_channel_id;
    let fake = FakeDiscord::start_with(fake_discord::Config {
        denied: vec![(polls, ADD_REACTIONS)],
        ..fake_discord::Config::default()
    })
    .await
    .unwrap();
    let config = config(fake.ids().guild_id, "424242");
    let (code, stdout, stderr) = check_online(&fake, &config).await;
    assert_eq!(code, Some(2), "{stdout}\n{stderr}");
    assert!(stdout.contains("online: connected as"), "{stdout}");
    assert!(stdout.contains("Fake Conf"), "{stdout}");
    let errors: Vec<&str> = stderr
        .lines()
        .filter(|l| l.starts_with("error: "))
        .collect();
    assert_eq!(errors.len(), 3, "{stderr}");
    assert!(
        errors
            .iter()
            .any(|e| e.contains("no channel observability") && e.contains("track Observability")),
        "{stderr}"
    );
    assert!(
        errors.iter().any(|e| e.contains("#polls")
            && e.contains("Add Reactions")
            && !e.contains("Send Messages")),
        "{stderr}"
    );
    assert!(errors.iter().any(|e| e.contains("role 424242")), "{stderr}");
    assert!(!stderr.contains("secret-token-value") && !stdout.contains("secret-token-value"));
}

#[tokio::test]
async fn a_ready_server_passes_and_shows_where_posts_go_and_what_comes_next() {
    let fake = FakeDiscord::start().await.unwrap();
    let config = config(
        fake.ids().guild_id,
        &fake.ids().organiser_role_id.to_string(),
    );
    let settings = config.path().join("emcee.toml");
    let text = std::fs::read_to_string(&settings).unwrap();
    std::fs::write(&settings, text.replace("\"observability\"", "\"general\"")).unwrap();
    let (code, stdout, stderr) = check_online(&fake, &config).await;
    assert_eq!(code, Some(0), "{stdout}\n{stderr}");
    assert!(stdout.contains("problems: none"), "{stdout}");
    assert!(
        stdout.contains("#general  (track Observability)"),
        "{stdout}"
    );
    let next = stdout
        .split("next posts (times in America/Los_Angeles):")
        .nth(1)
        .unwrap_or_default();
    assert!(
        next.starts_with("\n2021-10-07 08:55  #announcements  Starting in 5 minutes"),
        "the first post after 08:52: {stdout}"
    );
    assert!(
        next.contains(
            "\n2021-10-07 08:55  #general  Starting in 5 minutes\n        • Continuous Performance"
        ),
        "the Observability talk routed to its track's channel: {stdout}"
    );
    assert_eq!(
        next.lines().filter(|l| l.starts_with("2021-")).count(),
        5,
        "{stdout}"
    );
}

#[tokio::test]
async fn run_warns_once_about_a_missing_channel_and_posts_its_announcements_in_the_default_one() {
    let fake = FakeDiscord::start().await.unwrap();
    let ids = fake.ids().clone();
    let config = config(ids.guild_id, &ids.organiser_role_id.to_string());
    // The clock starts at 08:55 local, when the 09:00 block is announced.
    let mut command = emcee_command(&fake, &config, Some(TOKEN));
    let child = command.env_remove("RUST_LOG").spawn().expect("emcee runs");
    let pid = child.id().expect("running");
    let exited = tokio::spawn(finish(child));
    let text_of = |m: &fake_discord::StoredMessage| {
        format!(
            "{} {}",
            m.content,
            serde_json::Value::Array(m.embeds.clone())
        )
    };
    let rerouted = fake
        .wait_until("the Observability announcement", PATIENCE, |fake| {
            fake.messages(ids.announcements_channel_id)
                .iter()
                .map(text_of)
                .find(|text| text.contains("Continuous Performance"))
        })
        .await
        .expect("posted in #announcements");
    let (code, stderr) = terminate(pid, exited).await;
    assert_eq!(code, Some(0), "{stderr}");
    assert!(
        rerouted.contains("(Posted here because \\#observability does not exist yet.)"),
        "the post says where it was meant to go: {rerouted}"
    );
    // The rehearsal starts mid-morning: the jobs before it are skipped, each
    // with its own line; the missing channel has one.
    let warnings: Vec<&str> = stderr
        .lines()
        .filter(|l| l.contains("WARN") && l.contains("observability"))
        .collect();
    assert_eq!(warnings.len(), 1, "one warning at start: {stderr}");
    assert!(
        warnings[0].contains(
            "channels missing on Discord: #observability (track Observability); their posts \
             go to #announcements, with a note, until they exist"
        ),
        "{stderr}"
    );
    assert!(!stderr.contains("ERROR"), "no error per post: {stderr}");
}

/// Threads, native polls, scheduled events and a meme contest in `#general`
/// (where Add Reactions is denied), for a bot installed with the older
/// permissions: each missing permission is one line naming its feature.
#[tokio::test]
async fn each_configured_feature_names_every_permission_it_lacks_on_its_own_line() {
    let general = fake_discord::Ids::default().general_channel_id;
    let fake = FakeDiscord::start_with(fake_discord::Config {
        denied: vec![(general, ADD_REACTIONS)],
        ..fake_discord::Config::default()
    })
    .await
    .unwrap();
    let config = config(
        fake.ids().guild_id,
        &fake.ids().organiser_role_id.to_string(),
    );
    let settings = config.path().join("emcee.toml");
    let text = std::fs::read_to_string(&settings).unwrap();
    let text = text.replace("\"observability\"", "\"general\"").replace(
        "[polls]\nchannel = \"polls\"\n",
        "[polls]\nchannel = \"polls\"\nstyle = \"native\"\n",
    );
    let text = format!("{text}\n[discord.events]\nenabled = true\n\n[threads]\nenabled = true\n");
    std::fs::write(&settings, text).unwrap();
    let agenda = config.path().join("agenda.toml");
    let mut programme = std::fs::read_to_string(&agenda).unwrap();
    programme.push_str(
        "\n[[contests]]\nid = \"crab-memes\"\ntitle = \"Crab memes\"\nchannel = \"general\"\n\
         opens = 2021-10-07T16:00:00Z\nminutes = 30\n",
    );
    std::fs::write(&agenda, programme).unwrap();
    let (code, stdout, stderr) = check_online(&fake, &config).await;
    assert_eq!(code, Some(2), "{stdout}\n{stderr}");
    let errors: Vec<&str> = stderr
        .lines()
        .filter(|l| l.starts_with("error: "))
        .collect();
    let has = |what: &[&str]| {
        let found = errors.iter().filter(|e| what.iter().all(|w| e.contains(w)));
        found.count()
    };
    assert_eq!(
        has(&[
            "the bot lacks Manage Events in the server",
            "scheduled events"
        ]),
        1,
        "{stderr}"
    );
    for channel in ["#announcements", "#general"] {
        for permission in [
            "Create Public Threads",
            "Manage Threads",
            "Send Messages in Threads",
        ] {
            let line = [channel, permission, "needed by threads ([threads] enabled)"];
            assert_eq!(has(&line), 1, "{channel} {permission}: {stderr}");
        }
    }
    let polls = ["#polls", "lacks Send Polls there", "native polls"];
    assert_eq!(has(&polls), 1, "{stderr}");
    let contest = [
        "#general",
        "lacks Add Reactions",
        "the meme contest crab-memes",
    ];
    assert_eq!(has(&contest), 1, "{stderr}");
    assert_eq!(
        errors.len(),
        1 + 6 + 1 + 1,
        "one line each, nothing else: {stderr}"
    );
    assert!(
        errors.iter().all(|e| e.matches("lacks").count() == 1),
        "one permission per line: {stderr}"
    );
}
