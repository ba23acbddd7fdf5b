-- Each claim carries a token, and finishing or retrying a job checks it, so a
-- process that paused past its lease can neither post a job another process
-- now holds nor reset one that is done. Reminder jobs also name what they are
-- about exactly (a JSON array of user and session), so cancelling reminder
-- `b` no longer touches the job of `a:b` (the LIKE pattern it replaces was
-- case-insensitive and ambiguous about `:`).
ALTER TABLE jobs ADD COLUMN claim_token TEXT;
ALTER TABLE jobs ADD COLUMN subject TEXT;
UPDATE jobs
SET subject = json_array(json_extract(target, '$.id'), json_extract(payload, '$.items[0].session'))
WHERE kind = 'reminder' AND json_extract(target, '$.to') = 'user';
CREATE INDEX jobs_by_subject ON jobs (kind, subject);
