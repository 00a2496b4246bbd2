-- Delivery of the outbox over SMTP (SPEC §12). The outbox itself stays as
-- it was written, append-only; how each e-mail fared is a row of its own,
-- made when a run first claims the notification (none: pending, never tried).
CREATE TABLE deliveries (
    notification_id INTEGER PRIMARY KEY REFERENCES notifications (id),
    status          TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    message_id      TEXT NOT NULL,      -- stable: a message sent twice is recognised
    last_error      TEXT NOT NULL DEFAULT '',
    next_attempt_at TEXT,               -- a temporary failure's backoff
    sent_at         TEXT,
    claim           TEXT NOT NULL DEFAULT '', -- the run sending it now
    claimed_until   TEXT                -- when that claim lapses (a run killed)
);
CREATE INDEX deliveries_status ON deliveries (status, next_attempt_at);
