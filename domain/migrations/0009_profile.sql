-- Profiles, real-name and qualification reviews, and closed accounts.
--
-- users.status keeps the account state proper: 'normal', 'frozen' or
-- 'closed' (the other legacy values are never written by this code). Whether
-- the person is verified lives in `verifications`, so a pending review does
-- not lock anyone out; the seed's combined 0..5 code is computed from both.

-- The profile. ID numbers are stored in full (upper-case) and masked on the
-- way out; only staff read them whole.
ALTER TABLE users ADD COLUMN display_name TEXT;
ALTER TABLE users ADD COLUMN real_name TEXT;
ALTER TABLE users ADD COLUMN gender TEXT NOT NULL DEFAULT 'unspecified'
    CHECK (gender IN ('unspecified', 'male', 'female'));
ALTER TABLE users ADD COLUMN id_country TEXT NOT NULL DEFAULT 'CN';
ALTER TABLE users ADD COLUMN id_type TEXT NOT NULL DEFAULT 'mainland_id'
    CHECK (id_type IN ('mainland_id', 'passport', 'other'));
ALTER TABLE users ADD COLUMN id_number TEXT;

-- Closing is a soft delete: the row stays for the ledger and the audit.
ALTER TABLE users ADD COLUMN closed_at INTEGER;
ALTER TABLE users ADD COLUMN closed_reason TEXT;
-- NULL when the owners closed it themselves.
ALTER TABLE users ADD COLUMN closed_by INTEGER REFERENCES users(id);
ALTER TABLE users ADD COLUMN close_authorised_by INTEGER REFERENCES users(id);
-- After the grace period the contacts are moved here, freeing them for a new
-- sign-up; the originals stay on record.
ALTER TABLE users ADD COLUMN contacts_released_at INTEGER;
ALTER TABLE users ADD COLUMN released_email TEXT;
ALTER TABLE users ADD COLUMN released_phone TEXT;
ALTER TABLE users ADD COLUMN released_username TEXT;

CREATE INDEX users_closed_unreleased ON users (closed_at)
    WHERE closed_at IS NOT NULL AND contacts_released_at IS NULL;

-- Every submission is a row; the latest row of a (user, kind) is its state,
-- no row means unverified. Rows are updated only by the one review.
CREATE TABLE verifications (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id       INTEGER NOT NULL REFERENCES users(id),
    kind          TEXT NOT NULL CHECK (kind IN ('real_name', 'qualification')),
    state         TEXT NOT NULL CHECK (state IN ('pending', 'verified', 'rejected')),
    -- real_name: the name and mainland ID number submitted.
    real_name     TEXT,
    id_number     TEXT,
    -- qualification: what the document is (a licence number, a description).
    document      TEXT,
    reason        TEXT,
    submitted_at  INTEGER NOT NULL,
    reviewed_at   INTEGER,
    reviewed_by   INTEGER REFERENCES users(id),
    CHECK ((state = 'rejected') = (reason IS NOT NULL)),
    CHECK ((state = 'pending') = (reviewed_at IS NULL)),
    CHECK (kind <> 'real_name' OR (real_name IS NOT NULL AND id_number IS NOT NULL)),
    CHECK (kind <> 'qualification' OR document IS NOT NULL)
);

CREATE INDEX verifications_by_user ON verifications (user_id, kind, id);
-- At most one submission of a kind awaits review.
CREATE UNIQUE INDEX verifications_one_pending ON verifications (user_id, kind)
    WHERE state = 'pending';
-- The staff review queue.
CREATE INDEX verifications_pending ON verifications (kind, submitted_at)
    WHERE state = 'pending';
