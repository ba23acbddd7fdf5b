//! The core's chat port on Slack, over the paced Web API sender.
//!
//! A message is `(channel, ts)`. Posts become Block Kit ([`super::blocks`])
//! carrying their dedupe key as message metadata; option keys become
//! reaction shortcodes ([`super::markup`]); channel names resolve in the
//! served workspace through `conversations.list`, at start and again on a
//! miss. A user's DM channel (`conversations.open`) is opened once and kept
//! ([`DirectChannels`], the store in the bot), and reopened once when Slack
//! no longer knows it.
//!
//! Exactly once without a nonce: before posting a message with a dedupe
//! key, the port looks for that key in the metadata of the channel's recent
//! history (`conversations.history`, `include_all_metadata`), or of the
//! thread's replies for a reply (`conversations.replies`), and again before
//! retrying a post whose answer was lost ([`once`]). A job whose post
//! landed but whose record did not (a crash between the two) is then found
//! instead of posted again. The other way Slack offers, pre-scheduling
//! with `chat.scheduleMessage`, was not chosen: it caps a channel at 30
//! scheduled posts per 5 minutes, lets a schedule change race the posting
//! time, and leaves nothing to edit for a poll; a history lookup costs one
//! tier-3 read per scheduled post and works for every kind of post. Direct
//! messages are not looked up: a burst of 2,000 reminders would cost 2,000
//! reads at about 50 a minute, so a reminder whose post landed just before a
//! crash may come twice, which is the lesser harm.

use super::blocks;
use super::markup;
use super::outbound::{SendError, Sender, Tier};
use crate::paced;
use emcee_core::chat::{
    ChatPort, DirectChannels, KeptInMemory, Limits, MessageKey, PortError, PortFuture, Post,
};
use slack_morphism::prelude::*;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

mod direct;
mod once;
mod threads;
mod told;

pub use threads::CLOSING_LINE;

use direct::classify_direct;
use once::Place;

/// The platform name under which DM channels are kept.
const PLATFORM: &str = "slack";

/// Slack as the core sees it.
pub struct SlackPort {
    sender: Sender,
    /// The team id served.
    workspace: String,
    /// Lower-case channel name -> id.
    channels: Mutex<HashMap<String, String>>,
    /// The bot's user id (from `auth.test`); its reactions never count.
    bot_user: Mutex<String>,
    direct: Arc<dyn DirectChannels>,
    /// (poll message, voter) already told that a reaction does not count.
    told: Mutex<std::collections::HashSet<(MessageKey, String)>>,
}

impl SlackPort {
    /// A port posting through `sender` into `workspace`.
    pub fn new(sender: Sender, workspace: impl Into<String>) -> Self {
        Self {
            sender,
            workspace: workspace.into(),
            channels: Mutex::default(),
            bot_user: Mutex::default(),
            direct: Arc::new(KeptInMemory::default()),
            told: Mutex::default(),
        }
    }

    /// Keeps users' DM channels in `kept` (the bot's store).
    #[must_use]
    pub fn with_direct_channels(mut self, kept: Arc<dyn DirectChannels>) -> Self {
        self.direct = kept;
        self
    }

    /// The paced sender underneath.
    pub fn sender(&self) -> &Sender {
        &self.sender
    }

    /// The team id served.
    pub fn workspace(&self) -> &str {
        &self.workspace
    }

    /// Remembers the bot's user id.
    pub fn set_bot_user(&self, user: &str) {
        *self.bot_user.lock().unwrap_or_else(PoisonError::into_inner) = user.to_owned();
    }

