//! Discord and Slack from one process: one programme, one scheduler, one
//! store, and the two ports side by side.
//!
//! The core's ids are opaque strings, and the two platforms spell theirs
//! differently: a Discord snowflake is all digits, a Slack id (`C…`, `D…`,
//! `G…` channels, `U…`/`W…` users, `T…` teams) starts with a capital letter.
//! So a message, channel, user or community names its platform by its
//! shape, and [`RoutedPort`] hands each call to that platform's port. The
//! poll service and reminders run over it. Announcements name channels by
//! the config's names, which mean a channel on each platform, so
//! [`FanOut`] posts each scheduled message on every platform, each with the
//! job's dedupe key (Discord's nonce, Slack's message metadata): a job
//! retried because one platform failed lands once on the other. A ping
//! configured in `[announcements]` is a Discord role id or a Slack user
//! group (`S…`); [`OnlyOwnPings`] lets each platform see only its own.

use emcee_core::chat::{ChatPort, Limits, MessageKey, PortError, PortFuture, Post};
use emcee_core::polls::FlashPoll;
use emcee_core::scheduler::{Announcer, Delivery, Message};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

/// Which platform an opaque id belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Platform {
    Discord,
    Slack,
}

/// The platform an id's shape names: all digits is Discord, else Slack.
pub fn platform_of(id: &str) -> Platform {
    let id = id
        .trim()
        .trim_start_matches("<#")
        .trim_start_matches('#')
        .trim_end_matches('>');
    if !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit()) {
        Platform::Discord
    } else {
        Platform::Slack
    }
}

/// Discord's port and Slack's, as one port for the poll service.
pub struct RoutedPort {
    discord: Arc<dyn ChatPort>,
    slack: Arc<dyn ChatPort>,
}

impl RoutedPort {
    /// Routes between the two ports.
    pub fn new(discord: Arc<dyn ChatPort>, slack: Arc<dyn ChatPort>) -> Self {
        Self { discord, slack }
    }

    fn by(&self, id: &str) -> &dyn ChatPort {
        match platform_of(id) {
            Platform::Discord => self.discord.as_ref(),
            Platform::Slack => self.slack.as_ref(),
        }
    }
}

impl ChatPort for RoutedPort {
    /// What both platforms can hold.
    fn limits(&self) -> Limits {
        let (d, s) = (self.discord.limits(), self.slack.limits());
        Limits {
            reactions_per_message: d.reactions_per_message.min(s.reactions_per_message),
            message_chars: d.message_chars.min(s.message_chars),
            min_edit_gap: d.min_edit_gap.max(s.min_edit_gap),
        }
    }

    fn post<'a>(&'a self, channel: &'a str, post: &'a Post) -> PortFuture<'a, MessageKey> {
        self.by(channel).post(channel, post)
    }

    fn edit<'a>(&'a self, message: &'a MessageKey, post: &'a Post) -> PortFuture<'a, ()> {
        self.by(&message.channel).edit(message, post)
    }

    fn delete<'a>(&'a self, message: &'a MessageKey) -> PortFuture<'a, ()> {
        self.by(&message.channel).delete(message)
    }

    fn react<'a>(&'a self, message: &'a MessageKey, key: &'a str) -> PortFuture<'a, ()> {
        self.by(&message.channel).react(message, key)
    }

    fn unreact<'a>(
        &'a self,
        message: &'a MessageKey,
        key: &'a str,
        user: &'a str,
    ) -> PortFuture<'a, ()> {
        self.by(&message.channel).unreact(message, key, user)
    }

    fn reactors<'a>(
        &'a self,
        message: &'a MessageKey,
        key: &'a str,
    ) -> PortFuture<'a, BTreeSet<String>> {
        self.by(&message.channel).reactors(message, key)
    }

    fn reactors_of<'a>(
        &'a self,
        message: &'a MessageKey,
        keys: &'a [String],
    ) -> PortFuture<'a, BTreeMap<String, BTreeSet<String>>> {
        self.by(&message.channel).reactors_of(message, keys)
    }

    fn has_reacted<'a>(
        &'a self,
        message: &'a MessageKey,
        key: &'a str,
        user: &'a str,
    ) -> PortFuture<'a, bool> {
        self.by(&message.channel).has_reacted(message, key, user)
    }

    fn direct<'a>(&'a self, user: &'a str, post: &'a Post) -> PortFuture<'a, MessageKey> {
        self.by(user).direct(user, post)
    }

    /// In a community, that community's platform; without one (declared
    /// polls), Discord's, where declared polls have always opened.
    fn resolve_channel<'a>(
        &'a self,
        community: Option<&'a str>,
        name: &'a str,
    ) -> PortFuture<'a, String> {
        match community {
            Some(community) => self.by(community).resolve_channel(Some(community), name),
            None if platform_of(name) == Platform::Slack && looks_like_slack_id(name) => {
                self.slack.resolve_channel(None, name)
            }
            None => self.discord.resolve_channel(None, name),
        }
    }

    fn vote_buttons(&self, channel: &str) -> bool {
        self.by(channel).vote_buttons(channel)
    }

    fn open_thread<'a>(
        &'a self,
        message: &'a MessageKey,
        name: &'a str,
    ) -> PortFuture<'a, Option<String>> {
        self.by(&message.channel).open_thread(message, name)
    }

    fn pin<'a>(&'a self, message: &'a MessageKey) -> PortFuture<'a, ()> {
        self.by(&message.channel).pin(message)
    }

    fn archive_thread<'a>(&'a self, thread: &'a str) -> PortFuture<'a, ()> {
        self.by(thread).archive_thread(thread)
    }

    fn same_platform(&self, a: &str, b: &str) -> bool {
        platform_of(a) == platform_of(b)
    }

    /// `:name:` is Slack's spelling of an emoji; anything else Discord's.
    fn emoji_key(&self, typed: &str) -> Option<String> {
        let slack = typed.trim().starts_with(':') && typed.trim().ends_with(':');
        if slack {
            self.slack.emoji_key(typed)
        } else {
            self.discord.emoji_key(typed)
        }
    }
}

