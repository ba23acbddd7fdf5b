//! The core's chat port on Discord, over the paced REST sender.
//!
//! Posts become create-message JSON ([`super::markup`]), option keys become
//! reactions (A → 🇦; custom emoji as `name:id`), and channel names resolve
//! through the channel lists of the served servers (or of every server the
//! bot is in when none are configured; a name found in two is refused),
//! at start and again on a miss.
//! A user's DM channel is opened once and kept ([`DirectChannels`], the
//! store's table in the bot), so a burst of reminders costs one request per
//! DM, also after a restart; a kept channel Discord no longer knows is
//! reopened once.
//! Discord's errors are sorted for the core: closed DMs are unreachable,
//! refusals final, exhausted retries transient.
//!
//! A forum (or media) channel takes no plain message, so a post there opens
//! a forum post named after the post's title, with the post as its starter
//! message; its key is (thread, starter), both the thread's id, and that
//! post is its own thread: [`ChatPort::open_thread`] on it returns it
//! without a call. A later post on the same topic (the same session: its
//! start after its "starting soon") is a message in that post while it is
//! open, so a session has one post, not one per announcement. Forums are
//! known from the channel lists, or learnt from Discord's refusal of a
//! message (a channel given by id).

use super::markup;
use super::outbound::{Forums, Outbound, OutboundError};
use emcee_core::chat::text::single_line;
use emcee_core::chat::{
    ChatPort, DirectChannels, KeptInMemory, Limits, MessageKey, NativeLimits, PortError,
    PortFuture, Post,
};
use std::collections::{BTreeSet, HashMap};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

/// "Cannot send messages to this user": the user closed their DMs.
const DMS_CLOSED: i64 = 50007;
/// "Unknown Channel": e.g. a kept DM channel Discord no longer has.
const UNKNOWN_CHANNEL: i64 = 10003;
/// The platform name under which DM channels are kept.
const PLATFORM: &str = "discord";
/// Users per page of `GET …/reactions/{emoji}` (Discord's maximum).
const PAGE: u8 = 100;
/// "Poll expired": ending a native poll that has ended.
const POLL_EXPIRED: i64 = 520001;
/// Discord's longest thread name.
const THREAD_NAME: usize = 100;
/// "Cannot send messages in a non-text channel": e.g. a forum.
const NOT_TEXT: i64 = 50008;

/// Discord as the core sees it.
pub struct DiscordPort {
    outbound: Outbound,
    /// Served server ids; empty: every server the bot is in.
    servers: Vec<u64>,
    /// Lower-case channel name -> id, filled from the servers' channel lists.
    channels: Mutex<HashMap<String, u64>>,
    /// Forum (and media) channels and the posts opened there.
    forums: Forums,
    /// The bot's own user id, once the gateway told it; its reactions never count.
    bot_user: AtomicU64,
    /// Users' DM channels, once opened.
    direct: Arc<dyn DirectChannels>,
}

impl DiscordPort {
    /// A port posting through `outbound`, resolving channel names in `servers`.
    pub fn new(outbound: Outbound, servers: Vec<u64>) -> Self {
        Self {
            outbound,
            servers,
            channels: Mutex::new(HashMap::new()),
            forums: Forums::default(),
            bot_user: AtomicU64::new(0),
            direct: Arc::new(KeptInMemory::default()),
        }
    }

    /// Keeps users' DM channels in `kept` (the bot's store) instead of in
    /// memory, so a restart does not open them all again.
    #[must_use]
    pub fn with_direct_channels(mut self, kept: Arc<dyn DirectChannels>) -> Self {
        self.direct = kept;
        self
    }

    /// The paced sender underneath.
    pub fn outbound(&self) -> &Outbound {
        &self.outbound
    }

    /// Remembers the bot's user id (from READY).
    pub fn set_bot_user(&self, id: u64) {
        self.bot_user.store(id, Ordering::Relaxed);
    }

    /// The bot's user id, 0 until READY.
    pub fn bot_user(&self) -> u64 {
        self.bot_user.load(Ordering::Relaxed)
    }

