//! The chat platform's ids in `emcee.toml`: the servers emcee serves and the
//! roles it trusts.
//!
//! They are opaque strings to the rest of the core, but a wrong one fails late
//! and quietly: a role *name* in `[organisers] roles` used to pass `check` and
//! was dropped at run time, so the organisers found out on the day that nobody
//! could create a poll. Today's only adapter is Discord, whose ids are numeric
//! snowflakes, so `check` refuses anything else and says where to copy the
//! right one from.
//!
//! `servers` moved from `[chat]` to `[discord]` (Discord ids belong in the
//! adapter's section). The old key is still read; [`warnings`] tells the
//! organiser to move it, and the two disagreeing is an error naming both.

use super::{ConfigError, Settings, Source};
use std::collections::BTreeSet;
use std::path::Path;

const SERVER_HINT: &str =
    "server ids are numbers; in Discord, enable Developer Mode and use Copy Server ID";
const ROLE_HINT: &str =
    "role ids are numbers; in Discord, enable Developer Mode and use Copy Role ID";

/// Refuses server and role entries that are not Discord snowflakes, and an old
/// `[chat] servers` that contradicts `[discord] servers`.
pub(super) fn check(source: &Source, settings: &Settings) -> Vec<ConfigError> {
    let mut problems = Vec::new();
    for (section, servers) in [
        ("discord", &settings.discord.servers),
        ("chat", &settings.chat.servers),
    ] {
        for (index, server) in servers.iter().enumerate() {
            if !is_snowflake(server) {
                let index = index.to_string();
                problems.push(source.error_at(
                    &[section, "servers", &index],
                    format!("`{server}` is not a server id; {SERVER_HINT}"),
                ));
            }
        }
    }
    check_roles(source, settings, &mut problems);
    check_slack(source, settings, &mut problems);
    problems.extend(check_moved_servers(source, settings).err());
    problems
}

const WORKSPACE_HINT: &str =
    "a workspace id starts with T (or E on Enterprise Grid), e.g. T0123ABCD; Slack shows it \
     in the workspace's URL and in About this workspace";
const SLACK_ORGANISER_HINT: &str = "Slack organisers are member ids (U… or W…: a profile's \
     ⋮ menu, Copy member ID) or user-group ids (S…)";

/// `[slack]`: the workspace and organisers must be Slack ids, for the same
/// reason as the Discord ones: a name would pass here and match nobody later.
fn check_slack(source: &Source, settings: &Settings, problems: &mut Vec<ConfigError>) {
    let Some(slack) = &settings.slack else {
        return;
    };
    if !is_slack_id(&slack.workspace, &['T', 'E']) {
        problems.push(source.error_at(
            &["slack", "workspace"],
            format!(
                "`{}` is not a workspace id; {WORKSPACE_HINT}",
                slack.workspace
            ),
        ));
    }
    for (index, id) in slack.organisers.iter().enumerate() {
        if !is_slack_id(id, &['U', 'W', 'S']) {
            let index = index.to_string();
            problems.push(source.error_at(
                &["slack", "organisers", &index],
                format!("`{id}` is not a member or user-group id; {SLACK_ORGANISER_HINT}"),
            ));
        }
    }
}

/// A Slack id: one of `kinds` then upper-case letters and digits.
fn is_slack_id(id: &str, kinds: &[char]) -> bool {
    let mut chars = id.trim().chars();
    chars.next().is_some_and(|kind| kinds.contains(&kind))
        && id.trim().len() >= 3
        && chars.all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
}

fn check_roles(source: &Source, settings: &Settings, problems: &mut Vec<ConfigError>) {
    for (index, role) in settings.organisers.roles.iter().enumerate() {
        if !is_snowflake(role) {
            let index = index.to_string();
            problems.push(source.error_at(
                &["organisers", "roles", &index],
                format!("`{role}` is not a role id; {ROLE_HINT}"),
            ));
        }
    }
    // An announcement's ping is a Discord role, or a Slack user group when
    // emcee serves Slack: each platform pings only its own kind.
    let group = |role: &str| settings.slack.is_some() && is_slack_id(role, &['S']);
    let announcements = &settings.announcements;
    for (table, map) in [
        ("channel_roles", &announcements.channel_roles),
        ("kind_roles", &announcements.kind_roles),
    ] {
        for (key, role) in map
            .iter()
            .filter(|(_, role)| !is_snowflake(role) && !group(role))
        {
            problems.push(source.error_at(
                &["announcements", table, key],
                format!("`{role}` is not a role id; {ROLE_HINT}"),
            ));
        }
    }
}

/// Both lists set and different: which one the organiser meant is a guess.
fn check_moved_servers(source: &Source, settings: &Settings) -> Result<(), ConfigError> {
    let (new, old) = (&settings.discord.servers, &settings.chat.servers);
    if new.is_empty() || old.is_empty() || id_set(new) == id_set(old) {
        return Ok(());
    }
    let old_at = source.location_of(&["chat", "servers"]);
    Err(source.error_at(
        &["discord", "servers"],
        format!(
            "differs from the old `[chat] servers` at {old_at}; keep the right ids in \
             `[discord] servers` and delete `[chat] servers`"
        ),
    ))
}

/// What `emcee check` should tell the organiser without refusing the config:
/// today, that `[chat] servers` has moved. Empty when the file cannot be read
/// or parsed (loading reports that).
pub fn warnings(path: &Path) -> Vec<String> {
    let Ok(source) = Source::read(path) else {
        return Vec::new();
    };
    let Ok(settings) = source.parse::<Settings>() else {
        return Vec::new();
    };
    moved_servers_warning(&source, &settings)
        .into_iter()
        .collect()
}

