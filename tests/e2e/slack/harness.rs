//! Starting the Slack bot against the fake Slack with a clock the test
//! controls: the real slack-morphism client over loopback, the real Socket
//! Mode listener, a real SQLite store; only Slack itself is the fake.

use crate::harness::{instant, PATIENCE};
use emcee::slack::outbound::Pacing;
use emcee::slack::start::{prepare, Connection, Running};
use emcee::slack::SlackTokens;
use emcee_core::app::App;
use emcee_core::chat::ChatPort;
use emcee_core::clock::ManualClock;
use emcee_core::config::Config;
use emcee_core::scheduler::{ChatAnnouncer, SchedulerOptions};
use emcee_core::store::Store;
use fake_slack::{FakeSlack, FakeUser, Interaction, ResponsePost, StoredMessage};
use slack_morphism::prelude::SlackClientSocketModeConfig;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

/// The sample programme routed to the fake workspace's channels.
pub(crate) fn config_text(workspace: &str) -> String {
    format!(
        r#"[conference]
timezone = "US/Pacific"

[agenda]
source = "agenda.toml"

[announcements]
lead_minutes = [5, 0]
default_channel = "announcements"
main_channel = "general"
on_demand = false

[announcements.tracks]
"Observability" = "random"

[polls]
channel = "polls"
default_minutes = 5
tally_every_seconds = 2

[slack]
workspace = "{workspace}"
organisers = ["S0ORGANISE"]
"#
    )
}

/// A running Slack bot, its fake Slack, its clock and its database.
pub struct SlackTestBot {
    pub fake: FakeSlack,
    pub clock: ManualClock,
    pub store: Store,
    pub running: Option<Running>,
    pub scheduler: Option<emcee::scheduler::Running>,
    _dir: tempfile::TempDir,
}

/// How to start the bot.
#[derive(Default)]
pub struct SlackOptions {
    /// Run the scheduler with these options.
    pub scheduler: Option<SchedulerOptions>,
    /// An existing fake (a restart); `None`: a fresh one.
    pub fake: Option<FakeSlack>,
    /// An existing database (a restart); `None`: a fresh one.
    pub store: Option<Store>,
    /// `None`: Slack's real limits.
    pub pacing: Option<Pacing>,
    /// An agenda.toml of the test's own; `None`: the sample programme.
    pub agenda: Option<String>,
    /// Let `/emcee reload` read the config again.
    pub reload: bool,
    /// Channel names checked at start besides the config's.
    pub channels: Vec<String>,
    /// TOML appended to the config (`[questions]`, `[threads]`, …).
    pub extra_config: String,
    /// Post "now on demand" after sessions with a video (off by default).
    pub on_demand: bool,
}

impl SlackTestBot {
    /// Starts the bot with its clock at `at` (RFC 3339) and waits until its
    /// Socket Mode connection is open.
    pub async fn start_at(at: &str, options: SlackOptions) -> Self {
        let _ = tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
            .with_test_writer()
            .try_init();
        let fake = match options.fake {
            Some(fake) => fake,
            None => FakeSlack::start_with(fake_slack::Config {
                ack_timeout: Duration::from_millis(500),
                stranger_workspace: true,
                ..fake_slack::Config::default()
            })
            .await
            .expect("fake slack"),
        };
        let dir = tempfile::tempdir().expect("temp dir");
        let agenda = dir.path().join("agenda.toml");
        match &options.agenda {
            Some(text) => std::fs::write(&agenda, text).expect("agenda"),
            None => {
                let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("config/agenda.toml");
                std::fs::copy(sample, &agenda).map(drop).expect("agenda");
            }
        }
        let path = dir.path().join("emcee.toml");
        let mut text = format!(
            "{}\n{}\n",
            config_text(&fake.ids().team_id),
            options.extra_config
        );
        if options.on_demand {
            text = text.replace("on_demand = false", "on_demand = true");
        }
        std::fs::write(&path, text).expect("config");
        let config = Config::load(&path).expect("config loads");
        let settings = config.settings.clone();
        let clock = ManualClock::new(instant(at));
        let store = options
            .store
            .unwrap_or_else(|| Store::in_memory().expect("store"));
        let tokens =
            SlackTokens::new(fake.bot_token().into(), fake.app_token().into()).expect("tokens");
        let connection = Connection {
            api_base: fake.api_url(),
            pacing: options.pacing.unwrap_or_default(),
            socket: SlackClientSocketModeConfig::new()
                .with_max_connections_count(1)
                .with_initial_backoff_in_seconds(0)
                .with_reconnect_timeout_in_seconds(1),
        };
        let slack = settings.slack.clone().expect("[slack]");
        let prepared =
            prepare(tokens, &slack, &connection, Arc::new(store.clone())).expect("prepared");
        let port = Arc::clone(&prepared.port);
        let polls = emcee_core::polls::PollService::new(
            Arc::new(store.clone()),
            Arc::clone(&port) as Arc<dyn ChatPort>,
            Arc::new(clock.clone()),
        );
        polls.configure(emcee_core::polls::PollConfig::from_settings(&settings));
        let app = App::new(
            config.programme.clone(),
            Arc::new(clock.clone()),
            store.clone(),
            polls,
        );
        app.questions
            .configure(emcee_core::questions::QuestionConfig::from_settings(
                &settings,
            ));
        let mut names = emcee::discord::channels::configured_names(&settings, &config.programme);
        names.extend(options.channels.iter().cloned());
        let before = fake.connects();
        let reload = options.reload.then(|| emcee::cli::SourceArgs {
            config: path.clone(),
            agenda: None,
            source_tz: None,
        });
        let running = prepared
            .connect(app.clone(), &names, reload)
            .await
            .expect("connects");
        fake.wait_until("a Socket Mode connection", PATIENCE, |f| {
            (f.connects() > before && !f.connections().is_empty()).then_some(())
        })
        .await
        .expect("socket open");
        let scheduler = options.scheduler.map(|options| {
            let announcer = ChatAnnouncer::new(Arc::clone(&port) as Arc<dyn ChatPort>)
                .with_polls(app.polls.clone())
                .with_questions(app.questions.clone());
            emcee::scheduler::start_for_chat(&app, &settings, Arc::new(announcer), options)
        });
        Self {
            fake,
            clock,
            store,
            running: Some(running),
            scheduler,
            _dir: dir,
        }
    }

