//! The scheduler's voice on Discord: core's `Announcer` over the paced sender.
//!
//! Every post goes through [`Outbound`] (paced per channel and globally,
//! 429-aware) with the job's nonce and `enforce_nonce`, so a retry after a
//! timeout or a 5xx cannot create a second message. Channel names from the
//! config are resolved to ids at start ([`super::channels`], which refuses a
//! name found in more than one server) and again on a miss, in the configured
//! servers, or in every server the bot is in when none are configured.
//! Messages mention nobody, except the role configured for an announcement,
//! which is the only mention allowed.

use super::markdown::escape;
use super::outbound::{Outbound, OutboundError};
use super::polls::PollService;
use super::render::timestamp;
use emcee_core::polls::FlashPoll;
use emcee_core::scheduler::{Announcer, Delivery, DeliveryError, Item, JobKind, Message};
use poise::serenity_prelude as serenity;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::fmt::Write;
use std::sync::{Mutex, PoisonError};

/// Discord's limit on a message's content, less room for "and N more".
const CONTENT_BUDGET: usize = 1900;
/// "Cannot send messages to this user": the user closed their DMs.
const DMS_CLOSED: i64 = 50007;

/// Posts scheduled messages to Discord.
pub struct DiscordAnnouncer {
    outbound: Outbound,
    servers: Vec<serenity::GuildId>,
    /// Lower-case channel name -> id, filled from the servers' channel lists.
    channels: Mutex<HashMap<String, u64>>,
    /// The poll feature, which opens declared polls; `None`: polls are not opened.
    polls: Option<PollService>,
}

impl DiscordAnnouncer {
    /// An announcer posting through `outbound`, resolving channel names in `servers`.
    pub fn new(outbound: Outbound, servers: Vec<serenity::GuildId>) -> Self {
        Self {
            outbound,
            servers,
            channels: Mutex::new(HashMap::new()),
            polls: None,
        }
    }

    /// Starts from the names [`super::channels::resolve_at_start`] found.
    #[must_use]
    pub fn with_channels(self, channels: super::channels::ChannelMap) -> Self {
        self.channels
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .extend(channels);
        self
    }

    /// Opens declared polls through `polls` (which also closes them on time).
    #[must_use]
    pub fn with_polls(mut self, polls: PollService) -> Self {
        self.polls = Some(polls);
        self
    }

    /// A channel id for a config key: an id as is, a name through the servers.
    async fn resolve(&self, key: &str) -> Result<u64, DeliveryError> {
        if let Ok(id) = key.trim().parse::<u64>() {
            return Ok(id);
        }
        let name = key.trim().trim_start_matches('#').to_lowercase();
        if let Some(id) = self.cached(&name) {
            return Ok(id);
        }
        // Lookups go through the paced sender, which rides out 429s and 5xx: one
        // failed lookup would otherwise hold the post back by the scheduler's retry wait.
        let servers: Vec<u64> = self.servers.iter().map(|s| s.get()).collect();
        let found =
            match super::channels::resolve(&self.outbound, &servers, std::slice::from_ref(&name))
                .await
            {
                Ok(found) => found,
                Err(e @ super::channels::ChannelsError::Ambiguous(_)) => {
                    return Err(DeliveryError::Refused(e.to_string()))
                }
                Err(e) => return Err(DeliveryError::Transient(e.to_string())),
            };
        let mut cache = self.channels.lock().unwrap_or_else(PoisonError::into_inner);
        cache.extend(found);
        cache.get(&name).copied().ok_or_else(|| {
            DeliveryError::Refused(format!("no channel named #{name} in the bot's servers"))
        })
    }

    fn cached(&self, name: &str) -> Option<u64> {
        let cache = self.channels.lock().unwrap_or_else(PoisonError::into_inner);
        cache.get(name).copied()
    }

    async fn send(&self, channel: u64, body: Value) -> Result<String, DeliveryError> {
        match self
            .outbound
            .create_message(channel, body, Vec::new())
            .await
        {
            Ok(message) => Ok(message["id"].as_str().unwrap_or_default().to_owned()),
            Err(error) => Err(classify(&error)),
        }
    }
}

impl Announcer for DiscordAnnouncer {
    fn post<'a>(&'a self, channel: &'a str, message: &'a Message, nonce: &'a str) -> Delivery<'a> {
        Box::pin(async move {
            let id = self.resolve(channel).await?;
            self.send(id, body(message, nonce)).await
        })
    }

