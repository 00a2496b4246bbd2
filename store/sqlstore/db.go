// Package sqlstore implements store.Service on an SQL database: SQLite
// (modernc.org/sqlite, no cgo) in a local file, or PostgreSQL (pgx) on a
// server. Every rule of the domain lives here, once, and each operation is
// one transaction. What the two engines do differently is behind the
// engine interface (engine.go), answered by engine_sqlite.go and
// engine_postgres.go.
package sqlstore

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"sort"
	"strings"

	"github.com/commercectl/commercectl/store"
)

//go:embed migrations/sqlite/*.sql migrations/postgres/*.sql
var migrationFS embed.FS

// DB is a tenant database.
type DB struct {
	db  *sql.DB
	eng engine
	// where names the database in messages: its path, or its URL with the
	// password shown as xxxxx.
	where string
	// changed is set once a write transaction has committed.
	changed bool
	// stale is the schema version of a tenant older than this binary's
	// (0: up to date). Reads refuse it; the first write upgrades it.
	stale int
}

var _ store.Service = (*DB)(nil)

// IsURL reports whether dsn names a PostgreSQL server rather than a file.
func IsURL(dsn string) bool {
	for _, scheme := range []string{"postgres://", "postgresql://"} {
		if len(dsn) >= len(scheme) && strings.EqualFold(dsn[:len(scheme)], scheme) {
			return true
		}
	}
	return false
}

// Open opens the tenant in dsn, a postgres:// URL or the path of an SQLite
// file, and brings its schema up to date.
func Open(dsn string) (*DB, error) {
	if IsURL(dsn) {
		return openPostgres(dsn)
	}
	return openSQLite(dsn)
}

// Init creates a tenant in dsn (SPEC §2, init). A file is built beside its
// path and renamed over it; a server database gets the schema and the
// tenant in one transaction. Either refuses a database that holds a tenant
// unless force.
func Init(ctx context.Context, dsn string, opts store.InitOptions, force bool) (*store.InitResult, error) {
	if err := checkInitOptions(&opts); err != nil {
		return nil, err
	}
	if IsURL(dsn) {
		return initPostgres(ctx, dsn, opts, force)
	}
	return initSQLite(ctx, dsn, opts, force)
}

// Close closes the database.
func (d *DB) Close() error { return d.db.Close() }

// Changed reports whether this handle has committed a change to the tenant.
func (d *DB) Changed() bool { return d.changed }

type migration struct {
	version int
	name    string
	sql     string
}

func migrationsIn(dir string) ([]migration, error) {
	entries, err := fs.ReadDir(migrationFS, dir)
	if err != nil {
		return nil, err
	}
	var ms []migration
	for _, e := range entries {
		v, err := migrationVersion(e.Name())
		if err != nil {
			return nil, err
		}
		b, err := fs.ReadFile(migrationFS, dir+"/"+e.Name())
		if err != nil {
			return nil, err
		}
		ms = append(ms, migration{version: v, name: e.Name(), sql: string(b)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].version < ms[j].version })
	return ms, nil
}

func (d *DB) migrations() ([]migration, error) { return migrationsIn(d.eng.migrationDir()) }

func migrationVersion(name string) (int, error) {
	var v int
	if _, err := fmt.Sscanf(name, "%04d_", &v); err != nil {
		return 0, fmt.Errorf("migration %s: name must start with a 4-digit number", name)
	}
	return v, nil
}

// SchemaVersion is the schema version this binary writes to an SQLite file.
func SchemaVersion() int { return schemaVersionIn(sqliteEngine{}.migrationDir()) }

// schemaVersionIn reads the migrations' names only, not their SQL: every
// open asks for it.
func schemaVersionIn(dir string) int {
	entries, err := fs.ReadDir(migrationFS, dir)
	if err != nil {
		return 0
	}
	want := 0
	for _, e := range entries {
		v, err := migrationVersion(e.Name())
		if err != nil {
			return 0 // as migrationsIn would fail
		}
		want = max(want, v)
	}
	return want
}

// migrate brings the schema to the newest version in one transaction. A
// database at the newest version costs one read of its version.
func (d *DB) migrate(fresh bool) error {
	if err := d.checkSchema(fresh); err != nil || d.stale == 0 && !fresh {
		return err
	}
	return d.upgrade()
}

