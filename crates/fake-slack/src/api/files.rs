//! Files, the external upload flow Slack requires since `files.upload` was
//! retired: `files.getUploadURLExternal` hands out a URL on the fake, the
//! bytes are POSTed there (raw or multipart), and `files.completeUploadExternal`
//! shares them in a channel as a message from the bot.

use std::sync::Arc;
use std::time::Instant;

use axum::extract::{FromRequest, Multipart, Path, Request, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};

use super::{chat, Ctx};
use crate::error::SlackError;
use crate::record::RecordedCall;
use crate::{lock, Inner};

pub(super) fn method(name: &str) -> Option<super::Method> {
    Some(match name {
        "files.getUploadURLExternal" => get_upload_url,
        "files.completeUploadExternal" => complete_upload,
        "files.info" => info,
        _ => return None,
    })
}

fn get_upload_url(ctx: &mut Ctx<'_>) -> Result<Value, SlackError> {
    let name = ctx.args.required("filename")?;
    let length = ctx
        .args
        .number("length")?
        .ok_or_else(|| SlackError::missing("length"))?;
    if length == 0 {
        return Err(SlackError::new("invalid_length"));
    }
    let length = usize::try_from(length).map_err(|_| SlackError::new("invalid_length"))?;
    let (file_id, ticket) = ctx.world.new_upload(&name, length);
    let upload_url = format!("{}/upload/v1/{ticket}", ctx.base_url);
    Ok(json!({ "upload_url": upload_url, "file_id": file_id }))
}

fn complete_upload(ctx: &mut Ctx<'_>) -> Result<Value, SlackError> {
    let args = ctx.args;
    let files = args
        .array("files", "invalid_arguments")?
        .ok_or_else(|| SlackError::missing("files"))?;
    let files: Vec<(String, Option<String>)> = files
        .iter()
        .map(|f| {
            let id = f.get("id").and_then(Value::as_str).map(str::to_owned);
            let title = f.get("title").and_then(Value::as_str).map(str::to_owned);
            id.map(|id| (id, title))
                .ok_or_else(|| SlackError::missing("files[].id"))
        })
        .collect::<Result<_, _>>()?;
    let channel = args
        .str("channel_id")
        .or_else(|| args.list("channels").into_iter().next());
    let mut comment = chat::content(ctx, false)?;
    comment.text = args.str("initial_comment");
    let shared =
        ctx.world
            .complete_upload(&files, channel.as_deref(), comment, args.str("thread_ts"))?;
    Ok(json!({ "files": shared }))
}

fn info(ctx: &mut Ctx<'_>) -> Result<Value, SlackError> {
    let id = ctx.args.required("file")?;
    let file = ctx
        .world
        .files
        .get(&id)
        .filter(|f| f.completed)
        .ok_or_else(|| SlackError::new("file_not_found"))?;
    Ok(json!({ "file": file.json(ctx.world) }))
}

/// `POST /upload/v1/{ticket}`: the bytes of a file, raw or as the one file
/// part of a multipart form. Answers `OK - <length>` as text, as Slack does.
pub(crate) async fn upload(
    State(inner): State<Arc<Inner>>,
    Path(ticket): Path<String>,
    request: Request,
) -> Response {
    let received_at = Instant::now();
    let content_type = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let body = read_upload(request, content_type.as_deref()).await;
    let mut call = RecordedCall {
        index: 0,
        method: "<upload>".to_owned(),
        http_method: "POST".to_owned(),
        args: json!({ "ticket": ticket }),
        content_type: content_type.clone(),
        token: None,
        status: 200,
        error: None,
        response: json!({}),
        received_at,
    };
    if let Some(response) = super::faulted(&inner, &mut call).await {
        return response;
    }
    let stored = body.and_then(|(bytes, part_type)| {
        let mut world = lock(&inner.world);
        let id = world.uploads.get(&ticket).cloned();
        let file = id.and_then(|id| world.files.get_mut(&id));
        let file = file.ok_or_else(|| "unknown upload URL".to_owned())?;
        let len = bytes.len();
        file.bytes = Some(bytes);
        file.content_type = part_type.or(content_type);
        Ok(len)
    });
    let response = match stored {
        Ok(len) => (StatusCode::OK, format!("OK - {len}")).into_response(),
        Err(why) => {
            call.status = 404;
            call.error = Some(why.clone());
            (StatusCode::NOT_FOUND, why).into_response()
        }
    };
    inner.record(call);
    response
}

/// The uploaded bytes and, for a multipart form, the file part's content type.
async fn read_upload(
    request: Request,
    content_type: Option<&str>,
) -> Result<(Vec<u8>, Option<String>), String> {
    let multipart = content_type.is_some_and(|t| t.starts_with("multipart/form-data"));
    if !multipart {
        let bytes = axum::body::to_bytes(request.into_body(), usize::MAX)
            .await
            .map_err(|e| e.to_string())?;
        return Ok((bytes.to_vec(), None));
    }
    let mut form = Multipart::from_request(request, &())
        .await
        .map_err(|e| e.to_string())?;
    while let Some(field) = form.next_field().await.map_err(|e| e.to_string())? {
        if field.file_name().is_some() || field.name() == Some("file") {
            let part_type = field.content_type().map(str::to_owned);
            let bytes = field.bytes().await.map_err(|e| e.to_string())?;
            return Ok((bytes.to_vec(), part_type));
        }
    }
    Err("no file part in the form".to_owned())
}
