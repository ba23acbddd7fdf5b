//! What a nudge says when it is sent: the announcing channel resolved to a
//! link where the platform has it, and the open questions counted then.

use super::{talk_line, waiting_lines};
use crate::chat::{ChatPort, PortError, Post, Span};
use crate::questions::QuestionService;
use crate::scheduler::{wording, JobKind, Message};

/// The post of nudge `message`; `None` when there is nothing to say (no
/// question is waiting, or no Q&A runs in this process).
///
/// # Errors
/// [`PortError::Transient`] when the questions cannot be read (the job is
/// retried).
pub async fn post(
    message: &Message,
    port: &dyn ChatPort,
    questions: Option<&QuestionService>,
) -> Result<Option<Post>, PortError> {
    let Some(item) = message.items.first() else {
        return Ok(None);
    };
    let lines = match message.kind {
        JobKind::Nudge => {
            let channel = match &message.channel {
                Some(key) => Some(match port.resolve_channel(None, key).await {
                    Ok(id) => Span::Channel(id),
                    Err(_) => Span::Plain(format!("#{}", key.trim_start_matches('#'))),
                }),
                None => None,
            };
            vec![talk_line(item, channel)]
        }
        JobKind::QuestionsWaiting => {
            let Some(questions) = questions else {
                return Ok(None);
            };
            let open = questions
                .open_count(&item.session)
                .await
                .map_err(|error| PortError::Transient(error.to_string()))?;
            if open == 0 {
                return Ok(None);
            }
            waiting_lines(item, open)
        }
        _ => return Ok(Some(wording::post(message))),
    };
    Ok(Some(Post {
        heading: Some(wording::heading(message)),
        lines,
        ..Post::default()
    }))
}
