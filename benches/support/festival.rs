//! The festival the scheduler benchmarks run: 10,000 sessions across 50
//! channels, starting in 20 waves two seconds apart (500 a wave, 10 per
//! channel, which the scheduler combines into one message per channel), so
//! every channel stays within Discord's 5 messages / 5 s. Shared by
//! `announcements` and `multiprocess`.

use chrono::{DateTime, TimeDelta, Utc};
use emcee_core::agenda::{Agenda, Conference, Session, SessionId, SessionKind, Track};
use emcee_core::config::AnnouncementSettings;
use emcee_core::programme::Programme;
use emcee_core::scheduler::PlanSettings;

pub const SESSIONS: usize = 10_000;
pub const CHANNELS: usize = 50;
pub const WAVES: usize = 20;
pub const WAVE_GAP_SECS: i64 = 2;

pub fn programme(first: DateTime<Utc>) -> Programme {
    let tracks: Vec<Track> = (0..CHANNELS)
        .map(|c| Track {
            name: format!("track-{c}"),
            description: None,
        })
        .collect();
    let sessions = (0..SESSIONS)
        .map(|i| {
            let start = first + TimeDelta::seconds(WAVE_GAP_SECS * (i % WAVES) as i64);
            Session {
                id: SessionId::new(format!("s{i}")),
                title: format!("Session {i}"),
                abstract_text: String::new(),
                kind: SessionKind::Talk,
                track: Some(format!("track-{}", (i / WAVES) % CHANNELS)),
                room: None,
                speakers: Vec::new(),
                start,
                end: start + TimeDelta::minutes(25),
                links: Vec::new(),
            }
        })
        .collect();
    let conference = Conference {
        name: "Festival".into(),
        timezone: chrono_tz::UTC,
        tracks,
        rooms: Vec::new(),
        sessions,
    };
    Programme {
        agenda: Agenda::new(conference).unwrap(),
        polls: Vec::new(),
        contests: Vec::new(),
    }
}

pub fn settings(channels: &[u64]) -> PlanSettings {
    let mut announcements = AnnouncementSettings {
        lead_minutes: vec![0],
        on_demand: false,
        ..AnnouncementSettings::default()
    };
    for (c, id) in channels.iter().enumerate() {
        announcements
            .tracks
            .insert(format!("track-{c}"), id.to_string());
    }
    PlanSettings {
        announcements,
        poll_channel: None,
        nudges: None,
    }
}
