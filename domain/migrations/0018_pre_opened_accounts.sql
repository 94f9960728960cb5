-- no-transaction
-- Pre-opened accounts: an account staff or a service opened for a contact,
-- which can receive money but cannot sign in or pay until its owner
-- activates it (sets the payment PIN and the sign-in password, proven by a
-- code sent to the contact). A state of its own, `users.status =
-- 'pre_opened'`, so every check that wants `normal` refuses it by default.
--
-- SQLite cannot change a CHECK constraint in place, so `users` is rebuilt
-- (https://www.sqlite.org/lang_altertable.html#otheralter): foreign keys
-- off for the copy, one transaction, the same columns, indexes and
-- AUTOINCREMENT counter. That needs this migration to run outside sqlx's
-- own transaction (the first line).
PRAGMA foreign_keys = OFF;

BEGIN IMMEDIATE;

CREATE TABLE users_new (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    -- Normalised forms (lower-case email, 11-digit phone): unique after normalisation.
    email          TEXT UNIQUE,
    phone          TEXT UNIQUE,
    -- As typed; uniqueness and login use the case-folded key.
    username       TEXT,
    username_key   TEXT UNIQUE,
    -- Empty while no plaintext password is known: a pre-opened account
    -- before activation, or one whose password is known only as a digest.
    password_hash  TEXT NOT NULL,
    -- 'normal', 'frozen', 'closed', 'pre_opened'; the review values are
    -- legacy, never written by this code.
    status         TEXT NOT NULL DEFAULT 'normal'
                   CHECK (status IN ('normal', 'frozen', 'unreviewed', 'verify_failed', 'in_review',
                                     'closed', 'pre_opened')),
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL,
    role           TEXT NOT NULL DEFAULT 'user'
                   CHECK (role IN ('user', 'staff', 'super_admin')),
    email_verified INTEGER NOT NULL DEFAULT 0,
    phone_verified INTEGER NOT NULL DEFAULT 0,
    display_name   TEXT,
    real_name      TEXT,
    gender         TEXT NOT NULL DEFAULT 'unspecified'
                   CHECK (gender IN ('unspecified', 'male', 'female')),
    id_country     TEXT NOT NULL DEFAULT 'CN',
    id_type        TEXT NOT NULL DEFAULT 'mainland_id'
                   CHECK (id_type IN ('mainland_id', 'passport', 'other')),
    id_number      TEXT,
    closed_at      INTEGER,
    closed_reason  TEXT,
    closed_by      INTEGER REFERENCES users(id),
    close_authorised_by INTEGER REFERENCES users(id),
    contacts_released_at INTEGER,
    released_email TEXT,
    released_phone TEXT,
    released_username TEXT,
    avatar_hash    TEXT,
    allow_login    INTEGER NOT NULL DEFAULT 1 CHECK (allow_login IN (0, 1)),
    allow_transfer INTEGER NOT NULL DEFAULT 1 CHECK (allow_transfer IN (0, 1)),
    allow_withdraw INTEGER NOT NULL DEFAULT 1 CHECK (allow_withdraw IN (0, 1)),
    CHECK (email IS NOT NULL OR phone IS NOT NULL),
    CHECK ((username IS NULL) = (username_key IS NULL))
);

INSERT INTO users_new (id, email, phone, username, username_key, password_hash, status,
    created_at, updated_at, role, email_verified, phone_verified, display_name, real_name,
    gender, id_country, id_type, id_number, closed_at, closed_reason, closed_by,
    close_authorised_by, contacts_released_at, released_email, released_phone,
    released_username, avatar_hash, allow_login, allow_transfer, allow_withdraw)
SELECT id, email, phone, username, username_key, password_hash, status,
    created_at, updated_at, role, email_verified, phone_verified, display_name, real_name,
    gender, id_country, id_type, id_number, closed_at, closed_reason, closed_by,
    close_authorised_by, contacts_released_at, released_email, released_phone,
    released_username, avatar_hash, allow_login, allow_transfer, allow_withdraw
FROM users;

-- Ids are never reused, even those of rows deleted since: keep the counter.
DELETE FROM sqlite_sequence WHERE name = 'users_new';
INSERT INTO sqlite_sequence (name, seq)
    SELECT 'users_new', seq FROM sqlite_sequence WHERE name = 'users';

DROP TABLE users;
ALTER TABLE users_new RENAME TO users;

CREATE INDEX users_closed_unreleased ON users (closed_at)
    WHERE closed_at IS NOT NULL AND contacts_released_at IS NULL;
CREATE INDEX users_avatar_hash ON users (avatar_hash) WHERE avatar_hash IS NOT NULL;
CREATE INDEX users_created ON users (created_at, id);
-- Staff list pre-opened accounts (and other non-normal states) by state.
CREATE INDEX users_status ON users (status) WHERE status <> 'normal';

COMMIT;

PRAGMA foreign_keys = ON;