    /// The bot's user id, empty until known.
    pub fn bot_user(&self) -> String {
        self.bot_user
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Remembers channel ids by lower-case name.
    pub fn remember_channels(&self, found: HashMap<String, String>) {
        let mut channels = self.channels.lock().unwrap_or_else(PoisonError::into_inner);
        channels.extend(found);
    }

    fn cached(&self, name: &str) -> Option<String> {
        let channels = self.channels.lock().unwrap_or_else(PoisonError::into_inner);
        channels.get(name).cloned()
    }

    /// A channel id from an id, `<#C…|name>`, `#name` or `name`.
    async fn resolve(&self, key: &str) -> Result<String, PortError> {
        let key = key.trim();
        if let Some(id) = channel_id(key) {
            return Ok(id);
        }
        let name = key.trim_start_matches('#').to_lowercase();
        if let Some(id) = self.cached(&name) {
            return Ok(id);
        }
        let listed = super::channels::list(&self.sender)
            .await
            .map_err(|e| classify(&e))?;
        let found = listed.into_iter().map(|(name, c)| (name, c.id)).collect();
        self.remember_channels(found);
        self.cached(&name)
            .ok_or_else(|| PortError::Refused(format!("no channel named #{name} in the workspace")))
    }

    /// Posts `post` in `channel`, then shares its attachment there (a file
    /// is a message of its own on Slack; the post's key is the text's).
    /// With `look`, a retry looks for the post first ([`once`]).
    async fn send(
        &self,
        channel: &str,
        post: &Post,
        look: Option<(Place<'_>, &str)>,
    ) -> Result<MessageKey, SendError> {
        let request = SlackApiChatPostMessageRequest::new(channel.into(), blocks::message(post))
            .with_link_names(false)
            .with_parse("none".to_owned())
            .with_unfurl_links(false)
            .opt_thread_ts(
                post.reply_to
                    .as_ref()
                    .map(|r| SlackTs::new(r.message.clone())),
            );
        let posted = self.post_message(&request, look).await?;
        if let Some(file) = &post.attachment {
            if let Err(error) = super::files::share(&self.sender, channel, file, None).await {
                tracing::warn!(%error, channel, file = %file.filename, "could not share a post's file");
            }
        }
        Ok(posted)
    }

    async fn reactions(&self, message: &MessageKey) -> Result<Vec<SlackReaction>, PortError> {
        let request = SlackApiReactionsGetRequest::new()
            .with_channel(message.channel.as_str().into())
            .with_timestamp(SlackTs::new(message.message.clone()))
            .with_full(true);
        let got = paced!(self.sender, "reactions.get", Tier::Three, None, |session| {
            session.reactions_get(&request)
        })
        .map_err(|e| classify(&e))?;
        Ok(match got {
            SlackApiReactionsGetResponse::Message(found) => {
                found.message.content.reactions.unwrap_or_default()
            }
            SlackApiReactionsGetResponse::File(_) => Vec::new(),
        })
    }
}

/// A channel id as Slack writes one (`C…`, `G…`, `D…`), bare or as `<#C…|name>`.
fn channel_id(key: &str) -> Option<String> {
    let id = key.strip_prefix("<#").map_or(key, |rest| {
        rest.trim_end_matches('>').split('|').next().unwrap_or(rest)
    });
    let mut chars = id.chars();
    let kind = chars.next()?;
    // Slack keeps channel names in lower case, so an upper-case word is an id.
    let id_like = matches!(kind, 'C' | 'G' | 'D')
        && id.len() >= 2
        && chars.all(|c| c.is_ascii_uppercase() || c.is_ascii_digit());
    id_like.then(|| id.to_owned())
}

/// How a sender failure counts for the core.
fn classify(error: &SendError) -> PortError {
    match error {
        SendError::Rejected { .. } => PortError::Refused(error.to_string()),
        SendError::GaveUp { .. } => PortError::Transient(error.to_string()),
    }
}

/// A message's channel and `ts`; a message in a thread is keyed by the
/// thread (`CHANNEL/PARENT`), whose channel it is in.
fn ts(message: &MessageKey) -> (SlackChannelId, SlackTs) {
    let channel = threads::thread_of(&message.channel).map_or(message.channel.as_str(), |t| t.0);
    (channel.into(), SlackTs::new(message.message.clone()))
}

impl ChatPort for SlackPort {
    /// Slack's: 20 option reactions (the shortcodes emcee maps keys to),
    /// 3,000 characters in one section, and a tier-3 `chat.update` held to
    /// one edit per poll every 2 s.
    fn limits(&self) -> Limits {
        Limits {
            reactions_per_message: markup::OPTION_SHORTCODES.len(),
            message_chars: blocks::SECTION_CHARS,
            min_edit_gap: Duration::from_secs(2),
        }
    }

    fn post<'a>(&'a self, channel: &'a str, post: &'a Post) -> PortFuture<'a, MessageKey> {
        Box::pin(async move {
            if let Some(parent) = threads::thread_of(channel) {
                return self.reply(channel, parent, post).await;
            }
            let channel = self.resolve(channel).await?;
            self.post_once(Place::Channel(&channel), post).await
        })
    }

