-- Identity on a shared server (docs/SECURITY.md). A tenant user who runs
-- commercectl is bound to one PostgreSQL login: a command's identity is the
-- session's login, mapped to its user here.
CREATE TABLE commercectl_logins (
    login   TEXT COLLATE "C" PRIMARY KEY,
    user_id BIGINT NOT NULL UNIQUE REFERENCES users (id) ON DELETE CASCADE
);

-- The group roles of this tenant on the server: one per tenant role, plus
-- "member" (every bound login) and "owner" (owns the tables, logs in never).
-- Role names are the server's, shared by every database on it: they are
-- chosen once, when the tenant is set up, and kept here.
CREATE TABLE commercectl_roles (
    role    TEXT COLLATE "C" PRIMARY KEY,
    pg_role TEXT COLLATE "C" NOT NULL UNIQUE
);

-- Writers queue on a lock of this table (beginWrite). LOCK TABLE needs a
-- write privilege on the table it locks; this one holds nothing, so the
-- privilege to take the lock is a privilege over nothing else.
CREATE TABLE commercectl_lock (
    id INTEGER PRIMARY KEY CHECK (id = 1)
);