    /// The bot's user id, asked of Discord when READY has not told it yet
    /// (a post due at once after a start).
    async fn me(&self) -> Result<u64, PortError> {
        let known = self.bot_user();
        if known != 0 {
            return Ok(known);
        }
        let me = self
            .outbound
            .get_json("/users/@me")
            .await
            .map_err(|e| classify(&e))?;
        let id = me["id"].as_str().and_then(|id| id.parse().ok());
        let id = id.ok_or_else(|| PortError::Transient("no id in /users/@me".into()))?;
        self.set_bot_user(id);
        Ok(id)
    }

    /// Remembers channel ids by name (lower case, no `#`), e.g. those
    /// [`super::channels::resolve_at_start`] found.
    pub fn remember_channels(&self, channels: super::channels::ChannelMap) {
        let mut cache = self.channels.lock().unwrap_or_else(PoisonError::into_inner);
        cache.extend(channels.names().map(|(name, id)| (name.to_owned(), id)));
        drop(cache);
        channels
            .forums()
            .for_each(|(forum, server)| self.forums.remember(forum, server));
    }

    fn cached(&self, name: &str) -> Option<u64> {
        let cache = self.channels.lock().unwrap_or_else(PoisonError::into_inner);
        cache.get(name).copied()
    }

    async fn resolve(&self, key: &str) -> Result<u64, PortError> {
        if let Ok(id) = key.trim().parse::<u64>() {
            return Ok(id);
        }
        let name = key.trim().trim_start_matches('#').to_lowercase();
        if let Some(id) = self.cached(&name) {
            return Ok(id);
        }
        // Lookups go through the paced sender, which rides out 429s and 5xx: one
        // failed lookup would otherwise hold the post back by the scheduler's retry wait.
        // A name in more than one server is refused, never guessed.
        let found = match super::channels::resolve(
            &self.outbound,
            &self.servers,
            std::slice::from_ref(&name),
        )
        .await
        {
            Ok(found) => found,
            Err(e @ super::channels::ChannelsError::Ambiguous(_)) => {
                return Err(PortError::Refused(e.to_string()))
            }
            Err(e) => return Err(PortError::Transient(e.to_string())),
        };
        self.remember_channels(found);
        self.cached(&name).ok_or_else(|| {
            PortError::Refused(format!("no channel named #{name} in the bot's servers"))
        })
    }

    /// A channel of server `server` by `<#id>`, id or name; a channel of any
    /// other server is refused, so nothing crosses communities.
    async fn resolve_in(&self, server: &str, key: &str) -> Result<u64, PortError> {
        let server: u64 = server
            .parse()
            .map_err(|_| PortError::Refused(format!("`{server}` is not a Discord server")))?;
        let key = key.trim();
        let listed = self
            .outbound
            .guild_channels(server)
            .await
            .map_err(|e| PortError::Transient(format!("listing channels: {e}")))?;
        let digits = key.trim_start_matches("<#").trim_end_matches('>');
        let found = match digits.parse::<u64>() {
            Ok(id) => listed.iter().find(|listed| listed.id == id),
            Err(_) => {
                let name = key.trim_start_matches('#').to_lowercase();
                listed
                    .iter()
                    .find(|listed| listed.name.to_lowercase() == name)
            }
        };
        let found =
            found.ok_or_else(|| PortError::Refused(format!("no channel {key} in this server")))?;
        if found.forum {
            self.forums.remember(found.id, server);
        }
        Ok(found.id)
    }

    /// Posts in `channel`: a message, or in a forum a post (or a message in
    /// its topic's post).
    async fn send(&self, channel: u64, post: &Post) -> Result<MessageKey, PortError> {
        if let Some(server) = self.forums.server_of(channel) {
            return self.post_in_forum(channel, server, post).await;
        }
        match self.create(channel, post).await {
            Err(error) if error.code() == Some(NOT_TEXT) => {
                // A channel no list showed (given by id, or created since).
                match self.outbound.channel(channel).await {
                    Ok(listed) if listed.forum => {
                        let server = listed.guild.unwrap_or_default();
                        self.forums.remember(channel, server);
                        self.post_in_forum(channel, server, post).await
                    }
                    _ => Err(classify(&error)),
                }
            }
            created => created.map_err(|e| classify(&e)),
        }
    }

