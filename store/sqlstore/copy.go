package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/commercectl/commercectl/store"
)

// copyBatch rows go into one INSERT: well under both engines' limits on
// bound parameters (SQLite 32,766, PostgreSQL 65,535) for the widest table.
const copyBatch = 500

// CopyTenant copies the whole tenant, every row of every table with its
// ids, into the empty database to, of either engine (SPEC §11). The source
// is read in one snapshot and never changed; the target is written in one
// transaction (a file: built beside its path and renamed), so that it ends
// with the whole tenant or as it was. progress, when not nil, is told the
// rows copied so far out of the total.
func (d *DB) CopyTenant(ctx context.Context, to string, progress func(done, total int)) (*store.CopyTenantResult, error) {
	res := &store.CopyTenantResult{From: d.where, To: to, Tables: map[string]int{}}
	err := d.read(ctx, func(src *tx) error {
		if err := src.requireRole("copy the tenant", store.RoleGlobalAdmin); err != nil {
			return err
		}
		total := 0
		for _, table := range tenantTables {
			var n int
			if err := src.QueryRowContext(src.ctx, `SELECT count(*) FROM `+table).Scan(&n); err != nil {
				return err
			}
			res.Tables[table] = n
			total += n
		}
		res.Rows = total
		done := 0
		fill := func(dst *tx) error {
			for _, table := range tenantTables {
				if err := copyTable(src, dst, table, func(n int) {
					done += n
					if progress != nil {
						progress(done, total)
					}
				}); err != nil {
					return err
				}
				if err := dst.eng.afterCopy(dst.ctx, dst.querier, table); err != nil {
					return err
				}
			}
			// The target is the tenant as it was, audit log and all: the
			// copy adds no row of its own, so that the two compare equal.
			// On a server, the copying admin is bound to the login that
			// copied, as init binds its admin.
			return dst.setUpServer(src.actor.UPN)
		}
		// The target is written by nobody: it has no users until the copy.
		ctx := withDryRunOf(store.WithNow(context.Background(), src.now), ctx)
		var err error
		if IsURL(to) {
			res.To, err = copyIntoPostgres(ctx, to, fill)
		} else {
			res.To, err = copyIntoFile(ctx, to, fill)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

// copyTable copies every row of table, in the order of its key.
func copyTable(src, dst *tx, table string, copied func(int)) error {
	rows, err := src.QueryContext(src.ctx, `SELECT * FROM `+table+` ORDER BY 1, 2`)
	if err != nil {
		return err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return err
	}
	rs := &rowsSource{rows: rows, n: len(cols)}
	if cp, ok := dst.eng.(copier); ok {
		rs.copied = copied
		if _, err := cp.copyIn(dst, table, "", cols, rs); err != nil {
			return fmt.Errorf("copy %s: %w", table, err)
		}
		copied(rs.pending)
		return nil
	}
	insert := func(args []any) error {
		n := len(args) / len(cols)
		row := "(" + strings.TrimSuffix(strings.Repeat("?,", len(cols)), ",") + ")"
		q := `INSERT INTO ` + table + ` (` + strings.Join(cols, ", ") + `) VALUES ` + strings.TrimSuffix(strings.Repeat(row+",", n), ",")
		if _, err := dst.ExecContext(dst.ctx, q, args...); err != nil {
			return fmt.Errorf("copy %s: %w", table, err)
		}
		copied(n)
		return nil
	}
	args := make([]any, 0, copyBatch*len(cols))
	for rs.Next() {
		args = append(args, rs.vals...)
		if len(args) == cap(args) {
			if err := insert(args); err != nil {
				return err
			}
			args = args[:0]
		}
	}
	if rs.err != nil {
		return rs.err
	}
	if len(args) > 0 {
		return insert(args)
	}
	return nil
}

// copyIntoPostgres creates the schema and fills it in one transaction.
func copyIntoPostgres(ctx context.Context, to string, fill func(*tx) error) (string, error) {
	d, err := connectEmpty(to)
	if err != nil {
		return "", err
	}
	defer d.Close()
	ms, err := d.migrations()
	if err != nil {
		return "", err
	}
	err = d.write(ctx, func(t *tx) error {
		if err := refuseTenantIn(t, d.where); err != nil {
			return err
		}
		if err := d.migrateIn(t.ctx, t.querier, ms, true); err != nil {
			return err
		}
		return fill(t)
	})
	return d.where, err
}

// refuseTenantIn refuses a server database that holds a tenant, or a table
// of the same name as one of a tenant's.
func refuseTenantIn(t *tx, where string) error {
	have, err := pgTenantIn(t, where)
	if err == nil && have > 0 {
		err = store.Errorf(store.ECONFLICT, "a tenant database already exists at %s", where).
			WithHint("choose an empty database for --to")
	}
	return err
}

// copyIntoFile builds the tenant in a new file beside path, then renames
// it to path, which must not exist.
func copyIntoFile(ctx context.Context, path string, fill func(*tx) error) (string, error) {
	if abs, err := filepath.Abs(path); err == nil {
		path = abs
	}
	if _, err := os.Stat(path); err == nil {
		if _, err := checkFile(path); err == nil {
			return "", store.Errorf(store.ECONFLICT, "a tenant database already exists at %s", path).
				WithHint("choose an empty database for --to")
		}
		return "", store.Errorf(store.ECONFLICT, "%s already exists", path).WithHint("choose an empty database for --to")
	} else if !errors.Is(err, os.ErrNotExist) {
		return "", store.Errorf(store.EINVALID, "cannot use %s: %v", path, unwrapPathError(err))
	}
	tmp := fmt.Sprintf("%s.copy-%d", path, os.Getpid())
	cleanup := func() {
		for _, suffix := range []string{"", "-wal", "-shm", "-journal"} {
			os.Remove(tmp + suffix)
		}
	}
	cleanup()
	defer cleanup()
	d, err := Create(tmp)
	if err != nil {
		return "", err
	}
	err = d.write(ctx, fill)
	if err == nil && !store.IsDryRun(ctx) {
		_, err = d.db.ExecContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)")
	}
	d.Close()
	if err != nil || store.IsDryRun(ctx) {
		return path, d.wrap(err)
	}
	// A link, not a rename: a file that appeared at path meanwhile is
	// never replaced.
	if err := os.Link(tmp, path); err != nil {
		if errors.Is(err, os.ErrExist) {
			return "", store.Errorf(store.ECONFLICT, "%s already exists", path).WithHint("choose an empty database for --to")
		}
		if err := os.Rename(tmp, path); err != nil {
			return "", store.Errorf(store.EINTERNAL, "cannot write %s: %v", path, unwrapPathError(err))
		}
	}
	return path, nil
}

// rowsSource hands the rows of a query to a copier.
type rowsSource struct {
	rows *sql.Rows
	n    int
	vals []any
	err  error
	// copied, when set, hears of the rows read, copyBatch at a time (the
	// progress of a copier, which reads them all in one call).
	copied  func(int)
	pending int
}

func (s *rowsSource) Next() bool {
	if !s.rows.Next() {
		s.err = s.rows.Err()
		return false
	}
	vals := make([]any, s.n)
	ptrs := make([]any, s.n)
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	if s.err = s.rows.Scan(ptrs...); s.err != nil {
		return false
	}
	for i, v := range vals {
		if b, ok := v.([]byte); ok {
			vals[i] = string(b)
		}
	}
	s.vals = vals
	if s.pending++; s.copied != nil && s.pending == copyBatch {
		s.copied(s.pending)
		s.pending = 0
	}
	return true
}

func (s *rowsSource) Values() ([]any, error) { return s.vals, nil }
func (s *rowsSource) Err() error             { return s.err }
