//! `emcee init` as an organiser runs it: every published schedule in the
//! fixtures becomes a config that `emcee check` accepts as written, and
//! nothing is overwritten or guessed.

// A test fails by panicking; helpers outside `#[test]` functions unwrap too.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::process::{Command, Output};

fn emcee_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_emcee"))
        .args(args)
        .current_dir(dir)
        .env_remove("EMCEE_CONFIG")
        .env_remove("RUST_LOG")
        .output()
        .expect("run emcee")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn fixture(path: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/schedules")
        .join(path)
        .display()
        .to_string()
}

/// Each fixture, and whether it names the conference's zone itself.
const FIXTURES: [(&str, bool); 13] = [
    ("schedule_json/36c3-stages.schedule.json", false),
    ("schedule_json/jev22-everything.schedule.json", true),
    ("frab_xml/fosdem-2025.schedule.xml", true),
    ("frab_xml/debconf23-wafer.schedule.xml", true),
    ("sessionize/scottish-summit-2026.all.json", false),
    ("ical/lca-2020.ics", true),
    ("ical/jres-2022.ics", true),
    ("ical/outlook-recurring.ics", true),
    ("ical/shared-uids.ics", true),
    ("duplicates/reused-ids.schedule.json", true),
    ("duplicates/reused-ids.schedule.xml", true),
    ("duplicates/reused-ids.sessionize.json", false),
    ("duplicates/reused-uids.ics", true),
];

#[test]
fn init_on_every_fixture_schedule_writes_a_config_that_check_accepts_unchanged() {
    let listed = std::fs::read_dir(fixture(""))
        .unwrap()
        .flat_map(|kind| {
            std::fs::read_dir(kind.unwrap().path())
                .into_iter()
                .flatten()
        })
        .filter_map(|file| {
            let path = file.unwrap().path();
            let name = path.file_name()?.to_str()?.to_owned();
            let data = !name.ends_with(".txt") && !path.to_str()?.contains("/specs/");
            data.then_some(name)
        })
        .count();
    assert_eq!(listed, FIXTURES.len(), "a new fixture belongs in FIXTURES");
    for (file, names_its_zone) in FIXTURES {
        let dir = tempfile::tempdir().unwrap();
        let source = fixture(file);
        let bare = emcee_in(dir.path(), &["init", &source]);
        let output = if names_its_zone {
            bare
        } else {
            assert_eq!(
                bare.status.code(),
                Some(64),
                "{file}: {}",
                text(&bare.stderr)
            );
            assert!(
                text(&bare.stderr).contains("does not say which timezone")
                    && text(&bare.stderr).contains("--tz"),
                "{file}: {}",
                text(&bare.stderr)
            );
            assert!(
                !dir.path().join("config").exists(),
                "{file}: nothing written"
            );
            emcee_in(dir.path(), &["init", &source, "--tz", "Europe/London"])
        };
        assert!(output.status.success(), "{file}: {}", text(&output.stderr));
        let summary = text(&output.stdout);
        assert!(
            summary.starts_with("Wrote config/emcee.toml and config/agenda.toml: "),
            "{file}: {summary}"
        );
        assert!(
            summary.contains("\nChannels to create ("),
            "{file}: {summary}"
        );
        let check = emcee_in(dir.path(), &["check"]);
        let (out, err) = (text(&check.stdout), text(&check.stderr));
        assert!(check.status.success(), "{file}: {err}");
        assert!(!err.contains("warning:"), "{file}: {err}");
        let sessions = summary
            .split(" sessions,")
            .next()
            .and_then(|head| head.rsplit(", ").next())
            .unwrap();
        assert!(
            out.contains(&format!("sessions: {sessions} (")),
            "{file}: {out}"
        );
        let settings = std::fs::read_to_string(dir.path().join("config/emcee.toml")).unwrap();
        let channels: Vec<&str> = summary
            .lines()
            .filter_map(|line| line.strip_prefix("  #"))
            .filter_map(|line| line.split_whitespace().next())
            .collect();
        assert!(channels.len() >= 2, "{file}: {summary}");
        for channel in &channels {
            assert!(
                settings.contains(&format!("= \"{channel}\"\n")),
                "{file}: #{channel} is in the config: {settings}"
            );
            assert!(
                channel.len() <= 80
                    && channel
                        .chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
                "{file}: #{channel} is a valid Slack and Discord name"
            );
        }
    }
}

