-- Roles (group 1 = super admin, 2 = everyone else, for clients that use groups)
-- and the devices a user has bound to the account.

ALTER TABLE users ADD COLUMN role TEXT NOT NULL DEFAULT 'user'
    CHECK (role IN ('user', 'staff', 'super_admin'));

CREATE TABLE devices (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id       INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    -- The client's own identifier for the device.
    device_id     TEXT NOT NULL,
    name          TEXT NOT NULL,
    os            TEXT NOT NULL,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL,
    UNIQUE (user_id, device_id)
);
