//! The `emcee` binary as a user runs it: `check`, `agenda` and a scripted console.

// A test fails by panicking; helpers outside `#[test]` functions unwrap too.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn emcee(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_emcee"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("EMCEE_CONFIG")
        .output()
        .expect("run emcee")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// `emcee console ARGS` run from the project's folder with `script` on its
/// standard input; its standard output, once it exited successfully.
fn console(args: &[&str], script: &str) -> String {
    let mut child = Command::new(env!("CARGO_BIN_EXE_emcee"))
        .arg("console")
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("EMCEE_CONFIG")
        .env("RUST_LOG", "error")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(script.as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success());
    stdout(&output)
}

/// A copy of the sample config in a temporary folder, with `edit` applied to one file.
fn broken_config(file: &str, edit: impl Fn(&str) -> String) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("temp dir");
    for name in ["emcee.toml", "agenda.toml"] {
        let original = std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("config")
                .join(name),
        )
        .unwrap();
        let text = if name == file {
            edit(&original)
        } else {
            original
        };
        assert!(
            name != file
                || text
                    != std::fs::read_to_string(Path::new("config").join(name)).unwrap_or_default()
        );
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    let config = dir.path().join("emcee.toml");
    (dir, config)
}

/// Runs `emcee check` on a broken copy and returns (status, stderr).
fn check_broken(file: &str, edit: impl Fn(&str) -> String) -> (Option<i32>, String) {
    let (_dir, config) = broken_config(file, edit);
    let output = emcee(&["check", "--config", config.to_str().unwrap()]);
    (output.status.code(), stderr(&output))
}

