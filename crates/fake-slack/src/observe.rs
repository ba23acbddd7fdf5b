//! What a test reads back and waits for: the call log, messages, ephemeral
//! messages, `response_url` posts, envelopes with their deliveries and acks,
//! files and scheduled messages. Every wait re-checks after each change to the
//! fake and gives up with a [`Timeout`] naming what it waited for.

use std::time::Duration;

use crate::{
    lock, Ack, Delivery, Envelope, Ephemeral, FakeSlack, RecordedCall, ResponsePost,
    ScheduledMessage, StoredFile, StoredMessage, StoredView, Timeout,
};

impl FakeSlack {
    /// Every Web API call (and upload) so far, in arrival order.
    #[must_use]
    pub fn calls(&self) -> Vec<RecordedCall> {
        lock(&self.inner.log).clone()
    }

    /// The calls of one method, in order.
    #[must_use]
    pub fn calls_of(&self, method: &str) -> Vec<RecordedCall> {
        lock(&self.inner.log)
            .iter()
            .filter(|c| c.is(method))
            .cloned()
            .collect()
    }

    /// Waits for the first call (past or future) that `pred` accepts.
    ///
    /// # Errors
    /// [`Timeout`] if none arrives in time.
    pub async fn wait_for_call(
        &self,
        pred: impl Fn(&RecordedCall) -> bool,
        timeout: Duration,
    ) -> Result<RecordedCall, Timeout> {
        let inner = &self.inner;
        inner
            .changes
            .wait_until("a matching Web API call", timeout, || {
                lock(&inner.log).iter().find(|c| pred(c)).cloned()
            })
            .await
    }

    /// Waits until `check` yields a value, re-checking after every change to
    /// the fake. `what` names the condition in the [`Timeout`].
    ///
    /// # Errors
    /// [`Timeout`] if `check` yields nothing in time.
    pub async fn wait_until<T>(
        &self,
        what: &str,
        timeout: Duration,
        mut check: impl FnMut(&FakeSlack) -> Option<T>,
    ) -> Result<T, Timeout> {
        self.inner
            .changes
            .wait_until(what, timeout, || check(self))
            .await
    }

    /// Messages in `channel` (thread replies included), oldest first.
    #[must_use]
    pub fn messages(&self, channel: &str) -> Vec<StoredMessage> {
        let world = lock(&self.inner.world);
        world
            .channels
            .get(channel)
            .map(|c| c.messages.values().cloned().collect())
            .unwrap_or_default()
    }

    /// The `ts` of every message pinned in `channel`.
    #[must_use]
    pub fn pinned(&self, channel: &str) -> Vec<String> {
        let world = lock(&self.inner.world);
        world
            .pins
            .iter()
            .filter(|(c, _)| c == channel)
            .map(|(_, ts)| ts.clone())
            .collect()
    }

    /// One message.
    #[must_use]
    pub fn message(&self, channel: &str, ts: &str) -> Option<StoredMessage> {
        lock(&self.inner.world).message(channel, ts).ok().cloned()
    }

    /// Waits for a message in `channel` that `pred` accepts.
    ///
    /// # Errors
    /// [`Timeout`] if none appears in time.
    pub async fn wait_for_message(
        &self,
        channel: &str,
        pred: impl Fn(&StoredMessage) -> bool,
        timeout: Duration,
    ) -> Result<StoredMessage, Timeout> {
        let what = format!("a matching message in {channel}");
        self.wait_until(&what, timeout, |fake| {
            fake.messages(channel).into_iter().find(|m| pred(m))
        })
        .await
    }

    /// Every ping the bot's messages and ephemeral messages would make, in
    /// channel order then ephemeral order, as `"CHANNEL TS <!here>"`; empty
    /// when the bot escaped every text it sent.
    #[must_use]
    pub fn bot_pings(&self) -> Vec<String> {
        let world = lock(&self.inner.world);
        let posted = world
            .channels
            .values()
            .flat_map(|c| c.messages.values())
            .filter(|m| m.by_bot())
            .flat_map(|m| {
                m.pings()
                    .into_iter()
                    .map(|p| format!("{} {} {p}", m.channel, m.ts))
            });
        let private = world.ephemerals.iter().flat_map(|e| {
            e.pings()
                .into_iter()
                .map(|p| format!("{} {} {p}", e.channel, e.ts))
        });
        posted.chain(private).collect()
    }

