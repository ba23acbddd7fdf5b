#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::*;
use chrono::TimeZone;

/// Text a speaker or attendee might type to ping, link or forge markup.
pub(crate) const HOSTILE: &[&str] = &[
    "<!channel>",
    "<!here>",
    "<!everyone>",
    "<!here|here>",
    "<@U024BE7LH>",
    "<@W123|alice>",
    "<#C024BE7LH>",
    "<!subteam^S0123ABC>",
    "<!subteam^S0123ABC|@organisers>",
    "<!date^1392734382^{date}|x>",
    "<https://evil.example|Click me>",
    "<mailto:a@b.c|mail>",
    "&lt;!channel&gt;",
    "&#60;!here&#62;",
    "@channel @here @everyone",
    "Talk\n<!channel>\r\n<!here>",
    "*bold* _it_ ~st~ `code` ```block```",
    "<<!channel>>",
    "<!channel",
    "!channel>",
    "\u{1b}[31m<!here>",
];

fn spans(hostile: &str) -> Vec<Span> {
    vec![
        Span::Plain(hostile.into()),
        Span::Strong(hostile.into()),
        Span::Struck(hostile.into()),
        Span::Code(hostile.into()),
    ]
}

#[test]
fn no_hostile_text_can_open_a_mention_link_or_line() {
    for hostile in HOSTILE {
        for span in spans(hostile) {
            let out = text(&Text(vec![span.clone()]));
            assert!(
                !out.contains('<') && !out.contains('>'),
                "{span:?} became {out}"
            );
            assert!(!out.contains('\n'), "{span:?} forged a line: {out}");
        }
    }
}

/// What a Slack client shows for escaped text.
fn shown(mrkdwn: &str) -> String {
    mrkdwn
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

#[test]
fn plain_text_shows_exactly_as_typed_on_one_line() {
    for hostile in HOSTILE {
        let out = text(&Text::plain(*hostile));
        assert_eq!(shown(&out), single_line(hostile), "{hostile}");
    }
}

#[test]
fn escaping_is_slacks_three_entities_and_nothing_else() {
    assert_eq!(escape("A & B <c> d"), "A &amp; B &lt;c&gt; d");
    assert_eq!(escape("Fast I/O: 99% — 🦀"), "Fast I/O: 99% — 🦀");
    assert_eq!(
        text(&Text::strong("*Rust* in prod")),
        "*Rust in prod*",
        "a title cannot close the emphasis early"
    );
    assert_eq!(text(&Text::strong("**")), "");
}

#[test]
fn links_cannot_carry_a_label_or_a_second_form() {
    let out = text(&Text(vec![Span::Link(
        "https://example.org/a|<!channel>".into(),
    )]));
    assert_eq!(out, "<https://example.org/a%7C%3C!channel%3E>");
    let out = text(&Text(vec![Span::Link("javascript:<!here>".into())]));
    assert_eq!(out, "javascript:&lt;!here&gt;");
}

#[test]
fn times_show_in_each_readers_zone_with_a_utc_fallback() {
    let at = Utc.with_ymd_and_hms(2021, 10, 7, 16, 5, 0).unwrap();
    assert_eq!(
        time(at, TimeStyle::DateTime),
        "<!date^1633622700^{date_short_pretty} {time}|Thu 7 Oct 16:05 UTC>"
    );
    assert_eq!(
        time(at, TimeStyle::Time),
        "<!date^1633622700^{time}|16:05 UTC>"
    );
    assert!(time(at, TimeStyle::Relative).starts_with("<!date^1633622700^{ago}|"));
}

#[test]
fn only_a_configured_user_group_pings() {
    assert_eq!(ping("S0123ABC").as_deref(), Some("<!subteam^S0123ABC>"));
    for refused in [
        "123456789",
        "S",
        "S01|x",
        "S01>",
        "<!channel>",
        "here",
        "s0123",
    ] {
        assert_eq!(ping(refused), None, "{refused}");
    }
}

#[test]
fn option_keys_map_to_shortcodes_and_back() {
    assert_eq!(shortcode_of("A"), "one");
    assert_eq!(shortcode_of("J"), "keycap_ten");
    assert_eq!(shortcode_of("T"), "white_square_button");
    assert_eq!(shortcode_of("party-parrot"), "party-parrot");
    for (index, code) in OPTION_SHORTCODES.iter().enumerate() {
        let key = char::from(b'A' + index as u8).to_string();
        assert_eq!(key_of_reaction(code), key);
        assert_eq!(shortcode_of(&key), *code);
    }
    assert_eq!(key_of_reaction("thumbsup::skin-tone-3"), "👍");
    assert_eq!(emoji_key(":crab:").as_deref(), Some("🦀"));
    assert_eq!(emoji_key("🦀").as_deref(), Some("🦀"));
    assert_eq!(
        shortcode_of("🦀"),
        "crab",
        "a declared poll's emoji reacts by name"
    );
    assert_eq!(key_of_reaction("crab"), "🦀");
    assert_eq!(emoji_key(":two:").as_deref(), Some("B"));
    assert_eq!(
        emoji_key(":party-parrot:").as_deref(),
        Some("party-parrot"),
        "custom emoji"
    );
    assert_eq!(emoji_key("Rust"), None);
    assert_eq!(emoji_key(":<!here>:"), None);
    assert_eq!(text(&Text(vec![Span::Emoji("C".into())])), ":three:");
}
