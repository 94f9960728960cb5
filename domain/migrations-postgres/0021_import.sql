-- Importing users from another system: the imported ids, legacy password
-- hashes, and a `migration` system account kind for opening balances
-- (PostgreSQL translation of the SQLite 0021).
-- Differs: no WITHOUT ROWID; wallet_accounts_system_check is replaced in place
-- (ALTER TABLE) instead of rebuilding wallet_accounts; no PRAGMA or sqlite_sequence.

CREATE TABLE imported_users (
    import_id    TEXT PRIMARY KEY,
    user_id      BIGINT NOT NULL UNIQUE REFERENCES users(id),
    row_hash     TEXT NOT NULL,
    imported_at  BIGINT NOT NULL
);

-- Password hashes as the old system stored them, until the user's first sign-in.
CREATE TABLE legacy_passwords (
    user_id  BIGINT PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    scheme   TEXT NOT NULL CHECK (scheme IN
                 ('md5', 'md5(md5)', 'md5(salt+pw)', 'md5(pw+salt)', 'sha1', 'bcrypt', 'argon2')),
    -- Only the two salted MD5 schemes keep their salt apart.
    salt     TEXT,
    -- Lowercase hex for the digest schemes; the whole string for bcrypt and argon2.
    hash     TEXT NOT NULL,
    CHECK ((scheme IN ('md5(salt+pw)', 'md5(pw+salt)')) = (salt IS NOT NULL))
);

-- Opening balances are deposits from a per-currency `migration` system account.
ALTER TABLE wallet_accounts
    DROP CONSTRAINT wallet_accounts_system_check,
    ADD CONSTRAINT wallet_accounts_system_check
        CHECK (system IN ('external', 'fees', 'migration'));
