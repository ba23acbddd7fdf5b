//! Which pings a message would make: Slack turns `<!channel>`, `<!here>`,
//! `<!everyone>`, `<@U…>` and `<!subteam^S…>` in mrkdwn into notifications,
//! while `&lt;…&gt;` (the escaped form) and `plain_text` objects stay inert.
//! Tests of hostile agenda and user text assert that the bot made none.

use serde_json::Value;

use super::{Ephemeral, StoredMessage};

/// The ping tokens in one mrkdwn text, in order, e.g. `<!here>`, `<@U123|bob>`.
pub(crate) fn pings_in(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find('<') {
        let after = &rest[start + 1..];
        let Some(end) = after.find('>') else {
            break;
        };
        let inner = &after[..end];
        let target = inner.split('|').next().unwrap_or_default();
        let is_ping = matches!(target, "!channel" | "!here" | "!everyone")
            || target.starts_with("!subteam^")
            || target.starts_with("@U")
            || target.starts_with("@W");
        if is_ping {
            found.push(format!("<{inner}>"));
        }
        rest = &after[end + 1..];
    }
    found
}

/// Every mrkdwn text in a block tree (`plain_text` objects do not ping).
fn mrkdwn_texts<'a>(value: &'a Value, out: &mut Vec<&'a str>) {
    match value {
        Value::Object(fields) => {
            if fields.get("type").and_then(Value::as_str) == Some("mrkdwn") {
                if let Some(text) = fields.get("text").and_then(Value::as_str) {
                    out.push(text);
                }
            }
            fields.values().for_each(|v| mrkdwn_texts(v, out));
        }
        Value::Array(items) => items.iter().for_each(|v| mrkdwn_texts(v, out)),
        _ => {}
    }
}

fn pings(text: &str, blocks: &[Value]) -> Vec<String> {
    let mut texts = vec![text];
    blocks.iter().for_each(|b| mrkdwn_texts(b, &mut texts));
    texts.into_iter().flat_map(pings_in).collect()
}

impl StoredMessage {
    /// The pings this message would make (in its text and mrkdwn blocks).
    #[must_use]
    pub fn pings(&self) -> Vec<String> {
        pings(&self.text, &self.blocks)
    }
}

impl Ephemeral {
    /// The pings this message would make (in its text and mrkdwn blocks).
    #[must_use]
    pub fn pings(&self) -> Vec<String> {
        pings(&self.text, &self.blocks)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn mentions_ping_and_escaped_text_does_not() {
        assert_eq!(
            pings_in("hi <!here> and <@U0ATT00001|ann>"),
            ["<!here>", "<@U0ATT00001|ann>"]
        );
        assert_eq!(
            pings_in("<!subteam^S0ORGANISE> <!channel> <!everyone>").len(),
            3
        );
        assert!(
            pings_in("&lt;!channel&gt; <#C0GENERAL|general> <https://x.y|link> a < b").is_empty()
        );
        let blocks = [json!({
            "type": "section",
            "text": { "type": "mrkdwn", "text": "<!here> now" },
            "accessory": { "type": "button", "text": { "type": "plain_text", "text": "<!channel>" } },
        })];
        assert_eq!(pings("fallback", &blocks), ["<!here>"]);
    }
}
