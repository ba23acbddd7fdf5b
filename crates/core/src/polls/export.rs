//! Every poll with its result, as CSV (one row per option) or JSON (one object
//! per poll), for `emcee polls export`.

use super::ballot::Ballots;
use super::model::Poll;
use super::results::Results;
use crate::store::{PollStore, StoreError};
use serde::Serialize;

/// One poll and its result.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Exported {
    #[serde(flatten)]
    pub poll: Poll,
    pub results: Results,
}

/// Reads every poll and counts its stored votes.
///
/// # Errors
/// [`StoreError`] when the store cannot be read.
pub fn collect(store: &dyn PollStore) -> Result<Vec<Exported>, StoreError> {
    store
        .all_polls()?
        .into_iter()
        .map(|poll| {
            let rows = store.marks(poll.id)?;
            let ballots = Ballots::restore(poll.multi, poll.choices.len(), rows);
            let results = Results::new(&poll, ballots.tally());
            Ok(Exported { poll, results })
        })
        .collect()
}

/// Pretty JSON: an array of polls with their results.
pub fn to_json(polls: &[Exported]) -> String {
    serde_json::to_string_pretty(polls).unwrap_or_else(|_| "[]".to_owned())
}

/// CSV (RFC 4180): a header, then one row per poll option.
pub fn to_csv(polls: &[Exported]) -> String {
    let mut out = String::from(
        "poll_id,channel,message,question,state,multi,opened_at,closes_at,closed_at,\
         option,reaction,label,votes,percent,voters,winner\n",
    );
    for Exported { poll, results } in polls {
        for (index, option) in results.options.iter().enumerate() {
            let fields = [
                poll.id.to_string(),
                poll.message.channel.clone(),
                poll.message.message.clone(),
                poll.question.clone(),
                poll.state.as_str().to_owned(),
                poll.multi.to_string(),
                poll.opened_at.to_rfc3339(),
                poll.closes_at.to_rfc3339(),
                poll.closed_at.map(|t| t.to_rfc3339()).unwrap_or_default(),
                (index + 1).to_string(),
                option.key.clone(),
                option.label.clone(),
                option.votes.to_string(),
                format!("{:.1}", option.percent),
                results.voters.to_string(),
                results.winners.contains(&index).to_string(),
            ];
            let row: Vec<String> = fields.iter().map(|f| quote(f)).collect();
            out.push_str(&row.join(","));
            out.push('\n');
        }
    }
    out
}

/// Quotes a field when it holds a comma, quote or line break. A field that
/// a spreadsheet would run as a formula (it starts with `=`, `+`, `-`, `@`,
/// a tab or a carriage return: a poll question or option typed by anyone)
/// gets a leading `'`, so it opens as text.
fn quote(field: &str) -> String {
    let field = if field.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{field}")
    } else {
        field.to_owned()
    };
    if field.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", field.replace('"', "\"\""))
    } else {
        field
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::polls::{Choice, MarkRow, MessageKey, NewPoll};
    use crate::store::Store;
    use chrono::DateTime;

    #[test]
    fn cells_a_spreadsheet_would_run_open_as_text() {
        assert_eq!(quote("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(quote("+1"), "'+1");
        assert_eq!(quote("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(quote("-2+3"), "'-2+3");
        assert_eq!(quote("Rust"), "Rust");
        assert_eq!(quote("42"), "42");
    }

    #[test]
    fn csv_and_json_carry_every_option_and_its_count() {
        let store = Store::in_memory().unwrap();
        let at = DateTime::from_timestamp(1_633_620_000, 0).unwrap();
        let choice = |key: &str, label: &str| Choice {
            key: key.into(),
            label: label.into(),
        };
        let poll = store
            .insert_poll(&NewPoll {
                message: MessageKey::new("c", "m"),
                question: "Tabs, or \"spaces\"?".into(),
                choices: vec![choice("🇦", "Tabs"), choice("🇧", "Spaces, of course")],
                multi: false,
                hide_tally: false,
                style: crate::polls::PollStyle::Reactions,
                opened_at: at,
                closes_at: at,
                declared_id: None,
                created_by: None,
                community: None,
            })
            .unwrap();
        let mark = MarkRow {
            voter: "u1".into(),
            option: 1,
            net: 1,
            last_add: 1,
        };
        store.save_marks(&[(poll.id, mark)]).unwrap();
        let polls = collect(&store).unwrap();
        let csv = to_csv(&polls);
        assert_eq!(csv.lines().count(), 3, "{csv}");
        assert!(csv.contains("\"Tabs, or \"\"spaces\"\"?\""), "{csv}");
        assert!(
            csv.contains("\"Spaces, of course\",1,100.0,1,true"),
            "{csv}"
        );
        let json: serde_json::Value = serde_json::from_str(&to_json(&polls)).unwrap();
        assert_eq!(json[0]["results"]["options"][1]["votes"], 1);
        assert_eq!(json[0]["state"], "open");
    }
}
