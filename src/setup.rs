//! Loading the configuration the way every subcommand needs it.

use crate::cli::SourceArgs;
use emcee_core::config::{programme_from_bytes, Config, ConfigError, Settings};
use emcee_core::import::fetch::{self, FetchOptions, Fetched, SourceLocation, Validators};
use emcee_core::import::source::{AgendaSource, Origin, SourceOptions};
use emcee_core::import::ImportOptions;
use emcee_core::programme::Programme;
use std::path::{Path, PathBuf};

/// The default config path, used to tell "no config given" from "config missing".
const DEFAULT_CONFIG: &str = "config/emcee.toml";

/// Loads the config named by `args`, with `--agenda` (a path or an http(s) URL in
/// any supported format) replacing its agenda source. With `--agenda` and no
/// config file at the default path, default settings are used and times without
/// an offset are read in UTC.
///
/// # Errors
/// The first [`ConfigError`], which names file, line, column and field.
pub async fn load(args: &SourceArgs) -> Result<Config, ConfigError> {
    let Some(agenda) = &args.agenda else {
        let settings = with_source_zone(Config::read_settings(&args.config)?, args);
        if !SourceLocation::parse(&settings.agenda.source).is_url() {
            return Config::load_reading_source_in(&args.config, args.source_tz);
        }
        let bytes = read_source(&settings.agenda.source, settings.agenda.allow_private).await?;
        let programme = programme_off_thread(&settings.agenda.source, bytes, &settings).await?;
        return Ok(Config {
            settings,
            base_dir: Config::base_dir_of(&args.config),
            programme,
        });
    };
    let config_missing = !args.config.exists() && args.config.as_os_str() == DEFAULT_CONFIG;
    let settings = if config_missing {
        Settings::defaults_for(agenda.clone(), args.source_tz.unwrap_or(chrono_tz::UTC))
    } else {
        with_source_zone(Config::read_settings(&args.config)?, args)
    };
    let bytes = read_source(agenda, settings.agenda.allow_private).await?;
    let programme = programme_off_thread(agenda, bytes, &settings).await?;
    Ok(Config {
        settings,
        base_dir: Config::base_dir_of(&args.config),
        programme,
    })
}

/// `settings` with `--source-tz`, when given, as the source's zone.
fn with_source_zone(mut settings: Settings, args: &SourceArgs) -> Settings {
    if args.source_tz.is_some() {
        settings.agenda.timezone = args.source_tz;
    }
    settings
}

/// Reads a fetched agenda on a blocking thread: a large schedule never runs on
/// an async worker's stack or stalls it (the import's own budget bounds it).
async fn programme_off_thread(
    origin: &str,
    bytes: Vec<u8>,
    settings: &Settings,
) -> Result<Programme, ConfigError> {
    let origin = PathBuf::from(origin);
    let (timezone, limits) = (settings.source_timezone(), settings.polls.limits());
    let file = origin.clone();
    tokio::task::spawn_blocking(move || programme_from_bytes(&origin, &bytes, timezone, &limits))
        .await
        .unwrap_or_else(|error| {
            Err(ConfigError::Import {
                file,
                message: format!("the import stopped unexpectedly: {error}"),
            })
        })
}

/// Where the bot keeps state besides its database, such as the agenda's last
/// good copy: systemd's `$STATE_DIRECTORY` (`StateDirectory=`), else the
/// database's folder. Never the config's folder, which the systemd unit and the
/// container mount read-only (the copy could not be written there, silently).
pub fn state_dir(settings: &Settings, base_dir: &Path) -> PathBuf {
    state_dir_in(std::env::var_os("STATE_DIRECTORY"), settings, base_dir)
}

/// [`state_dir`] with systemd's variable given, for tests.
fn state_dir_in(
    systemd: Option<std::ffi::OsString>,
    settings: &Settings,
    base_dir: &Path,
) -> PathBuf {
    let systemd = systemd
        .and_then(|dirs| std::env::split_paths(&dirs).next())
        .filter(|dir| !dir.as_os_str().is_empty());
    systemd.unwrap_or_else(|| {
        base_dir
            .join(&settings.store.database)
            .parent()
            .map_or_else(|| base_dir.to_owned(), Path::to_owned)
    })
}

