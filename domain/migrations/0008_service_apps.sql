-- Other services that call the signed API: their secrets (encrypted, since
-- verifying an HMAC needs the secret itself) and the transaction ids they have used.

CREATE TABLE service_apps (
    app_id            TEXT PRIMARY KEY,
    name              TEXT NOT NULL,
    -- Nonce and ciphertext of the signing secret (ChaCha20-Poly1305 under a
    -- key derived from the server secret), base64.
    secret_nonce      TEXT NOT NULL,
    secret_encrypted  TEXT NOT NULL,
    -- Comma-separated: users:read, users:write, wallet:write, auth:check.
    scopes            TEXT NOT NULL,
    created_at        INTEGER NOT NULL,
    disabled_at       INTEGER
);

-- Each (app, transaction id) once: a replayed signed request is refused.
CREATE TABLE service_transactions (
    app_id          TEXT NOT NULL REFERENCES service_apps(app_id),
    transaction_id  TEXT NOT NULL,
    at              INTEGER NOT NULL,
    PRIMARY KEY (app_id, transaction_id)
);
