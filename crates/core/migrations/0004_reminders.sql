-- Personal reminders (one per user and session) and the ones that could not be
-- delivered because the user's direct messages are closed.
CREATE TABLE reminders (
    user_id         TEXT NOT NULL,
    session_id      TEXT NOT NULL,
    minutes_before  INTEGER NOT NULL,
    created_at      INTEGER NOT NULL,   -- unix seconds (UTC)
    PRIMARY KEY (user_id, session_id)
);
CREATE TABLE missed_reminders (
    id          INTEGER PRIMARY KEY,
    user_id     TEXT NOT NULL,
    payload     TEXT NOT NULL,          -- JSON: the reminder message
    created_at  INTEGER NOT NULL
);
CREATE INDEX missed_reminders_by_user ON missed_reminders (user_id);
