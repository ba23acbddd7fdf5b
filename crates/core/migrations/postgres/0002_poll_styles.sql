-- Every poll remembers how it takes votes: 'reactions' (emoji on the message)
-- or 'buttons' (a Vote button per option, Slack's default), so a restart knows
-- which polls to reconcile with the message's reactions. Polls stored before
-- this migration were all reaction polls.
ALTER TABLE polls ADD COLUMN style TEXT NOT NULL DEFAULT 'reactions';
