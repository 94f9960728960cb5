-- A contact given at sign-up that no code proved (the phone, when the email
-- was the one proven). It is not on the account: not unique-claimed, no
-- transfers to it, no sign-in or reset with it, and it does not stop its real
-- owner from registering it. Proving it (binding it with a code) moves it to
-- the account.
CREATE TABLE pending_contacts (
    user_id     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    kind        TEXT NOT NULL CHECK (kind IN ('email', 'phone')),
    value       TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    PRIMARY KEY (user_id, kind)
);
