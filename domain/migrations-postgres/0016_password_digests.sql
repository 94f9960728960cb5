-- Argon2id verifiers over the password digests some seed clients send
-- instead of the password (PostgreSQL translation of the SQLite 0016).
-- Differs: no WITHOUT ROWID clause; the composite primary key stays.
CREATE TABLE password_digests (
    user_id  BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    scheme   TEXT NOT NULL,
    verifier TEXT NOT NULL,
    PRIMARY KEY (user_id, scheme)
);
