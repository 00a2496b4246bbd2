package sqlstore

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"time"

	"github.com/commercectl/commercectl/store"
	sqlitedrv "modernc.org/sqlite" // registers the "sqlite" driver
	sqlite3 "modernc.org/sqlite/lib"
)

// sqliteEngine keeps a tenant in one local file. Only one writer runs at a
// time: a write transaction begins IMMEDIATE, taking the file's write lock,
// and a second writer waits on the busy timeout. Reads in WAL mode see a
// snapshot and never wait.
type sqliteEngine struct{}

func (sqliteEngine) name() string             { return "SQLite" }
func (sqliteEngine) rebind(q string) string   { return q }
func (sqliteEngine) migrationDir() string     { return "migrations/sqlite" }
func (sqliteEngine) retryable(err error) bool { return false }

func (sqliteEngine) beginRead(ctx context.Context, conn *sql.Conn) error {
	_, err := conn.ExecContext(ctx, "BEGIN")
	return err
}

func (sqliteEngine) beginWrite(ctx context.Context, conn *sql.Conn) error {
	_, err := conn.ExecContext(ctx, "BEGIN IMMEDIATE")
	return err
}

func (sqliteEngine) noTenant(path string) error {
	return store.Errorf(store.EINVALID, "%s is an SQLite file but not a commercectl tenant", path).
		WithHint("create a tenant with: commercectl init --tenant NAME --admin UPN")
}

// The schema version is SQLite's user_version, in the file's header.
func (sqliteEngine) schemaVersion(ctx context.Context, q querier) (int, error) {
	var v int
	err := q.QueryRowContext(ctx, "PRAGMA user_version").Scan(&v)
	return v, err
}

func (sqliteEngine) setSchemaVersion(ctx context.Context, q querier, v int) error {
	// PRAGMA takes no parameters; v is an int from our own file names.
	_, err := q.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", v))
	return err
}

// The working tables are TEMP: private to the connection, never written
// to the file. An INTEGER PRIMARY KEY numbers the picked users in order.
func (sqliteEngine) scratch(ctx context.Context, q querier, name string) error {
	ddl := strings.Replace(scratchTables[name], "ROWNUM", "INTEGER PRIMARY KEY", 1)
	if _, err := q.ExecContext(ctx, "CREATE TEMP TABLE IF NOT EXISTS "+ddl); err != nil {
		return err
	}
	_, err := q.ExecContext(ctx, "DELETE FROM "+name)
	return err
}

// integrity is PRAGMA integrity_check and foreign_key_check: SQLite checks
// its foreign keys only when asked to (foreign_keys=1 on every connection).
func (sqliteEngine) integrity(ctx context.Context, q querier) ([]store.Problem, error) {
	var out []store.Problem
	rows, err := q.QueryContext(ctx, `PRAGMA integrity_check`)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			rows.Close()
			return nil, err
		}
		if s != "ok" {
			out = append(out, store.Problem{Check: "integrity", Detail: s})
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows, err = q.QueryContext(ctx, `PRAGMA foreign_key_check`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var table, parent string
		var rowid, fkid any
		if err := rows.Scan(&table, &rowid, &parent, &fkid); err != nil {
			return nil, err
		}
		out = append(out, store.Problem{Check: "foreign keys", Detail: fmt.Sprintf("%s row %v points to a missing %s", table, rowid, parent)})
	}
	return out, rows.Err()
}

// SQLite plans a join on a TEMP table from its indexes: nothing to learn.
func (sqliteEngine) scratchFilled(context.Context, querier, string) error { return nil }

// An INTEGER PRIMARY KEY takes the next id after the largest: nothing to do.
func (sqliteEngine) afterCopy(context.Context, querier, string) error { return nil }

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

