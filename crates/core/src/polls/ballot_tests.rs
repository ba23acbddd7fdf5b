use super::*;

fn counts(ballots: &Ballots) -> (Vec<u64>, u64) {
    (ballots.tally().counts.clone(), ballots.tally().voters)
}

#[test]
fn single_choice_moves_the_vote_and_reports_the_old_reaction() {
    let mut ballots = Ballots::new(false, 3);
    assert!(ballots.apply("alice", 0, true, 1).displaced.is_empty());
    let moved = ballots.apply("alice", 2, true, 2);
    assert_eq!(moved.displaced, vec![0]);
    assert_eq!(counts(&ballots), (vec![0, 0, 1], 1));
    // The bot removes the old reaction; its remove event settles the mark.
    ballots.apply("alice", 0, false, 3);
    assert_eq!(counts(&ballots), (vec![0, 0, 1], 1));
    assert_eq!(ballots.marks("alice").unwrap()[0].net, 0);
}

#[test]
fn multi_choice_counts_each_option_once_per_voter() {
    let mut ballots = Ballots::new(true, 3);
    ballots.apply("alice", 0, true, 1);
    let second = ballots.apply("alice", 1, true, 2);
    assert!(second.displaced.is_empty());
    ballots.apply("bob", 1, true, 3);
    assert_eq!(counts(&ballots), (vec![1, 2, 0], 2));
}

#[test]
fn removing_the_reaction_removes_the_vote() {
    let mut ballots = Ballots::new(false, 2);
    ballots.apply("alice", 1, true, 1);
    ballots.apply("alice", 1, false, 2);
    assert_eq!(counts(&ballots), (vec![0, 0], 0));
}

#[test]
fn a_remove_handled_before_its_add_cancels_out() {
    let mut ballots = Ballots::new(false, 2);
    let early = ballots.apply("alice", 0, false, 1);
    assert!(early.suspect, "net -1 is not a real state");
    assert_eq!(counts(&ballots), (vec![0, 0], 0));
    ballots.apply("alice", 0, true, 2);
    assert_eq!(counts(&ballots), (vec![0, 0], 0));
    assert_eq!(ballots.suspects(), vec![("alice".to_owned(), 0)]);
}

#[test]
fn a_suspect_mark_takes_the_platforms_word_unless_it_changed_since() {
    let mut ballots = Ballots::new(false, 2);
    ballots.apply("alice", 0, true, 1);
    ballots.apply("alice", 0, true, 2); // seen twice
    assert_eq!(ballots.marks("alice").unwrap()[0].net, 2);
    assert_eq!(
        ballots.observe("alice", 0, true, 1, 3),
        None,
        "changed at 2"
    );
    let row = ballots.observe("alice", 0, true, 2, 3).unwrap();
    assert_eq!((row.net, ballots.suspects().len()), (1, 0));
    ballots.apply("alice", 0, false, 4);
    assert_eq!(counts(&ballots), (vec![0, 0], 0));
}

#[test]
fn observing_new_reactions_makes_them_the_latest_and_reports_extras() {
    let mut ballots = Ballots::new(false, 3);
    ballots.apply("alice", 0, true, 1);
    ballots.observe("alice", 2, true, 1, 2).unwrap();
    assert_eq!(counts(&ballots), (vec![0, 0, 1], 1));
    assert_eq!(ballots.extras("alice"), vec![0]);
    ballots.observe("bob", 1, false, 2, 3);
    assert_eq!(ballots.tally().voters, 1);
}

#[test]
fn restored_marks_count_as_before() {
    let mut ballots = Ballots::new(false, 2);
    ballots.apply("alice", 0, true, 1);
    ballots.apply("alice", 1, true, 2);
    ballots.apply("bob", 0, true, 3);
    let rows: Vec<MarkRow> = ["alice", "bob"]
        .iter()
        .flat_map(|v| {
            let marks = ballots.marks(v).unwrap().to_vec();
            marks
                .into_iter()
                .enumerate()
                .map(|(o, m)| row(v, o, &m))
                .collect::<Vec<_>>()
        })
        .collect();
    let restored = Ballots::restore(false, 2, rows);
    assert_eq!(restored.tally(), ballots.tally());
}

/// A tiny deterministic generator (xorshift64*), so the test needs no crate.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) % n
    }
}

