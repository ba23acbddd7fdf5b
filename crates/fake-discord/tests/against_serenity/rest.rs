//! REST through serenity's own `Http` (which parses every response with its model
//! types), plus the semantics tests rely on: nonce dedupe, faults, paging, the
//! single interaction acknowledgement and recorded 404s.

use std::time::Duration;

use fake_discord::{FakeDiscord, FakeUser, Fault, Matcher};
use serde_json::json;
use serenity::all::{
    ChannelType, Command, CommandOptionType, CreateAttachment, CreateCommand, CreateCommandOption,
    CreateInteractionResponse, CreateInteractionResponseFollowup, CreateInteractionResponseMessage,
    CreateMessage, EditInteractionResponse, EditMessage, GuildId, HttpError, InteractionId,
    MessageFlags, Nonce, UserId,
};

use crate::harness::{channel, guild, http};

/// The HTTP status and Discord error code of a failed call.
fn discord_error(error: serenity::Error) -> (u16, isize) {
    match error {
        serenity::Error::Http(HttpError::UnsuccessfulRequest(response)) => {
            (response.status_code.as_u16(), response.error.code)
        }
        other => panic!("expected a Discord error response, got {other:?}"),
    }
}

fn poll_command() -> CreateCommand {
    let question = CreateCommandOption::new(CommandOptionType::String, "question", "What to ask")
        .required(true);
    let open = CreateCommandOption::new(CommandOptionType::SubCommand, "open", "Open a poll")
        .add_sub_option(question);
    CreateCommand::new("poll")
        .description("Flash polls")
        .add_option(open)
}

#[tokio::test]
async fn discovery_and_commands_parse_with_serenity_types() {
    let fake = FakeDiscord::start().await.unwrap();
    let http = http(&fake);
    let ids = fake.ids().clone();
    assert_eq!(http.get_gateway().await.unwrap().url, fake.gateway_url());
    assert_eq!(http.get_bot_gateway().await.unwrap().shards, 1);
    assert_eq!(
        http.get_current_user().await.unwrap().id.get(),
        ids.bot_user_id
    );
    assert_eq!(
        http.get_current_application_info().await.unwrap().id.get(),
        ids.application_id
    );

    let first = guild(ids.guild_id)
        .set_commands(&http, vec![poll_command()])
        .await
        .unwrap();
    let again = guild(ids.guild_id)
        .set_commands(&http, vec![poll_command()])
        .await
        .unwrap();
    assert_eq!(
        first[0].id, again[0].id,
        "re-registering keeps the command id"
    );
    assert_eq!(first[0].options[0].options[0].name, "question");
    let global = CreateCommand::new("agenda").description("What's on");
    Command::set_global_commands(&http, vec![global])
        .await
        .unwrap();
    assert_eq!(Command::get_global_commands(&http).await.unwrap().len(), 1);

    // An interaction for a registered command carries its id.
    let handle = fake
        .slash_command(
            &FakeUser::attendee(1),
            "poll",
            json!({ "open": { "question": "Tea?" } }),
        )
        .await;
    let sent = fake.dispatched();
    assert!(
        sent.is_empty(),
        "no gateway session: nothing is sent, as on Discord"
    );
    assert_eq!(handle.kind, 2);
}

#[tokio::test]
async fn messages_files_edits_and_dms() {
    let fake = FakeDiscord::start().await.unwrap();
    let http = http(&fake);
    let general = channel(fake.ids().general_channel_id);
    let file = CreateAttachment::bytes(b"a,b\n".to_vec(), "schedule.csv");
    let posted = general
        .send_message(
            &http,
            CreateMessage::new().content("schedule").add_file(file),
        )
        .await
        .unwrap();
    assert_eq!(posted.attachments[0].filename, "schedule.csv");
    let upload = fake.requests().pop().unwrap();
    assert_eq!(upload.body_str("content"), Some("schedule"));
    assert_eq!(
        (
            upload.attachments[0].field.as_str(),
            upload.attachments[0].len
        ),
        ("files[0]", 4)
    );
    assert_eq!(
        upload.attachments[0].content_type.as_deref(),
        Some("text/csv")
    );

    general
        .edit_message(&http, posted.id, EditMessage::new().content("updated"))
        .await
        .unwrap();
    let fetched = general.message(&http, posted.id).await.unwrap();
    assert_eq!(fetched.content, "updated");
    assert!(fetched.edited_timestamp.is_some());
    assert_eq!(
        fetched.attachments.len(),
        1,
        "an edit without `attachments` keeps the files"
    );
}

