package sqlite

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/commercectl/commercectl/store"
)

// timeLayout is RFC 3339 UTC with whole seconds: fixed width, so it sorts as text.
const timeLayout = "2006-01-02T15:04:05Z"

func fmtTime(t time.Time) string { return t.UTC().Format(timeLayout) }

func parseTime(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}
	}
	return t.UTC()
}

func parseNullTime(s sql.NullString) *time.Time {
	if !s.Valid || s.String == "" {
		return nil
	}
	t := parseTime(s.String)
	return &t
}

// tx is one operation: its transaction, the time it runs at, and who runs it.
type tx struct {
	querier
	ctx   context.Context
	now   time.Time
	actor *store.User // nil when the command runs without an identity
	// actorID is the users.id of actor.
	actorID int64
	// audited is set by audit: every change writes an audit entry (SPEC §9),
	// so a transaction without one changed nothing.
	audited bool
}

// querier runs an operation's statements: the *sql.Tx of a write, the
// *sql.Conn of a read.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	PrepareContext(ctx context.Context, query string) (*sql.Stmt, error)
}

// read runs fn in a read-only (deferred) transaction: it never takes the
// write lock. It is a BEGIN on one pooled connection, not db.BeginTx: a
// *sql.Tx starts a goroutine to watch its context, and waking a second
// thread for it costs a one-shot read verb more than its queries do
// (docs/PERFORMANCE.md).
func (d *DB) read(ctx context.Context, fn func(*tx) error) error {
	conn, err := d.db.Conn(ctx)
	if err != nil {
		return d.wrap(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "BEGIN"); err != nil {
		return d.wrap(err)
	}
	defer func() {
		// A connection that cannot end its transaction does not go back
		// to the pool still inside it: ErrBadConn has database/sql close it.
		if _, err := conn.ExecContext(context.Background(), "ROLLBACK"); err != nil {
			_ = conn.Raw(func(any) error { return driver.ErrBadConn })
		}
	}()
	t := &tx{querier: conn, ctx: ctx, now: store.Now(ctx)}
	if err := t.loadActor(); err != nil {
		return d.wrap(err)
	}
	return d.wrap(fn(t))
}

// write runs fn in an immediate transaction and commits it, unless fn fails
// or ctx is a dry run: then everything fn did is rolled back.
func (d *DB) write(ctx context.Context, fn func(*tx) error) error {
	sqlTx, err := d.db.BeginTx(ctx, nil)
	if err != nil {
		return d.wrap(err)
	}
	defer sqlTx.Rollback()
	t := &tx{querier: sqlTx, ctx: ctx, now: store.Now(ctx)}
	if err := t.loadActor(); err != nil {
		return d.wrap(err)
	}
	if err := fn(t); err != nil {
		return d.wrap(err)
	}
	if store.IsDryRun(ctx) {
		return nil
	}
	if err := sqlTx.Commit(); err != nil {
		return d.wrap(err)
	}
	d.changed = d.changed || t.audited
	return nil
}

func (t *tx) loadActor() error {
	upn := store.ActorFrom(t.ctx)
	if upn == "" {
		return nil
	}
	u, id, err := t.findUser(upn)
	if err != nil {
		if store.ErrorCode(err) == store.ENOTFOUND {
			return store.Errorf(store.EFORBIDDEN, "identity %q is not a user of this tenant", upn).
				WithHint("connect as an existing user: commercectl connect --as UPN")
		}
		return err
	}
	t.actor, t.actorID = u, id
	return nil
}

// requireIdentity refuses commands run by nobody.
func (t *tx) requireIdentity() error {
	if t.actor == nil {
		return store.Errorf(store.EFORBIDDEN, "no identity: this command needs to know who runs it").
			WithHint("run commercectl connect --as UPN, or pass --as UPN")
	}
	return nil
}

// requireRole refuses the command unless the actor holds one of roles.
func (t *tx) requireRole(what string, roles ...string) error {
	if err := t.requireIdentity(); err != nil {
		return err
	}
	if !t.actor.HasAnyRole(roles...) {
		return store.Errorf(store.EFORBIDDEN, "%s may not %s", t.actor.UPN, what).
			WithHint("this needs one of the roles %s", strings.Join(roles, ", "))
	}
	return nil
}

// actorName is what the audit log records as the actor.
func (t *tx) actorName() string {
	if t.actor == nil {
		return "commercectl"
	}
	return t.actor.UPN
}

// audit records a change; before and after are stored as JSON.
func (t *tx) audit(action, target string, before, after any) error {
	enc := func(v any) (sql.NullString, error) {
		if v == nil {
			return sql.NullString{}, nil
		}
		b, err := json.Marshal(v)
		return sql.NullString{String: string(b), Valid: true}, err
	}
	b, err := enc(before)
	if err != nil {
		return err
	}
	a, err := enc(after)
	if err != nil {
		return err
	}
	if _, err := t.ExecContext(t.ctx, `INSERT INTO audit_log (at, actor, action, target, before, after) VALUES (?, ?, ?, ?, ?, ?)`,
		fmtTime(t.now), t.actorName(), action, target, b, a); err != nil {
		return err
	}
	t.audited = true
	return nil
}

// notify writes an e-mail to the outbox in the same transaction as the change.
func (t *tx) notify(to, kind, subject, body string) error {
	_, err := t.ExecContext(t.ctx, `INSERT INTO notifications (to_upn, kind, subject, body, created_at) VALUES (?, ?, ?, ?, ?)`,
		to, kind, subject, body, fmtTime(t.now))
	return err
}

// findUser looks a user up by UPN, case-insensitively.
func (t *tx) findUser(upn string) (*store.User, int64, error) {
	var (
		id      int64
		u       store.User
		created string
	)
	err := t.QueryRowContext(t.ctx, `SELECT id, upn, display_name, department, created_at FROM users WHERE upn_key = ?`,
		strings.ToLower(strings.TrimSpace(upn))).Scan(&id, &u.UPN, &u.DisplayName, &u.Department, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, 0, store.Errorf(store.ENOTFOUND, "no user %q in this tenant", upn).
			WithHint("see commercectl list-users")
	}
	if err != nil {
		return nil, 0, err
	}
	u.CreatedAt = parseTime(created)
	roles, err := t.rolesOf(id)
	if err != nil {
		return nil, 0, err
	}
	u.Roles = roles
	return &u, id, nil
}

func (t *tx) rolesOf(userID int64) ([]string, error) {
	rows, err := t.QueryContext(t.ctx, `SELECT role FROM user_roles WHERE user_id = ?`, userID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	roles := []string{}
	for rows.Next() {
		var r string
		if err := rows.Scan(&r); err != nil {
			return nil, err
		}
		roles = append(roles, r)
	}
	return sortRoles(roles), rows.Err()
}

// sortRoles orders roles as store.Roles lists them.
func sortRoles(roles []string) []string {
	out := make([]string, 0, len(roles))
	for _, r := range store.Roles {
		for _, have := range roles {
			if have == r {
				out = append(out, r)
			}
		}
	}
	return out
}
