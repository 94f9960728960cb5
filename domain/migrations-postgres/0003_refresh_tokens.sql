-- Refresh tokens, stored as SHA-256 hashes and rotated on every use, and the
-- session's label and client device id (PostgreSQL translation of the SQLite 0003).

CREATE TABLE refresh_tokens (
    token_hash  TEXT PRIMARY KEY,
    session_id  TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    issued_at   BIGINT NOT NULL,
    rotated_at  BIGINT
);

CREATE INDEX refresh_tokens_by_session ON refresh_tokens (session_id);

-- A short label of the client ("Chrome on Linux") and the client's own device id.
ALTER TABLE sessions ADD COLUMN label TEXT;
ALTER TABLE sessions ADD COLUMN device_id TEXT;
