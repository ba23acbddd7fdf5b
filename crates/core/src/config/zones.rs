//! Deprecated zone names: accepted, with the canonical name suggested.
//!
//! `US/Pacific`, `Asia/Calcutta` or `Europe/Kiev` still work (chrono-tz knows
//! every link), but they are old names that tzdb keeps only for backward
//! compatibility, and a config copied from an old blog post carries them on.
//! `emcee check` says which zone each one stands for, so the organiser can
//! write the name the rest of the world now uses; nothing is refused.

use super::location::Source;

/// tzdb's backward-compatibility links that are worth a warning.
const LINKS: &str = include_str!("zone_links.txt");

/// The canonical zone a deprecated name links to, e.g. `America/Los_Angeles`
/// for `US/Pacific`; `None` for a canonical (or unknown) name.
///
/// ```
/// use emcee_core::config::canonical_zone;
/// assert_eq!(canonical_zone("US/Pacific"), Some("America/Los_Angeles"));
/// assert_eq!(canonical_zone("Europe/London"), None);
/// ```
pub fn canonical_zone(name: &str) -> Option<&'static str> {
    LINKS
        .lines()
        .filter(|line| !line.starts_with('#'))
        .filter_map(|line| line.split_once(' '))
        .find(|(link, _)| *link == name)
        .map(|(_, canonical)| canonical)
}

/// A warning for each key of `source` at `paths` whose zone is a deprecated
/// name, located like an error ("file:line:column: `conference.timezone` …").
pub(super) fn deprecated_in(source: &Source, paths: &[&[&str]]) -> Vec<String> {
    let Ok(table) = source.text.parse::<toml::Table>() else {
        return Vec::new();
    };
    paths
        .iter()
        .filter_map(|path| {
            let (first, rest) = path.split_first()?;
            let value = rest
                .iter()
                .try_fold(table.get(*first)?, |value, key| value.get(key))?;
            let name = value.as_str()?;
            let canonical = canonical_zone(name)?;
            Some(format!(
                "{}: `{}`: \"{name}\" is an old name of {canonical}, kept only for backward \
                 compatibility; write timezone = \"{canonical}\" (the same zone)",
                source.location_of(path),
                path.join(".")
            ))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_listed_name_and_its_canonical_zone_are_zones_chrono_tz_knows() {
        let pairs: Vec<(&str, &str)> = LINKS
            .lines()
            .filter(|line| !line.starts_with('#'))
            .filter_map(|line| line.split_once(' '))
            .collect();
        assert!(pairs.len() > 100, "{}", pairs.len());
        for (link, canonical) in pairs {
            let (old, new) = (
                link.parse::<chrono_tz::Tz>(),
                canonical.parse::<chrono_tz::Tz>(),
            );
            assert!(old.is_ok() && new.is_ok(), "{link} -> {canonical}");
            assert_eq!(
                canonical_zone(canonical),
                None,
                "{canonical} is itself a link"
            );
        }
    }

    #[test]
    fn old_names_are_warned_about_where_written_and_current_ones_are_not() {
        let source = Source {
            file: "emcee.toml".into(),
            text:
                "[conference]\ntimezone = \"US/Pacific\"\n\n[agenda]\ntimezone = \"Europe/Oslo\"\n"
                    .into(),
        };
        let warnings = deprecated_in(
            &source,
            &[
                &["conference", "timezone"],
                &["agenda", "timezone"],
                &["x", "y"],
            ],
        );
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert!(
            warnings[0].starts_with("emcee.toml:2:12: `conference.timezone`: \"US/Pacific\""),
            "{}",
            warnings[0]
        );
        assert!(warnings[0].contains("timezone = \"America/Los_Angeles\""));
        assert_eq!(canonical_zone("UTC"), None);
        assert_eq!(canonical_zone("Europe/Kiev"), Some("Europe/Kyiv"));
    }
}
