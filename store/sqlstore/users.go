package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"strings"

	"github.com/commercectl/commercectl/store"
)

// insertUser adds a user with roles; the UPN must be valid and unused.
func (t *tx) insertUser(nu store.NewUser) (*store.User, error) {
	upn, err := store.ValidateUPN(nu.UPN)
	if err != nil {
		return nil, err
	}
	roles, err := canonicalRoles(nu.Roles)
	if err != nil {
		return nil, err
	}
	for field, v := range map[string]string{"display name": nu.DisplayName, "department": nu.Department} {
		if why := store.CheckName(strings.TrimSpace(v)); why != "" {
			return nil, store.Errorf(store.EINVALID, "the %s %s", field, why)
		}
	}
	var exists int
	if err := t.QueryRowContext(t.ctx, `SELECT count(*) FROM users WHERE upn_key = ?`, strings.ToLower(upn)).Scan(&exists); err != nil {
		return nil, err
	}
	if exists > 0 {
		return nil, store.Errorf(store.ECONFLICT, "a user %q already exists (UPNs are unique, whatever their case)", upn)
	}
	var id int64
	if err := t.QueryRowContext(t.ctx, `INSERT INTO users (upn, upn_key, display_name, department, created_at) VALUES (?, ?, ?, ?, ?) RETURNING id`,
		upn, strings.ToLower(upn), strings.TrimSpace(nu.DisplayName), strings.TrimSpace(nu.Department), fmtTime(t.now)).Scan(&id); err != nil {
		return nil, err
	}
	for _, r := range roles {
		if _, err := t.ExecContext(t.ctx, `INSERT INTO user_roles (user_id, role) VALUES (?, ?)`, id, r); err != nil {
			return nil, err
		}
	}
	return &store.User{UPN: upn, DisplayName: strings.TrimSpace(nu.DisplayName), Department: strings.TrimSpace(nu.Department),
		Roles: sortRoles(roles), CreatedAt: t.now}, nil
}

