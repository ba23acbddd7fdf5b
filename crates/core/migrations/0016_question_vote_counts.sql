-- Each question keeps its upvote count beside it, changed in the same
-- transaction as the vote row it counts (added or removed), so reading a
-- question, a session's board or the hosts' list no longer counts every
-- vote row, and a click takes one short transaction. The rows stay the
-- truth that keeps one vote per person; the count is filled from them here.
ALTER TABLE questions ADD COLUMN votes INTEGER NOT NULL DEFAULT 0;
UPDATE questions
   SET votes = (SELECT COUNT(*) FROM question_votes v WHERE v.question_id = questions.id);