    fn edit<'a>(&'a self, message: &'a MessageKey, post: &'a Post) -> PortFuture<'a, ()> {
        Box::pin(async move {
            let (channel, ts) = ts(message);
            let request = SlackApiChatUpdateRequest::new(channel, blocks::message(post), ts)
                .with_link_names(false)
                .with_parse("none".to_owned());
            paced!(self.sender, "chat.update", Tier::Three, None, |session| {
                session.chat_update(&request)
            })
            .map(drop)
            .map_err(|e| classify(&e))
        })
    }

    fn delete<'a>(&'a self, message: &'a MessageKey) -> PortFuture<'a, ()> {
        Box::pin(async move {
            let (channel, ts) = ts(message);
            let request = SlackApiChatDeleteRequest::new(channel, ts);
            match paced!(self.sender, "chat.delete", Tier::Three, None, |session| {
                session.chat_delete(&request)
            }) {
                Err(error) if error.code() == Some("message_not_found") => Ok(()),
                done => done.map(drop).map_err(|e| classify(&e)),
            }
        })
    }

    fn react<'a>(&'a self, message: &'a MessageKey, key: &'a str) -> PortFuture<'a, ()> {
        Box::pin(async move {
            let (channel, ts) = ts(message);
            let name = SlackReactionName::new(markup::shortcode_of(key));
            let request = SlackApiReactionsAddRequest::new(channel, name, ts);
            match paced!(self.sender, "reactions.add", Tier::Three, None, |session| {
                session.reactions_add(&request)
            }) {
                Err(error) if error.code() == Some("already_reacted") => Ok(()),
                done => done.map(drop).map_err(|e| classify(&e)),
            }
        })
    }

    fn unreact<'a>(
        &'a self,
        message: &'a MessageKey,
        key: &'a str,
        user: &'a str,
    ) -> PortFuture<'a, ()> {
        Box::pin(async move {
            // Slack lets a bot remove only its own reactions; the voter is told.
            if user != self.bot_user() {
                self.tell_not_counted(message, user).await;
                return Ok(());
            }
            let (channel, ts) = ts(message);
            let name = SlackReactionName::new(markup::shortcode_of(key));
            let request = SlackApiReactionsRemoveRequest::new(name)
                .with_channel(channel)
                .with_timestamp(ts);
            match paced!(
                self.sender,
                "reactions.remove",
                Tier::Three,
                None,
                |session| { session.reactions_remove(&request) }
            ) {
                Err(error) if error.code() == Some("no_reaction") => Ok(()),
                done => done.map(drop).map_err(|e| classify(&e)),
            }
        })
    }

    fn reactors<'a>(
        &'a self,
        message: &'a MessageKey,
        key: &'a str,
    ) -> PortFuture<'a, BTreeSet<String>> {
        Box::pin(async move {
            let keys = [key.to_owned()];
            let mut read = self.reactors_of(message, &keys).await?;
            Ok(read.remove(key).unwrap_or_default())
        })
    }

    /// One `reactions.get` answers for every key: it lists all of the
    /// message's reactions (a skin tone is the same emoji).
    fn reactors_of<'a>(
        &'a self,
        message: &'a MessageKey,
        keys: &'a [String],
    ) -> PortFuture<'a, BTreeMap<String, BTreeSet<String>>> {
        Box::pin(async move {
            let wanted: HashMap<String, &String> = keys
                .iter()
                .map(|key| (markup::key_of_reaction(&markup::shortcode_of(key)), key))
                .collect();
            let mut read: BTreeMap<String, BTreeSet<String>> = keys
                .iter()
                .map(|key| (key.clone(), BTreeSet::new()))
                .collect();
            let bot = self.bot_user();
            for reaction in self.reactions(message).await? {
                let Some(key) = wanted.get(&markup::key_of_reaction(reaction.name.as_ref())) else {
                    continue;
                };
                let users = reaction.users.iter().map(ToString::to_string);
                read.entry((*key).clone())
                    .or_default()
                    .extend(users.filter(|user| *user != bot));
            }
            Ok(read)
        })
    }

    fn has_reacted<'a>(
        &'a self,
        message: &'a MessageKey,
        key: &'a str,
        user: &'a str,
    ) -> PortFuture<'a, bool> {
        Box::pin(async move { Ok(self.reactors(message, key).await?.contains(user)) })
    }

    fn direct<'a>(&'a self, user: &'a str, post: &'a Post) -> PortFuture<'a, MessageKey> {
        Box::pin(async move {
            let channel = self.dm_channel(user).await?;
            let sent = emcee_core::chat::direct::send_kept(
                user,
                channel,
                |channel: String| async move { self.send(&channel, post, None).await },
                |error: &SendError| error.code() == Some("channel_not_found"),
                || self.open_dm(user),
            );
            sent.await?.map_err(|e| classify_direct(&e))
        })
    }

    fn resolve_channel<'a>(
        &'a self,
        community: Option<&'a str>,
        name: &'a str,
    ) -> PortFuture<'a, String> {
        Box::pin(async move {
            if let Some(team) = community.filter(|team| *team != self.workspace) {
                return Err(PortError::Refused(format!(
                    "workspace {team} is not the one emcee serves"
                )));
            }
            self.resolve(name).await
        })
    }

    fn emoji_key(&self, typed: &str) -> Option<String> {
        markup::emoji_key(typed)
    }

    /// A Slack thread is the replies to the announcement: nothing to open;
    /// its key makes later posts replies there.
    fn open_thread<'a>(
        &'a self,
        message: &'a MessageKey,
        _name: &'a str,
    ) -> PortFuture<'a, Option<String>> {
        Box::pin(async move { Ok(Some(format!("{}/{}", message.channel, message.message))) })
    }

    fn pin<'a>(&'a self, message: &'a MessageKey) -> PortFuture<'a, ()> {
        Box::pin(self.pin_message(message))
    }

    /// Slack has no archived threads: the thread gets a closing line, once.
    fn archive_thread<'a>(&'a self, thread: &'a str) -> PortFuture<'a, ()> {
        Box::pin(self.close_thread(thread))
    }

    /// Every Slack message can carry buttons: polls vote by button here
    /// unless they ask for reactions.
    fn vote_buttons(&self, _channel: &str) -> bool {
        true
    }
}

#[cfg(test)]
mod tests {
    use super::channel_id;

    #[test]
    fn channel_ids_are_taken_as_they_are_and_names_are_not() {
        assert_eq!(channel_id("C0123ABCD").as_deref(), Some("C0123ABCD"));
        assert_eq!(
            channel_id("<#C0123ABCD|general>").as_deref(),
            Some("C0123ABCD")
        );
        assert_eq!(channel_id("D0123ABCD").as_deref(), Some("D0123ABCD"));
        assert_eq!(channel_id("announcements"), None);
        assert_eq!(channel_id("Cool-stuff"), None);
        assert_eq!(channel_id("C0RANDOM").as_deref(), Some("C0RANDOM"));
        assert_eq!(channel_id("general"), None);
    }
}