// openSQLite opens the tenant database at path, which must exist, and
// brings its schema up to date.
func openSQLite(path string) (*DB, error) {
	head, err := checkFile(path)
	if err != nil {
		return nil, err
	}
	source := dsn(path, false)
	if !writable(filepath.Dir(path)) {
		// A read never writes, and in WAL mode even a read makes the
		// shared-memory file beside the tenant (-shm): where that cannot
		// be, the file is read as it is, immutable, which is exact only
		// while no write-ahead log holds changes not yet in it.
		if st, err := os.Stat(path + "-wal"); err == nil && st.Size() > 0 {
			return nil, store.Errorf(store.EINTERNAL, "%s is in a directory this user may not write, and %s-wal holds changes not yet in it: it cannot be read here", path, path).
				WithHint("open it once where its directory can be written (its owner, or a copy of both files), or ask its owner to")
		}
		source += "&mode=ro&immutable=1"
	}
	db, err := sql.Open("sqlite", source)
	if err != nil {
		return nil, store.Errorf(store.EINTERNAL, "cannot open %s: %v", path, err)
	}
	d := &DB{db: db, eng: sqliteEngine{}, where: path}
	if upToDate(path, head) {
		// The connection opens on the first query, as it would after the
		// PRAGMA: its errors reach the caller through the same d.wrap.
		return d, nil
	}
	if err := d.checkSchema(false); err != nil {
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
//
// The file is made with mode 0600 before SQLite opens it (SQLite gives its
// journal files the same mode): whoever can write a tenant's file owns the
// tenant (docs/SECURITY.md), so nobody else may even read it.
func Create(path string) (*DB, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, store.Errorf(store.EINVALID, "cannot create %s: %v", path, unwrapPathError(err))
	}
	f.Close()
	db, err := sql.Open("sqlite", dsn(path, true))
	if err != nil {
		return nil, store.Errorf(store.EINTERNAL, "cannot create %s: %v", path, err)
	}
	d := &DB{db: db, eng: sqliteEngine{}, where: path}
	if err := d.migrate(true); err != nil {
		db.Close()
		return nil, err
	}
	return d, nil
}

// initSQLite creates a tenant at path. An existing file is replaced only with
// force, and only once the new tenant is complete: the tenant is built in a
// temporary file beside path and renamed over it, so a failed init leaves
// whatever was there before.
func initSQLite(ctx context.Context, path string, opts store.InitOptions, force bool) (*store.InitResult, error) {
	if st, err := os.Stat(path); err == nil {
		if st.IsDir() {
			return nil, store.Errorf(store.EINVALID, "%s is a directory, not a tenant database", path)
		}
		if !force {
			return nil, store.Errorf(store.ECONFLICT, "a tenant database already exists at %s", path).
				WithHint("pass --force to replace it, or choose another --db")
		}
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, store.Errorf(store.EINVALID, "cannot use %s: %v", path, unwrapPathError(err))
	}
	tmp := fmt.Sprintf("%s.init-%d", path, os.Getpid())
	if store.IsDryRun(ctx) {
		// A dry run changes nothing, not even the directory of path: it
		// builds the tenant in a temporary directory and throws it away.
		tmpDir, err := os.MkdirTemp("", "commercectl-init-")
		if err != nil {
			return nil, store.Errorf(store.EINTERNAL, "cannot create a temporary directory: %v", unwrapPathError(err))
		}
		defer os.RemoveAll(tmpDir)
		tmp = filepath.Join(tmpDir, "tenant.db")
	} else {
		dir := filepath.Dir(path)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, store.Errorf(store.EINVALID, "cannot create %s: %v", dir, unwrapPathError(err))
		}
	}
	cleanup := func() {
		for _, suffix := range []string{"", "-wal", "-shm", "-journal"} {
			os.Remove(tmp + suffix)
		}
	}
	cleanup()
	d, err := Create(tmp)
	if err != nil {
		cleanup()
		return nil, err
	}
	res, err := d.seed(ctx, opts.Tenant, opts.Admin, opts.Demo)
	if err == nil {
		// Fold the WAL into the main file so the rename moves the whole tenant.
		_, err = d.db.ExecContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)")
	}
	d.Close()
	if err != nil {
		cleanup()
		return nil, d.wrap(err)
	}
	if store.IsDryRun(ctx) {
		cleanup()
		res.DB = path
		return res, nil
	}
	// The tenant replaced is kept whole beside it: the file and its WAL,
	// renamed together so that SQLite reads them as one database.
	if _, err := os.Stat(path); err == nil {
		backup := path + ".bak-" + time.Now().UTC().Format("20060102T150405Z")
		for n := 2; ; n++ { // two replacements within a second keep both
			if _, err := os.Lstat(backup); errors.Is(err, os.ErrNotExist) {
				break
			}
			backup = fmt.Sprintf("%s.bak-%s-%d", path, time.Now().UTC().Format("20060102T150405Z"), n)
		}
		for _, suffix := range []string{"", "-wal"} {
			if err := os.Rename(path+suffix, backup+suffix); err != nil && !errors.Is(err, os.ErrNotExist) {
				cleanup()
				return nil, store.Errorf(store.EINTERNAL, "cannot keep the old tenant as %s: %v", backup, unwrapPathError(err))
			}
		}
		res.Backup = backup
	}
	os.Remove(path + "-shm")
	if err := os.Rename(tmp, path); err != nil {
		cleanup()
		return nil, store.Errorf(store.EINTERNAL, "cannot write %s: %v", path, unwrapPathError(err))
	}
	cleanup()
	res.DB = path
	return res, nil
}

// sqliteCode is the primary result code of a driver error, or 0.
func sqliteCode(err error) int {
	var le *sqlitedrv.Error
	if !errors.As(err, &le) {
		return 0
	}
	return le.Code() & 0xff // the primary code of an extended one
}

func (sqliteEngine) readOnly(err error) bool { return sqliteCode(err) == sqlite3.SQLITE_READONLY }

func (sqliteEngine) wrap(path string, err error) error {
	// Classify by SQLite's result code, never by the text: a message can
	// hold a user's input ("malformed.csv").
	msg := err.Error()
	switch sqliteCode(err) {
	case sqlite3.SQLITE_READONLY:
		return store.Errorf(store.EINTERNAL, "%s is read-only: cannot change the tenant", path)
	case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED:
		return store.Errorf(store.EINTERNAL, "%s stayed locked by another commercectl for too long; try again", path)
	case sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB:
		return store.Errorf(store.EINTERNAL, "%s is damaged: %s", path, msg)
	case sqlite3.SQLITE_FULL:
		return store.Errorf(store.EINTERNAL, "no space left to write %s", path)
	case sqlite3.SQLITE_CANTOPEN:
		return store.Errorf(store.EINTERNAL, "cannot open %s: %s", path, msg)
	case sqlite3.SQLITE_IOERR:
		return store.Errorf(store.EINTERNAL, "cannot read or write %s: %s", path, msg)
	}
	return err
}
