-- SQLite's 0017_unanswered_upvotes on PostgreSQL.
-- A ▲ click on Discord is answered after its vote is stored, and Discord
-- never delivers a click twice: a user whose click went unanswered (the
-- process was killed in between, or the answer failed) sees "This
-- interaction failed" and clicks again. That second click is the first one
-- tried again, not a change of mind, so it must not toggle the vote back.
-- Each user's latest change of a question's vote stays here, with the
-- process that is to answer it (a scheduler holder name; '' once its answer
-- failed) and the click (the platform's interaction id, so that the answer
-- to an earlier click cannot clear a later one), until the answer went out.
CREATE TABLE question_unanswered (
    question_id  BIGINT NOT NULL REFERENCES questions (id) ON DELETE CASCADE,
    user_id      TEXT NOT NULL,
    holder       TEXT NOT NULL,
    click        BIGINT NOT NULL,
    PRIMARY KEY (question_id, user_id)
);
