-- Audit rows record the caller's user agent beside the IP (PostgreSQL
-- translation of the SQLite 0012).
ALTER TABLE audit_log ADD COLUMN user_agent TEXT;
