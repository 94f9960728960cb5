-- Accounts and sign-in sessions.
-- Times are Unix seconds (INTEGER) so the schema ports to PostgreSQL unchanged
-- apart from the id column type.

CREATE TABLE users (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    -- Normalised forms (lower-case email, 11-digit phone): unique after normalisation.
    email          TEXT UNIQUE,
    phone          TEXT UNIQUE,
    -- As typed; uniqueness and login use the case-folded key.
    username       TEXT,
    username_key   TEXT UNIQUE,
    password_hash  TEXT NOT NULL,
    status         TEXT NOT NULL DEFAULT 'normal'
                   CHECK (status IN ('normal', 'frozen', 'unreviewed', 'verify_failed', 'in_review', 'closed')),
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL,
    CHECK (email IS NOT NULL OR phone IS NOT NULL),
    CHECK ((username IS NULL) = (username_key IS NULL))
);

CREATE TABLE sessions (
    id            TEXT PRIMARY KEY,
    user_id       INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at    INTEGER NOT NULL,
    expires_at    INTEGER NOT NULL,
    last_seen_at  INTEGER NOT NULL,
    revoked_at    INTEGER,
    ip            TEXT,
    user_agent    TEXT
);

CREATE INDEX sessions_by_user ON sessions (user_id, revoked_at);
