-- Refresh tokens: opaque, stored as SHA-256 hashes, rotated on every use.
-- A rotated token that comes back later means it was copied: the whole
-- session is then revoked.

CREATE TABLE refresh_tokens (
    token_hash  TEXT PRIMARY KEY,
    session_id  TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    issued_at   INTEGER NOT NULL,
    rotated_at  INTEGER
);

CREATE INDEX refresh_tokens_by_session ON refresh_tokens (session_id);

-- A short label of the client ("Chrome on Linux") and the client's own device id.
ALTER TABLE sessions ADD COLUMN label TEXT;
ALTER TABLE sessions ADD COLUMN device_id TEXT;