    /// `user` runs `/emcee text` in `channel` and the test gets the first
    /// answer through its `response_url`.
    pub async fn ask_as(
        &self,
        user: &FakeUser,
        channel: &str,
        text: &str,
    ) -> (Interaction, ResponsePost) {
        let asked = self.fake.slash_command(user, channel, text);
        let answer = self
            .fake
            .wait_for_response(&asked.response_token, PATIENCE)
            .await
            .expect("answered through response_url");
        (asked, answer)
    }

    /// An organiser closes the poll `poll` by command; returns the result
    /// post's blocks as JSON once one whose text contains `shows` is there.
    pub async fn close_poll(&self, poll: &StoredMessage, shows: &str) -> String {
        let polls = self.fake.ids().polls_channel_id.clone();
        let (_, closed) = self.ask_as(&FakeUser::admin(), &polls, "poll close").await;
        let said = closed.body.to_string();
        assert!(said.contains("Poll closed"), "{said}");
        let result = self
            .fake
            .wait_until("the result post", PATIENCE, |fake| {
                fake.messages(&polls)
                    .into_iter()
                    .find(|m| m.by_bot() && m.ts != poll.ts && m.text.contains(shows))
            })
            .await
            .expect("the result posted");
        serde_json::to_string(&result.blocks).expect("blocks are JSON")
    }

    /// An attendee asks in #general.
    pub async fn ask(&self, text: &str) -> ResponsePost {
        let general = self.fake.ids().general_channel_id.clone();
        self.ask_as(&FakeUser::attendee(1), &general, text).await.1
    }

    /// The application the running bot serves.
    pub fn app(&self) -> &App {
        &self.running.as_ref().expect("the bot runs").bot.app
    }

    /// The config the bot runs with.
    pub fn config_path(&self) -> std::path::PathBuf {
        self._dir.path().join("emcee.toml")
    }

    /// Stops the scheduler and the Socket Mode connections.
    pub async fn stop(mut self) -> (FakeSlack, Store) {
        if let Some(scheduler) = self.scheduler.take() {
            scheduler.stop().await;
        }
        if let Some(running) = self.running.take() {
            running.stop().await;
        }
        (self.fake.clone(), self.store.clone())
    }
}

/// A fake Slack that waits 3 s for an ack before delivering an envelope
/// again: long enough for a stopped bot's lost acks to come back to the
/// restarted one, not to the dying one.
pub async fn fake_for_restarts() -> FakeSlack {
    FakeSlack::start_with(fake_slack::Config {
        ack_timeout: Duration::from_secs(3),
        stranger_workspace: true,
        ..fake_slack::Config::default()
    })
    .await
    .expect("fake slack")
}

/// Every answer posted to `clicked`'s `response_url`, once there are `n`.
pub async fn answers(fake: &FakeSlack, clicked: &Interaction, n: usize) -> Vec<ResponsePost> {
    let token = clicked.response_token.clone();
    fake.wait_until("the click's answers", PATIENCE, |fake| {
        let mine: Vec<ResponsePost> = fake
            .response_posts()
            .into_iter()
            .filter(|p| p.token == token)
            .collect();
        (mine.len() == n).then_some(mine)
    })
    .await
    .expect("answered")
}

/// What `voter` was told privately about their click: the text posted to
/// the click's `response_url`, which must not replace the message clicked.
pub async fn told(bot: &SlackTestBot, clicked: &Interaction) -> String {
    let answer = bot
        .fake
        .wait_for_response(&clicked.response_token, PATIENCE)
        .await
        .expect("the click is answered through its response_url");
    assert_eq!(answer.body["response_type"], "ephemeral", "{}", answer.body);
    assert_eq!(answer.body["replace_original"], false, "{}", answer.body);
    answer.text().unwrap_or_default().to_owned()
}

/// Every `<…>` form in a message's JSON: what could ping, link or format.
pub fn forms(json: &str) -> Vec<String> {
    json.split('<')
        .skip(1)
        .map(|rest| rest.split('>').next().unwrap_or_default().to_owned())
        .collect()
}
