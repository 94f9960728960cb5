-- The wallet: a double-entry ledger in integer minor units.
--
-- Every movement is one immutable row of wallet_transfers from a debit account
-- (where money comes from) to a credit account (where it goes), written in the
-- same transaction as the balances it changes. Deposits and withdrawals go
-- through per-currency system accounts ('external' = the outside world, 'fees'),
-- so the posted balances of each currency always sum to zero.
-- Times are Unix seconds; booleans are 0/1 integers; the schema ports to
-- PostgreSQL apart from the id column types.

CREATE TABLE currencies (
    code        TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    -- Decimal places of the minor unit: 2 for CNY (fen), 8 for BTC (satoshi).
    scale       INTEGER NOT NULL CHECK (scale BETWEEN 0 AND 18),
    enabled     INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
    created_at  INTEGER NOT NULL DEFAULT 0
);

INSERT INTO currencies (code, name, scale) VALUES
    ('CNY', 'Chinese yuan', 2),
    ('USD', 'US dollar', 2),
    ('USDT', 'Tether', 6),
    ('BTC', 'Bitcoin', 8);

-- One account per (user, currency), created on first use, and one per
-- (system kind, currency). System accounts may go negative (the external
-- account is minus everything ever deposited net of withdrawals); user
-- accounts may not, and their available part (posted - frozen) may not either.
CREATE TABLE wallet_accounts (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    currency    TEXT NOT NULL REFERENCES currencies(code),
    user_id     INTEGER REFERENCES users(id),
    system      TEXT CHECK (system IN ('external', 'fees')),
    posted      INTEGER NOT NULL DEFAULT 0,
    -- Held for pending operations; part of posted, not spendable.
    frozen      INTEGER NOT NULL DEFAULT 0 CHECK (frozen >= 0),
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    CHECK ((user_id IS NULL) <> (system IS NULL)),
    CHECK (system IS NOT NULL OR posted - frozen >= 0),
    CHECK (system IS NULL OR frozen = 0),
    UNIQUE (user_id, currency),
    UNIQUE (system, currency)
);

INSERT INTO wallet_accounts (currency, system, created_at, updated_at)
SELECT code, kind, 0, 0 FROM currencies, (SELECT 'external' AS kind UNION ALL SELECT 'fees') AS kinds;

-- The journal. Rows are only ever inserted.
--   deposit:   external -> user            posted moves
--   withdraw:  user -> external            posted moves (from available)
--   transfer:  user -> user                posted moves (from available)
--   freeze:    user -> same user           only the user's frozen grows
--   unfreeze:  user -> same user           only the user's frozen shrinks
--   settle:    user -> external            posted and frozen both shrink
-- A hold is thus a journal row whose two sides are the same account: posted
-- is always (credits - debits) over all rows, holds included, and frozen is
-- (freezes - unfreezes - settles), so an auditor recomputes both from here.
CREATE TABLE wallet_transfers (
    id                    INTEGER PRIMARY KEY AUTOINCREMENT,
    kind                  TEXT NOT NULL
                          CHECK (kind IN ('deposit', 'withdraw', 'transfer', 'freeze', 'unfreeze', 'settle')),
    currency              TEXT NOT NULL REFERENCES currencies(code),
    debit_account         INTEGER NOT NULL REFERENCES wallet_accounts(id),
    credit_account        INTEGER NOT NULL REFERENCES wallet_accounts(id),
    amount                INTEGER NOT NULL CHECK (amount > 0),
    -- Both sides' balances right after this row, so history needs no replay.
    debit_posted_after    INTEGER NOT NULL,
    debit_frozen_after    INTEGER NOT NULL,
    credit_posted_after   INTEGER NOT NULL,
    credit_frozen_after   INTEGER NOT NULL,
    memo                  TEXT,
    -- Who asked: a user (the payer, or staff) or a named service.
    actor_user_id         INTEGER REFERENCES users(id),
    actor_service         TEXT,
    request_id            TEXT NOT NULL,
    created_at            INTEGER NOT NULL,
    CHECK ((actor_user_id IS NULL) <> (actor_service IS NULL)),
    CHECK ((kind IN ('freeze', 'unfreeze')) = (debit_account = credit_account))
);

CREATE INDEX wallet_transfers_by_debit ON wallet_transfers (debit_account, id);
CREATE INDEX wallet_transfers_by_credit ON wallet_transfers (credit_account, id);

-- Idempotency: a request id is used once per actor scope ('user:42',
-- 'service:payments'). Written in the same transaction as the movement, so a
-- retry either finds the finished result or runs as the first attempt.
CREATE TABLE wallet_requests (
    scope         TEXT NOT NULL,
    request_id    TEXT NOT NULL,
    -- SHA-256 of the normalised request, to refuse a reused id with new content.
    request_hash  TEXT NOT NULL,
    transfer_id   INTEGER NOT NULL REFERENCES wallet_transfers(id),
    -- The receipt returned the first time (JSON).
    result        TEXT NOT NULL,
    created_at    INTEGER NOT NULL,
    PRIMARY KEY (scope, request_id)
);

-- Payment PINs (argon2id) and their failure counters, one row per user.
CREATE TABLE payment_pins (
    user_id       INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    pin_hash      TEXT NOT NULL,
    -- Wrong PINs since the last right one or lock.
    failures      INTEGER NOT NULL DEFAULT 0,
    locked_until  INTEGER,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL
);
