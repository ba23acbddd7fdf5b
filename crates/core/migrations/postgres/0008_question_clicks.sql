-- SQLite's 0015_question_clicks on PostgreSQL.
-- The latest ▲ click of each user on each question, by the platform's own
-- click time (Slack's action_ts, in microseconds). Slack delivers a click
-- again when its envelope was not acked, also to a restarted bot: such a
-- click is not later than the stored one and changes nothing. A vote row
-- cannot carry it, since taking a vote back deletes that row.
CREATE TABLE question_clicks (
    question_id  BIGINT NOT NULL REFERENCES questions (id) ON DELETE CASCADE,
    user_id      TEXT NOT NULL,
    clicked_at   BIGINT NOT NULL,   -- microseconds, the platform's clock
    PRIMARY KEY (question_id, user_id)
);