#[test]
fn init_takes_the_zone_and_name_from_the_file_or_the_flags() {
    let dir = tempfile::tempdir().unwrap();
    let fosdem = fixture("frab_xml/fosdem-2025.schedule.xml");
    let output = emcee_in(dir.path(), &["init", &fosdem, "--config-dir", "fosdem"]);
    assert!(output.status.success(), "{}", text(&output.stderr));
    let settings = std::fs::read_to_string(dir.path().join("fosdem/emcee.toml")).unwrap();
    assert!(
        settings.contains("\ntimezone = \"Europe/Brussels\"\n"),
        "{settings}"
    );
    assert!(
        settings.contains("\n\"Rust\" = \"rust\"\n") && settings.contains("[announcements.tracks]"),
        "{settings}"
    );
    assert!(
        !settings.contains("\"Lightning Talks\""),
        "a track without sessions gets no channel: {settings}"
    );
    assert!(text(&output.stdout).contains("emcee check --config fosdem/emcee.toml"));
    let summit = fixture("sessionize/scottish-summit-2026.all.json");
    let named = emcee_in(
        dir.path(),
        &[
            "init",
            &summit,
            "--tz",
            "Europe/London",
            "--name",
            "Scottish Summit 2026",
        ],
    );
    assert!(named.status.success(), "{}", text(&named.stderr));
    let agenda = std::fs::read_to_string(dir.path().join("config/agenda.toml")).unwrap();
    assert!(
        agenda.contains("name = \"Scottish Summit 2026\"\ntimezone = \"Europe/London\""),
        "{agenda}"
    );
    let keynote = emcee_in(dir.path(), &["agenda", "search", "Summit 2026 Keynote"]);
    assert!(
        text(&keynote.stdout).contains("09:00–09:10  Scottish Summit 2026 Keynote"),
        "the Glasgow keynote at nine, London time: {}",
        text(&keynote.stdout)
    );
}

#[test]
fn init_never_overwrites_without_force() {
    let dir = tempfile::tempdir().unwrap();
    let lca = fixture("ical/lca-2020.ics");
    assert!(emcee_in(dir.path(), &["init", &lca]).status.success());
    let agenda = dir.path().join("config/agenda.toml");
    std::fs::write(&agenda, "# my edits\n").unwrap();
    let again = emcee_in(dir.path(), &["init", &lca]);
    assert_eq!(again.status.code(), Some(64));
    assert!(
        text(&again.stderr).contains("already exist; nothing was written (give --force"),
        "{}",
        text(&again.stderr)
    );
    assert_eq!(std::fs::read_to_string(&agenda).unwrap(), "# my edits\n");
    let forced = emcee_in(dir.path(), &["init", &lca, "--force"]);
    assert!(forced.status.success(), "{}", text(&forced.stderr));
    assert!(std::fs::read_to_string(&agenda)
        .unwrap()
        .contains("linux.conf.au 2020"));
}

#[test]
fn init_without_a_schedule_writes_an_example_that_check_accepts() {
    let dir = tempfile::tempdir().unwrap();
    let refused = emcee_in(dir.path(), &["init"]);
    assert_eq!(refused.status.code(), Some(64));
    assert!(
        text(&refused.stderr).contains("--tz"),
        "{}",
        text(&refused.stderr)
    );
    let output = emcee_in(
        dir.path(),
        &["init", "--tz", "Europe/Lisbon", "--name", "Conf \"26\""],
    );
    assert!(output.status.success(), "{}", text(&output.stderr));
    let check = emcee_in(dir.path(), &["check"]);
    assert!(check.status.success(), "{}", text(&check.stderr));
    assert!(
        text(&check.stdout).starts_with("OK: Conf \"26\" (Europe/Lisbon)"),
        "{}",
        text(&check.stdout)
    );
}

#[test]
fn import_refuses_to_overwrite_without_force_and_takes_a_name() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("agenda.toml");
    std::fs::write(&out, "# keep me\n").unwrap();
    let source = fixture("ical/jres-2022.ics");
    let out_arg = out.to_str().unwrap();
    let refused = emcee_in(dir.path(), &["import", &source, "--out", out_arg]);
    assert_eq!(refused.status.code(), Some(64), "{}", text(&refused.stderr));
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "# keep me\n");
    let named = [
        "import",
        &source,
        "--out",
        out_arg,
        "--force",
        "--name",
        "JRES 2022",
    ];
    let forced = emcee_in(dir.path(), &named);
    assert!(forced.status.success(), "{}", text(&forced.stderr));
    assert!(std::fs::read_to_string(&out)
        .unwrap()
        .contains("name = \"JRES 2022\""));
    let no_out = emcee_in(dir.path(), &["import", &source, "--force"]);
    assert_eq!(no_out.status.code(), Some(64), "--force needs --out");
}
