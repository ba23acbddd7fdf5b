-- Personal calendar feeds (`GET /cal/<token>.ics`). A user's token is never
-- stored: it is an HMAC, under the feed key, of the row's random nonce, and
-- only its SHA-256 is kept for the lookup, so a copy of this database alone
-- cannot rebuild anyone's feed URL (unless the key lives here too: see
-- feed_key). `/mycal reset` replaces the nonce, and the old URL stops working.
CREATE TABLE feed_tokens (
    community   TEXT NOT NULL,      -- the platform's server or workspace id
    user_id     TEXT NOT NULL,
    nonce       TEXT NOT NULL,      -- 128 random bits, hex
    token_hash  TEXT NOT NULL UNIQUE,   -- SHA-256 of the token, hex
    created_at  INTEGER NOT NULL,   -- unix seconds (UTC)
    PRIMARY KEY (community, user_id)
);
-- The feed key when EMCEE_FEED_KEY is not set: made once, shared by every
-- process on this database.
CREATE TABLE feed_key (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    key  TEXT NOT NULL
);
