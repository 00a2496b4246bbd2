package sqlstore

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/commercectl/commercectl/store"
	"github.com/jackc/pgx/v5"
)

// serverRoles is an engine whose server has logins and enforces grants:
// there, identity is the login and SPEC §3 is enforced by the server as
// well as by the domain (docs/SECURITY.md). PostgreSQL is one; a SQLite
// file has no logins, and whoever can write it owns the tenant.
type serverRoles interface {
	// setUpRoles creates the tenant's group roles if need be, hands its
	// tables to the owner role and grants each group what SPEC §3 allows.
	// It may run again: every step is idempotent. The login running it
	// is left a member of the owner role (an operator): an upgrade leaves
	// the login that owned the tables able to do what it could, bind
	// logins first of all. init and copy-tenant then leave it (leaveOwner).
	setUpRoles(ctx context.Context, q querier) error
	// leaveOwner ends the session login's membership of the owner role.
	leaveOwner(ctx context.Context, q querier) error
	// session tells who the connection logged in as.
	session(ctx context.Context, q querier) (*session, error)
	// loginRole checks that name is a role of the server that can log in.
	loginRole(ctx context.Context, q querier, name string) error
	// syncLogin makes login a member of exactly the groups of roles, and
	// of the member group while bound; unbound, of none.
	syncLogin(ctx context.Context, q querier, login string, bound bool, roles []string) error
}

// session is the login a connection runs as.
type session struct {
	login string
	// operator is a superuser or a member of the tenant's owner role: the
	// server lets it do anything, so it may act --as any user, as whoever
	// can write a SQLite file may.
	operator bool
	// bound is the UPN of the user the login is bound to ("": none).
	bound string
}

// The tenant's group roles: one per tenant role, "member" (every bound
// login: the member verbs of SPEC §8 and reading) and "owner" (owns the
// tables; no login is a member of it once the tenant is set up).
const (
	groupOwner  = "owner"
	groupMember = "member"
)

var groupRoles = append([]string{groupOwner, groupMember}, store.Roles...)

// groupPrefix is the start of the group role names of a tenant in
// database db and schema. Roles are the server's, shared by all its
// databases, so every tenant on a server needs its own: the names carry
// the database's name (and the schema's, unless public), folded to a
// plain identifier and shortened for a person to read, and a hash of the
// exact names, which tells apart what folding would merge ("Sales" and
// "sales", database a_b and database a in schema b).
func groupPrefix(db, schema string) string {
	longest := 0
	for _, r := range groupRoles {
		longest = max(longest, len(r))
	}
	sum := sha256.Sum256([]byte(db + "\x00" + schema))
	readable := db
	if schema != "public" {
		readable += "_" + schema
	}
	clean := strings.Trim(notIdentifier.ReplaceAllString(strings.ToLower(readable), "_"), "_")
	if clean == "" || clean[0] >= '0' && clean[0] <= '9' {
		clean = "t_" + clean
	}
	room := pgMaxIdentifier - 1 - longest - 9 // "_" + the longest role, "_" + 8 hex digits
	return strings.TrimSuffix(clean[:min(len(clean), room)], "_") + "_" + hex.EncodeToString(sum[:])[:8]
}

// notIdentifier is what folding turns into "_".
var notIdentifier = regexp.MustCompile(`[^a-z0-9_]+`)

// roleComment marks a group role as this tenant's: a role of that name
// that does not say so is someone else's, and is not taken over.
func roleComment(role, db, schema string) string {
	return fmt.Sprintf("commercectl: %s of the tenant in database %s, schema %s", role, db, schema)
}

// groups are the role names of this tenant, by group ("owner", "member",
// "GlobalAdmin", ...), as quoted identifiers.
type groups map[string]string