#[test]
fn any_handling_order_ends_at_the_exact_tally() {
    let mut rng = Rng(0x5EED);
    for multi in [false, true] {
        // Multi-choice: every voter toggles options at random; the final state
        // is known, and the events are then handled in a shuffled order.
        let mut events = Vec::new();
        let mut expected = vec![0u64; 4];
        for voter in 0..200 {
            let option = rng.below(4) as usize;
            let toggles = 1 + rng.below(5);
            for n in 0..toggles {
                events.push((format!("v{voter}"), option, n % 2 == 0));
            }
            if toggles % 2 == 1 {
                expected[option] += 1;
            }
        }
        for i in (1..events.len()).rev() {
            let j = rng.below(i as u64 + 1) as usize;
            events.swap(i, j);
        }
        let mut ballots = Ballots::new(multi, 4);
        for (version, (voter, option, added)) in events.iter().enumerate() {
            ballots.apply(voter, *option, *added, version as u64);
        }
        assert_eq!(ballots.tally().counts, expected, "multi: {multi}");
    }
}

#[test]
fn a_click_votes_moves_and_takes_back_in_single_choice() {
    let mut ballots = Ballots::new(false, 3);
    let (rows, voted) = ballots.click("ann", 0, 0, 1).unwrap();
    assert!(voted);
    assert_eq!(rows.len(), 1);
    assert_eq!(ballots.tally().counts, vec![1, 0, 0]);
    // Moving clears the old mark in the store too: one vote each.
    let (rows, voted) = ballots.click("ann", 2, 0, 2).unwrap();
    assert!(voted);
    let nets: Vec<(usize, i32)> = rows.iter().map(|r| (r.option, r.net)).collect();
    assert_eq!(nets, vec![(0, 0), (2, 1)]);
    assert_eq!(ballots.tally().counts, vec![0, 0, 1]);
    assert_eq!(ballots.chosen("ann"), vec![2]);
    // A click on one's own option takes the vote back.
    let (rows, voted) = ballots.click("ann", 2, 0, 3).unwrap();
    assert!(!voted);
    assert_eq!(rows.len(), 1);
    assert_eq!(counts(&ballots), (vec![0, 0, 0], 0));
    assert!(ballots.chosen("ann").is_empty());
}

#[test]
fn a_click_toggles_in_multi_choice_and_survives_a_restore() {
    let mut ballots = Ballots::new(true, 3);
    let mut stored = Vec::new();
    for (version, option) in [0, 1, 2, 1].into_iter().enumerate() {
        stored.extend(ballots.click("bo", option, 0, version as u64).unwrap().0);
    }
    assert_eq!(ballots.chosen("bo"), vec![0, 2]);
    assert_eq!(ballots.tally().counts, vec![1, 0, 1]);
    assert_eq!(ballots.tally().voters, 1);
    // The last row per option is what the store keeps.
    let mut last = std::collections::HashMap::new();
    for row in stored {
        last.insert(row.option, row);
    }
    let restored = Ballots::restore(true, 3, last.into_values());
    assert_eq!(restored.tally(), ballots.tally());
    assert_eq!(restored.chosen("bo"), vec![0, 2]);
}

#[test]
fn a_click_after_a_restore_still_moves_a_single_vote() {
    let rows = vec![
        MarkRow {
            voter: "cy".into(),
            option: 1,
            net: 1,
            last_add: 7,
        },
        MarkRow {
            voter: "dee".into(),
            option: 0,
            net: 1,
            last_add: 3,
        },
    ];
    let mut ballots = Ballots::restore(false, 2, rows);
    let (_, voted) = ballots.click("cy", 0, 0, 1).unwrap();
    assert!(voted);
    assert_eq!(ballots.tally().counts, vec![2, 0]);
    assert_eq!(ballots.tally().voters, 2);
}

#[test]
fn a_click_delivered_again_changes_nothing() {
    let mut ballots = Ballots::new(false, 2);
    let at = 1_633_622_700_000_100;
    assert!(ballots.click("eve", 0, at, 1).is_some());
    assert_eq!(ballots.click("eve", 0, at, 2), None, "the same click again");
    assert_eq!(ballots.click("eve", 1, at - 50, 3), None, "an older click");
    assert_eq!(counts(&ballots), (vec![1, 0], 1));
    // Stored and restored, the stamp still tells a re-delivery apart.
    let rows = vec![MarkRow {
        voter: "eve".into(),
        option: 0,
        net: 1,
        last_add: at,
    }];
    let mut restored = Ballots::restore(false, 2, rows);
    assert_eq!(restored.click("eve", 0, at, 1), None);
    let (_, voted) = restored.click("eve", 0, at + 1, 2).unwrap();
    assert!(
        !voted,
        "a newer click on one's own option takes the vote back"
    );
    assert_eq!(counts(&restored), (vec![0, 0], 0));
}
