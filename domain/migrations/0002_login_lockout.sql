-- Sign-in failure counters per normalised identifier (e.g. 'email:a@b.co'),
-- whether or not an account exists for it, so lockout reveals nothing.

CREATE TABLE login_throttle (
    identifier    TEXT PRIMARY KEY,
    -- Failures since the last success or lock.
    consecutive   INTEGER NOT NULL DEFAULT 0,
    -- Locks applied since the last success; each doubles the next lock.
    lock_count    INTEGER NOT NULL DEFAULT 0,
    locked_until  INTEGER,
    updated_at    INTEGER NOT NULL
);

-- One row per failure, for the rolling cumulative window.
CREATE TABLE login_failures (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    identifier  TEXT NOT NULL,
    at          INTEGER NOT NULL
);

CREATE INDEX login_failures_by_identifier ON login_failures (identifier, at);
