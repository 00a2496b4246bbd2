-- Delivery of the outbox over SMTP (SPEC §12), as migrations/sqlite/0005:
-- the outbox stays append-only; how each e-mail fared is a row of its own.
CREATE TABLE deliveries (
    notification_id BIGINT PRIMARY KEY REFERENCES notifications (id),
    status          TEXT COLLATE "C" NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    message_id      TEXT COLLATE "C" NOT NULL,
    last_error      TEXT COLLATE "C" NOT NULL DEFAULT '',
    next_attempt_at TEXT COLLATE "C",
    sent_at         TEXT COLLATE "C",
    claim           TEXT COLLATE "C" NOT NULL DEFAULT '',
    claimed_until   TEXT COLLATE "C"
);
CREATE INDEX deliveries_status ON deliveries (status, next_attempt_at);
