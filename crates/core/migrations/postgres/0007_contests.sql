-- SQLite's 0015_contests on PostgreSQL.
-- Meme contests: a channel, a window and the rules; the image posts that are
-- its entries (the entrant's name as it was when they posted, the image and a
-- link to the post); who went over the entry limit (told once); and the votes,
-- one row per voter, entry and vote emoji, so a person who reacts with two
-- vote emoji still votes once and a restart can neither lose nor double one.
CREATE TABLE contests (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    community    TEXT,               -- the platform's server or workspace id
    declared_id  TEXT UNIQUE,        -- the agenda's [[contests]] id, if declared
    title        TEXT NOT NULL,
    channel_id   TEXT NOT NULL,
    template     TEXT,               -- a link to the template, if any
    per_person   BIGINT NOT NULL,   -- entries counted per person
    emoji        TEXT NOT NULL,      -- JSON array of the vote emoji's neutral keys
    top_n        BIGINT NOT NULL,   -- entries the result shows
    opens_at     BIGINT NOT NULL,   -- unix seconds (UTC)
    closes_at    BIGINT NOT NULL,
    state        TEXT NOT NULL DEFAULT 'open',   -- open, closed
    closed_at    BIGINT,
    announced    BOOLEAN NOT NULL DEFAULT FALSE,    -- the result was posted
    created_by   TEXT
);
CREATE INDEX contests_by_state ON contests (state, channel_id);

CREATE TABLE contest_entries (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    contest_id    BIGINT NOT NULL REFERENCES contests (id) ON DELETE CASCADE,
    channel_id    TEXT NOT NULL,
    message_id    TEXT NOT NULL,
    entrant       TEXT NOT NULL,
    entrant_name  TEXT NOT NULL,
    image_url     TEXT NOT NULL,
    link          TEXT,
    posted_at     BIGINT NOT NULL,
    UNIQUE (channel_id, message_id)
);
CREATE INDEX contest_entries_by_entrant ON contest_entries (contest_id, entrant);

CREATE TABLE contest_refusals (
    contest_id  BIGINT NOT NULL REFERENCES contests (id) ON DELETE CASCADE,
    entrant     TEXT NOT NULL,
    PRIMARY KEY (contest_id, entrant)
);

CREATE TABLE contest_votes (
    entry_id  BIGINT NOT NULL REFERENCES contest_entries (id) ON DELETE CASCADE,
    voter     TEXT NOT NULL,
    emoji     TEXT NOT NULL,
    PRIMARY KEY (entry_id, voter, emoji)
);