#[test]
fn check_passes_on_the_sample_config() {
    let output = emcee(&["check"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let text = stdout(&output);
    assert!(text.contains("P99 CONF 2021"), "{text}");
    assert!(
        text.contains("22 (3 breaks, 2 keynotes, 1 lounge, 1 social, 15 talks)"),
        "{text}"
    );
    assert!(text.contains("polls:    4"), "{text}");
    assert!(text.contains("warnings: none"), "{text}");
}

#[test]
fn check_names_file_line_column_and_field_of_a_typoed_key() {
    let (status, err) = check_broken("emcee.toml", |t| {
        t.replace("refresh_minutes = 5", "refresh_minuts = 5")
    });
    assert_eq!(status, Some(2));
    let sample =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("config/emcee.toml"))
            .unwrap();
    let line = 1 + sample
        .lines()
        .position(|l| l.starts_with("refresh_minutes = 5"))
        .unwrap();
    assert!(err.contains(&format!("emcee.toml:{line}:1:")), "{err}");
    assert!(err.contains("refresh_minuts"), "{err}");
    assert!(err.contains("`agenda"), "{err}");
}

#[test]
fn check_shows_every_problem_of_a_file_at_once_with_snippets_and_suggestions() {
    let (status, err) = check_broken("emcee.toml", |t| {
        t.replace(
            "timezone = \"America/Los_Angeles\"",
            "timezone = \"America/Los_Angels\"",
        )
        .replace("refresh_minutes = 5", "refresh_minuts = 5")
        .replace("lead_minutes = [5, 0]", "lead_minutes = [5, \"zero\"]")
    });
    assert_eq!(status, Some(2));
    let errors: Vec<&str> = err.lines().filter(|l| l.starts_with("error: ")).collect();
    assert_eq!(errors.len(), 3, "{err}");
    assert!(
        errors[0].contains("`conference.timezone`")
            && errors[0].ends_with("did you mean `America/Los_Angeles`?"),
        "{err}"
    );
    assert!(
        errors[1].contains("did you mean `refresh_minutes`?"),
        "{err}"
    );
    assert!(
        errors[2].contains("`announcements.lead_minutes[1]`"),
        "{err}"
    );
    assert!(err.contains("| refresh_minuts = 5\n   | ^\n"), "{err}");
    assert!(err.trim_end().ends_with("3 problems"), "{err}");
}

#[test]
fn check_lists_every_broken_session_of_the_agenda() {
    let (status, err) = check_broken("agenda.toml", |t| {
        t.replacen("start = 2021-10-07T08:00:00-07:00", "start = \"soon\"", 1)
            .replacen("title = ", "titel = ", 1)
    });
    assert_eq!(status, Some(2));
    let errors: Vec<&str> = err.lines().filter(|l| l.starts_with("error: ")).collect();
    assert_eq!(errors.len(), 2, "{err}");
    assert!(err.contains("did you mean `title`?"), "{err}");
}

#[test]
fn check_refuses_an_agenda_session_in_a_year_calendars_cannot_hold() {
    let (status, err) = check_broken("agenda.toml", |t| {
        t.replacen(
            "start = 2021-10-07T08:00:00-07:00",
            "start = 9999-12-31T23:00:00-05:00",
            1,
        )
    });
    assert_eq!(status, Some(2), "{err}");
    assert!(
        err.contains("`sessions[0].start`: dated outside the years"),
        "{err}"
    );
}

#[test]
fn check_prints_agenda_text_without_terminal_controls() {
    let (_dir, config) = broken_config("agenda.toml", |t| {
        t.replacen(
            "name = \"P99 CONF 2021",
            "name = \"\\u001b]0;owned\\u0007P99 CONF 2021",
            1,
        )
    });
    let output = emcee(&["check", "--config", config.to_str().unwrap()]);
    assert!(output.status.success(), "{}", stderr(&output));
    let text = stdout(&output);
    assert!(text.contains("]0;ownedP99 CONF 2021"), "{text}");
    assert!(
        !text.contains('\u{1b}') && !text.contains('\u{7}'),
        "{text:?}"
    );
}

#[test]
fn check_refuses_a_bad_timezone_with_its_position() {
    let (status, err) = check_broken("emcee.toml", |t| {
        t.replace(
            "timezone = \"America/Los_Angeles\"",
            "timezone = \"Mars/Olympus\"",
        )
    });
    assert_eq!(status, Some(2));
    assert!(
        err.contains("emcee.toml:10:12: `conference.timezone`"),
        "{err}"
    );
}

#[test]
fn check_refuses_an_end_before_a_start() {
    let (status, err) = check_broken("agenda.toml", |t| {
        t.replace(
            "start = 2021-10-07T09:00:00-07:00\nend = 2021-10-07T13:00:00-07:00",
            "start = 2021-10-07T09:00:00-07:00\nend = 2021-10-07T08:00:00-07:00",
        )
    });
    assert_eq!(status, Some(2));
    assert!(err.contains("agenda.toml:"), "{err}");
    assert!(err.contains("`sessions[3].end`"), "{err}");
    assert!(
        err.contains(
            "ends at 2021-10-07 08:00:00 PDT which is not after its start 2021-10-07 09:00:00 PDT"
        ),
        "in the file's own zone, not UTC: {err}"
    );
    let line = line_of(&err);
    let agenda = std::fs::read_to_string("config/agenda.toml").unwrap();
    assert!(
        agenda.lines().nth(line - 1).unwrap().starts_with("end = "),
        "line {line}: {err}"
    );
}

#[test]
fn check_accepts_an_old_zone_name_and_suggests_the_canonical_one() {
    let (_dir, config) = broken_config("emcee.toml", |t| {
        t.replace(
            "timezone = \"America/Los_Angeles\"",
            "timezone = \"US/Pacific\"",
        )
    });
    let output = emcee(&["check", "--config", config.to_str().unwrap()]);
    assert!(output.status.success(), "{}", stderr(&output));
    let warnings: Vec<String> = stderr(&output)
        .lines()
        .filter(|l| l.starts_with("warning: "))
        .map(str::to_owned)
        .collect();
    assert_eq!(
        warnings.len(),
        1,
        "the same zone, so no disagreement: {warnings:#?}"
    );
    assert!(
        warnings[0].contains("emcee.toml:10:12: `conference.timezone`: \"US/Pacific\" is an old name of America/Los_Angeles")
            && warnings[0].contains("write timezone = \"America/Los_Angeles\""),
        "{warnings:#?}"
    );
    let canonical = emcee(&["check"]);
    assert!(
        !stderr(&canonical).contains("warning"),
        "{}",
        stderr(&canonical)
    );
}

#[test]
fn check_shows_overlaps_at_the_conference_s_local_time() {
    let (_dir, config) = broken_config("agenda.toml", |t| {
        t.replace(
            "start = 2021-10-07T08:25:00-07:00",
            "start = 2021-10-07T08:10:00-07:00",
        )
    });
    let output = emcee(&["check", "--config", config.to_str().unwrap()]);
    assert!(output.status.success(), "{}", stderr(&output));
    let text = stdout(&output);
    assert!(
        text.contains(
            "room `Main Stage`: `rostedt-linux-tracing` (from Thu 7 Oct 08:10 PDT) overlaps \
             `cantrill-wrights-law` (until 08:20)"
        ),
        "{text}"
    );
}

#[test]
fn check_refuses_a_duplicate_id() {
    let (status, err) = check_broken("agenda.toml", |t| {
        t.replace("id = \"johansson-g1\"", "id = \"morling-jfrunit\"")
    });
    assert_eq!(status, Some(2));
    assert!(err.contains("duplicate id `morling-jfrunit`"), "{err}");
    assert!(err.contains("`sessions[12].id`"), "{err}");
    let agenda = std::fs::read_to_string("config/agenda.toml").unwrap();
    assert_eq!(
        agenda.lines().nth(line_of(&err) - 1),
        Some("id = \"johansson-g1\"")
    );
}

#[test]
fn check_refuses_a_poll_with_too_few_options_and_an_unknown_channel_track() {
    let (status, err) = check_broken("agenda.toml", |t| {
        t.replace(
            "options = [\"Yes\", \"No\", \"Not yet\"]",
            "options = [\"Yes\"]",
        )
    });
    assert_eq!(status, Some(2));
    assert!(
        err.contains("`polls[1]`") && err.contains("2 to 10 options"),
        "{err}"
    );
    let (status, err) = check_broken("emcee.toml", |t| {
        t.replace("\"Unikernels\" = ", "\"Unikernel\" = ")
    });
    assert_eq!(status, Some(2));
    assert!(err.contains("no track `Unikernel`"), "{err}");
}

#[test]
fn check_reports_a_missing_file_by_name() {
    let output = emcee(&["check", "--config", "config/nope.toml"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("config/nope.toml: cannot read"),
        "{}",
        stderr(&output)
    );
}

/// Line and column of `needle`'s first occurrence in the text `edit` makes of the sample emcee.toml.
fn position_in_edited(edit: impl Fn(&str) -> String, needle: &str) -> (usize, usize) {
    let sample = std::fs::read_to_string("config/emcee.toml").unwrap();
    let text = edit(&sample);
    let (index, line) = text
        .lines()
        .enumerate()
        .find(|(_, l)| l.contains(needle))
        .unwrap();
    (index + 1, line.find(needle).unwrap() + 1)
}

#[test]
fn check_refuses_a_role_name_and_a_server_name_with_where_and_how_to_fix() {
    let role = |t: &str| t.replace("roles = []", "roles = [\"Organisers\"]");
    let (status, err) = check_broken("emcee.toml", role);
    assert_eq!(status, Some(2), "{err}");
    let (line, column) = position_in_edited(role, "\"Organisers\"");
    assert!(
        err.contains(&format!(
            "emcee.toml:{line}:{column}: `organisers.roles[0]`: `Organisers` is not a role id"
        )),
        "{err}"
    );
    assert!(
        err.contains(
            "role ids are numbers; in Discord, enable Developer Mode and use Copy Role ID"
        ),
        "{err}"
    );
    let server = |t: &str| t.replace("servers = []", "servers = [\"123\", \"Fake Conf\"]");
    let (status, err) = check_broken("emcee.toml", server);
    assert_eq!(status, Some(2), "{err}");
    let (line, column) = position_in_edited(server, "\"Fake Conf\"");
    assert!(
        err.contains(&format!(
            "emcee.toml:{line}:{column}: `discord.servers[1]`: `Fake Conf` is not a server id"
        )),
        "{err}"
    );
    assert!(err.contains("Copy Server ID"), "{err}");
    let (status, err) = check_broken("emcee.toml", |t| {
        t.replace("servers = []", "servers = [\"0\"]")
    });
    assert_eq!(status, Some(2), "zero is no snowflake: {err}");
}

#[test]
fn check_warns_about_the_old_chat_servers_key_and_refuses_a_contradiction() {
    let old = |t: &str| t.replace("[discord]\n", "[chat]\n");
    let (_dir, config) = broken_config("emcee.toml", old);
    let output = emcee(&["check", "--config", config.to_str().unwrap()]);
    let err = stderr(&output);
    assert!(output.status.success(), "the old key still works: {err}");
    let (line, column) = position_in_edited(old, "servers = []");
    let column = column + "servers = ".len();
    assert!(
        err.contains(&format!(
            "warning: {}:{line}:{column}: `chat.servers`: has moved",
            config.display()
        )),
        "{err}"
    );
    assert!(err.contains("`[discord] servers`"), "{err}");
    assert!(stdout(&output).contains("OK:"));

    let (status, err) = check_broken("emcee.toml", |t| {
        t.replace("servers = []", "servers = [\"111\"]")
            .replace("[metrics]", "[chat]\nservers = [\"222\"]\n\n[metrics]")
    });
    assert_eq!(status, Some(2), "{err}");
    assert!(
        err.contains("`discord.servers`: differs from the old `[chat] servers` at "),
        "{err}"
    );
    assert_eq!(err.lines().filter(|l| l.starts_with("error:")).count(), 1);

    let sample = emcee(&["check"]);
    assert!(
        !stderr(&sample).contains("warning"),
        "the sample config uses [discord]: {}",
        stderr(&sample)
    );
}

/// The line number in "path:LINE:COL: …".
fn line_of(error: &str) -> usize {
    let after_path = error.split(".toml:").nth(1).unwrap();
    after_path.split(':').next().unwrap().parse().unwrap()
}

#[test]
fn agenda_next_as_json_has_rfc3339_utc_times() {
    let output = emcee(&[
        "agenda",
        "--at",
        "2021-10-07T15:55:00Z",
        "--format",
        "json",
        "next",
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let sessions: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    let ids: Vec<&str> = sessions
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        [
            "mccoid-ebpf-xdp-io-uring",
            "morling-jfrunit",
            "ritter-java-latency",
            "speakers-lounge"
        ]
    );
    assert_eq!(sessions[1]["start"], "2021-10-07T16:00:00Z");
    assert_eq!(sessions[1]["end"], "2021-10-07T16:25:00Z");
    assert_eq!(sessions[1]["speakers"][0]["name"], "Gunnar Morling");
    assert_eq!(sessions[1]["track"], "Observability");
}

#[test]
fn agenda_before_and_after_the_conference_says_so() {
    let before = emcee(&["agenda", "--at", "2021-10-06T12:00:00Z", "now"]);
    assert!(
        stdout(&before)
            .contains("has not started yet: it starts Thursday 7 October 2021 at 08:00 PDT"),
        "{}",
        stdout(&before)
    );
    let after = emcee(&["agenda", "--at", "2021-10-08T12:00:00Z", "next"]);
    assert!(stdout(&after).contains("is over"), "{}", stdout(&after));
    let json_before = emcee(&[
        "agenda",
        "--at",
        "2021-10-06T12:00:00Z",
        "--format",
        "json",
        "now",
    ]);
    assert_eq!(stdout(&json_before).trim(), "[]");
    assert!(
        stderr(&json_before).contains("has not started yet"),
        "{}",
        stderr(&json_before)
    );
}

#[test]
fn at_takes_a_local_time_in_the_conference_zone() {
    let local = emcee(&["agenda", "--at", "2021-10-07T08:55", "now"]);
    let utc = emcee(&["agenda", "--at", "2021-10-07T15:55:00Z", "now"]);
    assert!(local.status.success(), "{}", stderr(&local));
    assert_eq!(stdout(&local), stdout(&utc));
    assert!(stdout(&local).contains("Live now"), "{}", stdout(&local));
    let gap = emcee(&["agenda", "--at", "2021-03-14T02:30", "now"]);
    assert_eq!(gap.status.code(), Some(64), "a usage error");
    assert!(
        stderr(&gap).contains("does not exist in America/Los_Angeles"),
        "{}",
        stderr(&gap)
    );
    let rehearsal = emcee(&[
        "rehearse",
        "--from",
        "2021-10-07T08:55",
        "--to",
        "2021-10-07T09:00",
    ]);
    assert!(rehearsal.status.success(), "{}", stderr(&rehearsal));
    let timeline = stdout(&rehearsal);
    assert!(timeline.starts_with("4 planned post(s)"), "{timeline}");
    assert!(
        !timeline.contains("08:50") && !timeline.contains("09:05"),
        "{timeline}"
    );
}

#[test]
fn usage_errors_exit_64_unlike_a_broken_config() {
    for args in [
        &["agenda", "--bogus", "now"][..],
        &["agenda", "--at", "tomorrow at nine", "now"],
        &["frobnicate"],
        &["import"],
    ] {
        let output = emcee(args);
        assert_eq!(
            output.status.code(),
            Some(64),
            "{args:?}: {}",
            stderr(&output)
        );
    }
    for (args, flag) in [
        (&["run", "--tz", "UTC"][..], "`run --tz` does nothing"),
        (&["run", "--announce"], "`run --announce` does nothing"),
        (
            &["polls", "export", "--agenda", "x.json"],
            "`polls export --agenda` does nothing",
        ),
    ] {
        let output = emcee(args);
        assert_eq!(output.status.code(), Some(64), "{args:?}");
        assert!(stderr(&output).contains(flag), "{}", stderr(&output));
    }
    assert_eq!(emcee(&["--help"]).status.code(), Some(0));
    assert_eq!(emcee(&["--version"]).status.code(), Some(0));
    let unknown = emcee(&["agenda", "track", "Nonesuch"]);
    assert_eq!(
        unknown.status.code(),
        Some(1),
        "an unanswerable question is 1"
    );
}

#[test]
fn completions_and_the_manual_cover_every_subcommand() {
    let bash = emcee(&["completions", "bash"]);
    assert!(bash.status.success(), "{}", stderr(&bash));
    let man = emcee(&["man"]);
    assert!(man.status.success(), "{}", stderr(&man));
    let page = stdout(&man);
    assert!(
        page.starts_with(".ie") || page.contains(".TH emcee"),
        "{page}"
    );
    for sub in [
        "check", "agenda", "console", "run", "import", "rehearse", "polls",
    ] {
        assert!(stdout(&bash).contains(sub), "bash completion lacks {sub}");
        assert!(
            page.contains(&format!("EMCEE {}", sub.to_uppercase())),
            "man lacks {sub}"
        );
    }
    assert!(!emcee(&["completions", "tcsh"]).status.success());
}

#[test]
fn the_source_zone_is_explicit_the_glasgow_keynote_is_at_nine_in_london() {
    let file = "tests/fixtures/schedules/sessionize/scottish-summit-2026.all.json";
    let guessed = emcee(&["agenda", "--agenda", file, "search", "Summit 2026 Keynote"]);
    assert!(
        stderr(&guessed).contains(
            "times had no offset (Sessionize gives wall-clock times); read as America/Los_Angeles"
        ),
        "never a silent guess: {}",
        stderr(&guessed)
    );
    let london = emcee(&[
        "agenda",
        "--agenda",
        file,
        "--source-tz",
        "Europe/London",
        "search",
        "Summit 2026 Keynote",
    ]);
    assert!(london.status.success(), "{}", stderr(&london));
    let text = stdout(&london);
    assert!(text.contains("(times in Europe/London)"), "{text}");
    assert!(
        text.contains("09:00–09:10  Scottish Summit 2026 Keynote"),
        "{text}"
    );
    let shown_in_utc = emcee(&[
        "agenda",
        "--agenda",
        file,
        "--source-tz",
        "Europe/London",
        "--tz",
        "UTC",
        "search",
        "Summit 2026 Keynote",
    ]);
    assert!(
        stdout(&shown_in_utc).contains("08:00–08:10  Scottish Summit 2026 Keynote"),
        "--tz is the display zone: {}",
        stdout(&shown_in_utc)
    );
    let imported = emcee(&["import", file, "--source-tz", "Europe/London"]);
    assert!(
        stdout(&imported).contains("read as Europe/London"),
        "{}",
        stdout(&imported)
    );
    let old_flag = emcee(&["import", file, "--tz", "Europe/London"]);
    assert_eq!(
        stdout(&old_flag),
        stdout(&imported),
        "--tz still works on import"
    );
    let from_config = emcee(&["import", file]);
    assert!(
        stdout(&from_config).contains("read as America/Los_Angeles"),
        "import reads the config's zone: {}",
        stdout(&from_config)
    );
}

#[test]
fn check_warns_when_the_config_and_the_agenda_disagree_on_the_zone() {
    let (_dir, config) = broken_config("emcee.toml", |t| {
        t.replace(
            "timezone = \"America/Los_Angeles\"",
            "timezone = \"Europe/London\"",
        )
    });
    let output = emcee(&["check", "--config", config.to_str().unwrap()]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("says `[conference] timezone = \"America/Los_Angeles\"`")
            && stderr(&output).contains("reads agenda times in Europe/London"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn agenda_speaker_track_and_tz() {
    let speaker = emcee(&["agenda", "speaker", "Urbón-Bayes,", "Pere"]);
    assert!(
        stdout(&speaker).contains("Understanding Apache Kafka P99 Latency at Scale"),
        "{}",
        stdout(&speaker)
    );
    let tokyo = emcee(&["agenda", "--tz", "Asia/Tokyo", "track", "unikernels"]);
    let text = stdout(&tokyo);
    assert!(
        text.contains("times in Asia/Tokyo") && text.contains("03:25–03:50  OSv Unikernel"),
        "{text}"
    );
    let unknown = emcee(&["agenda", "track", "Observabilty"]);
    assert_eq!(unknown.status.code(), Some(1));
    assert!(
        stderr(&unknown).contains("No track matches “Observabilty”; did you mean “Observability”?"),
        "{}",
        stderr(&unknown)
    );
}

#[test]
fn console_reads_commands_from_stdin_and_answers_like_the_chat() {
    let script = "/now\n/next Observability\n/speaker cantrill\n/session g1\n/track nope\nhello\n/help\n:quit\n/now\n";
    let text = console(&["--at", "2021-10-07T15:55:00Z"], script);
    assert!(text.contains("08:50–09:00  Break  ● live"), "{text}");
    assert!(text.contains("Next up in Observability"), "{text}");
    assert!(
        text.contains("Rust, Wright's Law, and the Future of Low-Latency Systems  (ended)"),
        "{text}"
    );
    assert!(
        text.contains("G1: To Infinity and Beyond") && text.contains("Stefan Johansson (Oracle)"),
        "{text}"
    );
    assert!(text.contains("No track matches “nope”"), "{text}");
    assert!(text.contains("Commands start with /"), "{text}");
    assert!(text.contains("/speaker name"), "{text}");
    assert_eq!(
        text.matches("Live now").count(),
        1,
        "nothing is read after :quit"
    );
}

const FOSDEM: &str = "tests/fixtures/schedules/frab_xml/fosdem-2025.schedule.xml";

#[test]
fn agenda_questions_work_on_an_imported_schedule() {
    let output = emcee(&[
        "agenda",
        "next",
        "--agenda",
        FOSDEM,
        "--at",
        "2025-02-01T09:00:00Z",
        "--format",
        "json",
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let sessions: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    let sessions = sessions.as_array().unwrap();
    // No FOSDEM talk starts between 10:00 and 10:30 Brussels time; 24 start at 10:30.
    assert_eq!(sessions.len(), 24);
    assert!(
        sessions
            .iter()
            .all(|s| s["start"] == "2025-02-01T09:30:00Z"),
        "{sessions:?}"
    );
    let text = emcee(&[
        "agenda",
        "now",
        "--agenda",
        FOSDEM,
        "--at",
        "2025-02-01T09:00:00Z",
    ]);
    assert!(
        stdout(&text).contains("times in Europe/Brussels"),
        "{}",
        stdout(&text)
    );
    assert!(
        stdout(&text).contains("09:45–10:25  Unstoppable Force Behind Linux on RISC-V  ● live"),
        "{}",
        stdout(&text)
    );
}

#[test]
fn import_reports_and_writes_an_agenda_that_check_accepts() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("summit.toml");
    let source = "tests/fixtures/schedules/sessionize/scottish-summit-2026.all.json";
    let output = emcee(&[
        "import",
        source,
        "--tz",
        "Europe/London",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let report = stdout(&output);
    assert!(
        report.contains("61 events, 61 imported, 0 skipped"),
        "{report}"
    );
    assert!(report.contains("read as Europe/London"), "{report}");
    let check = emcee(&["check", "--agenda", out.to_str().unwrap()]);
    assert!(check.status.success(), "{}", stderr(&check));
    assert!(
        stdout(&check).contains("sessions: 61"),
        "{}",
        stdout(&check)
    );
}

#[test]
fn import_of_an_unknown_format_names_the_formats_tried() {
    let output = emcee(&["import", "README.md"]);
    assert_eq!(output.status.code(), Some(2));
    let err = stderr(&output);
    assert!(
        err.contains("README.md") && err.contains("iCalendar") && err.contains("Sessionize"),
        "{err}"
    );
}

#[test]
fn organisers_rehearse_polls_and_reminders_in_the_console() {
    let script = "/poll create Tea or coffee? | Tea | ☕ Coffee\n\
                  :vote alice A\n:vote alice coffee\n:vote bob Tea\n:unvote bob Tea\n\
                  :vote carol Tea\n/poll results\n:close\n:vote dave Tea\n\
                  /remind g1 15\n/remind nothing-like-this\n/reminders\n/mycal\n\
                  /reminders cancel g1\n/help\n:quit\n";
    let text = console(&["--at", "2021-10-07T15:55:00Z", "--announce"], script);
    assert!(
        text.contains("#console: 📊 Tea or coffee?"),
        "the poll is posted: {text}"
    );
    assert!(text.contains("Poll open until"), "{text}");
    assert!(
        text.contains("2 voters") && text.contains("1 vote (50%)"),
        "alice moved her vote, bob took his back: {text}"
    );
    assert!(
        text.contains("Poll closed; the result is posted."),
        "{text}"
    );
    assert!(
        text.contains("Results: Tea or coffee?") && text.contains("Tie:"),
        "the result post: {text}"
    );
    assert!(
        text.contains("There is no open poll."),
        "no vote after close: {text}"
    );
    assert!(
        text.contains("I'll DM you 15 min before “G1: To Infinity and Beyond”."),
        "{text}"
    );
    assert!(
        text.contains("I found no session matching “nothing-like-this”."),
        "{text}"
    );
    assert!(text.contains("Your reminders (1):"), "{text}");
    assert!(
        text.contains("1 session(s) in your calendar:") && text.contains("BEGIN:VCALENDAR"),
        "{text}"
    );
    assert!(
        text.contains("Cancelled that reminder.") && text.contains("You have no reminders."),
        "{text}"
    );
    assert!(
        text.contains("/poll create|results|close|cancel"),
        "/help lists polls: {text}"
    );
}

#[test]
fn check_refuses_reminders_sent_more_than_five_minutes_early() {
    let dir = tempfile::tempdir().unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let config = std::fs::read_to_string(root.join("config/emcee.toml"))
        .unwrap()
        .replace(
            "reminders_ahead_seconds = 45",
            "reminders_ahead_seconds = 900",
        )
        .replace(
            "source = \"agenda.toml\"",
            &format!(
                "source = {:?}",
                root.join("config/agenda.toml").display().to_string()
            ),
        );
    let path = dir.path().join("emcee.toml");
    std::fs::write(&path, config).unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_emcee"))
        .args(["check", "--config", path.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let text = stderr(&output);
    assert!(
        text.contains("reminders_ahead_seconds") && text.contains("at most 300"),
        "{text}"
    );
}

#[test]
fn logs_on_a_pipe_carry_no_colour_codes() {
    // The calendar has events that cannot be read: each is logged at WARN.
    let output = emcee(&[
        "check",
        "--agenda",
        "tests/fixtures/schedules/ical/jres-2022.ics",
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let err = stderr(&output);
    assert!(
        err.contains("WARN") && err.contains("skipped an event"),
        "{err}"
    );
    assert!(
        !err.contains('\u{1b}'),
        "no escape codes on a pipe: {err:?}"
    );
}

#[test]
fn organisers_rehearse_stars_and_mytalks_in_the_console() {
    // The scheduler runs, so stars set reminders.
    let script = "/mytalks\n/star morling-jfrunit\n/star morling-jfrunit\n\
                  /star Get Lower Latency and Higher Throughput for Java Applications\n\
                  /star oliveira-telemetry\n/star nothing-like-this\n/star\n/mytalks\n\
                  /reminders\n/unstar morling-jfrunit\n/unstar morling-jfrunit\n/reminders\n\
                  /help\n:quit\n";
    let text = console(&["--at", "2021-10-07T15:30:00Z", "--announce"], script);
    assert!(text.contains("You have starred no sessions yet."), "{text}");
    assert!(
        text.contains(
            "⭐ Starred “Continuous Performance Regression Testing with JfrUnit”. \
             I'll DM you 10 min before."
        ),
        "{text}"
    );
    assert!(text.contains("is starred already; see /mytalks."), "{text}");
    assert!(
        text.contains("I found no session matching “nothing-like-this”."),
        "{text}"
    );
    assert!(text.contains("Usage: /star SESSION"), "{text}");
    assert!(text.contains("Your day (3 starred):"), "{text}");
    assert!(text.contains("Thursday 7 October"), "the local day: {text}");
    assert!(
        text.contains("⚠ 09:00–09:25 Continuous Performance Regression Testing with JfrUnit"),
        "times in the conference's zone, the clash flagged: {text}"
    );
    assert!(
        text.contains(
            "overlaps “Get Lower Latency and Higher Throughput for Java Applications”; \
             catch it later on demand: <https://www.p99conf.io/session/get-lower-latency"
        ),
        "the suggestion is the other talk's video: {text}"
    );
    assert!(
        text.contains("• 10:10–10:35 Data Structures for High Resolution"),
        "{text}"
    );
    assert!(text.contains("Your reminders (3):"), "{text}");
    assert!(
        text.contains(
            "Unstarred “Continuous Performance Regression Testing with JfrUnit”, \
             and cancelled the reminder it set."
        ),
        "{text}"
    );
    assert!(text.contains("was not starred."), "{text}");
    assert!(text.contains("Your reminders (2):"), "{text}");
    assert!(
        text.contains("/star session") && text.contains("/mytalks"),
        "/help lists stars: {text}"
    );
}
