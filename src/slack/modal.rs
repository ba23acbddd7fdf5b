//! `/emcee poll create` alone: a modal with the typed form's fields
//! (question, options one per line, minutes, one-or-many, hidden tally,
//! and the style: Vote buttons unless reactions are picked).
//!
//! A command's `trigger_id` is good for 3 seconds, so the modal opens before
//! anything slow (the organiser check waits for the submission). The poll
//! goes to the channel the command ran in, carried in the view's
//! `private_metadata`; the submission closes the modal at once and the
//! organiser hears back privately (`chat.postEphemeral`, one call per poll).

use super::bot::{Asked, SlackBot};
use super::outbound::Tier;
use crate::paced;
use emcee_core::chat::Text;
use slack_morphism::prelude::*;

/// The modal's callback id.
pub const CALLBACK: &str = "emcee:poll";
const QUESTION: &str = "question";
const OPTIONS: &str = "options";
const MINUTES: &str = "minutes";
const SETTINGS: &str = "settings";
/// The setting that asks for a reaction poll (`style:reactions`).
const REACTIONS: &str = "reactions";

/// Opens the poll modal for `asked`; failures are logged (the user may type the form).
pub async fn open(bot: &SlackBot, asked: &Asked) {
    let view = SlackView::Modal(
        SlackModalView::new(plain("New flash poll"), blocks())
            .with_submit(plain("Post"))
            .with_close(plain("Cancel"))
            .with_callback_id(CALLBACK.into())
            .with_private_metadata(asked.channel.clone()),
    );
    let request = SlackApiViewsOpenRequest::new(asked.trigger.as_str().into(), view);
    let sender = bot.port.sender();
    if let Err(error) = paced!(sender, "views.open", Tier::Four, None, |session| {
        session.views_open(&request)
    }) {
        tracing::warn!(%error, "could not open the poll modal");
        let typed =
            Text::plain("Type it instead: /emcee poll create Question? | A | B [minutes:10]");
        bot.private(asked, &typed).await;
    }
}

fn plain(text: &str) -> SlackBlockPlainTextOnly {
    SlackBlockPlainText::new(text.into()).into()
}

fn input(id: &str, label: &str, multiline: bool, optional: bool) -> SlackBlock {
    let element = SlackBlockPlainTextInputElement::new()
        .with_action_id(id.into())
        .with_multiline(multiline);
    SlackInputBlock::new(
        plain(label),
        SlackInputBlockElement::PlainTextInput(element),
    )
    .with_block_id(id.into())
    .with_optional(optional)
    .into()
}

fn blocks() -> Vec<SlackBlock> {
    let choice = |value: &str, label: &str| {
        SlackBlockChoiceItem::new(
            SlackBlockText::Plain(SlackBlockPlainText::new(label.into())),
            value.into(),
        )
    };
    let settings = SlackBlockCheckboxesElement::new(vec![
        choice("multi", "Voters may pick several options"),
        choice("hide", "Hide the tally until the poll closes"),
        choice(REACTIONS, "Vote with emoji reactions instead of buttons"),
    ])
    .with_action_id(SETTINGS.into());
    vec![
        input(QUESTION, "Question", false, false),
        input(OPTIONS, "Options, one per line", true, false),
        input(
            MINUTES,
            "Minutes of voting (default from the config)",
            false,
            true,
        ),
        SlackInputBlock::new(
            plain("Settings"),
            SlackInputBlockElement::Checkboxes(settings),
        )
        .with_block_id(SETTINGS.into())
        .with_optional(true)
        .into(),
    ]
}

/// A submitted modal as the typed form's text: `Question | A | B minutes:N …`.
pub fn typed(view: &SlackStatefulView) -> Option<(String, String)> {
    let SlackView::Modal(modal) = &view.view else {
        return None;
    };
    if modal
        .callback_id
        .as_ref()
        .map(ToString::to_string)
        .as_deref()
        != Some(CALLBACK)
    {
        return None;
    }
    let channel = modal.private_metadata.clone()?;
    let values = &view.state_params.state.as_ref()?.values;
    let value = |block: &str| -> Option<&SlackViewStateValue> {
        values.get(&block.into())?.get(&block.into())
    };
    let text = |block: &str| {
        value(block)
            .and_then(|v| v.value.clone())
            .unwrap_or_default()
    };
    let picked: Vec<String> = value(SETTINGS)
        .and_then(|v| v.selected_options.clone())
        .unwrap_or_default()
        .into_iter()
        .map(|o| o.value)
        .collect();
    let options: Vec<String> = text(OPTIONS)
        .lines()
        .map(|line| line.trim().replace('|', "/"))
        .filter(|line| !line.is_empty())
        .collect();
    let mut form = format!(
        "{} | {}",
        text(QUESTION).replace('|', "/").trim(),
        options.join(" | ")
    );
    let minutes = text(MINUTES);
    if !minutes.trim().is_empty() {
        form.push_str(&format!(" minutes:{}", minutes.trim()));
    }
    for setting in ["multi", "hide"] {
        if picked.iter().any(|p| p == setting) {
            form.push_str(&format!(" {setting}:yes"));
        }
    }
    if picked.iter().any(|p| p == REACTIONS) {
        form.push_str(" style:reactions");
    }
    Some((channel, form))
}