/// A Slack channel id rather than a channel name (names are lower case).
fn looks_like_slack_id(text: &str) -> bool {
    text.len() >= 9
        && text
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
}

/// The scheduler's voice on every platform: scheduled posts go to each;
/// DMs to the user's platform; declared polls open on the first.
pub struct FanOut {
    announcers: Vec<Arc<dyn Announcer>>,
    /// The announcer of each platform, for DMs.
    discord: Arc<dyn Announcer>,
    slack: Arc<dyn Announcer>,
}

impl FanOut {
    /// Posts through Discord's announcer and Slack's.
    pub fn new(discord: Arc<dyn Announcer>, slack: Arc<dyn Announcer>) -> Self {
        Self {
            announcers: vec![Arc::clone(&discord), Arc::clone(&slack)],
            discord,
            slack,
        }
    }
}

impl Announcer for FanOut {
    /// Posts on every platform; fails (so the job is retried, and lands once
    /// where it already did) if any platform failed.
    fn post<'a>(&'a self, channel: &'a str, message: &'a Message, nonce: &'a str) -> Delivery<'a> {
        Box::pin(async move {
            let mut posted = Vec::new();
            let mut failed: Option<PortError> = None;
            for announcer in &self.announcers {
                match announcer.post(channel, message, nonce).await {
                    Ok(id) => posted.push(id),
                    Err(error) => {
                        tracing::warn!(%error, channel, "a platform could not post a scheduled message");
                        failed = Some(match (failed, error) {
                            (Some(PortError::Transient(e)), _) | (_, PortError::Transient(e)) => {
                                PortError::Transient(e)
                            }
                            (_, error) => error,
                        });
                    }
                }
            }
            match failed {
                Some(error) => Err(error),
                None => Ok(posted.join(" ")),
            }
        })
    }

    fn direct<'a>(&'a self, user: &'a str, message: &'a Message, nonce: &'a str) -> Delivery<'a> {
        match platform_of(user) {
            Platform::Discord => self.discord.direct(user, message, nonce),
            Platform::Slack => self.slack.direct(user, message, nonce),
        }
    }

    fn open_poll<'a>(&'a self, poll: &'a FlashPoll, channel: &'a str) -> Delivery<'a> {
        self.discord.open_poll(poll, channel)
    }

    fn close_poll<'a>(&'a self, poll: &'a MessageKey) -> Delivery<'a> {
        self.discord.close_poll(poll)
    }
}

/// An announcer that passes on a message's ping only when it is one of its
/// platform's: a Discord role (digits) to Discord, a Slack user group to
/// Slack. The other platform's id would be refused (Discord) or shown as
/// nothing (Slack).
pub struct OnlyOwnPings {
    inner: Arc<dyn Announcer>,
    platform: Platform,
}

