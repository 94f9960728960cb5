-- Which front system created an account, for deployments where the ukex
-- exchange and the ukexpay wallet share this user center (seed 003's
-- `source_type`: 1 = ukex, 2 = ukexpay). A side table, so accounts created
-- any other way simply have no row.
CREATE TABLE account_sources (
    user_id      INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    source_type  INTEGER NOT NULL CHECK (source_type IN (1, 2)),
    created_at   INTEGER NOT NULL
);
