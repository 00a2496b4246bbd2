// Package sqlite implements store.Service on SQLite (modernc.org/sqlite, no
// cgo). Every rule of the domain lives here; each operation is one transaction.
package sqlite

import (
	"bytes"
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"sort"
	"strings"

	"github.com/commercectl/commercectl/store"
	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// DB is a tenant database.
type DB struct {
	db   *sql.DB
	path string
}

var _ store.Service = (*DB)(nil)

// dsn puts the pragmas in the DSN so that every pooled connection gets them.
// Write transactions begin IMMEDIATE so that two writers queue on the busy
// timeout instead of failing on a lock upgrade. journal_mode is stored in
// the file, so only Create sets WAL: an open does not pay for it again.
func dsn(path string, create bool) string {
	u := url.URL{Scheme: "file", Opaque: (&url.URL{Path: path}).EscapedPath()}
	s := u.String() + "?_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)&_txlock=immediate"
	if create {
		s += "&_pragma=journal_mode(WAL)"
	}
	return s
}

const sqliteHeader = "SQLite format 3\x00"

// Open opens the tenant database at path, which must exist, and brings its
// schema up to date.
func Open(path string) (*DB, error) {
	if err := checkFile(path); err != nil {
		return nil, err
	}
	db, err := sql.Open("sqlite", dsn(path, false))
	if err != nil {
		return nil, store.Errorf(store.EINTERNAL, "cannot open %s: %v", path, err)
	}
	d := &DB{db: db, path: path}
	if err := d.migrate(false); err != nil {
		db.Close()
		return nil, err
	}
	return d, nil
}

// checkFile gives the clear errors: no such file, a directory, not SQLite.
func checkFile(path string) error {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return store.Errorf(store.ENOTFOUND, "no tenant database at %s", path).
			WithHint("create one with: commercectl init --tenant NAME --admin UPN --db %s", path)
	}
	if err != nil {
		return store.Errorf(store.EINVALID, "cannot read tenant database %s: %v", path, unwrapPathError(err))
	}
	defer f.Close()
	head := make([]byte, len(sqliteHeader))
	n, err := io.ReadFull(f, head)
	if err != nil && n == 0 {
		if st, serr := f.Stat(); serr == nil && st.IsDir() {
			return store.Errorf(store.EINVALID, "%s is a directory, not a tenant database", path)
		}
		if errors.Is(err, io.EOF) {
			return store.Errorf(store.EINVALID, "%s is empty, not a tenant database", path)
		}
		return store.Errorf(store.EINVALID, "cannot read tenant database %s: %v", path, unwrapPathError(err))
	}
	if !bytes.Equal(head[:n], []byte(sqliteHeader)) {
		return store.Errorf(store.EINVALID, "%s is not a tenant database (not an SQLite file)", path)
	}
	return nil
}

func unwrapPathError(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// Create makes a new, empty tenant database at path with the newest schema.
// The caller fills it in; path must not exist.
func Create(path string) (*DB, error) {
	db, err := sql.Open("sqlite", dsn(path, true))
	if err != nil {
		return nil, store.Errorf(store.EINTERNAL, "cannot create %s: %v", path, err)
	}
	d := &DB{db: db, path: path}
	if err := d.migrate(true); err != nil {
		db.Close()
		return nil, err
	}
	return d, nil
}

// Close closes the database.
func (d *DB) Close() error { return d.db.Close() }

type migration struct {
	version int
	name    string
	sql     string
}

func migrations() ([]migration, error) {
	entries, err := migrationFS.ReadDir("migrations")
	if err != nil {
		return nil, err
	}
	var ms []migration
	for _, e := range entries {
		var v int
		if _, err := fmt.Sscanf(e.Name(), "%04d_", &v); err != nil {
			return nil, fmt.Errorf("migration %s: name must start with a 4-digit number", e.Name())
		}
		b, err := migrationFS.ReadFile("migrations/" + e.Name())
		if err != nil {
			return nil, err
		}
		ms = append(ms, migration{version: v, name: e.Name(), sql: string(b)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].version < ms[j].version })
	return ms, nil
}

// SchemaVersion is the schema version this binary writes.
func SchemaVersion() int {
	ms, _ := migrations()
	if len(ms) == 0 {
		return 0
	}
	return ms[len(ms)-1].version
}

// migrate brings the schema to the newest version in one transaction. A
// database at the newest version costs one PRAGMA read and nothing else.
func (d *DB) migrate(fresh bool) error {
	ctx := context.Background()
	var have int
	if err := d.db.QueryRowContext(ctx, "PRAGMA user_version").Scan(&have); err != nil {
		return d.wrap(err)
	}
	want := SchemaVersion()
	switch {
	case have == want:
		return nil
	case have > want:
		return store.Errorf(store.ECONFLICT, "%s has schema version %d, newer than this commercectl knows (%d)", d.path, have, want).
			WithHint("upgrade commercectl to open it")
	case have == 0 && !fresh:
		return store.Errorf(store.EINVALID, "%s is an SQLite file but not a commercectl tenant", d.path).
			WithHint("create a tenant with: commercectl init --tenant NAME --admin UPN")
	}
	ms, err := migrations()
	if err != nil {
		return err
	}
	tx, err := d.db.BeginTx(ctx, nil)
	if err != nil {
		return d.wrap(err)
	}
	defer tx.Rollback()
	for _, m := range ms {
		if m.version <= have {
			continue
		}
		if _, err := tx.ExecContext(ctx, m.sql); err != nil {
			return store.Errorf(store.EINTERNAL, "schema migration %s: %v", m.name, err)
		}
	}
	// PRAGMA takes no parameters; want is an int from our own file names.
	if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", want)); err != nil {
		return d.wrap(err)
	}
	return d.wrap(tx.Commit())
}

// wrap turns driver errors a person can act on into one clear domain error.
func (d *DB) wrap(err error) error {
	if err == nil {
		return nil
	}
	var se *store.Error
	if errors.As(err, &se) {
		return err
	}
	msg := err.Error()
	switch {
	case strings.Contains(msg, "readonly database") || strings.Contains(msg, "SQLITE_READONLY"):
		return store.Errorf(store.EINTERNAL, "%s is read-only: cannot change the tenant", d.path)
	case strings.Contains(msg, "database is locked") || strings.Contains(msg, "SQLITE_BUSY"):
		return store.Errorf(store.EINTERNAL, "%s stayed locked by another commercectl for too long; try again", d.path)
	case strings.Contains(msg, "file is not a database") || strings.Contains(msg, "malformed"):
		return store.Errorf(store.EINTERNAL, "%s is damaged: %s", d.path, msg)
	case strings.Contains(msg, "disk is full") || strings.Contains(msg, "SQLITE_FULL"):
		return store.Errorf(store.EINTERNAL, "no space left to write %s", d.path)
	case strings.Contains(msg, "unable to open database file"):
		return store.Errorf(store.EINTERNAL, "cannot open %s: %s", d.path, msg)
	}
	return err
}
