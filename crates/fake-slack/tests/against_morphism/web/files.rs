//! The external upload flow, raw and multipart.

use fake_slack::{Config, FakeUser};
use slack_morphism::prelude::*;

use super::{api_code, channel};
use crate::harness::Web;

#[tokio::test]
async fn a_file_uploads_in_three_steps_and_lands_in_the_channel() {
    let web = Web::start(Config::default()).await;
    let (fake, session) = (&web.fake, web.session());
    let polls = fake.ids().polls_channel_id.clone();
    let png = vec![0x89, b'P', b'N', b'G', 1, 2, 3, 4];
    let url = session
        .get_upload_url_external(&SlackApiFilesGetUploadUrlExternalRequest::new(
            "result.png".into(),
            png.len(),
        ))
        .await
        .unwrap();
    assert!(url.upload_url.0.as_str().starts_with(&fake.base_url()));
    session
        .files_upload_via_url(&SlackApiFilesUploadViaUrlRequest::new(
            url.upload_url.clone(),
            png.clone(),
            "image/png".into(),
        ))
        .await
        .unwrap();
    let done = session
        .files_complete_upload_external(
            &SlackApiFilesCompleteUploadExternalRequest::new(vec![SlackApiFilesComplete::new(
                url.file_id.clone(),
            )
            .with_title("Results".into())])
            .with_channel_id(channel(&polls))
            .with_initial_comment("Tea or coffee? Results".into()),
        )
        .await
        .unwrap();
    assert_eq!(done.files[0].id, url.file_id);
    assert_eq!(done.files[0].title.as_deref(), Some("Results"));
    let stored = fake.file(&url.file_id.0).unwrap();
    assert_eq!(stored.bytes.as_deref(), Some(png.as_slice()));
    assert_eq!(stored.content_type.as_deref(), Some("image/png"));
    let shared = fake.messages(&polls);
    assert_eq!(shared.len(), 1);
    assert_eq!(shared[0].text, "Tea or coffee? Results");
    assert_eq!(shared[0].files, std::slice::from_ref(&url.file_id.0));
    let again = session
        .files_complete_upload_external(&SlackApiFilesCompleteUploadExternalRequest::new(vec![
            SlackApiFilesComplete::new(url.file_id.clone()),
        ]))
        .await;
    assert_eq!(api_code(again), "file_not_found");
}

#[tokio::test]
async fn a_multipart_upload_keeps_the_parts_content_type() {
    let web = Web::start(Config::default()).await;
    let (fake, session) = (&web.fake, web.session());
    let ics = b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n".to_vec();
    let url = session
        .get_upload_url_external(&SlackApiFilesGetUploadUrlExternalRequest::new(
            "mycal.ics".into(),
            ics.len(),
        ))
        .await
        .unwrap();
    let part = reqwest::multipart::Part::bytes(ics.clone())
        .file_name("mycal.ics")
        .mime_str("text/calendar")
        .unwrap();
    let form = reqwest::multipart::Form::new().part("file", part);
    let uploaded = reqwest::Client::new()
        .post(url.upload_url.0.as_str())
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(
        uploaded.text().await.unwrap(),
        format!("OK - {}", ics.len())
    );
    let dm = session
        .conversations_open(
            &SlackApiConversationsOpenRequest::new()
                .with_users(vec![SlackUserId::new(FakeUser::attendee(1).id)]),
        )
        .await
        .unwrap();
    session
        .files_complete_upload_external(
            &SlackApiFilesCompleteUploadExternalRequest::new(vec![SlackApiFilesComplete::new(
                url.file_id.clone(),
            )])
            .with_channel_id(dm.channel.id.clone()),
        )
        .await
        .unwrap();
    let stored = fake.file(&url.file_id.0).unwrap();
    assert_eq!(stored.content_type.as_deref(), Some("text/calendar"));
    assert_eq!(stored.bytes, Some(ics));
    assert_eq!(
        fake.messages(&dm.channel.id.0)[0].files,
        std::slice::from_ref(&url.file_id.0)
    );
}
