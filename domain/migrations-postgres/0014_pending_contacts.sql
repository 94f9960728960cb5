-- A contact given at sign-up that no code proved, kept off the account until
-- it is bound with a code (PostgreSQL translation of the SQLite 0014).
CREATE TABLE pending_contacts (
    user_id     BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    kind        TEXT NOT NULL CHECK (kind IN ('email', 'phone')),
    value       TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    PRIMARY KEY (user_id, kind)
);
