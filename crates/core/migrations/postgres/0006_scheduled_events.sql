-- SQLite's 0013_scheduled_events on PostgreSQL.
-- The platform events (Discord's Guild Scheduled Events) emcee made, one
-- per community and session: a restart, or another process, adopts them
-- instead of making them again, and an "Interested" on an event finds its
-- session. Events an organiser made by hand are never stored here.
CREATE TABLE scheduled_events (
    community   TEXT NOT NULL,      -- the platform's server id
    session_id  TEXT NOT NULL,
    event_id    TEXT NOT NULL,      -- the platform's event id
    created_at  BIGINT NOT NULL,    -- unix seconds (UTC)
    PRIMARY KEY (community, session_id)
);
CREATE UNIQUE INDEX scheduled_events_by_event ON scheduled_events (community, event_id);
