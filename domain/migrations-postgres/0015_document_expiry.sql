-- Indexes for expiring unattached documents and for finding rows that share
-- a file (PostgreSQL translation of the SQLite 0015).
CREATE INDEX documents_unattached ON documents (created_at) WHERE verification_id IS NULL;
CREATE INDEX documents_by_path ON documents (path);
