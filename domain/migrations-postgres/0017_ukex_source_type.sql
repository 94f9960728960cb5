-- Which front system created an account (1 = ukex, 2 = ukexpay), a side
-- table (PostgreSQL translation of the SQLite 0017).
CREATE TABLE account_sources (
    user_id      BIGINT PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    source_type  BIGINT NOT NULL CHECK (source_type IN (1, 2)),
    created_at   BIGINT NOT NULL
);