    /// A plain message in `channel` (a text channel or a thread).
    async fn create(&self, channel: u64, post: &Post) -> Result<MessageKey, OutboundError> {
        let files = post.attachment.iter().cloned().collect();
        let posted = self
            .outbound
            .create_message(channel, markup::message(post), files)
            .await?;
        let id = posted["id"].as_str().unwrap_or_default();
        Ok(MessageKey::new(channel, id))
    }

    /// In `forum`: a message in the open post of `post`'s topic, else a new
    /// post named after it, opened once (see [`Outbound::forum_post_once`]).
    async fn post_in_forum(
        &self,
        forum: u64,
        server: u64,
        post: &Post,
    ) -> Result<MessageKey, PortError> {
        let topic = post.topic.as_deref();
        if let Some(thread) = topic.and_then(|topic| self.forums.post_of(forum, topic)) {
            match self.create(thread, post).await {
                // Deleted meanwhile: the topic gets a new post.
                Err(error) if error.code() == Some(UNKNOWN_CHANNEL) => self.forums.closed(thread),
                sent => return sent.map_err(|e| classify(&e)),
            }
        }
        let files = post.attachment.iter().cloned().collect();
        let where_ = (forum, server, self.me().await?);
        let thread = self
            .outbound
            .forum_post_once(where_, &post_name(post), markup::message(post), files)
            .await
            .map_err(|e| classify(&e))?;
        if let Some(topic) = topic {
            self.forums.opened(forum, topic, thread);
        }
        Ok(MessageKey::new(thread, thread))
    }

    /// `user`'s DM channel: the kept one (true), or a newly opened one.
    async fn dm_channel(&self, user: u64) -> Result<(u64, bool), PortError> {
        match self.direct.channel_of(PLATFORM, &user.to_string()).await {
            Ok(Some(kept)) => match kept.parse() {
                Ok(id) => return Ok((id, true)),
                Err(_) => tracing::warn!(user, "a kept DM channel id is not a snowflake"),
            },
            Ok(None) => {}
            // Opening again costs a request; failing the reminder would cost more.
            Err(error) => tracing::warn!(%error, "could not read a kept DM channel"),
        }
        Ok((self.open_dm(user).await?, false))
    }

    /// Opens `user`'s DM channel and keeps it.
    async fn open_dm(&self, user: u64) -> Result<u64, PortError> {
        let channel = self
            .outbound
            .open_dm(user)
            .await
            .map_err(|e| classify(&e))?;
        let (user, id, now) = (user.to_string(), channel.to_string(), chrono::Utc::now());
        if let Err(error) = self.direct.keep_channel(PLATFORM, &user, &id, now).await {
            tracing::warn!(%error, "could not keep a DM channel; it will be opened again");
        }
        Ok(channel)
    }

    async fn send_direct(&self, channel: u64, post: &Post) -> Result<MessageKey, OutboundError> {
        let files = post.attachment.iter().cloned().collect();
        let posted = self
            .outbound
            .create_direct_message(channel, markup::message(post), files)
            .await?;
        let id = posted["id"].as_str().unwrap_or_default();
        Ok(MessageKey::new(channel, id))
    }
}

/// A forum post's name: the post's title (the session it announces), else
/// its first line; one line of at most 100 characters.
fn post_name(post: &Post) -> String {
    let first = std::iter::once(post.title.clone())
        .chain([post.heading.as_ref().map(|h| h.to_plain())])
        .chain(post.lines.iter().map(|l| Some(l.to_plain())))
        .chain([post.card.as_ref().map(|c| c.title.to_plain())])
        .flatten()
        .map(|text| single_line(&text).trim().to_owned())
        .find(|text| !text.is_empty());
    let name = first.unwrap_or_else(|| "emcee".to_owned());
    name.chars().take(THREAD_NAME).collect()
}

