-- Notices to users (see domain/src/notifications): what each user switched
-- off, the language they chose for them, and the outbox every notice goes
-- through.

-- One row once a user saved their choices; no row: every notice on, and the
-- language of the request that caused a notice.
CREATE TABLE notification_preferences (
    user_id          INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    -- `en` or `zh-CN`; NULL: the language of the request that caused the notice.
    lang             TEXT CHECK (lang IS NULL OR lang IN ('en', 'zh-CN')),
    -- The notices a user may switch off. Security notices have no column:
    -- they are always sent.
    review_decided   INTEGER NOT NULL DEFAULT 1 CHECK (review_decided IN (0, 1)),
    account_unfrozen INTEGER NOT NULL DEFAULT 1 CHECK (account_unfrozen IN (0, 1)),
    money_received   INTEGER NOT NULL DEFAULT 1 CHECK (money_received IN (0, 1)),
    updated_at       INTEGER NOT NULL
);

-- Each notice, rendered in its language for its one destination when the
-- event happened, then sent (at once, and again with backoff after a
-- failure) until it is delivered or out of attempts.
CREATE TABLE notification_outbox (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id         INTEGER REFERENCES users(id) ON DELETE SET NULL,
    -- What happened, e.g. `pin_changed` (shared::notifications::NoticeKind).
    kind            TEXT NOT NULL,
    channel         TEXT NOT NULL CHECK (channel IN ('email', 'phone')),
    destination     TEXT NOT NULL,
    subject         TEXT NOT NULL,
    body            TEXT NOT NULL,
    -- Attempts started so far (counted when an attempt claims the row).
    attempts        INTEGER NOT NULL DEFAULT 0,
    -- Not before this time is the row tried again.
    next_attempt_at INTEGER NOT NULL,
    -- An attempt in flight holds the row until then, so the immediate send
    -- and the retry task never send it twice; a crash lets it lapse.
    claimed_until   INTEGER,
    last_error      TEXT,
    created_at      INTEGER NOT NULL,
    sent_at         INTEGER,
    -- Out of attempts: kept, with its last error, for staff to look into.
    gave_up_at      INTEGER
);
CREATE INDEX notification_outbox_due ON notification_outbox (next_attempt_at)
    WHERE sent_at IS NULL AND gave_up_at IS NULL;
CREATE INDEX notification_outbox_by_user ON notification_outbox (user_id, id);
