//! Who has a missed reminder waiting, known without touching the database on
//! every command.
//!
//! The bot checks after every command whether the user has reminders their
//! closed DMs kept from them. That check must cost nothing: the set of such
//! users is kept here, filled from the store at start and by a cheap read now
//! and then (another process may have recorded a miss), and marked at once
//! when this process's scheduler records one. Only a user in the set costs a
//! read, and only what was delivered to them is then forgotten
//! ([`MissedNotice`]): a notice the platform refuses loses nothing.

use super::ReminderStorage;
use crate::chat::text::pack_lines;
use crate::chat::Text;
use std::collections::BTreeSet;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

/// How stale the set may get before it is read again from the store.
const REREAD_AFTER: Duration = Duration::from_secs(15);

/// Users with missed reminders; cheap to clone.
#[derive(Clone, Default)]
pub struct MissedUsers {
    inner: Arc<Mutex<Cache>>,
}

#[derive(Default)]
struct Cache {
    users: BTreeSet<String>,
    read_at: Option<Instant>,
}

impl MissedUsers {
    /// Notes that `user` missed a reminder (this process recorded it).
    pub fn note(&self, user: &str) {
        self.lock().users.insert(user.to_owned());
    }

    /// Whether `user` may have missed reminders; reads the store when the
    /// set is stale. A failed read keeps what is known.
    pub async fn may_have(&self, user: &str, store: &dyn ReminderStorage) -> bool {
        let stale = self
            .lock()
            .read_at
            .is_none_or(|at| at.elapsed() >= REREAD_AFTER);
        if stale {
            match store.users_with_missed().await {
                Ok(users) => {
                    let mut cache = self.lock();
                    cache.users.extend(users);
                    cache.read_at = Some(Instant::now());
                }
                Err(error) => tracing::debug!(%error, "could not read who missed reminders"),
            }
        }
        self.lock().users.contains(user)
    }

    /// Forgets `user` once their missed reminders were taken.
    pub fn taken(&self, user: &str) {
        self.lock().users.remove(user);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Cache> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// The notice about reminders a user missed, before it is sent: the
/// platform may refuse any of its parts, and only the reminders whose every
/// line was delivered are forgotten ([`super::ReminderService::forget_missed`]).
#[derive(Debug, Clone, PartialEq)]
pub struct MissedNotice {
    header: Text,
    entries: Vec<(i64, Vec<Text>)>,
}

/// One message of a [`MissedNotice`], and the missed reminders it carries
/// (wholly or in part).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoticePart {
    pub text: String,
    pub ids: Vec<i64>,
}

impl MissedNotice {
    pub(super) fn new(header: Text, entries: Vec<(i64, Vec<Text>)>) -> Self {
        Self { header, entries }
    }

    /// The notice as messages of at most `limit` characters once each line is
    /// rendered by `render`, in order. A reminder is never spread over more
    /// messages than its own length needs.
    pub fn parts(&self, render: impl Fn(&Text) -> String, limit: usize) -> Vec<NoticePart> {
        let header = (None, vec![render(&self.header)]);
        let entries = self
            .entries
            .iter()
            .map(|(id, lines)| (Some(*id), lines.iter().map(&render).collect::<Vec<_>>()));
        let mut parts: Vec<NoticePart> = Vec::new();
        for (id, lines) in std::iter::once(header).chain(entries) {
            for chunk in pack_lines(&lines, limit) {
                let joined = parts
                    .last_mut()
                    .filter(|last| last.text.chars().count() + 1 + chunk.chars().count() <= limit);
                match joined {
                    Some(last) => {
                        last.text.push('\n');
                        last.text.push_str(&chunk);
                        last.ids.extend(id.filter(|id| !last.ids.contains(id)));
                    }
                    None => parts.push(NoticePart {
                        text: chunk,
                        ids: id.into_iter().collect(),
                    }),
                }
            }
        }
        parts
    }

    /// The reminders wholly delivered when the parts at `failed` (indexes
    /// into [`Self::parts`]) were refused.
    pub fn delivered(parts: &[NoticePart], failed: &[usize]) -> Vec<i64> {
        let lost: Vec<i64> = failed
            .iter()
            .filter_map(|index| parts.get(*index))
            .flat_map(|part| part.ids.iter().copied())
            .collect();
        let mut ids: Vec<i64> = parts
            .iter()
            .flat_map(|part| part.ids.iter().copied())
            .filter(|id| !lost.contains(id))
            .collect();
        ids.dedup();
        ids
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn notice(entries: usize, lines: usize) -> MissedNotice {
        let entry = |id: usize| {
            let lines = (0..lines).map(|l| Text::plain(format!("{id}-{l} {}", "x".repeat(40))));
            (id as i64, lines.collect())
        };
        MissedNotice::new(Text::plain("header"), (1..=entries).map(entry).collect())
    }

    #[test]
    fn parts_fit_the_limit_and_name_the_reminders_they_carry() {
        let parts = notice(20, 3).parts(|t| t.to_plain(), 500);
        assert!(parts.len() > 1, "{parts:?}");
        assert!(parts.iter().all(|p| p.text.chars().count() <= 500));
        assert!(parts[0].text.starts_with("header"));
        let all: Vec<i64> = parts.iter().flat_map(|p| p.ids.clone()).collect();
        assert_eq!(all, (1..=20).collect::<Vec<_>>(), "each whole, in order");
        assert_eq!(MissedNotice::delivered(&parts, &[]), all);

        let kept = MissedNotice::delivered(&parts, &[1]);
        assert!(kept.iter().all(|id| !parts[1].ids.contains(id)));
        assert_eq!(kept.len(), 20 - parts[1].ids.len());
    }

    #[test]
    fn a_reminder_longer_than_one_message_is_delivered_only_with_all_its_parts() {
        let parts = notice(2, 30).parts(|t| t.to_plain(), 300);
        let spanning: Vec<usize> = (0..parts.len())
            .filter(|i| parts[*i].ids.contains(&1))
            .collect();
        assert!(spanning.len() > 2, "{parts:?}");
        assert!(!MissedNotice::delivered(&parts, &spanning[1..2]).contains(&1));
        assert!(MissedNotice::delivered(&parts, &[]).contains(&1));
    }
}