#[tokio::test]
async fn dms_open_and_can_be_closed() {
    let fake = FakeDiscord::start().await.unwrap();
    let http = http(&fake);
    let attendee = FakeUser::attendee(3);
    let dm = UserId::new(attendee.id)
        .create_dm_channel(&http)
        .await
        .unwrap();
    assert_eq!(
        (dm.kind, dm.recipient.id.get()),
        (ChannelType::Private, attendee.id)
    );
    dm.id.say(&http, "your session starts soon").await.unwrap();
    assert_eq!(fake.messages(dm.id.get()).len(), 1);

    fake.inject(Fault::DmClosed {
        user_id: attendee.id,
    });
    let refused = dm.id.say(&http, "again").await.unwrap_err();
    assert_eq!(discord_error(refused), (403, 50007));
}

#[tokio::test]
async fn interaction_callback_original_and_followup() {
    let fake = FakeDiscord::start().await.unwrap();
    let http = http(&fake);
    let handle = fake
        .slash_command(&FakeUser::organiser(1), "agenda", json!({}))
        .await;
    let (id, token) = (InteractionId::new(handle.id), handle.token.as_str());
    let defer =
        CreateInteractionResponse::Defer(CreateInteractionResponseMessage::new().ephemeral(true));
    http.create_interaction_response(id, token, &defer, vec![])
        .await
        .unwrap();

    let edit = EditInteractionResponse::new().content("Next: Rust in prod, 14:00");
    http.edit_original_interaction_response(token, &edit, vec![])
        .await
        .unwrap();
    let original = http.get_original_interaction_response(token).await.unwrap();
    assert_eq!(original.content, "Next: Rust in prod, 14:00");
    assert_eq!(
        original.flags,
        Some(MessageFlags::EPHEMERAL),
        "no longer loading, still ephemeral"
    );
    let followup = CreateInteractionResponseFollowup::new().content("and more");
    let more = http
        .create_followup_message(token, &followup, vec![])
        .await
        .unwrap();
    assert_eq!(more.channel_id.get(), handle.channel_id);

    let twice = http
        .create_interaction_response(id, token, &CreateInteractionResponse::Acknowledge, vec![])
        .await;
    assert_eq!(discord_error(twice.unwrap_err()), (400, 40060));
}

#[tokio::test]
async fn enforce_nonce_returns_the_earlier_message() {
    let fake = FakeDiscord::start().await.unwrap();
    let http = http(&fake);
    let announcements = channel(fake.ids().announcements_channel_id);
    let send = || {
        CreateMessage::new()
            .content("Keynote in 5")
            .nonce(Nonce::String("ann-42".into()))
            .enforce_nonce(true)
    };
    let first = announcements.send_message(&http, send()).await.unwrap();
    let second = announcements.send_message(&http, send()).await.unwrap();
    assert_eq!(first.id, second.id);
    assert_eq!(fake.messages(announcements.get()).len(), 1);
    let unenforced = CreateMessage::new()
        .content("Keynote in 5")
        .nonce(Nonce::String("ann-42".into()));
    announcements.send_message(&http, unenforced).await.unwrap();
    assert_eq!(
        fake.messages(announcements.get()).len(),
        2,
        "without enforce_nonce, a repeat posts again"
    );
}

#[tokio::test]
async fn injected_rate_limit_and_server_error_reach_the_caller() {
    let fake = FakeDiscord::start().await.unwrap();
    let http = http(&fake);
    let polls = channel(fake.ids().polls_channel_id);
    fake.inject(Fault::RateLimited {
        matcher: Matcher::new("POST", "/channels/*/messages"),
        retry_after: Duration::from_millis(1500),
        global: true,
        times: 1,
    });
    let limited = polls.say(&http, "Poll open").await.unwrap_err();
    assert_eq!(
        discord_error(limited).0,
        429,
        "proxy mode: serenity does not retry"
    );
    polls.say(&http, "Poll open").await.unwrap();
    let statuses: Vec<u16> = fake.requests().iter().map(|r| r.status).collect();
    assert_eq!(statuses, [429, 200]);

    fake.inject(Fault::ServerError {
        matcher: Matcher::any_method("/channels"),
        status: 502,
        times: 1,
    });
    assert_eq!(
        discord_error(polls.say(&http, "x").await.unwrap_err()).0,
        502
    );
}

