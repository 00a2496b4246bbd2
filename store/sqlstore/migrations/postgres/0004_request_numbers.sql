-- As migrations/sqlite/0006: a purged request's number is not given again.
ALTER TABLE tenant ADD COLUMN request_numbers_used INTEGER NOT NULL DEFAULT 0;
