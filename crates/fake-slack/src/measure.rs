//! Reading back a burst: a benchmark sends thousands of envelopes and then
//! needs the deliveries, acks and `response_url` posts of that burst alone.
//! [`FakeSlack::acks`] and the like copy the whole log, and a wait that
//! re-checks them after every change costs the fake (and the bot beside it on
//! the same cores) more as the log grows. A [`Mark`] is the logs' lengths
//! before the burst: counting against it is cheap enough to re-check on every
//! change, and only the burst's records are copied once it is all in.

use crate::{lock, Ack, Delivery, FakeSlack, ResponsePost};

/// The lengths of the delivery, ack and `response_url` logs at one moment.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Mark {
    /// Envelope sendings so far, re-deliveries included.
    pub deliveries: usize,
    /// Acks received so far, duplicates and dropped ones included.
    pub acks: usize,
    /// Posts to `response_url`s so far, refused ones included.
    pub response_posts: usize,
}

impl Mark {
    /// What `later` holds beyond this mark, per log.
    #[must_use]
    pub fn until(&self, later: &Mark) -> Mark {
        Mark {
            deliveries: later.deliveries.saturating_sub(self.deliveries),
            acks: later.acks.saturating_sub(self.acks),
            response_posts: later.response_posts.saturating_sub(self.response_posts),
        }
    }
}

impl FakeSlack {
    /// The logs' lengths now; cheap (two locks, no copy).
    #[must_use]
    pub fn mark(&self) -> Mark {
        let (deliveries, acks) = {
            let sockets = lock(&self.inner.sockets);
            (sockets.deliveries.len(), sockets.acks.len())
        };
        let response_posts = lock(&self.inner.world).response_posts.len();
        Mark {
            deliveries,
            acks,
            response_posts,
        }
    }

    /// Envelope sendings since `mark`, in order.
    #[must_use]
    pub fn deliveries_since(&self, mark: &Mark) -> Vec<Delivery> {
        since(&lock(&self.inner.sockets).deliveries, mark.deliveries)
    }

    /// Acks received since `mark`, in order.
    #[must_use]
    pub fn acks_since(&self, mark: &Mark) -> Vec<Ack> {
        since(&lock(&self.inner.sockets).acks, mark.acks)
    }

    /// Posts to `response_url`s since `mark`, in order.
    #[must_use]
    pub fn response_posts_since(&self, mark: &Mark) -> Vec<ResponsePost> {
        since(&lock(&self.inner.world).response_posts, mark.response_posts)
    }
}

/// A copy of `log` from position `from` on.
fn since<T: Clone>(log: &[T], from: usize) -> Vec<T> {
    log.get(from..).map(<[T]>::to_vec).unwrap_or_default()
}
