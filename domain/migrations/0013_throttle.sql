-- One attempt limiter for every secret (see domain/src/throttle): counters
-- per (kind, key), e.g. ('sign_in', 'user:7'), ('pin', '7'), ('sign_in_ip',
-- '203.0.113.9'). Replaces login_throttle/login_failures and the PIN's own
-- columns.

CREATE TABLE throttle_state (
    kind          TEXT NOT NULL,
    key           TEXT NOT NULL,
    -- Failures since the last success or lock.
    consecutive   INTEGER NOT NULL DEFAULT 0,
    -- Locks applied since the last success; each doubles the next lock.
    lock_count    INTEGER NOT NULL DEFAULT 0,
    locked_until  INTEGER,
    updated_at    INTEGER NOT NULL,
    PRIMARY KEY (kind, key)
);

-- One row per failure, for policies with a rolling window.
CREATE TABLE throttle_failures (
    id    INTEGER PRIMARY KEY AUTOINCREMENT,
    kind  TEXT NOT NULL,
    key   TEXT NOT NULL,
    at    INTEGER NOT NULL
);
CREATE INDEX throttle_failures_by_key ON throttle_failures (kind, key, at);

-- Attempts admitted and not yet judged. Not failures: they only use up the
-- tries still allowed. A row older than a minute was left by a crash and is
-- then counted as a failure.
CREATE TABLE throttle_reservations (
    id    INTEGER PRIMARY KEY AUTOINCREMENT,
    kind  TEXT NOT NULL,
    key   TEXT NOT NULL,
    at    INTEGER NOT NULL
);
CREATE INDEX throttle_reservations_by_key ON throttle_reservations (kind, key);

-- Identifier counters carry over as they were (an account's identifiers are
-- counted together from now on).
INSERT INTO throttle_state (kind, key, consecutive, lock_count, locked_until, updated_at)
SELECT 'sign_in', identifier, consecutive, lock_count, locked_until, updated_at FROM login_throttle;
INSERT INTO throttle_failures (kind, key, at)
SELECT 'sign_in', identifier, at FROM login_failures;
-- ... and a lock or run on any identifier of an account holds for the account.
INSERT INTO throttle_state (kind, key, consecutive, lock_count, locked_until, updated_at)
SELECT 'sign_in', 'user:' || u.id, MAX(t.consecutive), MAX(t.lock_count), MAX(t.locked_until),
       MAX(t.updated_at)
FROM login_throttle t
JOIN users u ON t.identifier IN ('email:' || u.email, 'phone:' || u.phone, 'username:' || u.username_key)
GROUP BY u.id;
INSERT INTO throttle_failures (kind, key, at)
SELECT 'sign_in', 'user:' || u.id, f.at
FROM login_failures f
JOIN users u ON f.identifier IN ('email:' || u.email, 'phone:' || u.phone, 'username:' || u.username_key);
INSERT INTO throttle_state (kind, key, consecutive, lock_count, locked_until, updated_at)
SELECT 'pin', CAST(user_id AS TEXT), failures, 0, locked_until, updated_at FROM payment_pins
WHERE failures > 0 OR locked_until IS NOT NULL;

DROP TABLE login_failures;
DROP TABLE login_throttle;
ALTER TABLE payment_pins DROP COLUMN failures;
ALTER TABLE payment_pins DROP COLUMN locked_until;
