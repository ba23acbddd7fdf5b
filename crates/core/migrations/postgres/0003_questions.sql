-- SQLite's 0010_questions on PostgreSQL.
-- Session Q&A: questions filed with /ask, who asked them (a duplicate's
-- asker joins the first question instead of filing a second), one upvote
-- per person, and per session the "next question" board and the thread the
-- Q&A lives in. Votes are rows, not a counter, so a restart or a retried
-- click can neither lose nor double one.
CREATE TABLE questions (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    community    TEXT NOT NULL,      -- the platform's server or workspace id
    session_id   TEXT NOT NULL,
    asker        TEXT NOT NULL,      -- the first asker's user id
    asker_name   TEXT NOT NULL,      -- their display name when they asked
    anonymous    BOOLEAN NOT NULL,   -- the room is not told who asked
    body         TEXT NOT NULL,      -- as typed (trimmed)
    normal       TEXT NOT NULL,      -- folded for duplicate matching
    asked_at     BIGINT NOT NULL,   -- unix seconds (UTC)
    state        TEXT NOT NULL DEFAULT 'open',   -- open, answered, hidden
    pinned       BOOLEAN NOT NULL DEFAULT FALSE,
    channel_id   TEXT,               -- where its message is, once posted
    message_id   TEXT,
    UNIQUE (community, session_id, normal)
);
CREATE INDEX questions_by_session ON questions (session_id, community);

CREATE TABLE question_askers (
    question_id  BIGINT NOT NULL REFERENCES questions (id) ON DELETE CASCADE,
    user_id      TEXT NOT NULL,
    anonymous    BOOLEAN NOT NULL,
    asked_at     BIGINT NOT NULL,
    PRIMARY KEY (question_id, user_id)
);

CREATE TABLE question_votes (
    question_id  BIGINT NOT NULL REFERENCES questions (id) ON DELETE CASCADE,
    user_id      TEXT NOT NULL,
    voted_at     BIGINT NOT NULL,
    PRIMARY KEY (question_id, user_id)
);

CREATE TABLE qa_sessions (
    community      TEXT NOT NULL,
    session_id     TEXT NOT NULL,
    board_channel  TEXT,             -- the "next question" post
    board_message  TEXT,
    PRIMARY KEY (community, session_id)
);

-- A session's thread, opened on its start announcement; keyed by session
-- alone because the scheduler posts for the whole process. Kept when the
-- session moves, archived once after it ends.
CREATE TABLE session_threads (
    session_id   TEXT NOT NULL PRIMARY KEY,
    channel_id   TEXT NOT NULL,      -- the thread (a channel on Discord)
    parent_id    TEXT NOT NULL,      -- the channel of the announcement
    opened_at    BIGINT NOT NULL,
    archived_at  BIGINT
);
