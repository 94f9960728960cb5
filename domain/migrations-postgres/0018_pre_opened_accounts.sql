-- Pre-opened accounts: users.status admits 'pre_opened', and staff list
-- non-normal accounts by state (PostgreSQL translation of the SQLite 0018).
-- Differs: the CHECK is replaced in place (ALTER TABLE) instead of rebuilding
-- users; no no-transaction line, PRAGMAs or sqlite_sequence copy.
ALTER TABLE users
    DROP CONSTRAINT users_status_check,
    ADD CONSTRAINT users_status_check
        CHECK (status IN ('normal', 'frozen', 'unreviewed', 'verify_failed', 'in_review',
                          'closed', 'pre_opened'));

-- Staff list pre-opened accounts (and other non-normal states) by state.
CREATE INDEX users_status ON users (status) WHERE status <> 'normal';