impl OnlyOwnPings {
    /// `inner`, posting on `platform`.
    pub fn new(inner: Arc<dyn Announcer>, platform: Platform) -> Self {
        Self { inner, platform }
    }

    /// `message` without a ping of the other platform's.
    fn own(&self, message: &Message) -> Option<Message> {
        let role = message.role.as_deref()?;
        (platform_of(role) != self.platform).then(|| Message {
            role: None,
            ..message.clone()
        })
    }
}

impl Announcer for OnlyOwnPings {
    fn post<'a>(&'a self, channel: &'a str, message: &'a Message, nonce: &'a str) -> Delivery<'a> {
        Box::pin(async move {
            match self.own(message) {
                Some(stripped) => self.inner.post(channel, &stripped, nonce).await,
                None => self.inner.post(channel, message, nonce).await,
            }
        })
    }

    fn direct<'a>(&'a self, user: &'a str, message: &'a Message, nonce: &'a str) -> Delivery<'a> {
        self.inner.direct(user, message, nonce)
    }

    fn open_poll<'a>(&'a self, poll: &'a FlashPoll, channel: &'a str) -> Delivery<'a> {
        self.inner.open_poll(poll, channel)
    }

    fn close_poll<'a>(&'a self, poll: &'a MessageKey) -> Delivery<'a> {
        self.inner.close_poll(poll)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use emcee_core::scheduler::JobKind;
    use std::sync::Mutex;

    /// Remembers the ping of every post.
    #[derive(Default)]
    struct Seen(Mutex<Vec<Option<String>>>);

    impl Announcer for Seen {
        fn post<'a>(&'a self, _: &'a str, message: &'a Message, _: &'a str) -> Delivery<'a> {
            self.0.lock().unwrap().push(message.role.clone());
            Box::pin(async { Ok("posted".to_owned()) })
        }
        fn direct<'a>(&'a self, _: &'a str, _: &'a Message, _: &'a str) -> Delivery<'a> {
            Box::pin(async { Ok("sent".to_owned()) })
        }
        fn open_poll<'a>(&'a self, _: &'a FlashPoll, _: &'a str) -> Delivery<'a> {
            Box::pin(async { Ok("opened".to_owned()) })
        }
        fn close_poll<'a>(&'a self, _: &'a MessageKey) -> Delivery<'a> {
            Box::pin(async { Ok("closed".to_owned()) })
        }
    }

    #[tokio::test]
    async fn each_platform_pings_only_its_own_kind_of_group() {
        let (discord, slack) = (Arc::new(Seen::default()), Arc::new(Seen::default()));
        let both = FanOut::new(
            Arc::new(OnlyOwnPings::new(
                Arc::clone(&discord) as Arc<dyn Announcer>,
                Platform::Discord,
            )),
            Arc::new(OnlyOwnPings::new(
                Arc::clone(&slack) as Arc<dyn Announcer>,
                Platform::Slack,
            )),
        );
        for role in ["123456789012345678", "S0ORGANISE"] {
            let message = Message {
                role: Some(role.to_owned()),
                ..Message::new(JobKind::Announce, Vec::new())
            };
            both.post("announcements", &message, "em1").await.unwrap();
        }
        let role = |r: &str| Some(r.to_owned());
        assert_eq!(
            *discord.0.lock().unwrap(),
            [role("123456789012345678"), None]
        );
        assert_eq!(*slack.0.lock().unwrap(), [None, role("S0ORGANISE")]);
    }

    #[test]
    fn ids_name_their_platform_by_shape() {
        assert_eq!(platform_of("123456789012345678"), Platform::Discord);
        assert_eq!(platform_of("<#123456789012345678>"), Platform::Discord);
        assert_eq!(platform_of("C0123ABCD"), Platform::Slack);
        assert_eq!(platform_of("U042"), Platform::Slack);
        assert_eq!(platform_of("T0123ABCD"), Platform::Slack);
        assert!(looks_like_slack_id("C0123ABCD"));
        // A session's Slack thread is no place for a Discord question.
        let memory =
            || Arc::new(emcee_core::chat::memory::MemoryPort::default()) as Arc<dyn ChatPort>;
        let routed = RoutedPort::new(memory(), memory());
        assert!(routed.same_platform("C0RANDOM/1633622700.000200", "C0GENERAL"));
        assert!(!routed.same_platform("C0RANDOM/1633622700.000200", "123456789012345678"));
        assert!(routed.same_platform("223456789012345678", "123456789012345678"));
        assert!(!looks_like_slack_id("announcements"));
    }
}
