//! The vote rules of one poll, pure: which reaction counts as whose vote.
//!
//! Chat platforms report reactions as add/remove events, and handlers may run
//! them out of order (a remove before the add it undoes). For one voter and one
//! option the platform's own sequence always alternates add, remove, add, …
//! starting with an add, so a running `net = adds - removes` ends at 1 (reacted)
//! or 0 (not) whatever order the events were handled in. That is the mark kept
//! here. A net outside {0, 1} means events are still in flight or one was seen
//! twice (a restart's reconciliation raced an event): the mark is *suspect*
//! until the platform is asked, and [`Ballots::observe`] takes its answer.
//!
//! Single-choice polls count each voter's most recent add; the older reactions
//! are reported as displaced so the adapter removes them. The bot's own
//! reactions and unknown emoji never reach this module (see `recorder`).
//!
//! A button poll's click ([`Ballots::click`]) is no event to net out but a
//! request against what is stored: on the option the voter's vote is on, it
//! takes the vote back; elsewhere it votes, and in single choice clears the
//! voter's other marks, so one vote each holds in the store itself.

use std::collections::HashMap;

/// One voter's mark on one option.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Mark {
    /// Adds minus removes handled so far.
    pub net: i32,
    /// Order of the add that last made this mark count (single choice keeps the latest).
    pub last_add: u64,
    /// The net left {0, 1}: trust it only after asking the platform.
    pub suspect: bool,
    /// The recorder's version when this mark last changed (not stored).
    pub touched: u64,
}

/// A mark as stored: one row per (poll, voter, option).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MarkRow {
    pub voter: String,
    pub option: usize,
    pub net: i32,
    pub last_add: u64,
}

/// What one handled reaction changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// The mark to store before the tally shows it.
    pub row: MarkRow,
    /// Options whose reactions by this voter the platform should remove (a
    /// single-choice vote moved away from them).
    pub displaced: Vec<usize>,
    /// The mark needs checking against the platform.
    pub suspect: bool,
}

/// Running counts: votes per option and distinct voters.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Tally {
    pub counts: Vec<u64>,
    pub voters: u64,
}

/// Every voter's marks on one poll, with the counts kept up to date.
#[derive(Debug, Clone)]
pub struct Ballots {
    multi: bool,
    options: usize,
    marks: HashMap<String, Vec<Mark>>,
    tally: Tally,
    next_add: u64,
}

impl Ballots {
    /// No votes yet on a poll with `options` options.
    pub fn new(multi: bool, options: usize) -> Self {
        Self {
            multi,
            options,
            marks: HashMap::new(),
            tally: Tally {
                counts: vec![0; options],
                voters: 0,
            },
            next_add: 1,
        }
    }

    /// The marks loaded from the store; rows for unknown options are skipped.
    pub fn restore(multi: bool, options: usize, rows: impl IntoIterator<Item = MarkRow>) -> Self {
        let mut ballots = Self::new(multi, options);
        for row in rows.into_iter().filter(|r| r.option < options) {
            ballots.next_add = ballots.next_add.max(row.last_add + 1);
            let mark = Mark {
                net: row.net,
                last_add: row.last_add,
                suspect: !(0..=1).contains(&row.net),
                touched: 0,
            };
            ballots.update(&row.voter, |marks| marks[row.option] = mark);
        }
        ballots
    }

    /// The counts as they stand.
    pub fn tally(&self) -> &Tally {
        &self.tally
    }

    /// A voter's marks, if they ever reacted.
    pub fn marks(&self, voter: &str) -> Option<&[Mark]> {
        self.marks.get(voter).map(Vec::as_slice)
    }

    /// Every voter and option whose mark is suspect.
    pub fn suspects(&self) -> Vec<(String, usize)> {
        let mut found = Vec::new();
        for (voter, marks) in &self.marks {
            for (option, _) in marks.iter().enumerate().filter(|(_, m)| m.suspect) {
                found.push((voter.clone(), option));
            }
        }
        found
    }

    /// Handles one add (`added`) or remove of `voter`'s reaction for `option`,
    /// at recorder version `version`.
    pub fn apply(&mut self, voter: &str, option: usize, added: bool, version: u64) -> Change {
        let next_add = self.next_add;
        let mut became_counted = false;
        let mark = self.update(voter, |marks| {
            let mark = &mut marks[option];
            mark.net += if added { 1 } else { -1 };
            if added && mark.net >= 1 {
                mark.last_add = next_add;
                became_counted = true;
            }
            mark.suspect |= !(0..=1).contains(&mark.net);
            mark.touched = version;
            *mark
        });
        if became_counted {
            self.next_add += 1;
        }
        let displaced = if became_counted && !self.multi {
            self.others_marked(voter, option)
        } else {
            Vec::new()
        };
        Change {
            row: row(voter, option, &mark),
            displaced,
            suspect: mark.suspect,
        }
    }

