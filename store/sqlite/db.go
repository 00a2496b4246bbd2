// Package sqlite implements store.Service on SQLite (modernc.org/sqlite, no
// cgo). Every rule of the domain lives here; each operation is one transaction.
package sqlite

import (
	"bytes"
	"context"
	"database/sql"
	"embed"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"runtime"
	"sort"
	"syscall"

	"github.com/commercectl/commercectl/store"
	sqlitedrv "modernc.org/sqlite" // registers the "sqlite" driver
	sqlite3 "modernc.org/sqlite/lib"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// DB is a tenant database.
type DB struct {
	db   *sql.DB
	path string
	// changed is set once a write transaction has committed.
	changed bool
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

// The database header is the first 100 bytes of the file
// (https://sqlite.org/fileformat.html#the_database_header).
const (
	headerSize         = 100
	headerWriteVersion = 18 // 2: WAL mode
	headerReadVersion  = 19 // 2: WAL mode
	headerUserVersion  = 60 // PRAGMA user_version, 4 bytes big-endian
)

// Open opens the tenant database at path, which must exist, and brings its
// schema up to date.
func Open(path string) (*DB, error) {
	head, err := checkFile(path)
	if err != nil {
		return nil, err
	}
	db, err := sql.Open("sqlite", dsn(path, false))
	if err != nil {
		return nil, store.Errorf(store.EINTERNAL, "cannot open %s: %v", path, err)
	}
	d := &DB{db: db, path: path}
	if upToDate(path, head) {
		// The connection opens on the first query, as it would after the
		// PRAGMA: its errors reach the caller through the same d.wrap.
		return d, nil
	}
	if err := d.migrate(false); err != nil {
		db.Close()
		return nil, err
	}
	return d, nil
}

// upToDate reports, from the header checkFile read, that the database is
// at the newest schema version, which spares the PRAGMA user_version (a
// statement and a lock) on every open. The header in the file is the
// truth only when nothing newer can be in a write-ahead log: the database
// is in WAL mode and its -wal file is absent or empty (SQLite deletes it
// when the last connection closes). In any other case, or on any doubt,
// migrate asks SQLite.
func upToDate(path string, head []byte) bool {
	if len(head) < headerSize || head[headerWriteVersion] != 2 || head[headerReadVersion] != 2 {
		return false
	}
	if int(binary.BigEndian.Uint32(head[headerUserVersion:])) != SchemaVersion() {
		return false
	}
	st, err := os.Stat(path + "-wal")
	return errors.Is(err, os.ErrNotExist) || (err == nil && st.Mode().IsRegular() && st.Size() == 0)
}

// checkFile gives the clear errors: no such file, a directory, not SQLite.
// It returns what it read of the database header.
func checkFile(path string) ([]byte, error) {
	f, err := openNoPoll(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, store.Errorf(store.ENOTFOUND, "no tenant database at %s", path).
			WithHint("create one with: commercectl init --tenant NAME --admin UPN --db %s", path)
	}
	if err != nil {
		return nil, store.Errorf(store.EINVALID, "cannot read tenant database %s: %v", path, unwrapPathError(err))
	}
	defer f.Close()
	head := make([]byte, headerSize)
	n, err := io.ReadFull(f, head)
	if err != nil && n == 0 {
		if st, serr := f.Stat(); serr == nil && st.IsDir() {
			return nil, store.Errorf(store.EINVALID, "%s is a directory, not a tenant database", path)
		}
		if errors.Is(err, io.EOF) {
			return nil, store.Errorf(store.EINVALID, "%s is empty, not a tenant database", path)
		}
		return nil, store.Errorf(store.EINVALID, "cannot read tenant database %s: %v", path, unwrapPathError(err))
	}
	head = head[:n]
	if n < len(sqliteHeader) || !bytes.Equal(head[:len(sqliteHeader)], []byte(sqliteHeader)) {
		return nil, store.Errorf(store.EINVALID, "%s is not a tenant database (not an SQLite file)", path)
	}
	return head, nil
}

// openNoPoll opens path for reading. os.Open would also set up the
// runtime's network poller (an epoll instance, an eventfd and a few
// fcntl calls) only to learn that a regular file cannot use it; a file
// made with os.NewFile from a blocking descriptor skips that. Windows
// keeps os.Open, which also opens directories there.
func openNoPoll(path string) (*os.File, error) {
	if runtime.GOOS == "windows" {
		return os.Open(path)
	}
	fd, err := syscall.Open(path, syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
	if err != nil {
		return nil, &os.PathError{Op: "open", Path: path, Err: err}
	}
	return os.NewFile(uintptr(fd), path), nil
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

// Changed reports whether this handle has committed a change to the tenant.
func (d *DB) Changed() bool { return d.changed }

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
		v, err := migrationVersion(e.Name())
		if err != nil {
			return nil, err
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

func migrationVersion(name string) (int, error) {
	var v int
	if _, err := fmt.Sscanf(name, "%04d_", &v); err != nil {
		return 0, fmt.Errorf("migration %s: name must start with a 4-digit number", name)
	}
	return v, nil
}

// SchemaVersion is the schema version this binary writes. It reads the
// migrations' names only, not their SQL: every open asks for it.
func SchemaVersion() int {
	entries, err := migrationFS.ReadDir("migrations")
	if err != nil {
		return 0
	}
	want := 0
	for _, e := range entries {
		v, err := migrationVersion(e.Name())
		if err != nil {
			return 0 // as migrations() would fail
		}
		want = max(want, v)
	}
	return want
}

// migrate brings the schema to the newest version in one transaction. A
// database at the newest version costs one PRAGMA read and nothing else
// (and Open skips even that when the file's header says so: upToDate).
func (d *DB) migrate(fresh bool) error {
	var have int
	if err := d.db.QueryRowContext(context.Background(), "PRAGMA user_version").Scan(&have); err != nil {
		return d.wrap(err)
	}
	// Refusals come before the write lock: a read verb on a tenant it
	// cannot use must not queue behind writers to be told so.
	if err := d.checkVersion(have, SchemaVersion(), fresh); err != nil || have == SchemaVersion() {
		return err
	}
	ms, err := migrations()
	if err != nil {
		return err
	}
	return d.applyMigrations(ms, fresh)
}

// applyMigrations runs the migrations newer than the database's version,
// and sets the version, in one write transaction. The version is read
// again inside it: another commercectl opening the same old tenant at the
// same moment may have migrated it while this one waited for the lock,
// and a migration must not run twice (ALTER TABLE ... ADD COLUMN fails the
// second time).
func (d *DB) applyMigrations(ms []migration, fresh bool) error {
	ctx := context.Background()
	want := 0
	for _, m := range ms {
		want = max(want, m.version)
	}
	tx, err := d.db.BeginTx(ctx, nil)
	if err != nil {
		return d.wrap(err)
	}
	defer tx.Rollback()
	var have int
	if err := tx.QueryRowContext(ctx, "PRAGMA user_version").Scan(&have); err != nil {
		return d.wrap(err)
	}
	if err := d.checkVersion(have, want, fresh); err != nil || have == want {
		return err
	}
	for _, m := range ms {
		if m.version <= have {
			continue
		}
		if _, err := tx.ExecContext(ctx, m.sql); err != nil {
			if sqliteCode(err) == sqlite3.SQLITE_READONLY {
				return store.Errorf(store.EINTERNAL, "%s is read-only: its schema needs upgrading from version %d to %d first", d.path, have, want)
			}
			return store.Errorf(store.EINTERNAL, "schema migration %s: %v", m.name, err)
		}
	}
	// PRAGMA takes no parameters; want is an int from our own file names.
	if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", want)); err != nil {
		return d.wrap(err)
	}
	return d.wrap(tx.Commit())
}

// checkVersion refuses a database this binary must not migrate: one from
// a newer commercectl, or an SQLite file that is no tenant at all.
func (d *DB) checkVersion(have, want int, fresh bool) error {
	switch {
	case have > want:
		return store.Errorf(store.ECONFLICT, "%s has schema version %d, newer than this commercectl knows (%d)", d.path, have, want).
			WithHint("upgrade commercectl to open it")
	case have == 0 && !fresh:
		return store.Errorf(store.EINVALID, "%s is an SQLite file but not a commercectl tenant", d.path).
			WithHint("create a tenant with: commercectl init --tenant NAME --admin UPN")
	}
	return nil
}

// sqliteCode is the primary result code of a driver error, or 0.
func sqliteCode(err error) int {
	var le *sqlitedrv.Error
	if !errors.As(err, &le) {
		return 0
	}
	return le.Code() & 0xff // the primary code of an extended one
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
	// Classify by SQLite's result code, never by the text: a message can
	// hold a user's input ("malformed.csv").
	msg := err.Error()
	switch sqliteCode(err) {
	case sqlite3.SQLITE_READONLY:
		return store.Errorf(store.EINTERNAL, "%s is read-only: cannot change the tenant", d.path)
	case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED:
		return store.Errorf(store.EINTERNAL, "%s stayed locked by another commercectl for too long; try again", d.path)
	case sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB:
		return store.Errorf(store.EINTERNAL, "%s is damaged: %s", d.path, msg)
	case sqlite3.SQLITE_FULL:
		return store.Errorf(store.EINTERNAL, "no space left to write %s", d.path)
	case sqlite3.SQLITE_CANTOPEN:
		return store.Errorf(store.EINTERNAL, "cannot open %s: %s", d.path, msg)
	case sqlite3.SQLITE_IOERR:
		return store.Errorf(store.EINTERNAL, "cannot read or write %s: %s", d.path, msg)
	}
	return err
}
