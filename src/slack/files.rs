//! Files on Slack (a poll's result chart, `/emcee mycal`'s calendar): the
//! upload flow Slack asks apps to use since `files.upload` was retired:
//! `files.getUploadURLExternal`, then the bytes to the URL it returns, then
//! `files.completeUploadExternal` to share the file in a channel.

use super::outbound::{SendError, Sender, Tier};
use crate::paced;
use emcee_core::chat::Attachment;
use slack_morphism::prelude::*;

/// Uploads `file` and shares it in `channel`, with `comment` (mrkdwn) above it.
///
/// # Errors
/// [`SendError`] when a step is refused or keeps failing.
pub async fn share(
    sender: &Sender,
    channel: &str,
    file: &Attachment,
    comment: Option<String>,
) -> Result<(), SendError> {
    let request =
        SlackApiFilesGetUploadUrlExternalRequest::new(file.filename.clone(), file.bytes.len());
    let target = paced!(
        sender,
        "files.getUploadURLExternal",
        Tier::Four,
        None,
        |session| { session.get_upload_url_external(&request) }
    )?;
    let upload = SlackApiFilesUploadViaUrlRequest::new(
        target.upload_url.clone(),
        file.bytes.clone(),
        file.content_type.clone(),
    );
    paced!(sender, "files upload", Tier::Response, None, |session| {
        session.files_upload_via_url(&upload)
    })?;
    let complete =
        SlackApiFilesCompleteUploadExternalRequest::new(vec![SlackApiFilesComplete::new(
            target.file_id.clone(),
        )
        .with_title(file.filename.clone())])
        .with_channel_id(channel.into())
        .opt_initial_comment(comment);
    paced!(
        sender,
        "files.completeUploadExternal",
        Tier::Four,
        None,
        |session| { session.files_complete_upload_external(&complete) }
    )
    .map(drop)
}
