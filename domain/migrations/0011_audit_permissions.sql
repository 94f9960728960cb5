-- Per-user permission flags and the audit log.

-- Flags staff set on one account, beyond its status. They are read inside
-- the operation they guard (sign-in, the ledger transaction), so a change
-- takes effect on the next request.
ALTER TABLE users ADD COLUMN allow_login INTEGER NOT NULL DEFAULT 1
    CHECK (allow_login IN (0, 1));
ALTER TABLE users ADD COLUMN allow_transfer INTEGER NOT NULL DEFAULT 1
    CHECK (allow_transfer IN (0, 1));
ALTER TABLE users ADD COLUMN allow_withdraw INTEGER NOT NULL DEFAULT 1
    CHECK (allow_withdraw IN (0, 1));

CREATE INDEX users_created ON users (created_at, id);

-- Every staff action and every security-relevant user event. Rows are only
-- ever inserted: the triggers below refuse updates and deletes, so not even
-- a bug in this code can rewrite history.
CREATE TABLE audit_log (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    at          INTEGER NOT NULL,
    -- Who did it: a user (staff or the user themself), NULL for the system
    -- or an anonymous caller (a failed sign-in).
    actor_id    INTEGER REFERENCES users(id),
    -- A service app acting through the signed API.
    actor_app   TEXT,
    -- Whom it concerns.
    target_id   INTEGER REFERENCES users(id),
    action      TEXT NOT NULL,
    ip          TEXT,
    -- A small JSON object with the particulars (reason, amount, identifier).
    details     TEXT NOT NULL DEFAULT '{}'
);

CREATE INDEX audit_by_time ON audit_log (at, id);
CREATE INDEX audit_by_target ON audit_log (target_id, id);
CREATE INDEX audit_by_actor ON audit_log (actor_id, id);
CREATE INDEX audit_by_action ON audit_log (action, id);

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;

CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
