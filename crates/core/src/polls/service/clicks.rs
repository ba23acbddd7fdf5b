//! A button poll's clicks, as votes. Each click goes to the recorder, which
//! stores the voter's marks as the click leaves them before it answers; the
//! answer is what the voter is told privately (see `posts::click_answer`).
//! The tally edit follows on its own schedule (`live`), so a burst of clicks
//! costs one edit per tally gap, not one per click.

use super::{PollService, ServiceError};
use crate::polls::{Click, ClickVerdict};
use std::time::Instant;

impl PollService {
    /// A click on option `click.option`'s button, `received` when the
    /// platform's event arrived; answers once it is stored.
    ///
    /// # Errors
    /// When the vote could not be stored; it was then not counted, and the
    /// voter may click again.
    pub async fn on_click(
        &self,
        click: Click,
        received: Instant,
    ) -> Result<ClickVerdict, ServiceError> {
        let verdict = self.recorder().click(click, received).await?;
        self.watch_adopted();
        Ok(verdict)
    }
}