#[tokio::test]
async fn rate_limit_headers_follow_discord() {
    let fake = FakeDiscord::start().await.unwrap();
    fake.inject(Fault::RateLimited {
        matcher: Matcher::any_method("/users/@me"),
        retry_after: Duration::from_millis(250),
        global: false,
        times: 1,
    });
    let url = format!("{}/api/v10/users/@me", fake.base_url());
    let (limited_headers, limited_body) = raw_get(&url).await;
    assert_eq!(
        limited_headers.get("retry-after").map(String::as_str),
        Some("0.250")
    );
    assert!(!limited_headers.contains_key("x-ratelimit-global"));
    assert_eq!(limited_body["retry_after"], json!(0.25));
    let (headers, _) = raw_get(&url).await;
    for name in [
        "x-ratelimit-limit",
        "x-ratelimit-remaining",
        "x-ratelimit-reset",
        "x-ratelimit-reset-after",
        "x-ratelimit-bucket",
    ] {
        assert!(headers.contains_key(name), "missing {name}");
    }
}

/// A plain HTTP/1.1 GET over a TCP socket, to see raw headers.
async fn raw_get(url: &str) -> (std::collections::HashMap<String, String>, serde_json::Value) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let rest = url.strip_prefix("http://").unwrap();
    let (host, path) = rest.split_at(rest.find('/').unwrap());
    let mut stream = tokio::net::TcpStream::connect(host).await.unwrap();
    let request = format!("GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut raw = String::new();
    stream.read_to_string(&mut raw).await.unwrap();
    let (head, body) = raw.split_once("\r\n\r\n").unwrap();
    let headers = head
        .lines()
        .skip(1)
        .filter_map(|l| l.split_once(": "))
        .map(|(k, v)| (k.to_ascii_lowercase(), v.to_owned()))
        .collect();
    (headers, serde_json::from_str(body).unwrap_or_default())
}

#[tokio::test]
async fn reaction_users_page_by_id() {
    let fake = FakeDiscord::start().await.unwrap();
    let http = http(&fake);
    let polls = fake.ids().polls_channel_id;
    let poll = channel(polls).say(&http, "Tea or coffee?").await.unwrap();
    for n in [5, 3, 1, 4, 2] {
        fake.react(polls, poll.id.get(), &FakeUser::attendee(n), "☕")
            .await
            .unwrap();
    }
    let mut after: Option<UserId> = None;
    let mut pages = Vec::new();
    loop {
        let page = channel(polls)
            .reaction_users(&http, poll.id, '☕', Some(2), after)
            .await
            .unwrap();
        let Some(last) = page.last() else { break };
        after = Some(last.id);
        pages.push(page.iter().map(|u| u.name.clone()).collect::<Vec<_>>());
    }
    assert_eq!(
        pages,
        [
            vec!["attendee1", "attendee2"],
            vec!["attendee3", "attendee4"],
            vec!["attendee5"]
        ]
    );
    let query = fake.requests().last().unwrap().query.clone();
    assert_eq!(query[0], ("limit".to_owned(), "2".to_owned()));

    poll.react(&http, '☕').await.unwrap();
    channel(polls)
        .delete_reaction(
            &http,
            poll.id,
            Some(UserId::new(FakeUser::attendee(5).id)),
            '☕',
        )
        .await
        .unwrap();
    let stored = fake.message(poll.id.get()).unwrap();
    assert_eq!(
        stored.reactions[0].users.len(),
        5,
        "attendee5 out, the bot in"
    );
    let refetched = channel(polls).message(&http, poll.id).await.unwrap();
    assert!(refetched.reactions[0].me);
}

#[tokio::test]
async fn unknown_routes_are_recorded_404s() {
    let fake = FakeDiscord::start().await.unwrap();
    let http = http(&fake);
    let error = GuildId::new(fake.ids().guild_id)
        .emojis(&http)
        .await
        .unwrap_err();
    assert_eq!(discord_error(error), (404, 0));
    let recorded = fake.requests().pop().unwrap();
    assert_eq!((recorded.method.as_str(), recorded.status), ("GET", 404));
    assert_eq!(
        recorded.path,
        format!("/guilds/{}/emojis", fake.ids().guild_id)
    );
}

