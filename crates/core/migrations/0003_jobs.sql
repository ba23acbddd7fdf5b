-- Scheduled jobs: announcements, poll openings, reminders, digests, change notices.
-- `key` is deterministic (kind, target, lead time, sessions and their slot), so
-- planning the same programme twice, or in two processes, stores a job once.
-- A job is claimed (pending -> claimed) by one conditional UPDATE and finished
-- (claimed -> done/skipped/failed) in the statement that records its outcome.
CREATE TABLE jobs (
    key          TEXT PRIMARY KEY,
    kind         TEXT NOT NULL,
    due_at       INTEGER NOT NULL,      -- unix seconds (UTC)
    expires_at   INTEGER NOT NULL,      -- never run at or after this instant
    target       TEXT NOT NULL,         -- JSON: {"to":"channel"|"user","id":...}
    payload      TEXT NOT NULL,         -- JSON: what to say
    state        TEXT NOT NULL DEFAULT 'pending',
    attempts     INTEGER NOT NULL DEFAULT 0,
    claimed_by   TEXT,
    outcome      TEXT,
    finished_at  INTEGER
);
CREATE INDEX jobs_by_state_and_due ON jobs (state, due_at);
