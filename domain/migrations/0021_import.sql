-- Importing users from another system (`server import users FILE`).

-- One row per imported user, under the id the import file gave it (the old
-- system's own user id, typically). A re-run finds the id here and changes
-- nothing; the same id with other content is refused. row_hash is the
-- SHA-256 of the row's canonical JSON.
CREATE TABLE imported_users (
    import_id    TEXT PRIMARY KEY,
    user_id      INTEGER NOT NULL UNIQUE REFERENCES users(id),
    row_hash     TEXT NOT NULL,
    imported_at  INTEGER NOT NULL
);

-- Password hashes as the old system stored them, until the user's first
-- sign-in proves the password and replaces the row by argon2id verifiers.
-- users.password_hash is empty while a row exists. Nothing here is ever
-- hashed again: every row goes when its user signs in (or resets the
-- password), so once everyone has, the table is empty.
CREATE TABLE legacy_passwords (
    user_id  INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    scheme   TEXT NOT NULL CHECK (scheme IN
                 ('md5', 'md5(md5)', 'md5(salt+pw)', 'md5(pw+salt)', 'sha1', 'bcrypt', 'argon2')),
    -- Only the two salted MD5 schemes keep their salt apart; bcrypt and
    -- argon2 carry it inside the hash.
    salt     TEXT,
    -- Lowercase hex for the digest schemes; the whole `$2b$…` or
    -- `$argon2id$…` string for bcrypt and argon2.
    hash     TEXT NOT NULL,
    CHECK ((scheme IN ('md5(salt+pw)', 'md5(pw+salt)')) = (salt IS NOT NULL))
) WITHOUT ROWID;

-- Opening balances are deposits from a per-currency `migration` system
-- account (created on first use), so the money that moved in stays apart
-- from later top-ups (`external`) and each currency still sums to zero.
-- SQLite cannot change a CHECK in place: the table is rebuilt under the same
-- name. The journal's references to it are checked at commit (deferred),
-- by which time every row is back with its old id.
PRAGMA defer_foreign_keys = ON;

CREATE TEMP TABLE wallet_accounts_copy AS SELECT * FROM wallet_accounts;
CREATE TEMP TABLE wallet_accounts_seq AS
    SELECT seq FROM sqlite_sequence WHERE name = 'wallet_accounts';

DROP TABLE wallet_accounts;

CREATE TABLE wallet_accounts (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    currency    TEXT NOT NULL REFERENCES currencies(code),
    user_id     INTEGER REFERENCES users(id),
    system      TEXT CHECK (system IN ('external', 'fees', 'migration')),
    posted      INTEGER NOT NULL DEFAULT 0,
    -- Held for pending operations; part of posted, not spendable.
    frozen      INTEGER NOT NULL DEFAULT 0 CHECK (frozen >= 0),
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    CHECK ((user_id IS NULL) <> (system IS NULL)),
    CHECK (system IS NOT NULL OR posted - frozen >= 0),
    CHECK (system IS NULL OR frozen = 0),
    UNIQUE (user_id, currency),
    UNIQUE (system, currency)
);

-- Fails (column count) rather than dropping a column someone added since.
INSERT INTO wallet_accounts SELECT * FROM temp.wallet_accounts_copy;
UPDATE sqlite_sequence
   SET seq = max(seq, coalesce((SELECT seq FROM temp.wallet_accounts_seq), 0))
 WHERE name = 'wallet_accounts';

DROP TABLE temp.wallet_accounts_copy;
DROP TABLE temp.wallet_accounts_seq;
