-- Argon2id verifiers over the password digests some seed clients send instead
-- of the password (MD5, MD5(MD5), SHA-1, java110's salted MD5). Never a bare
-- digest: each row is an argon2id PHC string computed over the digest's hex.
-- A password set in plaintext replaces all of a user's rows; an account whose
-- password is known only as a digest has an empty users.password_hash until
-- its first plaintext sign-in.
CREATE TABLE password_digests (
    user_id  INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    scheme   TEXT NOT NULL,
    verifier TEXT NOT NULL,
    PRIMARY KEY (user_id, scheme)
) WITHOUT ROWID;
