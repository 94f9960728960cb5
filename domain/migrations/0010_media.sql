-- Avatars and private verification documents.
--
-- Image files live under the media directory, named by the SHA-256 of their
-- re-encoded bytes; the database only points at them. Avatars are public
-- (the hash is in their URL); documents are private and are read only
-- through the owner's or staff's authorised routes.

-- Lower-case hex SHA-256 of the 256 px avatar; NULL shows the default avatar.
ALTER TABLE users ADD COLUMN avatar_hash TEXT;

CREATE TABLE documents (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id          INTEGER NOT NULL REFERENCES users(id),
    -- Set when a submission references the document; NULL until then.
    verification_id  INTEGER REFERENCES verifications(id),
    kind             TEXT NOT NULL CHECK (kind IN ('id_front', 'id_back', 'qualification')),
    sha256           TEXT NOT NULL,
    -- Relative to the private media directory, e.g. documents/ab/abcd….jpg.
    path             TEXT NOT NULL,
    created_at       INTEGER NOT NULL
);

CREATE INDEX documents_by_user ON documents (user_id, id);
CREATE INDEX documents_by_verification ON documents (verification_id)
    WHERE verification_id IS NOT NULL;
-- Whether a stored avatar file is still used by anyone.
CREATE INDEX users_avatar_hash ON users (avatar_hash) WHERE avatar_hash IS NOT NULL;
