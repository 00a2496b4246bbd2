package sqlstore

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"encoding/json"
	"errors"
	"io"
	"math/rand/v2"
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
	eng   engine
	conn  *sql.Conn // the connection the transaction runs on
	ctx   context.Context
	now   time.Time
	actor *store.User // nil when the command runs without an identity
	// actorID is the users.id of actor.
	actorID int64
	// login is the server login of the session ("" on a file); byLogin is
	// set when the identity is the one bound to it, not --as.
	login   string
	byLogin bool
	// operator is a session the server lets do anything (a superuser).
	operator bool
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

// read runs fn in a read-only transaction: one snapshot of the tenant,
// which never takes the write lock nor waits for a writer. It is a BEGIN on
// one pooled connection, not db.BeginTx: a *sql.Tx starts a goroutine to
// watch its context, and waking a second thread for it costs a one-shot
// read verb more than its queries do (docs/PERFORMANCE.md).
func (d *DB) read(ctx context.Context, fn func(*tx) error) error {
	if d.stale != 0 {
		return d.needsUpgrade()
	}
	return d.wrap(d.inTx(ctx, d.eng.beginRead, false, func(t *tx) error {
		if err := t.loadActor(); err != nil {
			return err
		}
		return fn(t)
	}))
}

// Writes that the engine aborts to keep them serializable are run again,
// whole, after a jittered pause that doubles each time: a user never sees
// the abort, only, past the last attempt, that the tenant stayed too busy.
const (
	writeAttempts  = 12
	writeBackoff   = 5 * time.Millisecond
	writeBackoffTo = 500 * time.Millisecond
)

// write runs fn in a serializable write transaction and commits it, unless
// fn fails or ctx is a dry run: then everything fn did is rolled back. fn
// may run more than once (see writeAttempts), so it must build what it
// returns afresh each time.
func (d *DB) write(ctx context.Context, fn func(*tx) error) error {
	if d.stale != 0 {
		if store.IsDryRun(ctx) {
			return d.needsUpgrade()
		}
		if err := d.upgrade(); err != nil {
			return err
		}
	}
	for attempt := 1; ; attempt++ {
		audited := false
		err := d.inTx(ctx, d.eng.beginWrite, !store.IsDryRun(ctx), func(t *tx) error {
			if err := t.loadActor(); err != nil {
				return err
			}
			if err := fn(t); err != nil {
				return err
			}
			audited = t.audited
			return nil
		})
		if err == nil {
			d.changed = d.changed || audited && !store.IsDryRun(ctx)
			return nil
		}
		if !d.eng.retryable(err) {
			return d.wrap(err)
		}
		if attempt == writeAttempts {
			return store.Errorf(store.EINTERNAL, "%s: other commercectl runs kept changing the same data; gave up after %d attempts", d.where, attempt).
				WithHint("try again in a moment")
		}
		pause := min(writeBackoff<<(attempt-1), writeBackoffTo)
		pause = pause/2 + time.Duration(rand.Int64N(int64(pause)))
		select {
		case <-ctx.Done():
			return d.wrap(ctx.Err())
		case <-time.After(pause):
		}
	}
}

// inTx runs fn in one transaction on one pooled connection, begun by begin
// and committed when commit is set, else rolled back. fn's tx has no actor
// yet: read and write load it.
func (d *DB) inTx(ctx context.Context, begin func(context.Context, *sql.Conn) error, commit bool, fn func(*tx) error) error {
	conn, err := d.db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	if err := begin(ctx, conn); err != nil {
		return err
	}
	open := true
	defer func() {
		if !open {
			return
		}
		// A connection that cannot end its transaction does not go back
		// to the pool still inside it: ErrBadConn has database/sql close it.
		if _, err := conn.ExecContext(context.Background(), "ROLLBACK"); err != nil {
			_ = conn.Raw(func(any) error { return driver.ErrBadConn })
		}
	}()
	t := &tx{querier: rebinder{q: conn, eng: d.eng}, eng: d.eng, conn: conn, ctx: ctx, now: store.Now(ctx)}
	if err := fn(t); err != nil {
		return err
	}
	if !commit {
		return nil
	}
	if _, err := conn.ExecContext(ctx, "COMMIT"); err != nil {
		return err
	}
	open = false
	return nil
}

// withConn runs fn in a write transaction and commits it.
func (d *DB) withConn(ctx context.Context, begin func(context.Context, *sql.Conn) error, fn func(*tx) error) error {
	return d.wrap(d.inTx(ctx, begin, true, fn))
}

func (t *tx) loadActor() error {
	upn := store.ActorFrom(t.ctx)
	if sr, ok := t.eng.(serverRoles); ok {
		s, err := sr.session(t.ctx, t.querier)
		if err != nil {
			return err
		}
		t.login, t.operator = s.login, s.operator
		switch {
		case s.bound != "" && (upn == "" || strings.EqualFold(upn, s.bound)):
			upn, t.byLogin = s.bound, true
		case s.operator:
			// The server lets it do anything: --as is its convenience, as
			// on a file its owner's.
		case s.bound != "":
			return store.Errorf(store.EFORBIDDEN, "you are logged in to the server as %s, which is %s: it may not act as %s", s.login, s.bound, upn).
				WithHint("drop --as (and COMMERCECTL_AS, or the as: of connect), or log in as that user's own login")
		default:
			return notBound(s.login)
		}
	}
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

// rewinder lets a write that reads a file run again (see write): before
// every attempt but the first, the file is read again from its start. A
// stream that cannot be (a pipe) ends the command instead, with a line
// that says to run it again.
func rewinder(name string, r io.Reader) func() error {
	first := true
	return func() error {
		if first {
			first = false
			return nil
		}
		if s, ok := r.(io.Seeker); ok {
			if _, err := s.Seek(0, io.SeekStart); err == nil {
				return nil
			}
		}
		return store.Errorf(store.EINTERNAL, "another commercectl changed the tenant while %s was being read, and it cannot be read again", name).
			WithHint("run the command again")
	}
}
