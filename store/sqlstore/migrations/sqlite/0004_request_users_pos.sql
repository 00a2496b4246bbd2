-- The users of a request keep the order the requester named them in. It
-- was SQLite's rowid, which no other engine has: it is now a column, which
-- copy-tenant carries to a server and back.
ALTER TABLE request_users ADD COLUMN pos INTEGER NOT NULL DEFAULT 0;
UPDATE request_users SET pos = rowid;
