//! Block Kit checks, as Slack refuses a message with `invalid_blocks` and a
//! JSON pointer to the culprit: at most 50 blocks, known block types, section
//! text up to 3,000 characters, header text up to 150, an image's one source
//! and its alt text, button labels up to 75, up to 25 elements in an actions
//! block and 10 in a context block, unique block ids, and action ids unique
//! within their block.

use std::collections::HashSet;

use serde_json::Value;

use crate::error::SlackError;

const MAX_BLOCKS: usize = 50;
const MAX_VIEW_BLOCKS: usize = 100;
const BLOCK_TYPES: [&str; 11] = [
    "section",
    "divider",
    "image",
    "actions",
    "context",
    "header",
    "input",
    "rich_text",
    "file",
    "video",
    "markdown",
];

/// Checks a message's blocks; `invalid_blocks` names the first problem.
pub(crate) fn validate(blocks: &[Value]) -> Result<(), SlackError> {
    let mut check = Check::default();
    check.blocks(blocks, MAX_BLOCKS);
    check.into_result("invalid_blocks")
}

/// Checks a modal for `views.open`/`update`/`push`: a `modal` with a title of
/// at most 24 characters, at most 100 blocks, and a `submit` button when it
/// has inputs; `invalid_arguments` names the first problem.
pub(crate) fn validate_view(view: &Value) -> Result<(), SlackError> {
    let mut check = Check::default();
    if view.get("type").and_then(Value::as_str) != Some("modal") {
        check.fail("/view/type", "must be modal");
    }
    check.text("/view/title", view.get("title"), 24, true);
    for button in ["submit", "close"] {
        if let Some(text) = view.get(button) {
            check.text(&format!("/view/{button}"), Some(text), 24, true);
        }
    }
    let blocks = view
        .get("blocks")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default();
    check.blocks(blocks, MAX_VIEW_BLOCKS);
    let inputs = blocks
        .iter()
        .any(|b| b.get("type").and_then(Value::as_str) == Some("input"));
    if inputs && view.get("submit").is_none() {
        check.fail(
            "/view/submit",
            "must provide submit when using input blocks",
        );
    }
    for (field, max) in [
        ("callback_id", 255),
        ("private_metadata", 3000),
        ("external_id", 255),
    ] {
        if let Some(text) = view.get(field).and_then(Value::as_str) {
            check.max_len(&format!("/view/{field}"), text, max);
        }
    }
    check.into_result("invalid_arguments")
}

impl Check {
    fn into_result(self, code: &str) -> Result<(), SlackError> {
        match self.first {
            None => Ok(()),
            Some(detail) => Err(SlackError::with_detail(code, detail)),
        }
    }

    fn blocks(&mut self, blocks: &[Value], max: usize) {
        if blocks.len() > max {
            self.fail("/blocks", &format!("no more than {max} items allowed"));
        }
        let mut block_ids = HashSet::new();
        for (i, block) in blocks.iter().enumerate() {
            let at = format!("/blocks/{i}");
            if let Some(id) = block.get("block_id").and_then(Value::as_str) {
                self.max_len(&format!("{at}/block_id"), id, 255);
                if !block_ids.insert(id.to_owned()) {
                    self.fail(&format!("{at}/block_id"), "block_id must be unique");
                }
            }
            self.block(&at, block);
        }
    }
}

/// Collects the first failure with its pointer.
#[derive(Default)]
struct Check {
    first: Option<String>,
}

impl Check {
    fn fail(&mut self, at: &str, why: &str) {
        if self.first.is_none() {
            self.first = Some(format!("{why} [json-pointer:{at}]"));
        }
    }

    fn max_len(&mut self, at: &str, text: &str, max: usize) {
        if text.chars().count() > max {
            self.fail(at, &format!("must be less than {} characters", max + 1));
        }
    }