    /// Every ephemeral message so far, in order.
    #[must_use]
    pub fn ephemerals(&self) -> Vec<Ephemeral> {
        lock(&self.inner.world).ephemerals.clone()
    }

    /// Waits for an ephemeral message to `user` that `pred` accepts.
    ///
    /// # Errors
    /// [`Timeout`] if none arrives in time.
    pub async fn wait_for_ephemeral(
        &self,
        user: &str,
        pred: impl Fn(&Ephemeral) -> bool,
        timeout: Duration,
    ) -> Result<Ephemeral, Timeout> {
        let what = format!("an ephemeral message to {user}");
        self.wait_until(&what, timeout, |fake| {
            fake.ephemerals()
                .into_iter()
                .find(|e| e.user == user && pred(e))
        })
        .await
    }

    /// Every post to a `response_url`, in order.
    #[must_use]
    pub fn response_posts(&self) -> Vec<ResponsePost> {
        lock(&self.inner.world).response_posts.clone()
    }

    /// Waits for the first post to the `response_url` with `token`.
    ///
    /// # Errors
    /// [`Timeout`] if none arrives in time.
    pub async fn wait_for_response(
        &self,
        token: &str,
        timeout: Duration,
    ) -> Result<ResponsePost, Timeout> {
        self.wait_until("a response_url post", timeout, |fake| {
            fake.response_posts().into_iter().find(|p| p.token == token)
        })
        .await
    }

    /// Every envelope, in the order first sent.
    #[must_use]
    pub fn envelopes(&self) -> Vec<Envelope> {
        lock(&self.inner.sockets).envelopes.clone()
    }

    /// Every sending of an envelope, re-deliveries included, in order.
    #[must_use]
    pub fn deliveries(&self) -> Vec<Delivery> {
        lock(&self.inner.sockets).deliveries.clone()
    }

    /// Every ack received, in order.
    #[must_use]
    pub fn acks(&self) -> Vec<Ack> {
        lock(&self.inner.sockets).acks.clone()
    }

    /// Waits for the first ack of `envelope_id` that counted (not lost to
    /// [`crate::Fault::DropAcks`]).
    ///
    /// # Errors
    /// [`Timeout`] if none arrives in time.
    pub async fn wait_for_ack(&self, envelope_id: &str, timeout: Duration) -> Result<Ack, Timeout> {
        let what = format!("the ack of {envelope_id}");
        self.wait_until(&what, timeout, |fake| {
            fake.acks()
                .into_iter()
                .find(|a| a.envelope_id == envelope_id && !a.dropped)
        })
        .await
    }

    /// Scheduled messages not yet posted, in the order scheduled.
    #[must_use]
    pub fn scheduled(&self) -> Vec<ScheduledMessage> {
        lock(&self.inner.world).scheduled.clone()
    }

    /// Every modal the bot opened or pushed, in order, as last updated.
    #[must_use]
    pub fn views(&self) -> Vec<StoredView> {
        lock(&self.inner.world).views.values().cloned().collect()
    }

    /// A file by id, with its uploaded bytes.
    #[must_use]
    pub fn file(&self, id: &str) -> Option<StoredFile> {
        lock(&self.inner.world).files.get(id).cloned()
    }

    /// Ids of the open Socket Mode connections, oldest first.
    #[must_use]
    pub fn connections(&self) -> Vec<u64> {
        lock(&self.inner.sockets)
            .conns
            .iter()
            .map(|c| c.id)
            .collect()
    }

    /// How many Socket Mode connections were ever opened.
    #[must_use]
    pub fn connects(&self) -> usize {
        lock(&self.inner.sockets).connects
    }

    /// Waits until at least `n` Socket Mode connections are open.
    ///
    /// # Errors
    /// [`Timeout`] if they are not in time.
    pub async fn wait_connected(&self, n: usize, timeout: Duration) -> Result<(), Timeout> {
        let what = format!("{n} Socket Mode connections");
        self.wait_until(&what, timeout, |fake| {
            (fake.connections().len() >= n).then_some(())
        })
        .await
    }
}