#[tokio::test]
async fn the_guild_its_channels_and_the_bots_membership_read_as_serenity_types() {
    let polls = fake_discord::Ids::default().polls_channel_id;
    let fake = FakeDiscord::start_with(fake_discord::Config {
        denied: vec![(polls, 1 << 6)],
        ..fake_discord::Config::default()
    })
    .await
    .unwrap();
    let http = http(&fake);
    let ids = fake.ids().clone();
    let guild = GuildId::new(ids.guild_id)
        .to_partial_guild(&http)
        .await
        .unwrap();
    assert_eq!(guild.roles.len(), 3);
    let member = guild
        .member(&http, serenity::all::UserId::new(ids.bot_user_id))
        .await
        .unwrap();
    assert_eq!(member.roles, [serenity::all::RoleId::new(ids.bot_role_id)]);
    let channels = guild.channels(&http).await.unwrap();
    let general = &channels[&serenity::all::ChannelId::new(ids.general_channel_id)];
    let in_polls = &channels[&serenity::all::ChannelId::new(polls)];
    let granted = |channel| guild.user_permissions_in(channel, &member);
    assert!(granted(general).add_reactions() && granted(general).manage_messages());
    assert!(
        !granted(in_polls).add_reactions(),
        "denied to @everyone in #polls"
    );
    assert!(granted(in_polls).send_messages());
}

#[tokio::test]
async fn injected_delay_slows_only_matching_requests() {
    let fake = FakeDiscord::start().await.unwrap();
    let http = http(&fake);
    fake.inject(Fault::Delay {
        matcher: Matcher::new("GET", "/users/@me"),
        delay: Duration::from_millis(200),
        times: 1,
    });
    let started = std::time::Instant::now();
    http.get_current_user().await.unwrap();
    assert!(started.elapsed() >= Duration::from_millis(200));
    let statuses: Vec<u16> = fake.requests().iter().map(|r| r.status).collect();
    assert_eq!(statuses, [200], "a delay is not a failure");
}

#[tokio::test]
async fn a_forum_takes_posts_not_messages_and_lists_them_while_active() {
    let forum = fake_discord::Ids::default().polls_channel_id;
    let fake = FakeDiscord::start_with(fake_discord::Config {
        channel_types: vec![(forum, 15)],
        ..fake_discord::Config::default()
    })
    .await
    .unwrap();
    let http = http(&fake);
    let ids = fake.ids().clone();
    let listed = guild(ids.guild_id).channels(&http).await.unwrap();
    assert_eq!(listed[&channel(forum)].kind, ChannelType::Forum);
    assert_eq!(
        channel(forum)
            .to_channel(&http)
            .await
            .unwrap()
            .guild()
            .unwrap()
            .kind,
        ChannelType::Forum
    );
    let refused = channel(forum)
        .send_message(&http, CreateMessage::new().content("hi"))
        .await
        .unwrap_err();
    assert_eq!(discord_error(refused), (400, 50008));

    let starter = CreateMessage::new().content("Starting now: **Fast I/O**");
    let post = channel(forum)
        .create_forum_post(
            &http,
            serenity::all::CreateForumPost::new("Fast I/O", starter),
        )
        .await
        .unwrap();
    assert_eq!(post.parent_id, Some(channel(forum)));
    assert_eq!(post.owner_id, Some(UserId::new(ids.bot_user_id)));
    let message = fake
        .message(post.id.get())
        .expect("the starter has the thread's id");
    assert_eq!(message.channel_id, post.id.get());
    assert_eq!(message.content, "Starting now: **Fast I/O**");
    let sent = post
        .id
        .send_message(&http, CreateMessage::new().content("in the post"))
        .await
        .unwrap();
    assert_eq!(sent.channel_id, post.id);
    let refused = post
        .id
        .create_thread_from_message(
            &http,
            post.id.get(),
            serenity::all::CreateThread::new("nested"),
        )
        .await
        .unwrap_err();
    assert_eq!(
        discord_error(refused),
        (400, 50024),
        "no thread in a thread"
    );

    let active = guild(ids.guild_id).get_active_threads(&http).await.unwrap();
    assert_eq!(active.threads.len(), 1);
    assert_eq!(active.threads[0].name, "Fast I/O");
    post.id
        .edit_thread(&http, serenity::all::EditThread::new().archived(true))
        .await
        .unwrap();
    let active = guild(ids.guild_id).get_active_threads(&http).await.unwrap();
    assert!(active.threads.is_empty(), "an archived post is not active");
}
