-- SQLite's 0019_withdrawn_events on PostgreSQL.
-- What each scheduled event emcee made said of its session (start, end and
-- name, unix seconds UTC), and when an organiser withdrew it by hand
-- (deleted or cancelled it in Discord): a withdrawn event is not made again
-- while its session stays as it was, so the organiser's decision stands;
-- a session moved or renamed since is a new event worth making. Rows kept
-- before this migration say nothing (NULL) until the next sync keeps them.
ALTER TABLE scheduled_events ADD COLUMN starts_at BIGINT;
ALTER TABLE scheduled_events ADD COLUMN ends_at BIGINT;
ALTER TABLE scheduled_events ADD COLUMN name TEXT;
ALTER TABLE scheduled_events ADD COLUMN withdrawn_at BIGINT;