    fn block(&mut self, at: &str, block: &Value) {
        let kind = block
            .get("type")
            .and_then(Value::as_str)
            .unwrap_or_default();
        if !BLOCK_TYPES.contains(&kind) {
            self.fail(&format!("{at}/type"), &format!("unsupported type: {kind}"));
            return;
        }
        match kind {
            "section" => self.section(at, block),
            "header" => self.text(&format!("{at}/text"), block.get("text"), 150, true),
            "input" => {
                self.text(&format!("{at}/label"), block.get("label"), 2000, true);
                match block.get("element") {
                    Some(element) => self.element(&format!("{at}/element"), element),
                    None => self.fail(&format!("{at}/element"), "must provide an object"),
                }
            }
            "image" => self.image(at, block),
            "actions" => self.elements(at, block, 25),
            "context" => self.elements(at, block, 10),
            _ => {}
        }
    }

    /// An image: `alt_text` and exactly one of `image_url` and `slack_file`
    /// (a file's `url` or `id`).
    fn image(&mut self, at: &str, block: &Value) {
        let alt = block.get("alt_text").and_then(Value::as_str);
        if !alt.is_some_and(|alt| !alt.is_empty() && alt.chars().count() <= 2000) {
            self.fail(&format!("{at}/alt_text"), "must be 1 to 2000 characters");
        }
        let url = block.get("image_url").and_then(Value::as_str);
        let file = block.get("slack_file");
        let file_ok = file.is_some_and(|f| {
            f.get("url").and_then(Value::as_str).is_some()
                || f.get("id").and_then(Value::as_str).is_some()
        });
        let valid = match (url, file) {
            (Some(_), None) => true,
            (None, Some(_)) => file_ok,
            _ => false,
        };
        if !valid {
            self.fail(at, "must provide either image_url or slack_file");
        }
    }

    fn section(&mut self, at: &str, block: &Value) {
        let fields = block.get("fields").and_then(Value::as_array);
        match block.get("text") {
            Some(text) => self.text(&format!("{at}/text"), Some(text), 3000, false),
            None if fields.is_none() => {
                self.fail(at, "must provide either text or fields");
            }
            None => {}
        }
        if let Some(fields) = fields {
            if fields.len() > 10 {
                self.fail(&format!("{at}/fields"), "no more than 10 items allowed");
            }
            for (i, field) in fields.iter().enumerate() {
                self.text(&format!("{at}/fields/{i}"), Some(field), 2000, false);
            }
        }
        if let Some(accessory) = block.get("accessory") {
            self.element(&format!("{at}/accessory"), accessory);
        }
    }

    fn elements(&mut self, at: &str, block: &Value, max: usize) {
        let elements = block
            .get("elements")
            .and_then(Value::as_array)
            .map(Vec::as_slice)
            .unwrap_or_default();
        if elements.is_empty() {
            self.fail(&format!("{at}/elements"), "must provide at least 1 item");
        }
        if elements.len() > max {
            self.fail(
                &format!("{at}/elements"),
                &format!("no more than {max} items allowed"),
            );
        }
        let mut action_ids = HashSet::new();
        for (i, element) in elements.iter().enumerate() {
            let at = format!("{at}/elements/{i}");
            if let Some(id) = element.get("action_id").and_then(Value::as_str) {
                if !action_ids.insert(id.to_owned()) {
                    self.fail(&format!("{at}/action_id"), "action_id must be unique");
                }
            }
            if block.get("type").and_then(Value::as_str) == Some("context") {
                let is_text = matches!(
                    element.get("type").and_then(Value::as_str),
                    Some("mrkdwn" | "plain_text")
                );
                if is_text {
                    self.text(&at, Some(element), 3000, false);
                }
                continue;
            }
            self.element(&at, element);
        }
    }

    fn element(&mut self, at: &str, element: &Value) {
        if let Some(id) = element.get("action_id").and_then(Value::as_str) {
            self.max_len(&format!("{at}/action_id"), id, 255);
        }
        match element.get("type").and_then(Value::as_str) {
            Some("button") => {
                self.text(&format!("{at}/text"), element.get("text"), 75, true);
                if let Some(value) = element.get("value").and_then(Value::as_str) {
                    self.max_len(&format!("{at}/value"), value, 2000);
                }
            }
            Some("static_select" | "multi_static_select" | "overflow") => {
                self.options(at, element);
            }
            _ => {}
        }
    }

