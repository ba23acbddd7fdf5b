-- Leases: which process may act for a named role (e.g. "scheduler") until when.
-- Two bot processes on one database use this so only one of them posts.
CREATE TABLE leases (
    name        TEXT PRIMARY KEY,
    holder      TEXT NOT NULL,
    expires_at  INTEGER NOT NULL  -- unix seconds (UTC)
);
