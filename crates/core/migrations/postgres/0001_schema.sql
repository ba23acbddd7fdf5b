-- emcee's schema on PostgreSQL: SQLite's migrations 0001-0008 as one. Times
-- are unix seconds (UTC) in BIGINT, as on SQLite, so both backends share
-- their queries' shape.

-- Leases: which process may act for a named role (e.g. "scheduler") until when.
CREATE TABLE leases (
    name        TEXT PRIMARY KEY,
    holder      TEXT NOT NULL,
    expires_at  BIGINT NOT NULL
);

-- Flash polls, keyed by their message; the community they were created in.
CREATE TABLE polls (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    channel      TEXT NOT NULL,
    message      TEXT NOT NULL,
    question     TEXT NOT NULL,
    multi        BOOLEAN NOT NULL,
    hide_tally   BOOLEAN NOT NULL,
    opened_at    BIGINT NOT NULL,
    closes_at    BIGINT NOT NULL,
    state        TEXT NOT NULL,          -- open, closed, cancelled
    closed_at    BIGINT,
    declared_id  TEXT UNIQUE,
    created_by   TEXT,
    announced    BOOLEAN NOT NULL DEFAULT FALSE,
    community    TEXT,
    UNIQUE (channel, message)
);
CREATE INDEX polls_by_state ON polls (state);

CREATE TABLE poll_options (
    poll_id   BIGINT NOT NULL REFERENCES polls (id),
    position  BIGINT NOT NULL,
    reaction  TEXT NOT NULL,             -- the option's neutral key
    label     TEXT NOT NULL,
    PRIMARY KEY (poll_id, position)
);

-- One row per (poll, voter, option), written by atomic upserts, so a vote
-- may be stored by any process.
CREATE TABLE poll_votes (
    poll_id   BIGINT NOT NULL REFERENCES polls (id),
    voter     TEXT NOT NULL,
    position  BIGINT NOT NULL,
    net       BIGINT NOT NULL,
    last_add  BIGINT NOT NULL,
    PRIMARY KEY (poll_id, voter, position)
);

-- Scheduled jobs; claimed with FOR UPDATE SKIP LOCKED, each claim with a token.
CREATE TABLE jobs (
    key          TEXT PRIMARY KEY,
    kind         TEXT NOT NULL,
    due_at       BIGINT NOT NULL,
    expires_at   BIGINT NOT NULL,
    target       TEXT NOT NULL,          -- JSON
    payload      TEXT NOT NULL,          -- JSON
    state        TEXT NOT NULL DEFAULT 'pending',
    attempts     BIGINT NOT NULL DEFAULT 0,
    claimed_by   TEXT,
    claim_token  TEXT,
    subject      TEXT,                   -- a reminder's [user, session], as JSON
    outcome      TEXT,
    finished_at  BIGINT
);
CREATE INDEX jobs_by_state_and_due ON jobs (state, due_at);
CREATE INDEX jobs_by_subject ON jobs (kind, subject) WHERE subject IS NOT NULL;

CREATE TABLE reminders (
    user_id         TEXT NOT NULL,
    session_id      TEXT NOT NULL,
    minutes_before  BIGINT NOT NULL,
    created_at      BIGINT NOT NULL,
    PRIMARY KEY (user_id, session_id)
);

CREATE TABLE missed_reminders (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id     TEXT NOT NULL,
    payload     TEXT NOT NULL,           -- JSON: the reminder message
    created_at  BIGINT NOT NULL
);
CREATE INDEX missed_reminders_by_user ON missed_reminders (user_id);

-- Direct-message channels, opened once per user and kept.
CREATE TABLE dm_channels (
    platform    TEXT NOT NULL,
    user_id     TEXT NOT NULL,
    channel_id  TEXT NOT NULL,
    opened_at   BIGINT NOT NULL,
    PRIMARY KEY (platform, user_id)
);