func loadGroups(ctx context.Context, q querier) (groups, error) {
	rows, err := q.QueryContext(ctx, `SELECT role, pg_role FROM commercectl_roles`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	g := groups{}
	for rows.Next() {
		var role, name string
		if err := rows.Scan(&role, &name); err != nil {
			return nil, err
		}
		g[role] = pgx.Identifier{name}.Sanitize()
	}
	return g, rows.Err()
}

// serverGrants is SPEC §3 as the server enforces it, table by table. Every
// bound login is a member: it reads the tenant, appends to the audit log
// and the outbox (no role may UPDATE or DELETE them), takes the writers'
// lock, and buys, cancels and asks for itself within the row policies
// below. Each tenant role adds the writes of its verbs, and no more.
const serverGrants = `
GRANT CONNECT, TEMPORARY ON DATABASE {db} TO {member};
GRANT USAGE ON SCHEMA {schema} TO {member};
GRANT SELECT ON {tables} TO {member};
GRANT INSERT ON audit_log, notifications TO {member};
GRANT UPDATE ON commercectl_lock TO {member};
GRANT INSERT, UPDATE (canceled_at, cancel_reason) ON subscriptions TO {member};
GRANT INSERT, DELETE ON licenses TO {member};
GRANT INSERT ON requests, request_users TO {member};

GRANT INSERT, UPDATE, DELETE ON tenant, users, user_roles, products, product_aliases, service_plans, policies,
	product_policies, offer_type_policies, subscriptions, licenses, requests, request_users, commercectl_logins TO {GlobalAdmin};
GRANT INSERT, UPDATE ON deliveries TO {GlobalAdmin};

GRANT INSERT, UPDATE, DELETE ON products, product_aliases, service_plans TO {BillingAdmin};
GRANT INSERT, UPDATE (value, updated_at) ON product_policies TO {BillingAdmin};
GRANT UPDATE (value, updated_at) ON offer_type_policies TO {BillingAdmin};
GRANT UPDATE (default_value) ON policies TO {BillingAdmin};
GRANT INSERT, UPDATE (quantity, canceled_at, cancel_reason) ON subscriptions TO {BillingAdmin};
GRANT UPDATE (subscription_id, product_id, assigned_at, disabled_plans), DELETE ON licenses TO {BillingAdmin};

GRANT INSERT, DELETE, UPDATE (disabled_plans) ON licenses TO {LicenseAdmin}, {UserAdmin};
GRANT INSERT ON users TO {UserAdmin};
`

// me is the tenant user the session's login is bound to. session_user is
// the login itself: SET ROLE changes current_user, not it, and only a
// superuser can change it.
const me = `(SELECT b.user_id FROM commercectl_logins b WHERE b.login = session_user)`

// myUPN is the UPN of that user.
const myUPN = `(SELECT u.upn FROM commercectl_logins b JOIN users u ON u.id = b.user_id WHERE b.login = session_user)`

// The subscriptions a license may be given from or moved to: of its
// product, not canceled.
const (
	openSubOf = `SELECT s.id FROM subscriptions s WHERE s.product_id = licenses.product_id AND s.canceled_at IS NULL`
	// A purchase or a trial at the product's terms, when the
	// AllowSelfServicePurchase policy lets members buy it (purchase.go
	// applies the same rules, and more, before it writes).
	selfServiceTerms = `canceled_at IS NULL AND purchaser_id = ` + me + ` AND (
		kind = 'selfService' AND monthly_price_cents = (SELECT p.monthly_price_cents FROM products p WHERE p.id = product_id)
			AND EXISTS (SELECT 1 FROM product_policies pp WHERE pp.product_id = subscriptions.product_id
				AND pp.policy_id = 'AllowSelfServicePurchase' AND pp.value = 'Enabled')
		OR kind = 'trial' AND quantity = 1 AND monthly_price_cents = 0
			AND EXISTS (SELECT 1 FROM product_policies pp WHERE pp.product_id = subscriptions.product_id
				AND pp.policy_id = 'AllowSelfServicePurchase' AND pp.value IN ('Enabled', 'OnlyTrialsWithoutPaymentMethod')))`
)

// rowPolicies are the rules table grants cannot say, as row-level
// security. Each names the rows a group may see or write; the domain's
// own rules, in Go, are checked before anything is written.
var rowPolicies = []struct{ table, name, rule string }{
	{"subscriptions", "read", `FOR SELECT TO {member} USING (true)`},
	{"subscriptions", "billing", `FOR ALL TO {GlobalAdmin}, {BillingAdmin} USING (true) WITH CHECK (true)`},
	// A purchaser buys at the product's terms, and cancels, only their
	// own self-service subscriptions; a canceled one stays canceled.
	{"subscriptions", "buy", `FOR INSERT TO {member} WITH CHECK (` + selfServiceTerms + `)`},
	{"subscriptions", "own", `FOR UPDATE TO {member} USING (kind <> 'central' AND purchaser_id = ` + me + ` AND canceled_at IS NULL)
		WITH CHECK (kind <> 'central' AND purchaser_id = ` + me + ` AND canceled_at IS NOT NULL)`},

	{"licenses", "read", `FOR SELECT TO {member} USING (true)`},
	{"licenses", "all", `FOR ALL TO {GlobalAdmin} USING (true) WITH CHECK (true)`},
	// License and user admins manage the organization's own pools.
	{"licenses", "licensing", `FOR ALL TO {LicenseAdmin}, {UserAdmin}
		USING (subscription_id IN (SELECT id FROM subscriptions WHERE kind = 'central'))
		WITH CHECK (subscription_id IN (` + openSubOf + ` AND s.kind = 'central'))`},
	// A billing admin moves licenses only out of open self-service and
	// trial subscriptions into central ones of the same product
	// (takeover-subscription, centralize), or ends them (takeover
	// --cancel); it never gives one.
	{"licenses", "move", `FOR UPDATE TO {BillingAdmin}
		USING (subscription_id IN (SELECT id FROM subscriptions WHERE kind <> 'central' AND canceled_at IS NULL))
		WITH CHECK (subscription_id IN (` + openSubOf + ` AND s.kind = 'central'))`},
	{"licenses", "takeover", `FOR DELETE TO {BillingAdmin}
		USING (subscription_id IN (SELECT id FROM subscriptions WHERE kind <> 'central'))`},
	// A purchaser manages the licenses of their own open subscriptions (SPEC §8).
	{"licenses", "own", `FOR INSERT TO {member}
		WITH CHECK (subscription_id IN (` + openSubOf + ` AND s.kind <> 'central' AND s.purchaser_id = ` + me + `))`},
	{"licenses", "own_drop", `FOR DELETE TO {member}
		USING (subscription_id IN (SELECT id FROM subscriptions WHERE kind <> 'central' AND purchaser_id = ` + me + `))`},

	// The audit log is read by the readers of SPEC §3 only. An entry names
	// its actor: a login appends only entries in the name of its own user.
	{"audit_log", "read", `FOR SELECT TO {GlobalAdmin}, {BillingAdmin}, {GlobalReader} USING (true)`},
	{"audit_log", "append", `FOR INSERT TO {member} WITH CHECK (actor = ` + myUPN + `)`},
	// The outbox: the readers see every e-mail, anyone else their own.
	{"notifications", "read", `FOR SELECT TO {GlobalAdmin}, {BillingAdmin}, {GlobalReader} USING (true)`},
	{"notifications", "own", `FOR SELECT TO {member} USING (to_upn = ` + myUPN + `)`},
	{"notifications", "append", `FOR INSERT TO {member} WITH CHECK (true)`},
	// Who is bound to which login is a GlobalAdmin's to see; a login sees itself.
	{"commercectl_logins", "read", `FOR SELECT TO {GlobalAdmin} USING (true)`},
	{"commercectl_logins", "self", `FOR SELECT TO {member} USING (login = session_user)`},
	// A GlobalAdmin binds the logins of others, never its own: bound for
	// a moment to another user, its login could append an entry of the
	// audit log in that user's name.
	{"commercectl_logins", "bind", `FOR INSERT TO {GlobalAdmin} WITH CHECK (login <> session_user)`},
	{"commercectl_logins", "rebind", `FOR UPDATE TO {GlobalAdmin} USING (login <> session_user) WITH CHECK (login <> session_user)`},
	{"commercectl_logins", "unbind", `FOR DELETE TO {GlobalAdmin} USING (login <> session_user)`},

	{"requests", "read", `FOR SELECT TO {member} USING (true)`},
	{"requests", "decide", `FOR ALL TO {GlobalAdmin} USING (true) WITH CHECK (true)`},
	// Anyone asks for themselves; only a GlobalAdmin decides.
	{"requests", "ask", `FOR INSERT TO {member} WITH CHECK (requester_id = ` + me + ` AND status = 'Pending' AND decided_at IS NULL)`},
	{"request_users", "read", `FOR SELECT TO {member} USING (true)`},
	{"request_users", "decide", `FOR ALL TO {GlobalAdmin} USING (true) WITH CHECK (true)`},
	{"request_users", "ask", `FOR INSERT TO {member}
		WITH CHECK (decision IS NULL AND request_id IN (SELECT id FROM requests WHERE requester_id = ` + me + `))`},
}

// serverTables are every table of a tenant on the server.
var serverTables = append(append([]string{}, tenantTables...), "commercectl_schema", "commercectl_logins", "commercectl_roles", "commercectl_lock")

// setUpLock is the advisory lock (of the database) setUpRoles holds: the
// grants on the database of tenants set up at once in its schemas would
// otherwise update one catalog row together, and one would fail.
const setUpLock = 0x636f6d6d // "comm"

func (postgresEngine) setUpRoles(ctx context.Context, q querier) error {
	if _, err := q.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, setUpLock); err != nil {
		return err
	}
	var db, schema string
	if err := q.QueryRowContext(ctx, `SELECT current_database(), current_schema()`).Scan(&db, &schema); err != nil {
		return err
	}
	g, err := loadGroups(ctx, q)
	if err != nil {
		return err
	}
	prefix := groupPrefix(db, schema)
	for _, role := range groupRoles {
		if g[role] != "" {
			continue
		}
		name := prefix + "_" + strings.ToLower(role)
		if _, err := q.ExecContext(ctx, `INSERT INTO commercectl_roles (role, pg_role) VALUES ($1, $2)`, role, name); err != nil {
			return err
		}
		g[role] = pgx.Identifier{name}.Sanitize()
	}
	for _, role := range groupRoles {
		name := strings.Trim(g[role], `"`)
		var comment sql.NullString
		err := q.QueryRowContext(ctx, `SELECT shobj_description(oid, 'pg_authid') FROM pg_roles WHERE rolname = $1`, name).Scan(&comment)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			if _, err := q.ExecContext(ctx, `CREATE ROLE `+g[role]+` NOLOGIN`); err != nil {
				return setUpError(err)
			}
			if _, err := q.ExecContext(ctx, `COMMENT ON ROLE `+g[role]+` IS `+pgLiteral(roleComment(role, db, schema))); err != nil {
				return setUpError(err)
			}
		case err != nil:
			return err
		case comment.String != roleComment(role, db, schema):
			return store.Errorf(store.ECONFLICT, "the server already has a role named %s that is not this tenant's %s group", name, role).
				WithHint("drop or rename that role, or put the tenant in a database of another name")
		}
	}
	// The tables go to the owner role; the login setting up must be its
	// member to hand them over (an upgrading operator may be already).
	var owning bool
	if err := q.QueryRowContext(ctx, `SELECT pg_has_role(current_user, $1, 'MEMBER')`, strings.Trim(g[groupOwner], `"`)).Scan(&owning); err != nil {
		return err
	}
	if !owning {
		if _, err := q.ExecContext(ctx, `GRANT `+g[groupOwner]+` TO CURRENT_USER`); err != nil {
			return setUpError(err)
		}
	}
	// A table's owner must be able to create in its schema.
	if _, err := q.ExecContext(ctx, `GRANT USAGE, CREATE ON SCHEMA `+pgx.Identifier{schema}.Sanitize()+` TO `+g[groupOwner]); err != nil {
		return err
	}
	for _, table := range serverTables {
		if _, err := q.ExecContext(ctx, `ALTER TABLE `+table+` OWNER TO `+g[groupOwner]); err != nil {
			return err
		}
	}
	subst := []string{"{db}", pgx.Identifier{db}.Sanitize(), "{schema}", pgx.Identifier{schema}.Sanitize(), "{tables}", strings.Join(serverTables, ", ")}
	for role, name := range g {
		subst = append(subst, "{"+role+"}", name)
	}
	r := strings.NewReplacer(subst...)
	if schema == "public" {
		// The tenant has the database to itself: nobody else may enter.
		// A tenant in a schema of a shared database leaves its door to the
		// database's owner; its schema is closed to everyone else.
		if _, err := q.ExecContext(ctx, r.Replace(`REVOKE CONNECT, TEMPORARY ON DATABASE {db} FROM PUBLIC`)); err != nil {
			return setUpError(err)
		}
	}
	if _, err := q.ExecContext(ctx, r.Replace(serverGrants)); err != nil {
		return setUpError(err)
	}
	enabled := map[string]bool{}
	for _, p := range rowPolicies {
		if !enabled[p.table] {
			if _, err := q.ExecContext(ctx, `ALTER TABLE `+p.table+` ENABLE ROW LEVEL SECURITY`); err != nil {
				return err
			}
			enabled[p.table] = true
		}
		name := "commercectl_" + p.name
		if _, err := q.ExecContext(ctx, `DROP POLICY IF EXISTS `+name+` ON `+p.table); err != nil {
			return err
		}
		if _, err := q.ExecContext(ctx, `CREATE POLICY `+name+` ON `+p.table+` `+r.Replace(p.rule)); err != nil {
			return err
		}
	}
	return resyncGroups(ctx, q, g)
}

