-- Flash polls: the posted poll (keyed by its message), its options, and every
-- voter's mark per option. Times are unix seconds (UTC). A PostgreSQL store
-- uses the same tables, with BIGINT ids generated as identity.
CREATE TABLE polls (
    id           INTEGER PRIMARY KEY,
    channel      TEXT NOT NULL,
    message      TEXT NOT NULL,
    question     TEXT NOT NULL,
    multi        INTEGER NOT NULL,      -- 0 single choice, 1 multi-choice
    hide_tally   INTEGER NOT NULL,
    opened_at    INTEGER NOT NULL,
    closes_at    INTEGER NOT NULL,      -- the persisted deadline
    state        TEXT NOT NULL,         -- open, closed, cancelled
    closed_at    INTEGER,
    declared_id  TEXT UNIQUE,           -- [[polls]] id of a poll from the agenda
    created_by   TEXT,
    announced    INTEGER NOT NULL DEFAULT 0,  -- result or cancellation posted
    UNIQUE (channel, message)
);

CREATE INDEX polls_by_state ON polls (state);

CREATE TABLE poll_options (
    poll_id   INTEGER NOT NULL REFERENCES polls (id),
    position  INTEGER NOT NULL,
    reaction  TEXT NOT NULL,            -- the platform's reaction key
    label     TEXT NOT NULL,
    PRIMARY KEY (poll_id, position)
);

-- net = adds - removes seen for (voter, option); 1 means reacted. last_add
-- orders a voter's adds so single-choice polls count the latest.
CREATE TABLE poll_votes (
    poll_id   INTEGER NOT NULL REFERENCES polls (id),
    voter     TEXT NOT NULL,
    position  INTEGER NOT NULL,
    net       INTEGER NOT NULL,
    last_add  INTEGER NOT NULL,
    PRIMARY KEY (poll_id, voter, position)
);
