//! A platform's reaction events, as votes. Each event goes to the recorder
//! as it is; the recorder's verdict says what to tidy up on the platform.

use super::{PollService, ServiceError};
use crate::polls::{Reaction, Verdict};
use std::time::Instant;

impl PollService {
    /// A reaction was added or removed on some message, `received` when the
    /// platform's event arrived. Reactions on other messages are ignored.
    ///
    /// # Errors
    /// When the vote could not be stored (the poll is then reconciled with
    /// the platform before it closes).
    pub async fn on_reaction(
        &self,
        event: Reaction,
        received: Instant,
    ) -> Result<(), ServiceError> {
        let verdict = match self.recorder().react(event.clone(), received).await {
            Ok(verdict) => verdict,
            Err(error) => {
                self.mark_unsure(&event.message);
                return Err(error.into());
            }
        };
        match verdict {
            Verdict::Foreign if event.added => {
                self.remove_reaction(&event.message, &event.key, &event.voter)
                    .await;
            }
            Verdict::Counted { displaced, suspect } => {
                if suspect {
                    let (service, event) = (self.clone(), event.clone());
                    tokio::spawn(async move {
                        service
                            .check_mark(&event.message, &event.key, &event.voter)
                            .await;
                    });
                }
                for key in displaced {
                    self.remove_reaction(&event.message, &key, &event.voter)
                        .await;
                }
            }
            _ => {}
        }
        Ok(())
    }
}
