-- Verification codes, their send log (for rate limits), one-time security
-- tickets, image captchas, and the verified flags of contacts.

ALTER TABLE users ADD COLUMN email_verified INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN phone_verified INTEGER NOT NULL DEFAULT 0;

-- One row per code sent. Only a keyed hash of the code is stored.
CREATE TABLE verification_codes (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    -- Normalised contact, e.g. 'email:a@b.co' or 'phone:13900000000'.
    contact      TEXT NOT NULL,
    purpose      TEXT NOT NULL,
    code_hash    TEXT NOT NULL,
    -- The signed-in user who asked for it, if any.
    user_id      INTEGER REFERENCES users(id) ON DELETE CASCADE,
    created_at   INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL,
    attempts     INTEGER NOT NULL DEFAULT 0,
    -- Set when the code was used, replaced by a newer one, or died of too many attempts.
    consumed_at  INTEGER
);

CREATE INDEX verification_codes_by_contact ON verification_codes (contact, purpose, id);

-- Every send, including those to contacts without an account (so the limits
-- reveal nothing), for the per-contact cooldown and the daily caps.
CREATE TABLE code_sends (
    id       INTEGER PRIMARY KEY AUTOINCREMENT,
    contact  TEXT NOT NULL,
    ip       TEXT,
    at       INTEGER NOT NULL
);

CREATE INDEX code_sends_by_contact ON code_sends (contact, at);
CREATE INDEX code_sends_by_ip ON code_sends (ip, at);

-- A proof that a code was entered correctly, consumed by the one operation it unlocks.
CREATE TABLE security_tickets (
    -- SHA-256 of the ticket (`sid`) handed to the client.
    id_hash      TEXT PRIMARY KEY,
    contact      TEXT NOT NULL,
    purpose      TEXT NOT NULL,
    user_id      INTEGER REFERENCES users(id) ON DELETE CASCADE,
    created_at   INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL,
    consumed_at  INTEGER
);

CREATE TABLE captchas (
    -- SHA-256 of the key handed to the client.
    key_hash     TEXT PRIMARY KEY,
    -- Keyed hash of the upper-cased answer.
    answer_hash  TEXT NOT NULL,
    -- Rows are deleted when tried: each image allows one guess.
    expires_at   INTEGER NOT NULL
);