/// Discord ids of a message key (the core keeps them as strings).
fn ids(message: &MessageKey) -> Result<(u64, u64), PortError> {
    match (message.channel.parse(), message.message.parse()) {
        (Ok(channel), Ok(id)) => Ok((channel, id)),
        _ => Err(PortError::Refused(format!(
            "{}/{} is not a Discord message",
            message.channel, message.message
        ))),
    }
}

fn user_id(user: &str) -> Result<u64, PortError> {
    user.parse()
        .map_err(|_| PortError::Refused(format!("`{user}` is not a Discord user id")))
}

/// How a sender failure counts for the core.
pub(crate) fn classify(error: &OutboundError) -> PortError {
    match error {
        OutboundError::Rejected { code, .. } if *code == DMS_CLOSED => PortError::Unreachable,
        OutboundError::Rejected { .. } => PortError::Refused(error.to_string()),
        OutboundError::GaveUp { .. } => PortError::Transient(error.to_string()),
    }
}

impl ChatPort for DiscordPort {
    fn limits(&self) -> Limits {
        Limits::default()
    }

    fn post<'a>(&'a self, channel: &'a str, post: &'a Post) -> PortFuture<'a, MessageKey> {
        Box::pin(async move {
            let channel = self.resolve(channel).await?;
            self.send(channel, post).await
        })
    }

    fn edit<'a>(&'a self, message: &'a MessageKey, post: &'a Post) -> PortFuture<'a, ()> {
        Box::pin(async move {
            let (channel, id) = ids(message)?;
            let body = markup::message(post);
            self.outbound
                .edit_message(channel, id, body)
                .await
                .map(drop)
                .map_err(|e| classify(&e))
        })
    }

    fn delete<'a>(&'a self, message: &'a MessageKey) -> PortFuture<'a, ()> {
        Box::pin(async move {
            let (channel, id) = ids(message)?;
            let deleted = self.outbound.delete_message(channel, id).await;
            deleted.map_err(|e| classify(&e))
        })
    }

    fn react<'a>(&'a self, message: &'a MessageKey, key: &'a str) -> PortFuture<'a, ()> {
        Box::pin(async move {
            let (channel, id) = ids(message)?;
            let emoji = markup::reaction_of(key);
            let added = self.outbound.add_reaction(channel, id, &emoji).await;
            added.map_err(|e| classify(&e))
        })
    }

    fn unreact<'a>(
        &'a self,
        message: &'a MessageKey,
        key: &'a str,
        user: &'a str,
    ) -> PortFuture<'a, ()> {
        Box::pin(async move {
            let (channel, id) = ids(message)?;
            let emoji = markup::reaction_of(key);
            let removed = self
                .outbound
                .remove_reaction(channel, id, &emoji, user_id(user)?)
                .await;
            removed.map_err(|e| classify(&e))
        })
    }

    fn unreact_everyone<'a>(&'a self, message: &'a MessageKey, key: &'a str) -> PortFuture<'a, ()> {
        Box::pin(async move {
            let (channel, id) = ids(message)?;
            let emoji = markup::reaction_of(key);
            let removed = self.outbound.remove_reactions_of(channel, id, &emoji).await;
            removed.map_err(|e| classify(&e))
        })
    }

    fn reactors<'a>(
        &'a self,
        message: &'a MessageKey,
        key: &'a str,
    ) -> PortFuture<'a, BTreeSet<String>> {
        Box::pin(async move {
            let (channel, id) = ids(message)?;
            let emoji = markup::reaction_of(key);
            let (bot, mut users, mut after) = (self.bot_user(), BTreeSet::new(), None);
            loop {
                let page = self
                    .outbound
                    .reaction_users(channel, id, &emoji, after, PAGE)
                    .await
                    .map_err(|e| classify(&e))?;
                after = page.last().copied();
                users.extend(page.iter().filter(|&&u| u != bot).map(u64::to_string));
                if page.len() < usize::from(PAGE) {
                    return Ok(users);
                }
            }
        })
    }

    fn has_reacted<'a>(
        &'a self,
        message: &'a MessageKey,
        key: &'a str,
        user: &'a str,
    ) -> PortFuture<'a, bool> {
        Box::pin(async move {
            let (channel, id) = ids(message)?;
            let user = user_id(user)?;
            let emoji = markup::reaction_of(key);
            let after = Some(user.saturating_sub(1));
            let page = self
                .outbound
                .reaction_users(channel, id, &emoji, after, 1)
                .await
                .map_err(|e| classify(&e))?;
            Ok(page.first() == Some(&user))
        })
    }

    fn direct<'a>(&'a self, user: &'a str, post: &'a Post) -> PortFuture<'a, MessageKey> {
        Box::pin(async move {
            let user = user_id(user)?;
            let channel = self.dm_channel(user).await?;
            let name = user.to_string();
            let sent = emcee_core::chat::direct::send_kept(
                &name,
                channel,
                |channel| self.send_direct(channel, post),
                |error: &OutboundError| error.code() == Some(UNKNOWN_CHANNEL),
                || self.open_dm(user),
            );
            sent.await?.map_err(|e| classify(&e))
        })
    }

    fn resolve_channel<'a>(
        &'a self,
        community: Option<&'a str>,
        name: &'a str,
    ) -> PortFuture<'a, String> {
        Box::pin(async move {
            match community {
                Some(server) => self.resolve_in(server, name).await.map(|id| id.to_string()),
                None => self.resolve(name).await.map(|id| id.to_string()),
            }
        })
    }

    fn native_polls(&self, _channel: &str) -> Option<NativeLimits> {
        Some(super::polls::NATIVE_LIMITS)
    }

    fn end_poll<'a>(&'a self, message: &'a MessageKey) -> PortFuture<'a, ()> {
        Box::pin(async move {
            let (channel, id) = ids(message)?;
            match self.outbound.expire_poll(channel, id).await {
                // Ended already (a close announced again): what was asked.
                Err(error) if error.code() == Some(POLL_EXPIRED) => Ok(()),
                ended => ended.map_err(|e| classify(&e)),
            }
        })
    }

    fn poll_voters<'a>(
        &'a self,
        message: &'a MessageKey,
        option: usize,
    ) -> PortFuture<'a, BTreeSet<String>> {
        Box::pin(async move {
            let (channel, id) = ids(message)?;
            let answer = super::polls::answer_id(option);
            let (mut users, mut after) = (BTreeSet::new(), None);
            loop {
                let page = self
                    .outbound
                    .poll_voters(channel, id, answer, after, PAGE)
                    .await
                    .map_err(|e| classify(&e))?;
                after = page.last().copied();
                users.extend(page.iter().map(u64::to_string));
                if page.len() < usize::from(PAGE) {
                    return Ok(users);
                }
            }
        })
    }

    fn open_thread<'a>(
        &'a self,
        message: &'a MessageKey,
        name: &'a str,
    ) -> PortFuture<'a, Option<String>> {
        Box::pin(async move {
            let (channel, id) = ids(message)?;
            // A forum post's starter has the post's id, and a message in a
            // post is in a thread already: the post is its thread.
            if channel == id || self.forums.is_post(channel) {
                return Ok(Some(channel.to_string()));
            }
            let name: String = single_line(name).chars().take(THREAD_NAME).collect();
            let thread = self.outbound.start_thread(channel, id, &name).await;
            thread
                .map(|t| Some(t.to_string()))
                .map_err(|e| classify(&e))
        })
    }

    fn pin<'a>(&'a self, message: &'a MessageKey) -> PortFuture<'a, ()> {
        Box::pin(async move {
            let (channel, id) = ids(message)?;
            let pinned = self.outbound.pin_message(channel, id).await;
            pinned.map_err(|e| classify(&e))
        })
    }

    fn archive_thread<'a>(&'a self, thread: &'a str) -> PortFuture<'a, ()> {
        Box::pin(async move {
            let thread = thread
                .parse()
                .map_err(|_| PortError::Refused(format!("`{thread}` is not a Discord thread")))?;
            self.outbound
                .archive_thread(thread)
                .await
                .map_err(|e| classify(&e))?;
            self.forums.closed(thread);
            Ok(())
        })
    }

    fn emoji_key(&self, typed: &str) -> Option<String> {
        Some(markup::emoji_key(typed))
    }
}
