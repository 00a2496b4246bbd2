-- The whole domain of commercectl. Times are TEXT in RFC 3339 UTC with whole
-- seconds (fixed width, so they sort as text); money is integer cents.
-- Only the INTEGER PRIMARY KEY row ids are SQLite's own: a PostgreSQL schema
-- spells them as identity columns, everything else is shared SQL.

CREATE TABLE tenant (
    id                      INTEGER PRIMARY KEY CHECK (id = 1),
    name                    TEXT NOT NULL,
    created_at              TEXT NOT NULL,
    request_process_on      INTEGER NOT NULL DEFAULT 0,
    request_process_message TEXT NOT NULL DEFAULT '',
    request_process_link    TEXT NOT NULL DEFAULT '',
    request_process_since   TEXT,
    request_retention_days  INTEGER NOT NULL DEFAULT 30 CHECK (request_retention_days > 0)
);

CREATE TABLE users (
    id           INTEGER PRIMARY KEY,
    upn          TEXT NOT NULL,
    upn_key      TEXT NOT NULL UNIQUE, -- lower(upn): UPNs are unique case-insensitively
    display_name TEXT NOT NULL DEFAULT '',
    department   TEXT NOT NULL DEFAULT '',
    created_at   TEXT NOT NULL
);
CREATE INDEX users_department ON users (department); -- dropped by 0002

CREATE TABLE user_roles (
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role    TEXT NOT NULL CHECK (role IN ('GlobalAdmin', 'BillingAdmin', 'LicenseAdmin', 'UserAdmin', 'GlobalReader')),
    PRIMARY KEY (user_id, role)
);
CREATE INDEX user_roles_role ON user_roles (role);

CREATE TABLE products (
    id                    TEXT PRIMARY KEY,
    name                  TEXT NOT NULL,
    publisher             TEXT NOT NULL,
    sku_part_number       TEXT NOT NULL DEFAULT '',
    sku_id                TEXT NOT NULL DEFAULT '',
    monthly_price_cents   INTEGER NOT NULL DEFAULT 0 CHECK (monthly_price_cents >= 0),
    trial_without_payment INTEGER NOT NULL DEFAULT 0,
    created_at            TEXT NOT NULL
);
CREATE INDEX products_sku ON products (sku_part_number); -- replaced by 0003

-- Old commerce ids stay valid names of the new ones.
CREATE TABLE product_aliases (
    alias      TEXT PRIMARY KEY,
    product_id TEXT NOT NULL REFERENCES products (id) ON DELETE CASCADE
);

CREATE TABLE service_plans (
    product_id    TEXT NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    name          TEXT NOT NULL,
    plan_id       TEXT NOT NULL DEFAULT '',
    friendly_name TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (product_id, name)
);

CREATE TABLE policies (
    id            TEXT PRIMARY KEY,
    description   TEXT NOT NULL,
    default_value TEXT NOT NULL
);

CREATE TABLE product_policies (
    policy_id  TEXT NOT NULL REFERENCES policies (id),
    product_id TEXT NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    value      TEXT NOT NULL CHECK (value IN ('Enabled', 'Disabled', 'OnlyTrialsWithoutPaymentMethod')),
    updated_at TEXT NOT NULL,
    PRIMARY KEY (policy_id, product_id)
);

CREATE TABLE offer_type_policies (
    policy_id  TEXT NOT NULL REFERENCES policies (id),
    offer_type TEXT NOT NULL,
    value      TEXT NOT NULL CHECK (value IN ('Enabled', 'Disabled')),
    updated_at TEXT NOT NULL,
    PRIMARY KEY (policy_id, offer_type)
);

CREATE TABLE subscriptions (
    id                  TEXT PRIMARY KEY,
    product_id          TEXT NOT NULL REFERENCES products (id),
    kind                TEXT NOT NULL CHECK (kind IN ('central', 'selfService', 'trial')),
    purchaser_id        INTEGER REFERENCES users (id),
    quantity            INTEGER NOT NULL CHECK (quantity >= 0),
    monthly_price_cents INTEGER NOT NULL CHECK (monthly_price_cents >= 0),
    created_at          TEXT NOT NULL,
    expires_at          TEXT NOT NULL,
    canceled_at         TEXT,
    cancel_reason       TEXT NOT NULL DEFAULT '',
    CHECK ((kind = 'central') = (purchaser_id IS NULL))
);
CREATE INDEX subscriptions_product ON subscriptions (product_id, kind);
CREATE INDEX subscriptions_purchaser ON subscriptions (purchaser_id);

-- A user holds at most one license per product.
CREATE TABLE licenses (
    id              INTEGER PRIMARY KEY,
    user_id         INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    product_id      TEXT NOT NULL REFERENCES products (id),
    subscription_id TEXT NOT NULL REFERENCES subscriptions (id),
    disabled_plans  TEXT NOT NULL DEFAULT '', -- service plan names, comma-separated
    assigned_at     TEXT NOT NULL,
    UNIQUE (user_id, product_id)
);
CREATE INDEX licenses_subscription ON licenses (subscription_id, assigned_at);
CREATE INDEX licenses_product ON licenses (product_id);

CREATE TABLE requests (
    id                  INTEGER PRIMARY KEY,
    product_id          TEXT NOT NULL REFERENCES products (id),
    requester_id        INTEGER NOT NULL REFERENCES users (id),
    requested_at        TEXT NOT NULL,
    status              TEXT NOT NULL DEFAULT 'Pending' CHECK (status IN ('Pending', 'Approved', 'PartiallyApproved', 'Denied')),
    decided_at          TEXT,
    decided_by_id       INTEGER REFERENCES users (id),
    assigned_product_id TEXT REFERENCES products (id),
    message             TEXT NOT NULL DEFAULT ''
);
CREATE INDEX requests_requested_at ON requests (requested_at);
CREATE INDEX requests_status ON requests (status, requested_at);

CREATE TABLE request_users (
    request_id     INTEGER NOT NULL REFERENCES requests (id) ON DELETE CASCADE,
    user_id        INTEGER NOT NULL REFERENCES users (id),
    decision       TEXT CHECK (decision IN ('approved', 'notAssigned', 'denied')),
    disabled_plans TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (request_id, user_id)
);

CREATE TABLE notifications (
    id         INTEGER PRIMARY KEY,
    to_upn     TEXT NOT NULL,
    kind       TEXT NOT NULL,
    subject    TEXT NOT NULL,
    body       TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX notifications_to ON notifications (to_upn, created_at);

CREATE TABLE audit_log (
    id         INTEGER PRIMARY KEY,
    at         TEXT NOT NULL,
    actor      TEXT NOT NULL,
    action     TEXT NOT NULL,
    target     TEXT NOT NULL,
    before     TEXT, -- JSON
    after      TEXT  -- JSON
);
CREATE INDEX audit_log_at ON audit_log (at);
CREATE INDEX audit_log_actor ON audit_log (actor, at);