// checkSchema reads the schema version at open: it refuses a database this
// binary cannot use, and marks an older tenant stale, to be upgraded by
// the first write and refused by reads, which never write.
func (d *DB) checkSchema(fresh bool) error {
	want := schemaVersionIn(d.eng.migrationDir())
	have, err := d.eng.schemaVersion(context.Background(), d.db)
	if err != nil {
		return d.wrap(err)
	}
	// Refusals come before the write lock: a read verb on a tenant it
	// cannot use must not queue behind writers to be told so.
	if err := d.checkVersion(have, want, fresh); err != nil {
		return err
	}
	if have < want && !fresh {
		d.stale = have
	}
	return nil
}

// upgrade runs the migrations a stale tenant needs.
func (d *DB) upgrade() error {
	ms, err := d.migrations()
	if err != nil {
		return err
	}
	if err := d.applyMigrations(ms, d.stale == 0); err != nil {
		return err
	}
	d.stale = 0
	return nil
}

// needsUpgrade refuses to read, or to rehearse a change on, a tenant of an
// older schema: a read never writes, and a dry run changes nothing.
func (d *DB) needsUpgrade() error {
	return store.Errorf(store.ECONFLICT, "%s has schema version %d, older than this commercectl's %d: it needs an upgrade first",
		d.where, d.stale, schemaVersionIn(d.eng.migrationDir())).
		WithHint("run commercectl migrate --db %s (or any command that changes the tenant)", d.where)
}

// Migrate upgrades the tenant's schema to this binary's (SPEC: migrate),
// and tells from which version to which.
func (d *DB) Migrate(ctx context.Context) (from, to int, err error) {
	to = schemaVersionIn(d.eng.migrationDir())
	if d.stale == 0 {
		return to, to, nil
	}
	from = d.stale
	return from, to, d.upgrade()
}

// applyMigrations runs the migrations newer than the database's version,
// and sets the version, in one write transaction. The version is read
// again inside it: another commercectl opening the same old tenant at the
// same moment may have migrated it while this one waited for the lock,
// and a migration must not run twice (ALTER TABLE ... ADD COLUMN fails the
// second time).
func (d *DB) applyMigrations(ms []migration, fresh bool) error {
	return d.withConn(context.Background(), d.eng.beginWrite, func(t *tx) error {
		return d.migrateIn(t.ctx, t.querier, ms, fresh)
	})
}

// migrateIn is applyMigrations inside a transaction the caller holds.
func (d *DB) migrateIn(ctx context.Context, q querier, ms []migration, fresh bool) error {
	want := 0
	for _, m := range ms {
		want = max(want, m.version)
	}
	have, err := d.eng.schemaVersion(ctx, q)
	if err != nil {
		return err
	}
	if err := d.checkVersion(have, want, fresh); err != nil || have == want {
		return err
	}
	for _, m := range ms {
		if m.version <= have {
			continue
		}
		if _, err := q.ExecContext(ctx, m.sql); err != nil {
			if d.eng.readOnly(err) {
				return store.Errorf(store.EINTERNAL, "%s is read-only: its schema needs upgrading from version %d to %d first", d.where, have, want)
			}
			return store.Errorf(store.EINTERNAL, "schema migration %s: %v", m.name, err)
		}
	}
	if err := d.eng.setSchemaVersion(ctx, q, want); err != nil {
		return err
	}
	// A tenant made before the server enforced its roles gets them with
	// the upgrade; a new one (fresh) once its rows are in (setUpServer).
	if sr, ok := d.eng.(serverRoles); ok && !fresh {
		return sr.setUpRoles(ctx, q)
	}
	return nil
}

// checkVersion refuses a database this binary must not migrate: one from
// a newer commercectl, or a database that is no tenant at all.
func (d *DB) checkVersion(have, want int, fresh bool) error {
	switch {
	case have > want:
		return store.Errorf(store.ECONFLICT, "%s has schema version %d, newer than this commercectl knows (%d)", d.where, have, want).
			WithHint("upgrade commercectl to open it")
	case have == 0 && !fresh:
		return d.eng.noTenant(d.where)
	}
	return nil
}

// wrap turns engine errors a person can act on into one clear domain error.
func (d *DB) wrap(err error) error {
	if err == nil {
		return nil
	}
	var se *store.Error
	if errors.As(err, &se) {
		return err
	}
	return d.eng.wrap(d.where, err)
}
