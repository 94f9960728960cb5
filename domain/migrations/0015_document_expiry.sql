-- Unattached documents expire (see domain::upload_limits): the periodic
-- sweep finds them by age, and a removed row's file is deleted only when no
-- other row shares it (identical images are stored once).
CREATE INDEX documents_unattached ON documents (created_at) WHERE verification_id IS NULL;
CREATE INDEX documents_by_path ON documents (path);
