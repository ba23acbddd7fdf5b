-- Direct-message channels, opened once per user and kept: opening one is a
-- request of its own under the platform's global rate limit, so a burst of
-- reminders (2,000 attendees for the keynote) after a restart must not open
-- them all again. A channel the platform no longer knows is reopened and
-- replaced.
CREATE TABLE dm_channels (
    platform    TEXT NOT NULL,      -- the chat platform, e.g. 'discord'
    user_id     TEXT NOT NULL,      -- the platform's user id
    channel_id  TEXT NOT NULL,      -- the platform's DM channel id
    opened_at   INTEGER NOT NULL,   -- unix seconds (UTC)
    PRIMARY KEY (platform, user_id)
);
