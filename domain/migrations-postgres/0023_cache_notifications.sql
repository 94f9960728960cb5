-- Tells every server on this database which of its in-memory copies a
-- committed change made stale (domain/src/cache_sync.rs listens on channel
-- `uc_cache`). The triggers run inside the changing transaction, and
-- PostgreSQL delivers a transaction's notifications at its COMMIT, in commit
-- order: no change is missed, whichever server or command line made it.
-- Payloads: `s:<session id>` a session ended; `u:<user id>` an account's
-- sign-in state changed (status, allow_login, role, password: its sessions
-- are checked again); `c` a currency or alias changed; `a:<app id>` a
-- service app changed.
-- Differs: no SQLite counterpart (its 0023 does nothing).

CREATE FUNCTION uc_cache_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_TABLE_NAME = 'sessions' THEN
        PERFORM pg_notify('uc_cache', 's:' || OLD.id);
    ELSIF TG_TABLE_NAME = 'users' THEN
        PERFORM pg_notify('uc_cache', 'u:' || OLD.id);
    ELSIF TG_TABLE_NAME = 'service_apps' THEN
        PERFORM pg_notify('uc_cache', 'a:' || OLD.app_id);
    ELSE
        PERFORM pg_notify('uc_cache', 'c');
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER sessions_cache AFTER UPDATE OF revoked_at OR DELETE ON sessions
    FOR EACH ROW EXECUTE FUNCTION uc_cache_notify();
CREATE TRIGGER users_cache
    AFTER UPDATE OF status, allow_login, role, password_hash OR DELETE ON users
    FOR EACH ROW EXECUTE FUNCTION uc_cache_notify();
CREATE TRIGGER service_apps_cache AFTER UPDATE OR DELETE ON service_apps
    FOR EACH ROW EXECUTE FUNCTION uc_cache_notify();
CREATE TRIGGER currencies_cache AFTER INSERT OR UPDATE OR DELETE ON currencies
    FOR EACH STATEMENT EXECUTE FUNCTION uc_cache_notify();
CREATE TRIGGER currency_aliases_cache AFTER INSERT OR UPDATE OR DELETE ON currency_aliases
    FOR EACH STATEMENT EXECUTE FUNCTION uc_cache_notify();