func canonicalRoles(in []string) ([]string, error) {
	out := []string{}
	for _, r := range in {
		c, ok := store.CanonicalRole(strings.TrimSpace(r))
		if !ok {
			return nil, store.Errorf(store.EINVALID, "unknown role %q", r).
				WithHint("roles are %s", strings.Join(store.Roles, ", "))
		}
		if !contains(out, c) {
			out = append(out, c)
		}
	}
	return out, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// AddUser adds a user. GlobalAdmin may give roles; UserAdmin may add members.
func (d *DB) AddUser(ctx context.Context, nu store.NewUser) (*store.User, error) {
	var u *store.User
	err := d.write(ctx, func(t *tx) error {
		if len(nu.Roles) > 0 {
			if err := t.requireRole("add a user with roles", store.RoleGlobalAdmin); err != nil {
				return err
			}
		} else if err := t.requireRole("add users", store.RoleGlobalAdmin, store.RoleUserAdmin); err != nil {
			return err
		}
		var err error
		if u, err = t.insertUser(nu); err != nil {
			return err
		}
		return t.audit("add-user", u.UPN, nil, u)
	})
	return u, err
}

// SetRole gives a user a role, or takes it away with remove. The last
// GlobalAdmin keeps that role, so the tenant is never left without one.
func (d *DB) SetRole(ctx context.Context, upn, role string, remove bool) (*store.User, error) {
	var u *store.User
	err := d.write(ctx, func(t *tx) error {
		if err := t.requireRole("change roles", store.RoleGlobalAdmin); err != nil {
			return err
		}
		r, ok := store.CanonicalRole(role)
		if !ok {
			return store.Errorf(store.EINVALID, "unknown role %q", role).WithHint("roles are %s", strings.Join(store.Roles, ", "))
		}
		before, id, err := t.findUser(upn)
		if err != nil {
			return err
		}
		if remove {
			if r == store.RoleGlobalAdmin && before.HasAnyRole(store.RoleGlobalAdmin) {
				var n int
				if err := t.QueryRowContext(t.ctx, `SELECT count(*) FROM user_roles WHERE role = ?`, store.RoleGlobalAdmin).Scan(&n); err != nil {
					return err
				}
				if n <= 1 {
					return store.Errorf(store.ECONFLICT, "%s is the last GlobalAdmin; the tenant must keep one", before.UPN).
						WithHint("give another user GlobalAdmin first")
				}
			}
			_, err = t.ExecContext(t.ctx, `DELETE FROM user_roles WHERE user_id = ? AND role = ?`, id, r)
		} else {
			_, err = t.ExecContext(t.ctx, `INSERT INTO user_roles (user_id, role) VALUES (?, ?) ON CONFLICT (user_id, role) DO NOTHING`, id, r)
		}
		if err != nil {
			return err
		}
		after := *before
		if after.Roles, err = t.rolesOf(id); err != nil {
			return err
		}
		u = &after
		// The server's groups follow the roles of a bound login, made
		// right again even when the roles did not change.
		if login, err := t.loginOf(id); err != nil {
			return err
		} else if login != "" {
			if err := t.eng.(serverRoles).syncLogin(t.ctx, t.querier, login, true, after.Roles); err != nil {
				return err
			}
		}
		if strings.Join(before.Roles, ",") == strings.Join(after.Roles, ",") {
			return nil // nothing changed, so nothing to audit
		}
		return t.audit("set-role", before.UPN, map[string]any{"roles": before.Roles}, map[string]any{"roles": after.Roles})
	})
	return u, err
}

// ListUsers lists users by UPN, optionally with one role or in one department.
func (d *DB) ListUsers(ctx context.Context, f store.UserFilter) ([]store.User, error) {
	users := []store.User{}
	err := d.EachUser(ctx, f, func(u *store.User) error {
		users = append(users, *u)
		return nil
	})
	return users, err
}

// EachUser streams the users ListUsers lists to fn, one at a time.
func (d *DB) EachUser(ctx context.Context, f store.UserFilter, fn func(*store.User) error) error {
	return d.read(ctx, func(t *tx) error {
		// SPEC §3: readers, and LicenseAdmin for users.
		if err := t.requireRole("list users", store.RoleGlobalAdmin, store.RoleBillingAdmin, store.RoleGlobalReader,
			store.RoleLicenseAdmin); err != nil {
			return err
		}
		q := `SELECT u.upn, u.display_name, u.department, u.created_at,
			coalesce((SELECT string_agg(role, ',') FROM user_roles r WHERE r.user_id = u.id), '')
			FROM users u WHERE 1 = 1`
		var args []any
		if f.Role != "" {
			r, ok := store.CanonicalRole(f.Role)
			if !ok {
				return store.Errorf(store.EINVALID, "unknown role %q", f.Role).WithHint("roles are %s", strings.Join(store.Roles, ", "))
			}
			q += ` AND EXISTS (SELECT 1 FROM user_roles r WHERE r.user_id = u.id AND r.role = ?)`
			args = append(args, r)
		}
		if f.Department != "" {
			q += ` AND lower(u.department) = lower(?)`
			args = append(args, f.Department)
		}
		rows, err := t.QueryContext(t.ctx, q+` ORDER BY u.upn_key`, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		var (
			u              store.User
			created, roles string
		)
		for rows.Next() {
			if err := rows.Scan(&u.UPN, &u.DisplayName, &u.Department, &created, &roles); err != nil {
				return err
			}
			u.CreatedAt = parseTime(created)
			u.Roles = []string{}
			if roles != "" {
				u.Roles = sortRoles(strings.Split(roles, ","))
			}
			if err := fn(&u); err != nil {
				return err
			}
		}
		return rows.Err()
	})
}

// LookupUser finds a user by UPN; connect uses it before an identity exists.
func (d *DB) LookupUser(ctx context.Context, upn string) (*store.User, error) {
	var u *store.User
	err := d.read(store.WithActor(ctx, ""), func(t *tx) error {
		var err error
		u, _, err = t.findUser(upn)
		return err
	})
	return u, err
}

// SetLogin binds a user to a login of the server (or unbinds it), and
// makes the login a member of the groups of the user's roles: from then
// on that login is the user, and nobody else (docs/SECURITY.md).
func (d *DB) SetLogin(ctx context.Context, upn, login string, remove bool) (*store.LoginBinding, error) {
	sr, ok := d.eng.(serverRoles)
	if !ok {
		return nil, store.Errorf(store.EINVALID, "%s is a %s file, which has no logins: set-login binds users to PostgreSQL logins", d.where, d.eng.name()).
			WithHint("on a file, whoever can write it owns the tenant (docs/SECURITY.md)")
	}
	var res *store.LoginBinding
	err := d.write(ctx, func(t *tx) error {
		if err := t.requireRole("bind logins", store.RoleGlobalAdmin); err != nil {
			return err
		}
		u, id, err := t.findUser(upn)
		if err != nil {
			return err
		}
		old, err := t.loginOf(id)
		if err != nil {
			return err
		}
		res = &store.LoginBinding{UPN: u.UPN, Login: old, Roles: u.Roles}
		if res.Roles == nil {
			res.Roles = []string{}
		}
		if remove {
			switch {
			case old == "":
				return nil // nothing bound: nothing to change
			case login != "" && login != old:
				return store.Errorf(store.ENOTFOUND, "%s is bound to the login %s, not %s", u.UPN, old, login)
			case t.locksOut(old):
				return store.Errorf(store.ECONFLICT, "%s is the login you are running as: unbinding it would lock you out", old).
					WithHint("another GlobalAdmin can unbind it")
			}
			if _, err := t.ExecContext(t.ctx, `DELETE FROM commercectl_logins WHERE login = ?`, old); err != nil {
				return err
			}
			if err := sr.syncLogin(t.ctx, t.querier, old, false, nil); err != nil {
				return err
			}
			res.Login = ""
			return t.audit("set-login", u.UPN, map[string]string{"login": old}, nil)
		}
		if login == "" {
			return store.Errorf(store.EINVALID, "name the login: --pg-role NAME")
		}
		if err := sr.loginRole(t.ctx, t.querier, login); err != nil {
			return err
		}
		var other string
		err = t.QueryRowContext(t.ctx, `SELECT u.upn FROM commercectl_logins b JOIN users u ON u.id = b.user_id WHERE b.login = ?`, login).Scan(&other)
		switch {
		case errors.Is(err, sql.ErrNoRows):
		case err != nil:
			return err
		case other != u.UPN:
			return store.Errorf(store.ECONFLICT, "the login %s is bound to %s already: one login is one person", login, other).
				WithHint("unbind it first: commercectl set-login %s --remove", other)
		}
		if old == login {
			// Bound already: nothing to change, but the groups are made
			// right again (a membership granted by hand goes).
			return sr.syncLogin(t.ctx, t.querier, login, true, u.Roles)
		}
		if t.locksOut(old) {
			return store.Errorf(store.ECONFLICT, "%s is the login you are running as: binding %s to another would lock you out", old, u.UPN).
				WithHint("another GlobalAdmin can, or run it logged in as %s", login)
		}
		if old != "" {
			if _, err := t.ExecContext(t.ctx, `DELETE FROM commercectl_logins WHERE login = ?`, old); err != nil {
				return err
			}
			if err := sr.syncLogin(t.ctx, t.querier, old, false, nil); err != nil {
				return err
			}
		}
		if err := t.bindLogin(sr, id, login, u.Roles); err != nil {
			return err
		}
		res.Login = login
		var before any
		if old != "" {
			before = map[string]string{"login": old}
		}
		return t.audit("set-login", u.UPN, before, map[string]string{"login": login})
	})
	return res, err
}

// locksOut reports that unbinding login would leave the session without
// an identity: it is the session's own, and the server does not let the
// session act as anyone anyway.
func (t *tx) locksOut(login string) bool {
	return login != "" && login == t.login && t.byLogin && !t.operator
}

// loginOf is the login bound to a user ("": none, or a file).
func (t *tx) loginOf(userID int64) (string, error) {
	if _, ok := t.eng.(serverRoles); !ok {
		return "", nil
	}
	var login string
	err := t.QueryRowContext(t.ctx, `SELECT login FROM commercectl_logins WHERE user_id = ?`, userID).Scan(&login)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return login, err
}

func (t *tx) bindLogin(sr serverRoles, userID int64, login string, roles []string) error {
	if _, err := t.ExecContext(t.ctx, `INSERT INTO commercectl_logins (login, user_id) VALUES (?, ?)`, login, userID); err != nil {
		return err
	}
	return sr.syncLogin(t.ctx, t.querier, login, true, roles)
}

// setUpServer makes the server enforce the tenant's roles, and binds
// admin to the login that set the tenant up (init, copy-tenant). Nothing
// to do on a file.
func (t *tx) setUpServer(admin string) error {
	sr, ok := t.eng.(serverRoles)
	if !ok {
		return nil
	}
	if err := sr.setUpRoles(t.ctx, t.querier); err != nil {
		return err
	}
	var login string
	if err := t.QueryRowContext(t.ctx, `SELECT session_user::text`).Scan(&login); err != nil {
		return err
	}
	u, id, err := t.findUser(admin)
	if err != nil {
		return err
	}
	if err := t.bindLogin(sr, id, login, u.Roles); err != nil {
		return err
	}
	// The login that set the tenant up owns no table of it any more.
	return sr.leaveOwner(t.ctx, t.querier)
}

// Identity is who runs the commands, and whether the server's login says so.
func (d *DB) Identity(ctx context.Context) (*store.Session, error) {
	var s *store.Session
	err := d.read(ctx, func(t *tx) error {
		if err := t.requireIdentity(); err != nil {
			return err
		}
		s = &store.Session{User: *t.actor, Login: t.login, ByLogin: t.byLogin}
		return nil
	})
	return s, err
}
