-- SQLite's 0012_feed_tokens on PostgreSQL: personal calendar feed tokens,
-- kept only as a nonce and the SHA-256 of the token, and the feed key when
-- EMCEE_FEED_KEY is not set.
CREATE TABLE feed_tokens (
    community   TEXT NOT NULL,
    user_id     TEXT NOT NULL,
    nonce       TEXT NOT NULL,
    token_hash  TEXT NOT NULL UNIQUE,
    created_at  BIGINT NOT NULL,
    PRIMARY KEY (community, user_id)
);
CREATE TABLE feed_key (
    id   BIGINT PRIMARY KEY CHECK (id = 1),
    key  TEXT NOT NULL
);
