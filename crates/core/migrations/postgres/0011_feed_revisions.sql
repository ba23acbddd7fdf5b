-- SQLite's 0018_feed_revisions on PostgreSQL.
-- Each session's revision as the calendar feeds publish it (SEQUENCE and
-- LAST-MODIFIED), with a fingerprint (SHA-256, hex) of what a subscriber
-- sees of it. Kept in the database, not in one process's memory, so every
-- process serving the feeds, and a restarted one, publishes the same
-- revision for the same session: a calendar app polling two processes
-- behind one URL never sees SEQUENCE go back, and a restart no longer bumps
-- every unchanged session.
CREATE TABLE feed_revisions (
    session_id   TEXT PRIMARY KEY,
    fingerprint  TEXT NOT NULL,
    sequence     BIGINT NOT NULL,
    modified_at  BIGINT NOT NULL    -- unix seconds
);
