-- Personal data protection: field encryption, blind indexes and consent.

-- The data-encryption keys, each wrapped (XChaCha20-Poly1305) by the key-
-- encryption key that lives outside the database (UC_DATA_KEY or the
-- data-key file). `data` keys seal fields and document photos; the newest
-- one seals new writes, older ones are kept to open what they sealed until
-- a rotation has re-sealed it. The one `index` key computes the blind
-- indexes and is never rotated (that would change every index).
CREATE TABLE data_keys (
    id          INTEGER PRIMARY KEY,
    purpose     TEXT NOT NULL CHECK (purpose IN ('data', 'index')),
    -- base64 of the 24-byte nonce followed by the sealed 32-byte key.
    wrapped     TEXT NOT NULL,
    created_at  INTEGER NOT NULL
);

-- real_name and id_number now hold base64 ciphertext sealed under the data
-- key pii_key_id; NULL pii_key_id with a value present is a row written
-- before this migration, sealed in place when the server starts.
ALTER TABLE users ADD COLUMN pii_key_id INTEGER REFERENCES data_keys(id);
-- Keyed HMAC of the normalised ID number (with its type) and of the
-- case-folded real name: equality lookups without the plaintext.
ALTER TABLE users ADD COLUMN id_number_index TEXT;
ALTER TABLE users ADD COLUMN real_name_index TEXT;
CREATE INDEX users_by_id_number_index ON users (id_number_index)
    WHERE id_number_index IS NOT NULL;
CREATE INDEX users_by_real_name_index ON users (real_name_index)
    WHERE real_name_index IS NOT NULL;

ALTER TABLE verifications ADD COLUMN pii_key_id INTEGER REFERENCES data_keys(id);
ALTER TABLE verifications ADD COLUMN id_number_index TEXT;
CREATE INDEX verifications_by_id_number_index ON verifications (id_number_index)
    WHERE id_number_index IS NOT NULL;

-- The data key a document photo's file is sealed under; NULL: a plain JPEG
-- written before this migration, sealed when the server starts.
ALTER TABLE documents ADD COLUMN key_id INTEGER REFERENCES data_keys(id);

-- Separate consents (PIPL art. 29): one row per grant, closed by its
-- withdrawal. A purpose's consent is in force while its newest row has no
-- withdrawn_at and carries the current text's version.
CREATE TABLE consents (
    id            INTEGER PRIMARY KEY,
    user_id       INTEGER NOT NULL REFERENCES users(id),
    purpose       TEXT NOT NULL CHECK (purpose IN ('identity_documents')),
    version       INTEGER NOT NULL,
    given_at      INTEGER NOT NULL,
    withdrawn_at  INTEGER
);
CREATE INDEX consents_by_user ON consents (user_id, purpose, id);

-- Erasure requested when the account was closed: after the grace period
-- the personal fields and photos are deleted and the account pseudonymised.
ALTER TABLE users ADD COLUMN erasure_requested_at INTEGER;
ALTER TABLE users ADD COLUMN erased_at INTEGER;
CREATE INDEX users_erasure_due ON users (erasure_requested_at)
    WHERE erasure_requested_at IS NOT NULL AND erased_at IS NULL;

-- SQLite-only: the append-only trigger on audit_log is replaced by one that
-- also admits the erasure's pseudonymisation (ip and user_agent cleared,
-- details replaced by {"erased":true}, everything else unchanged), and
-- nothing else. `IS` compares NULL-safely. PostgreSQL: the plpgsql
-- function of audit_log_no_update raises unless the same condition holds
-- (`IS NOT DISTINCT FROM` for `IS`).
DROP TRIGGER audit_log_no_update;
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
WHEN NOT (NEW.id = OLD.id AND NEW.at = OLD.at AND NEW.action = OLD.action
          AND NEW.actor_id IS OLD.actor_id AND NEW.actor_app IS OLD.actor_app
          AND NEW.target_id IS OLD.target_id
          AND NEW.ip IS NULL AND NEW.user_agent IS NULL
          AND NEW.details = '{"erased":true}')
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