    /// A click on `option`'s button by `voter`, made at `at` (the platform's
    /// clock, increasing with each click of a user; 0: unknown), handled at
    /// recorder version `version`: removes the voter's vote there if it
    /// counts, else adds one (single choice: moving it from any other
    /// option). Every row written carries `at`, so a click not newer than
    /// the voter's last one is known as one seen before (the platform
    /// delivered it again) and changes nothing: `None`. Otherwise returns
    /// the rows to store and whether the voter now votes for `option`.
    pub fn click(
        &mut self,
        voter: &str,
        option: usize,
        at: u64,
        version: u64,
    ) -> Option<(Vec<MarkRow>, bool)> {
        let multi = self.multi;
        let marks = self.marks(voter);
        let latest = marks.map_or(0, |m| m.iter().map(|m| m.last_add).max().unwrap_or(0));
        if at != 0 && at <= latest {
            return None;
        }
        let was = marks.map_or(0, |m| counted(multi, m)) & (1 << option) != 0;
        let stamp = if at == 0 { self.next_add } else { at };
        let rows = self.update(voter, |marks| {
            let mut rows = Vec::new();
            for (index, mark) in marks.iter_mut().enumerate() {
                let other = index != option;
                if other && (multi || (mark.net == 0 && !mark.suspect)) {
                    continue;
                }
                mark.net = i32::from(!other && !was);
                mark.suspect = false;
                mark.touched = version;
                mark.last_add = stamp;
                rows.push(row(voter, index, mark));
            }
            rows
        });
        self.next_add = self.next_add.max(stamp) + 1;
        Some((rows, !was))
    }

    /// The options that count as `voter`'s votes, in order.
    pub fn chosen(&self, voter: &str) -> Vec<usize> {
        let bits = self.marks(voter).map_or(0, |m| counted(self.multi, m));
        (0..self.options).filter(|o| bits & (1 << o) != 0).collect()
    }

    /// Takes the platform's word that `voter` has (`present`) or has not reacted
    /// for `option`, as seen by a request sent at recorder version `since`. A mark
    /// changed after `since` is left alone (`None`): the answer may predate it.
    pub fn observe(
        &mut self,
        voter: &str,
        option: usize,
        present: bool,
        since: u64,
        version: u64,
    ) -> Option<MarkRow> {
        let current = self.marks(voter).map(|m| m[option]).unwrap_or_default();
        if current.touched > since {
            return None;
        }
        let net = i32::from(present);
        if current.net == net && !current.suspect {
            return None;
        }
        let last_add = if present && current.net < 1 {
            self.next_add += 1;
            self.next_add - 1
        } else {
            current.last_add
        };
        let mark = self.update(voter, |marks| {
            marks[option] = Mark {
                net,
                last_add,
                suspect: false,
                touched: version,
            };
            marks[option]
        });
        Some(row(voter, option, &mark))
    }

    /// In a single-choice poll, the options a voter still has reactions on
    /// besides the one that counts (to be removed); empty for multi-choice.
    pub fn extras(&self, voter: &str) -> Vec<usize> {
        match (self.multi, self.marks(voter)) {
            (false, Some(marks)) => match counted(false, marks).trailing_zeros() {
                32 => Vec::new(),
                kept => self.others_marked(voter, kept as usize),
            },
            _ => Vec::new(),
        }
    }

    /// Voters with at least one mark, for reconciliation.
    pub fn voters(&self) -> impl Iterator<Item = &str> {
        self.marks.keys().map(String::as_str)
    }

    fn others_marked(&self, voter: &str, option: usize) -> Vec<usize> {
        self.marks(voter).map_or_else(Vec::new, |marks| {
            (0..marks.len())
                .filter(|&o| o != option && marks[o].net >= 1)
                .collect()
        })
    }

    /// Changes a voter's marks and keeps the tally in step.
    fn update<T>(&mut self, voter: &str, change: impl FnOnce(&mut Vec<Mark>) -> T) -> T {
        let options = self.options;
        let marks = self
            .marks
            .entry(voter.to_owned())
            .or_insert_with(|| vec![Mark::default(); options]);
        let before = counted(self.multi, marks);
        let result = change(marks);
        let after = counted(self.multi, marks);
        for option in 0..options {
            let bit = 1u32 << option;
            match (before & bit != 0, after & bit != 0) {
                (false, true) => self.tally.counts[option] += 1,
                (true, false) => self.tally.counts[option] -= 1,
                _ => {}
            }
        }
        match (before != 0, after != 0) {
            (false, true) => self.tally.voters += 1,
            (true, false) => self.tally.voters -= 1,
            _ => {}
        }
        result
    }
}

/// The options that count for one voter, as a bit set: every reacted option in
/// a multi-choice poll, the most recently added one in a single-choice poll.
fn counted(multi: bool, marks: &[Mark]) -> u32 {
    let reacted = marks.iter().enumerate().filter(|(_, m)| m.net >= 1);
    if multi {
        reacted.fold(0, |bits, (option, _)| bits | 1 << option)
    } else {
        reacted
            .max_by_key(|(_, m)| m.last_add)
            .map_or(0, |(option, _)| 1 << option)
    }
}

fn row(voter: &str, option: usize, mark: &Mark) -> MarkRow {
    MarkRow {
        voter: voter.to_owned(),
        option,
        net: mark.net,
        last_add: mark.last_add,
    }
}

#[cfg(test)]
#[path = "ballot_tests.rs"]
mod tests;