fn moved_servers_warning(source: &Source, settings: &Settings) -> Option<String> {
    let table: toml::Table = source.text.parse().ok()?;
    table.get("chat")?.get("servers")?;
    let advice = if settings.discord.servers.is_empty() {
        "has moved: put these ids in `[discord] servers` and delete `[chat] servers` \
         (it is still read for now)"
    } else {
        "has moved to `[discord] servers`, which is set: delete `[chat] servers`"
    };
    Some(source.error_at(&["chat", "servers"], advice).to_string())
}

/// A Discord snowflake: a non-zero unsigned 64-bit number.
fn is_snowflake(id: &str) -> bool {
    id.trim().parse::<u64>().is_ok_and(|n| n != 0)
}

fn id_set(ids: &[String]) -> BTreeSet<&str> {
    ids.iter().map(|id| id.trim()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn source(body: &str) -> Source {
        Source {
            file: PathBuf::from("emcee.toml"),
            text: format!(
                "[conference]\ntimezone = \"UTC\"\n[agenda]\nsource = \"agenda.toml\"\n{body}"
            ),
        }
    }

    fn checked(body: &str) -> Result<Settings, String> {
        let src = source(body);
        let settings: Settings = src.parse().map_err(|e| e.to_string())?;
        ConfigError::collect(check(&src, &settings)).map_err(|e| e.to_string())?;
        Ok(settings)
    }

    #[test]
    fn numeric_ids_pass_and_the_new_key_wins() {
        let settings = checked(
            "[discord]\nservers = [\"123\"]\n[chat]\nservers = [\" 123\"]\n\
             [organisers]\nroles = [\"456\"]\n",
        )
        .unwrap();
        assert_eq!(settings.servers(), ["123"]);
        let old_only = checked("[chat]\nservers = [\"789\"]\n").unwrap();
        assert_eq!(old_only.servers(), ["789"], "the old key is still read");
    }

    #[test]
    fn a_role_name_is_refused_where_written_with_a_hint() {
        let error = checked("[organisers]\nroles = [\"42\", \"Organisers\"]\n").unwrap_err();
        assert!(
            error.starts_with(
                "emcee.toml:6:16: `organisers.roles[1]`: `Organisers` is not a role id"
            ),
            "{error}"
        );
        assert!(error.contains("Copy Role ID"), "{error}");
        let zero = checked("[discord]\nservers = [\"0\"]\n").unwrap_err();
        assert!(zero.contains("`discord.servers[0]`"), "{zero}");
        assert!(zero.contains("Copy Server ID"), "{zero}");
        let ping = checked("[announcements.kind_roles]\nkeynote = \"everyone\"\n").unwrap_err();
        assert!(
            ping.contains("`announcements.kind_roles.keynote`: `everyone` is not a role id"),
            "{ping}"
        );
    }

    #[test]
    fn slack_ids_are_checked_where_written() {
        let settings =
            checked("[slack]\nworkspace = \"T0123ABCD\"\norganisers = [\"U042\", \"S0ORG\"]\n")
                .unwrap();
        let slack = settings.slack.unwrap();
        assert_eq!(slack.workspace, "T0123ABCD");
        assert_eq!(slack.organisers, ["U042", "S0ORG"]);
        let name = checked("[slack]\nworkspace = \"p99conf\"\n").unwrap_err();
        assert!(
            name.starts_with("emcee.toml:6:13: `slack.workspace`: `p99conf` is not a workspace id"),
            "{name}"
        );
        let handle =
            checked("[slack]\nworkspace = \"T01\"\norganisers = [\"@alice\"]\n").unwrap_err();
        assert!(handle.contains("`slack.organisers[0]`"), "{handle}");
        assert!(handle.contains("Copy member ID"), "{handle}");
        let unknown = checked("[slack]\nworkspace = \"T01\"\ntoken = \"xoxb-1\"\n");
        assert!(
            unknown.unwrap_err().contains("token"),
            "secrets are no config key"
        );
        assert!(checked("").unwrap().slack.is_none());
        let group = "[announcements.kind_roles]\nkeynote = \"S0ORGANISE\"\n";
        assert!(checked(group).is_err(), "a user group needs [slack]");
        let with_slack = format!("{group}[slack]\nworkspace = \"T01\"\n");
        assert!(
            checked(&with_slack).is_ok(),
            "a Slack user group may be pinged"
        );
    }

    #[test]
    fn old_and_new_servers_that_differ_are_an_error_naming_both() {
        let error =
            checked("[discord]\nservers = [\"1\"]\n[chat]\nservers = [\"2\"]\n").unwrap_err();
        assert!(
            error.starts_with("emcee.toml:6:11: `discord.servers`: differs from the old `[chat] servers` at emcee.toml:8:11"),
            "{error}"
        );
    }

    #[test]
    fn the_old_key_gets_a_warning_even_when_empty() {
        let src = source("[chat]\nservers = []\n");
        let settings: Settings = src.parse().unwrap();
        let warning = moved_servers_warning(&src, &settings).unwrap();
        assert!(
            warning.starts_with("emcee.toml:6:11: `chat.servers`: has moved"),
            "{warning}"
        );
        let src = source("[discord]\nservers = []\n");
        let settings: Settings = src.parse().unwrap();
        assert_eq!(moved_servers_warning(&src, &settings), None);
    }
}
