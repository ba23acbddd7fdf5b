//! Organiser commands: `/reload` loads the agenda again and reschedules.
//!
//! Discord hides the command from members without Manage Server
//! (`default_member_permissions`); server admins can grant it to other roles
//! in the integration settings, and `[organisers] roles` are checked here too,
//! because a hidden command is not a permission check.

use crate::discord::access::is_organiser;
use crate::discord::embeds::say_privately;
use crate::discord::{Context, Error};
use crate::scheduler::{reload as reload_agenda, ReloadError};

/// Reload the agenda and reschedule announcements (organisers)
#[poise::command(slash_command, default_member_permissions = "MANAGE_GUILD")]
pub async fn reload(ctx: Context<'_>) -> Result<(), Error> {
    if !is_organiser(ctx) {
        return say_privately(ctx, "Only organisers can reload the agenda.").await;
    }
    ctx.defer_ephemeral().await?;
    let data = ctx.data();
    let text = match reload_agenda(data.app(), data.reload_source()).await {
        Ok(diff) => format!(
            "Agenda reloaded: {} added, {} cancelled, {} moved, {} renamed. Announcements are rescheduled.",
            diff.added.len(),
            diff.removed.len(),
            diff.moved.len(),
            diff.renamed.len()
        ),
        Err(error @ (ReloadError::Unavailable | ReloadError::Load(_))) => error.to_string(),
    };
    say_privately(ctx, text).await
}
