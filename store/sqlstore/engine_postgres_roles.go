package sqlstore

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"regexp"
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
// database db and schema: roles are the server's, shared by all its
// databases, so they carry the database's name, and the schema's unless
// it is public (shortened with a hash when long or not a plain
// identifier): every tenant on a server has its own.
func groupPrefix(db, schema string) string {
	if schema != "public" {
		db += "_" + schema
	}
	longest := 0
	for _, r := range groupRoles {
		longest = max(longest, len(r))
	}
	plain := strings.ToLower(db)
	room := pgMaxIdentifier - 1 - longest // "_" + the longest role
	if regexp.MustCompile(`^[a-z_][a-z0-9_]*$`).MatchString(plain) && len(plain) <= room {
		return plain
	}
	sum := sha256.Sum256([]byte(db))
	clean := strings.Trim(regexp.MustCompile(`[^a-z0-9_]+`).ReplaceAllString(plain, "_"), "_")
	if clean == "" || clean[0] >= '0' && clean[0] <= '9' {
		clean = "t_" + clean
	}
	return strings.TrimSuffix(clean[:min(len(clean), room-9)], "_") + "_" + hex.EncodeToString(sum[:])[:8]
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
REVOKE ALL ON DATABASE {db} FROM PUBLIC;
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

// rowPolicies are the rules table grants cannot say, as row-level
// security on the tables members write. Each table's readers see every
// row; what a role may write is bounded by the rows it names.
var rowPolicies = []struct{ table, name, rule string }{
	{"subscriptions", "read", `FOR SELECT TO {member} USING (true)`},
	{"subscriptions", "billing", `FOR ALL TO {GlobalAdmin}, {BillingAdmin} USING (true) WITH CHECK (true)`},
	// A purchaser buys and cancels only their own self-service subscriptions.
	{"subscriptions", "buy", `FOR INSERT TO {member} WITH CHECK (kind <> 'central' AND purchaser_id = ` + me + `)`},
	{"subscriptions", "own", `FOR UPDATE TO {member} USING (kind <> 'central' AND purchaser_id = ` + me + `)
		WITH CHECK (kind <> 'central' AND purchaser_id = ` + me + `)`},

	{"licenses", "read", `FOR SELECT TO {member} USING (true)`},
	{"licenses", "all", `FOR ALL TO {GlobalAdmin} USING (true) WITH CHECK (true)`},
	// License and user admins manage the organization's own pools.
	{"licenses", "licensing", `FOR ALL TO {LicenseAdmin}, {UserAdmin}
		USING (subscription_id IN (SELECT id FROM subscriptions WHERE kind = 'central'))
		WITH CHECK (subscription_id IN (SELECT id FROM subscriptions WHERE kind = 'central'))`},
	// A billing admin moves licenses only out of self-service and trial
	// subscriptions into central ones (takeover-subscription, centralize),
	// or ends them (takeover --cancel); it never gives one.
	{"licenses", "move", `FOR UPDATE TO {BillingAdmin}
		USING (subscription_id IN (SELECT id FROM subscriptions WHERE kind <> 'central'))
		WITH CHECK (subscription_id IN (SELECT id FROM subscriptions WHERE kind = 'central'))`},
	{"licenses", "takeover", `FOR DELETE TO {BillingAdmin}
		USING (subscription_id IN (SELECT id FROM subscriptions WHERE kind <> 'central'))`},
	// A purchaser manages the licenses of their own subscriptions (SPEC §8).
	{"licenses", "own", `FOR INSERT TO {member}
		WITH CHECK (subscription_id IN (SELECT id FROM subscriptions WHERE kind <> 'central' AND purchaser_id = ` + me + `))`},
	{"licenses", "own_drop", `FOR DELETE TO {member}
		USING (subscription_id IN (SELECT id FROM subscriptions WHERE kind <> 'central' AND purchaser_id = ` + me + `))`},

	// An entry of the audit log names its actor: a login appends only
	// entries in the name of its own user.
	{"audit_log", "read", `FOR SELECT TO {member} USING (true)`},
	{"audit_log", "append", `FOR INSERT TO {member}
		WITH CHECK (actor = (SELECT u.upn FROM commercectl_logins b JOIN users u ON u.id = b.user_id WHERE b.login = session_user))`},

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
		var canLogin sql.NullBool
		err := q.QueryRowContext(ctx, `SELECT rolcanlogin FROM pg_roles WHERE rolname = $1`, name).Scan(&canLogin)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			if _, err := q.ExecContext(ctx, `CREATE ROLE `+g[role]+` NOLOGIN`); err != nil {
				return err
			}
			if _, err := q.ExecContext(ctx, `COMMENT ON ROLE `+g[role]+` IS `+pgLiteral(fmt.Sprintf("commercectl: %s of the tenant in database %s", role, db))); err != nil {
				return err
			}
		case err != nil:
			return err
		case canLogin.Bool:
			return store.Errorf(store.ECONFLICT, "the server already has a login named %s, the name of this tenant's %s group", name, role).
				WithHint("drop or rename that login, or put the tenant in a database of another name")
		}
	}
	// The tables go to the owner role; the login setting up must be its
	// member to hand them over.
	if _, err := q.ExecContext(ctx, `GRANT `+g[groupOwner]+` TO CURRENT_USER`); err != nil {
		return err
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
	if _, err := q.ExecContext(ctx, r.Replace(serverGrants)); err != nil {
		return err
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
	return nil
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
// own login keeps, until the end, the admin option it grants with.
func (postgresEngine) syncLogin(ctx context.Context, q querier, login string, bound bool, roles []string) error {
	g, err := loadGroups(ctx, q)
	if err != nil {
		return err
	}
	who := pgx.Identifier{login}.Sanitize()
	want := map[string]bool{}
	admin := false
	if bound {
		want[groupMember] = true
	}
	for _, r := range roles {
		want[r] = true
		admin = admin || r == store.RoleGlobalAdmin
	}
	for _, role := range groupRoles[1:] {
		switch {
		case admin:
			// A GlobalAdmin grants and revokes the groups itself
			// (set-role, set-login): PostgreSQL 15 asks for the admin
			// option on each group, not through another role.
			_, err = q.ExecContext(ctx, `GRANT `+g[role]+` TO `+who+` WITH ADMIN OPTION`)
		case want[role]:
			_, err = q.ExecContext(ctx, `GRANT `+g[role]+` TO `+who)
		}
		if err != nil {
			return err
		}
	}
	for _, role := range groupRoles[1:] {
		switch {
		case !want[role] && !admin:
			_, err = q.ExecContext(ctx, `REVOKE `+g[role]+` FROM `+who)
		case want[role] && !admin:
			_, err = q.ExecContext(ctx, `REVOKE ADMIN OPTION FOR `+g[role]+` FROM `+who)
		}
		if err != nil {
			return err
		}
	}
	return nil
}