/// The agenda's last good copy in the [`state_dir`]. A copy an earlier version
/// left beside the config is copied there first (with its validators; the old
/// folder may be read-only, so it is not removed), so an
/// upgrade does not start without its fallback.
fn last_good_copy(settings: &Settings, base_dir: &Path) -> PathBuf {
    const NAME: &str = "agenda.last-good";
    let file = state_dir(settings, base_dir).join(NAME);
    let old = base_dir.join(NAME);
    if old != file && old.exists() && !file.exists() {
        for suffix in ["", ".meta.json"] {
            let (from, to) = (with_suffix(&old, suffix), with_suffix(&file, suffix));
            if let Err(error) = std::fs::copy(&from, &to) {
                tracing::warn!(from = %from.display(), to = %to.display(), %error, "cannot copy the agenda's last good copy");
            }
        }
    }
    file
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// For the running bot: the config, plus the agenda source to keep fresh when
/// `[agenda] source` is a URL. That source starts from its last good copy on disk
/// (in the [`state_dir`]) when it cannot be fetched or read.
///
/// # Errors
/// The first [`ConfigError`]; for a URL source, only when it fails and no good
/// copy exists.
pub async fn load_for_bot(
    args: &SourceArgs,
) -> Result<(Config, Option<AgendaSource>), ConfigError> {
    let settings = match &args.agenda {
        Some(_) => None,
        None => Some(with_source_zone(Config::read_settings(&args.config)?, args)),
    };
    let Some(settings) = settings.filter(|s| SourceLocation::parse(&s.agenda.source).is_url())
    else {
        return Ok((load(args).await?, None));
    };
    let base_dir = Config::base_dir_of(&args.config);
    let failed = |message: String| ConfigError::Import {
        file: settings.agenda.source.clone().into(),
        message,
    };
    let options = SourceOptions {
        import: ImportOptions::new(settings.source_timezone()),
        fetch: FetchOptions {
            allow_private: settings.agenda.allow_private,
            ..FetchOptions::default()
        },
        cache_file: Some(last_good_copy(&settings, &base_dir)),
    };
    let location = SourceLocation::parse(&settings.agenda.source);
    let client = fetch::client_for(&location, settings.agenda.allow_private)
        .map_err(|e| failed(e.to_string()))?;
    let source = AgendaSource::new(location, options, client);
    let loaded = source.load().await.map_err(|e| failed(e.to_string()))?;
    if let Origin::Cache { reason } = &loaded.origin {
        tracing::warn!(%reason, "agenda source failed or was refused; starting from the last good copy");
    }
    let programme = Programme {
        agenda: loaded.agenda,
        polls: Vec::new(),
        contests: Vec::new(),
    };
    Ok((
        Config {
            settings,
            base_dir,
            programme,
        },
        Some(source),
    ))
}

/// The bytes of a path or an http(s) URL; `allow_private` lets redirects reach
/// private addresses (see `[agenda] allow_private`).
///
/// # Errors
/// [`ConfigError::Import`] naming the source when it cannot be read or fetched.
pub async fn read_source(source: &str, allow_private: bool) -> Result<Vec<u8>, ConfigError> {
    let failed = |message: String| ConfigError::Import {
        file: source.into(),
        message,
    };
    let location = SourceLocation::parse(source);
    let client = fetch::client_for(&location, allow_private).map_err(|e| failed(e.to_string()))?;
    let _fetching = location
        .is_url()
        .then(|| crate::progress::Progress::start(&format!("fetching {source}")));
    match fetch::fetch(
        &client,
        &location,
        &Validators::default(),
        &FetchOptions {
            allow_private,
            ..FetchOptions::default()
        },
    )
    .await
    {
        Ok(Fetched::Body { bytes, .. }) => Ok(bytes),
        Ok(Fetched::NotModified) => Err(failed(
            "answered 304 Not Modified to a request without validators".into(),
        )),
        Err(error) => Err(failed(error.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    /// A server on 127.0.0.1 answering every request with a one-event calendar.
    async fn publisher() -> String {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/schedule.ics", listener.local_addr().unwrap());
        tokio::spawn(async move {
            let body = "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:a\r\nSUMMARY:Talk\r\n\
                        DTSTART:20250201T100000Z\r\nDURATION:PT30M\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
            while let Ok((mut stream, _)) = listener.accept().await {
                let mut buffer = [0u8; 4096];
                let _ = stream.read(&mut buffer).await;
                let reply = format!(
                    "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = stream.write_all(reply.as_bytes()).await;
            }
        });
        url
    }

    #[tokio::test]
    async fn the_bot_keeps_its_last_good_copy_in_the_state_directory() {
        let config_dir = tempfile::tempdir().unwrap();
        let state_dir = tempfile::tempdir().unwrap();
        let database = state_dir.path().join("emcee.sqlite3");
        let config = config_dir.path().join("emcee.toml");
        let url = publisher().await;
        std::fs::write(
            &config,
            format!(
                "[conference]\ntimezone = \"UTC\"\n[store]\ndatabase = {:?}\n[agenda]\nsource = {url:?}\n",
                database.display().to_string()
            ),
        )
        .unwrap();
        let args = SourceArgs {
            config,
            agenda: None,
            source_tz: None,
        };
        let (loaded, source) = load_for_bot(&args).await.unwrap();
        assert!(source.is_some());
        assert_eq!(loaded.programme.agenda.sessions().len(), 1);
        assert!(state_dir.path().join("agenda.last-good").exists());
        assert!(!config_dir.path().join("agenda.last-good").exists());
    }

    #[test]
    fn a_copy_left_beside_the_config_is_copied_to_the_state_directory() {
        let config_dir = tempfile::tempdir().unwrap();
        let state = tempfile::tempdir().unwrap();
        std::fs::write(config_dir.path().join("agenda.last-good"), "old copy").unwrap();
        std::fs::write(config_dir.path().join("agenda.last-good.meta.json"), "{}").unwrap();
        let mut settings =
            Settings::defaults_for("https://example.org/s.ics".into(), chrono_tz::UTC);
        settings.store.database = state.path().join("emcee.sqlite3");
        let file = last_good_copy(&settings, config_dir.path());
        assert_eq!(file, state.path().join("agenda.last-good"));
        assert_eq!(std::fs::read_to_string(&file).unwrap(), "old copy");
        assert!(state.path().join("agenda.last-good.meta.json").exists());
    }

    #[test]
    fn the_last_good_copy_lives_with_the_state_not_the_config() {
        let mut settings =
            Settings::defaults_for("https://example.org/s.xml".into(), chrono_tz::UTC);
        let config = Path::new("/etc/emcee");
        settings.store.database = "/var/lib/emcee/emcee.sqlite3".into();
        assert_eq!(
            state_dir_in(None, &settings, config),
            Path::new("/var/lib/emcee")
        );
        settings.store.database = "emcee.sqlite3".into();
        assert_eq!(
            state_dir_in(None, &settings, config),
            Path::new("/etc/emcee")
        );
        let systemd = Some("/var/lib/emcee:/var/lib/other".into());
        assert_eq!(
            state_dir_in(systemd, &settings, config),
            Path::new("/var/lib/emcee")
        );
    }
}