    fn direct<'a>(&'a self, user: &'a str, message: &'a Message, nonce: &'a str) -> Delivery<'a> {
        Box::pin(async move {
            let user: u64 = user.parse().map_err(|_| {
                DeliveryError::Refused(format!("`{user}` is not a Discord user id"))
            })?;
            let channel = self
                .outbound
                .open_dm(user)
                .await
                .map_err(|e| classify(&e))?;
            self.send(channel, body(message, nonce)).await
        })
    }

    fn open_poll<'a>(&'a self, poll: &'a FlashPoll, channel: &'a str) -> Delivery<'a> {
        // The poll feature owns posting, counting and closing; `open_declared`
        // is idempotent per poll id, so a retried job cannot open it twice.
        Box::pin(async move {
            let Some(polls) = &self.polls else {
                return Err(DeliveryError::Refused(format!(
                    "poll `{}`: no poll service attached",
                    poll.id
                )));
            };
            let id = self.resolve(channel).await?;
            match polls.open_declared(poll, id).await {
                Ok(opened) => Ok(format!("poll {}", opened.message.message)),
                Err(error) => Err(DeliveryError::Transient(format!("{error:#}"))),
            }
        })
    }
}

/// How a sender failure counts for the scheduler.
fn classify(error: &OutboundError) -> DeliveryError {
    match error {
        OutboundError::Rejected { code, .. } if *code == DMS_CLOSED => DeliveryError::Unreachable,
        OutboundError::Rejected { .. } => DeliveryError::Refused(error.to_string()),
        OutboundError::GaveUp { .. } => DeliveryError::Transient(error.to_string()),
    }
}

/// The create-message JSON: content, the nonce, and mentions limited to the
/// configured role.
pub fn body(message: &Message, nonce: &str) -> Value {
    let mut content = String::new();
    let roles: Vec<String> = message.role.iter().cloned().collect();
    if let Some(role) = &message.role {
        let _ = write!(content, "<@&{role}> ");
    }
    content.push_str(&text(message));
    json!({
        "content": content,
        "nonce": nonce,
        "enforce_nonce": true,
        "allowed_mentions": { "parse": [], "roles": roles },
    })
}

/// The message as Discord markdown, times as `<t:...>` so each reader sees their own.
pub fn text(message: &Message) -> String {
    let heading = match message.kind {
        JobKind::Announce if message.lead_minutes == 0 => "**Starting now**".to_owned(),
        JobKind::Announce => match message.items.first() {
            Some(first) => format!("**Starting {}**", timestamp(first.start, 'R')),
            None => "**Starting soon**".to_owned(),
        },
        JobKind::OnDemand => "**Now available on demand**".to_owned(),
        JobKind::Reminder => "⏰ **Your reminder**".to_owned(),
        JobKind::Digest => "**Today's programme**".to_owned(),
        JobKind::Change => "**Schedule change**".to_owned(),
        JobKind::PollOpen => "**Poll**".to_owned(),
    };
    let mut out = heading;
    let mut shown = 0;
    for item in &message.items {
        let line = line(message.kind, item);
        if out.len() + line.len() + 1 > CONTENT_BUDGET {
            break;
        }
        out.push('\n');
        out.push_str(&line);
        shown += 1;
    }
    let more = message.items.len() - shown + message.more;
    if more > 0 {
        let _ = write!(out, "\n…and {more} more");
    }
    out
}

fn line(kind: JobKind, item: &Item) -> String {
    let title = escape(&item.title);
    let mut line = match kind {
        JobKind::Change if item.cancelled => format!("• ~~{title}~~ is cancelled"),
        JobKind::Change => match item.was {
            Some((old, _)) => format!(
                "• **{title}** moved from {} to {}",
                timestamp(old, 'f'),
                timestamp(item.start, 'f')
            ),
            None => format!("• **{title}** at {}", timestamp(item.start, 'f')),
        },
        JobKind::Digest => format!("• {} **{title}**", timestamp(item.start, 't')),
        JobKind::Reminder => format!(
            "• **{title}** starts {} ({})",
            timestamp(item.start, 'R'),
            timestamp(item.start, 't')
        ),
        _ => format!("• **{title}**"),
    };
    if !item.speakers.is_empty() && kind != JobKind::Change {
        let _ = write!(line, " — {}", escape(&item.speakers));
    }
    if let Some(place) = item.place.as_ref().filter(|_| kind != JobKind::Change) {
        let _ = write!(line, " · {}", escape(place));
    }
    if let (JobKind::OnDemand, Some(video)) = (kind, &item.video) {
        let _ = write!(line, "\n  <{video}>");
    }
    line
}
