-- Requests past the retention period are deleted (a purge); their numbers
-- are not given again: the highest number ever given is kept here.
ALTER TABLE tenant ADD COLUMN request_numbers_used INTEGER NOT NULL DEFAULT 0;