    fn options(&mut self, at: &str, element: &Value) {
        let options = element.get("options").and_then(Value::as_array);
        if options.is_some_and(|o| o.len() > 100) {
            self.fail(&format!("{at}/options"), "no more than 100 items allowed");
        }
        for (i, option) in options.into_iter().flatten().enumerate() {
            let at = format!("{at}/options/{i}");
            self.text(&format!("{at}/text"), option.get("text"), 75, false);
            if let Some(value) = option.get("value").and_then(Value::as_str) {
                self.max_len(&format!("{at}/value"), value, 150);
            }
        }
    }

    /// A text object: `plain_text` (required when `plain`) or `mrkdwn`, with its
    /// `text` at most `max` characters.
    fn text(&mut self, at: &str, text: Option<&Value>, max: usize, plain: bool) {
        let Some(text) = text else {
            self.fail(at, "must provide an object");
            return;
        };
        let kind = text.get("type").and_then(Value::as_str);
        match kind {
            Some("plain_text") => {}
            Some("mrkdwn") if !plain => {}
            _ => {
                let want = if plain {
                    "plain_text"
                } else {
                    "plain_text or mrkdwn"
                };
                self.fail(&format!("{at}/type"), &format!("must be {want}"));
            }
        }
        let body = text.get("text").and_then(Value::as_str).unwrap_or_default();
        if body.is_empty() {
            self.fail(&format!("{at}/text"), "must be more than 0 characters");
        }
        self.max_len(&format!("{at}/text"), body, max);
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn section(text: &str) -> Value {
        json!({ "type": "section", "text": { "type": "mrkdwn", "text": text } })
    }

    fn button(label: &str, id: &str) -> Value {
        json!({ "type": "button", "action_id": id, "text": { "type": "plain_text", "text": label } })
    }

    fn detail(blocks: &[Value]) -> String {
        validate(blocks).unwrap_err().details.join("")
    }

    #[test]
    fn slack_limits_are_enforced_with_a_pointer() {
        assert!(validate(&[section("hi"), json!({ "type": "divider" })]).is_ok());
        let many: Vec<Value> = (0..51).map(|_| json!({ "type": "divider" })).collect();
        assert!(detail(&many).contains("[json-pointer:/blocks]"));
        assert!(detail(&[section(&"x".repeat(3001))]).contains("/blocks/0/text/text"));
        assert!(validate(&[section(&"x".repeat(3000))]).is_ok());
        let wide = json!({ "type": "actions", "elements": [button(&"x".repeat(76), "a")] });
        assert!(detail(&[wide]).contains("/blocks/0/elements/0/text/text"));
        let buttons: Vec<Value> = (0..26).map(|i| button("Vote", &format!("v{i}"))).collect();
        let crowded = json!({ "type": "actions", "elements": buttons });
        assert!(detail(&[crowded]).contains("no more than 25 items"));
        let twins = json!({ "type": "actions", "elements": [button("A", "v"), button("B", "v")] });
        assert!(detail(&[twins]).contains("action_id must be unique"));
        assert!(detail(&[json!({ "type": "poll" })]).contains("unsupported type"));
    }

    #[test]
    fn an_image_has_one_source_and_alt_text() {
        let file = json!({ "type": "image", "alt_text": "meme", "slack_file": { "url": "https://files.slack.com/x.png" } });
        let link = json!({ "type": "image", "alt_text": "meme", "image_url": "https://cdn.example/x.png" });
        assert!(validate(&[file, link]).is_ok());
        let both = json!({ "type": "image", "alt_text": "m", "image_url": "u", "slack_file": { "id": "F1" } });
        assert!(detail(&[both]).contains("either image_url or slack_file"));
        let blind = json!({ "type": "image", "image_url": "https://cdn.example/x.png" });
        assert!(detail(&[blind]).contains("/blocks/0/alt_text"));
        let empty = json!({ "type": "image", "alt_text": "m", "slack_file": {} });
        assert!(detail(&[empty]).contains("either image_url or slack_file"));
    }
}