// resyncGroups makes the groups' members exactly the bound logins, each
// in the groups of its user's roles: a group of the same name may have
// kept the members of a tenant replaced since (init --force, a database
// dropped and made again), and a membership granted by hand in between
// is not the domain's. The owner role keeps only the login setting up.
func resyncGroups(ctx context.Context, q querier, g groups) error {
	rows, err := q.QueryContext(ctx, `SELECT c.role, m.rolname FROM commercectl_roles c JOIN pg_roles r ON r.rolname = c.pg_role
		JOIN pg_auth_members a ON a.roleid = r.oid JOIN pg_roles m ON m.oid = a.member
		WHERE NOT (c.role = 'owner' AND m.rolname = current_user)
		AND (c.role = 'owner' OR m.rolname NOT IN (SELECT login FROM commercectl_logins))`)
	if err != nil {
		return err
	}
	var stale [][2]string
	for rows.Next() {
		var role, member string
		if err := rows.Scan(&role, &member); err != nil {
			rows.Close()
			return err
		}
		stale = append(stale, [2]string{role, member})
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, s := range stale {
		if _, err := q.ExecContext(ctx, `REVOKE `+g[s[0]]+` FROM `+pgx.Identifier{s[1]}.Sanitize()); err != nil {
			return setUpError(err)
		}
	}
	bound, err := q.QueryContext(ctx, `SELECT b.login, coalesce(string_agg(r.role, ',' ORDER BY r.role), '') FROM commercectl_logins b
		LEFT JOIN user_roles r ON r.user_id = b.user_id GROUP BY b.login ORDER BY b.login`)
	if err != nil {
		return err
	}
	logins := map[string][]string{}
	for bound.Next() {
		var login, roles string
		if err := bound.Scan(&login, &roles); err != nil {
			bound.Close()
			return err
		}
		logins[login] = nil
		if roles != "" {
			logins[login] = strings.Split(roles, ",")
		}
	}
	bound.Close()
	if err := bound.Err(); err != nil {
		return err
	}
	for login, roles := range logins {
		if err := syncLoginGroups(ctx, q, login, true, roles); err != nil {
			return setUpError(err)
		}
	}
	return nil
}

// setUpError is a refusal of the server while a tenant's roles are set up,
// with what the login needs.
func setUpError(err error) error {
	if pgCode(err) == pgInsufficientPriv {
		return store.Errorf(store.EFORBIDDEN, "the server refused to set the tenant's roles up: %s", pgMessage(err)).
			WithHint("init, copy-tenant and upgrades on a server need a login that owns the database and may create roles (CREATEROLE), or a superuser")
	}
	return err
}

func (postgresEngine) leaveOwner(ctx context.Context, q querier) error {
	g, err := loadGroups(ctx, q)
	if err != nil {
		return err
	}
	_, err = q.ExecContext(ctx, `REVOKE `+g[groupOwner]+` FROM CURRENT_USER`)
	return err
}

// notBound refuses a login bound to no user of the tenant.
func notBound(login string) error {
	return store.Errorf(store.EFORBIDDEN, "the login %s is not bound to a user of this tenant", login).
		WithHint("a GlobalAdmin binds it: commercectl set-login UPN --pg-role %s", login)
}

func pgLiteral(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

func (e postgresEngine) session(ctx context.Context, q querier) (*session, error) {
	if e.empty {
		// init and copy-tenant: nobody is bound to anything yet.
		return &session{operator: true}, nil
	}
	s := &session{}
	err := q.QueryRowContext(ctx, `SELECT session_user::text,
		r.rolsuper OR coalesce((SELECT pg_has_role(session_user, o.oid, 'MEMBER') FROM commercectl_roles c JOIN pg_roles o ON o.rolname = c.pg_role
			WHERE c.role = 'owner'), false),
		coalesce((SELECT u.upn FROM commercectl_logins b JOIN users u ON u.id = b.user_id WHERE b.login = session_user), '')
		FROM pg_roles r WHERE r.rolname = session_user`).Scan(&s.login, &s.operator, &s.bound)
	return s, err
}

func (postgresEngine) loginRole(ctx context.Context, q querier, name string) error {
	var canLogin bool
	err := q.QueryRowContext(ctx, `SELECT rolcanlogin FROM pg_roles WHERE rolname = $1`, name).Scan(&canLogin)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return store.Errorf(store.ENOTFOUND, "the server has no role %s", store.QuoteShort(name)).
			WithHint("its administrator creates it first: CREATE ROLE %s LOGIN PASSWORD '...'", pgx.Identifier{name}.Sanitize())
	case err != nil:
		return err
	case !canLogin:
		return store.Errorf(store.EINVALID, "the role %s cannot log in: bind a login, not a group", name)
	}
	g, err := loadGroups(ctx, q)
	if err != nil {
		return err
	}
	for _, quoted := range g {
		if strings.Trim(quoted, `"`) == name {
			return store.Errorf(store.EINVALID, "%s is one of this tenant's own groups, not a person's login", name)
		}
	}
	return nil
}

// syncLogin grants first and revokes after: a GlobalAdmin changing its
// own login keeps, until the end, the admin option it grants with. It
// changes only what differs, so that making right what is right asks for
// no privilege (an upgrade by an operator who is not a GlobalAdmin).
func (postgresEngine) syncLogin(ctx context.Context, q querier, login string, bound bool, roles []string) error {
	return syncLoginGroups(ctx, q, login, bound, roles)
}

func syncLoginGroups(ctx context.Context, q querier, login string, bound bool, roles []string) error {
	g, err := loadGroups(ctx, q)
	if err != nil {
		return err
	}
	type membership struct{ member, admin bool }
	have := map[string]membership{}
	rows, err := q.QueryContext(ctx, `SELECT c.role, a.admin_option FROM commercectl_roles c JOIN pg_roles r ON r.rolname = c.pg_role
		JOIN pg_auth_members a ON a.roleid = r.oid JOIN pg_roles m ON m.oid = a.member WHERE m.rolname = $1`, login)
	if err != nil {
		return err
	}
	for rows.Next() {
		var role string
		var admin bool
		if err := rows.Scan(&role, &admin); err != nil {
			rows.Close()
			return err
		}
		have[role] = membership{true, admin}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	want := map[string]membership{}
	admin := false
	for _, r := range roles {
		admin = admin || r == store.RoleGlobalAdmin
	}
	for _, role := range groupRoles[1:] {
		switch {
		case !bound:
		case admin:
			// A GlobalAdmin grants and revokes the groups itself
			// (set-role, set-login): PostgreSQL 15 asks for the admin
			// option on each group, not through another role.
			want[role] = membership{true, true}
		case role == groupMember || slices.Contains(roles, role):
			want[role] = membership{true, false}
		}
	}
	who := pgx.Identifier{login}.Sanitize()
	for _, role := range groupRoles[1:] {
		w, h := want[role], have[role]
		switch {
		case w.member && w.admin && !h.admin:
			_, err = q.ExecContext(ctx, `GRANT `+g[role]+` TO `+who+` WITH ADMIN OPTION`)
		case w.member && !h.member:
			_, err = q.ExecContext(ctx, `GRANT `+g[role]+` TO `+who)
		}
		if err != nil {
			return err
		}
	}
	for _, role := range groupRoles[1:] {
		w, h := want[role], have[role]
		switch {
		case !w.member && h.member:
			_, err = q.ExecContext(ctx, `REVOKE `+g[role]+` FROM `+who)
		case w.member && !w.admin && h.admin:
			_, err = q.ExecContext(ctx, `REVOKE ADMIN OPTION FOR `+g[role]+` FROM `+who)
		}
		if err != nil {
			return err
		}
	}
	return nil
}
