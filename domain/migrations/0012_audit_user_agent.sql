-- Audit rows record the caller's user agent beside the IP, whichever web
-- layer (REST, the UI's server functions) made the call.
ALTER TABLE audit_log ADD COLUMN user_agent TEXT;
