-- SQLite's 0011_stars on PostgreSQL.
-- Starred sessions ("my day"): one row per community, user and session.
-- `reminder_minutes` is the lead time of the reminder the star itself set
-- (NULL: it set none, e.g. the user had one already, stars set no reminders,
-- or the session had started), so unstarring cancels only that reminder and
-- never one the user set by hand with /remind.
CREATE TABLE stars (
    community         TEXT NOT NULL,      -- the platform's server or workspace id
    user_id           TEXT NOT NULL,
    session_id        TEXT NOT NULL,
    reminder_minutes  BIGINT,
    starred_at        BIGINT NOT NULL,    -- unix seconds (UTC)
    PRIMARY KEY (community, user_id, session_id)
);
