//! `[web]`: the HTTP listener for the calendar feeds, and the address people
//! reach it by.

use crate::config::Source;
use serde::Deserialize;
use std::net::SocketAddr;

/// `[web]`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WebSettings {
    /// Where the feeds are served; none: on `[metrics] listen` when that is
    /// set, else nowhere.
    #[serde(default)]
    pub listen: Option<SocketAddr>,
    /// How feed URLs are written in answers, e.g. `https://emcee.example.org`
    /// (a proxy in front of `listen`); none: `/mycal` gives no URL.
    #[serde(default)]
    pub public_url: Option<String>,
}

impl WebSettings {
    /// `public_url` without a trailing `/`, when it is a valid http(s) URL.
    pub fn base_url(&self) -> Option<String> {
        self.public_url
            .as_deref()
            .and_then(|url| parse_base(url).ok())
    }
}

/// `url` as a base for feed URLs: http or https, a host, no query or fragment.
fn parse_base(url: &str) -> Result<String, String> {
    let parsed = reqwest::Url::parse(url.trim()).map_err(|error| error.to_string())?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(format!("`{}:` is not http or https", parsed.scheme()));
    }
    if parsed.host_str().is_none_or(str::is_empty) {
        return Err("it names no host".to_owned());
    }
    if parsed.query().is_some() || parsed.fragment().is_some() {
        return Err("it may not have a query (`?…`) or a fragment (`#…`)".to_owned());
    }
    Ok(parsed.as_str().trim_end_matches('/').to_owned())
}

/// Problems in `[web]`, each located in `source`.
pub fn check(source: &Source, web: &WebSettings) -> Vec<crate::config::ConfigError> {
    let mut problems = Vec::new();
    match web.public_url.as_deref() {
        Some(url) => {
            if let Err(reason) = parse_base(url) {
                problems.push(source.error_at(
                    &["web", "public_url"],
                    format!(
                        "not a usable URL ({reason}); write it like `https://emcee.example.org`"
                    ),
                ));
            }
        }
        None if web.listen.is_some() => problems.push(source.error_at(
            &["web", "listen"],
            "set `[web] public_url` too: the address people reach this listener by, which \
             feed URLs are written with",
        )),
        None => {}
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_base_url_is_http_or_https_with_a_host_and_loses_its_trailing_slash() {
        assert_eq!(
            parse_base("https://emcee.example.org/").unwrap(),
            "https://emcee.example.org"
        );
        assert_eq!(
            parse_base("http://127.0.0.1:8080/emcee/").unwrap(),
            "http://127.0.0.1:8080/emcee"
        );
        for bad in [
            "emcee.example.org",
            "ftp://x",
            "https://x/?a=1",
            "https://x/#f",
            "",
        ] {
            assert!(parse_base(bad).is_err(), "{bad}");
        }
    }

    fn check_of(web: &str) -> String {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("emcee.toml");
        let text = format!(
            "[conference]\ntimezone = \"UTC\"\n\n[agenda]\nsource = \"agenda.toml\"\n\n[web]\n{web}\n"
        );
        std::fs::write(&path, text).unwrap();
        match crate::config::Config::read_settings(&path) {
            Ok(_) => String::new(),
            Err(error) => error.to_string(),
        }
    }

    #[test]
    fn check_reports_a_listen_without_public_url_and_a_bad_url_where_written() {
        let alone = check_of("listen = \"127.0.0.1:8080\"");
        assert!(
            alone.contains(":8:10: `web.listen`: set `[web] public_url`"),
            "{alone}"
        );
        let bad = check_of("public_url = \"emcee.example.org\"");
        assert!(
            bad.contains(":8:14: `web.public_url`: not a usable URL"),
            "{bad}"
        );
        let fine = check_of("listen = \"127.0.0.1:8080\"\npublic_url = \"https://e.example\"");
        assert_eq!(fine, "");
    }
}
