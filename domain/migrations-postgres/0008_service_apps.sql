-- Other services that call the signed API: their encrypted secrets and the
-- transaction ids they have used (PostgreSQL translation of the SQLite 0008).

CREATE TABLE service_apps (
    app_id            TEXT PRIMARY KEY,
    name              TEXT NOT NULL,
    -- Nonce and ciphertext of the signing secret, base64.
    secret_nonce      TEXT NOT NULL,
    secret_encrypted  TEXT NOT NULL,
    -- Comma-separated: users:read, users:write, wallet:write, auth:check.
    scopes            TEXT NOT NULL,
    created_at        BIGINT NOT NULL,
    disabled_at       BIGINT
);

-- Each (app, transaction id) once: a replayed signed request is refused.
CREATE TABLE service_transactions (
    app_id          TEXT NOT NULL REFERENCES service_apps(app_id),
    transaction_id  TEXT NOT NULL,
    at              BIGINT NOT NULL,
    PRIMARY KEY (app_id, transaction_id)
);
