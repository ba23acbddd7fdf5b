-- Every poll remembers the community (Discord server, Slack workspace) it was
-- created in, so an organiser elsewhere cannot close, cancel or read it.
-- NULL: a poll declared in the agenda, or one stored before this migration.
ALTER TABLE polls ADD COLUMN community TEXT;
