//! Guild Scheduled Events through the paced sender: one route per server,
//! as Discord buckets them by the guild.

use super::gate::Lane;
use super::pacing::Call;
use super::{Outbound, OutboundError};
use serde_json::Value;

impl Outbound {
    /// Every scheduled event of server `guild_id`.
    ///
    /// # Errors
    /// [`OutboundError`] when Discord refuses it or keeps failing.
    pub async fn scheduled_events(&self, guild_id: u64) -> Result<Value, OutboundError> {
        let path = format!("/guilds/{guild_id}/scheduled-events");
        self.call(events_route(guild_id), |rest| rest.get(&path))
            .await
    }

    /// Creates a scheduled event (`body`: Discord's create JSON); returns it.
    ///
    /// # Errors
    /// [`OutboundError`] when Discord refuses it (e.g. 30038, the server's
    /// cap of 100) or keeps failing.
    pub async fn create_scheduled_event(
        &self,
        guild_id: u64,
        body: &Value,
    ) -> Result<Value, OutboundError> {
        let path = format!("/guilds/{guild_id}/scheduled-events");
        self.call(events_route(guild_id), |rest| rest.post(&path, body, &[]))
            .await
    }

    /// Changes the fields of `body` on event `event_id`.
    ///
    /// # Errors
    /// [`OutboundError`] when Discord refuses it or keeps failing.
    pub async fn edit_scheduled_event(
        &self,
        guild_id: u64,
        event_id: u64,
        body: &Value,
    ) -> Result<Value, OutboundError> {
        let path = format!("/guilds/{guild_id}/scheduled-events/{event_id}");
        self.call(events_route(guild_id), |rest| rest.patch(&path, body))
            .await
    }

    /// Deletes event `event_id`.
    ///
    /// # Errors
    /// [`OutboundError`] when Discord refuses it or keeps failing.
    pub async fn delete_scheduled_event(
        &self,
        guild_id: u64,
        event_id: u64,
    ) -> Result<(), OutboundError> {
        let path = format!("/guilds/{guild_id}/scheduled-events/{event_id}");
        self.call(events_route(guild_id), |rest| rest.delete(&path))
            .await
            .map(drop)
    }
}

fn events_route(guild_id: u64) -> Call {
    Call::route(
        format!("/guilds/{guild_id}/scheduled-events"),
        Lane::Channel,
    )
}
