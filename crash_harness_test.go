//go:build !windows

package main

import (
	"bytes"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/commercectl/commercectl/internal/pgtest"
	"github.com/commercectl/commercectl/store/sqlstore"
)

// crashOp is a command under test: a fresh copy of orig for each kill
// point, then the state it leaves.
type crashOp[S comparable] struct {
	name string // for the log
	dir  string // where the copies go
	// orig is the tenant before it: a file, closed and checkpointed (no
	// -wal), or a database on the throwaway PostgreSQL server that nothing
	// is connected to (pgTenant), which each kill point clones.
	orig   string
	args   []string // the command after --db DB --as admin
	points int
	// state reads what the operation changes: equal states are the same
	// outcome.
	state func(t *testing.T, path string) S
	// whole checks, on a run left to finish, that it did the whole
	// operation.
	whole func(t *testing.T, before, after S)
}

// runCrash runs op once to the end, timed, then kills it at op.points
// delays spread over that time (crashDelays), each on a fresh copy. After
// each kill it runs commercectl doctor (exit 0 required), checks integrity
// and foreign keys, and requires the state to be the one before (none) or
// the one the full run left (whole).
//
// On PostgreSQL the client dies, not the server: the server rolls back
// what the killed client left uncommitted once it notices the connection
// gone, which may be when its current statement ends. The state is read
// only after the server has ended that connection (pgWaitGone), so that
// what it reads is final.
func runCrash[S comparable](t *testing.T, op crashOp[S]) {
	t.Helper()
	bin := commercectlBin(t)
	env := interactiveEnv(op.dir)
	before := op.state(t, op.orig)
	pg := sqlstore.IsURL(op.orig)
	fresh := func(name string) string {
		if pg {
			return pgClone(t, op.orig)
		}
		db := filepath.Join(op.dir, name)
		copyDB(t, op.orig, db)
		return db
	}

	full := fresh("full.db")
	cmd := append([]string{"--db", full, "--as", interactiveAdmin}, op.args...)
	start := time.Now()
	run(t, bin, env, cmd...)
	took := time.Since(start)
	crashDoctor(t, bin, env, full)
	checkDB(t, full)
	after := op.state(t, full)
	op.whole(t, before, after)
	removeDB(t, full)
	t.Logf("%s: a run to the end took %s", op.name, took.Round(time.Millisecond))

	outcomes := map[string]int{}
	where := map[string]int{}
	for i, delay := range crashDelays(took, op.points) {
		db := fresh(fmt.Sprintf("kill%d.db", i))
		cmd[1] = db
		var at string
		probe := func() { at = writerAt(t, db) }
		if pg {
			probe = func() { at = pgWriterAt(t, db) }
		}
		killed := killAfter(t, bin, env, delay, probe, cmd...)
		// What the killed process had written to the log, before anything
		// opens the database again; on PostgreSQL, how long the server
		// took to end the killed client's connection.
		var wal int64
		var gone time.Duration
		if pg {
			gone = pgWaitGone(t, db)
		} else if st, err := os.Stat(db + "-wal"); err == nil {
			wal = st.Size()
		}
		crashDoctor(t, bin, env, db)
		checkDB(t, db)
		var got string
		switch s := op.state(t, db); s {
		case before:
			got = "none"
		case after:
			got = "whole"
		default:
			t.Fatalf("%s killed after %s: part of it:\n got    %+v\n before %+v\n after  %+v", op.name, delay, s, before, after)
		}
		outcomes[got]++
		switch {
		case !killed:
			at = atExited
		case at == atNotOpen && got == "whole":
			// SQLite removes the -shm when its last connection closes; the
			// server ends a connection when its client closes it.
			at = atClosed
		case at == atInside && got == "whole":
			// Its commit record was in the log, the lock not yet released;
			// or the server committed between the probe and the signal.
			at = atCommit
		case at == "" && got == "none":
			at = atBefore
		case at == "":
			at = atAfter
		}
		where[at]++
		how := at
		if killed {
			how = "killed " + at
		}
		if killed && wal > 0 {
			how += fmt.Sprintf(" (%s in the WAL)", mb(wal))
		}
		if killed && gone > 0 {
			how += fmt.Sprintf(" (the server ended its connection %s later)", gone.Round(time.Millisecond))
		}
		t.Logf("  after %s: %s; %s; doctor ok", delay.Round(time.Millisecond), how, got)
		removeDB(t, db)
	}
	var places []string
	for _, at := range []string{atNotOpen, atBefore, atInside, atCommit, atAfter, atClosed, atExited} {
		places = append(places, fmt.Sprintf("%d %s", where[at], at))
	}
	t.Logf("%s: %d kill points, killed %s: %d none, %d whole; doctor, integrity_check and foreign_key_check clean after each",
		op.name, op.points, strings.Join(places, ", "), outcomes["none"], outcomes["whole"])
	// A run whose kills all missed the write transaction proved nothing.
	// On a loaded machine a short run may miss; the long one must not.
	if where[atInside]+where[atCommit] == 0 {
		if stress() {
			t.Errorf("%s: no kill landed inside the write transaction", op.name)
		} else {
			t.Logf("%s: no kill landed inside the write transaction this time", op.name)
		}
	}
}

// Where a process was when the signal came.
const (
	atNotOpen = "before opening the database"
	atBefore  = "before its write transaction"
	atInside  = "in its write transaction"
	atCommit  = "in its commit"
	atAfter   = "after its commit"
	atClosed  = "after closing the database"
	atExited  = "had exited"
)

// walWriteLock is the byte of the -shm file that SQLite's unix VFS locks
// (fcntl) for the one writer of a WAL database: WAL_WRITE_LOCK (0) at
// UNIX_SHM_BASE, (22 + SQLITE_SHM_NLOCK) * 4 = 120 (sqlite3.c, os_unix.c);
// modernc.org/sqlite is that C code.
const walWriteLock = 120

// writerAt says, without taking any lock, where the process writing db is:
// before opening it (no -shm yet: atNotOpen; or no more, after closing it,
// as the outcome tells), in its write transaction (it holds the WAL write
// lock: commercectl's write transactions are BEGIN IMMEDIATE, so from their
// start to their commit: atInside), or outside one (""; before it or after
// the commit, as the outcome tells).
func writerAt(t *testing.T, db string) string {
	f, err := os.Open(db + "-shm")
	if errors.Is(err, fs.ErrNotExist) {
		return atNotOpen
	}
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	lk := syscall.Flock_t{Type: syscall.F_WRLCK, Whence: io.SeekStart, Start: walWriteLock, Len: 1}
	if err := syscall.FcntlFlock(f.Fd(), syscall.F_GETLK, &lk); err != nil {
		t.Fatal(err)
	}
	if lk.Type != syscall.F_UNLCK {
		return atInside
	}
	return ""
}

// crashDelays spreads n kill points evenly over 1.2 times a run that took
// took: a killed run is seldom as fast as the timed one on a busy machine,
// and the last points should still reach its commit and its exit.
func crashDelays(took time.Duration, n int) []time.Duration {
	d := make([]time.Duration, n)
	for i := range d {
		d[i] = time.Duration((float64(i) + 0.5) / float64(n) * 1.2 * float64(took))
	}
	return d
}

// killAfter starts commercectl, sends it SIGKILL after delay and waits for
// it. It reports whether the signal killed it: false when it had exited
// before (successfully; a failure of its own fails the test). probe, when
// not nil, runs just before the signal.
func killAfter(t *testing.T, bin string, env []string, delay time.Duration, probe func(), args ...string) bool {
	t.Helper()
	cmd := exec.Command(bin, args...)
	var stderr bytes.Buffer
	cmd.Env, cmd.Stdout, cmd.Stderr = env, io.Discard, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(delay)
	if probe != nil {
		probe()
	}
	cmd.Process.Signal(syscall.SIGKILL) // fails only once Wait has reaped it
	err := cmd.Wait()
	if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		if err == nil {
			t.Fatalf("killed after %s, yet Wait returned no error", delay)
		}
		return true
	}
	if err != nil {
		t.Fatalf("commercectl %s (to be killed after %s) failed on its own: %v\n%s", strings.Join(args, " "), delay, err, stderr.String())
	}
	return false
}

// crashDoctor runs the real binary's doctor on the database a killed
// process left: it opens it as any later command would, and must find
// nothing wrong.
func crashDoctor(t *testing.T, bin string, env []string, db string) {
	t.Helper()
	cmd := exec.Command(bin, "--db", db, "--as", interactiveAdmin, "doctor")
	cmd.Env = env
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("doctor on %s: %v\n%s", db, err, out)
	}
}

// runGentenant runs internal/gentenant with args.
func runGentenant(t *testing.T, args ...string) {
	t.Helper()
	if out, err := exec.Command(gentenantBin(t), args...).CombinedOutput(); err != nil {
		t.Fatalf("gentenant %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

func mb(n int64) string { return fmt.Sprintf("%.1f MB", float64(n)/(1<<20)) }

// removeDB removes a database and what a killed process left beside it,
// or drops a PostgreSQL database now rather than when the test ends.
func removeDB(t *testing.T, path string) {
	t.Helper()
	if sqlstore.IsURL(path) {
		pgDrop(t, path)
		return
	}
	for _, s := range []string{"", "-wal", "-shm"} {
		os.Remove(path + s)
	}
}

// copyDB copies a closed, checkpointed database file (no -wal beside it).
func copyDB(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// onEachEngine runs fn as the subtests sqlite and postgres, as
// forEachEngine does, on the tenant prepared in the SQLite file orig
// (gentenant writes only those): the file itself, or a copy of it on the
// throwaway PostgreSQL server (pgTenant). The postgres subtest skips
// without a server, and fails under CI=true.
func onEachEngine(t *testing.T, orig string, fn func(t *testing.T, tenant string)) {
	t.Run("sqlite", func(t *testing.T) { fn(t, orig) })
	t.Run("postgres", func(t *testing.T) {
		pgtest.URL(t)
		fn(t, pgTenant(t, orig))
	})
}

// pgTenant is a new database on the throwaway PostgreSQL server holding
// the tenant of the SQLite file from, copied by the real binary's
// copy-tenant. The database is dropped when t ends.
func pgTenant(t *testing.T, from string) string {
	t.Helper()
	to := pgtest.NewDatabase(t)
	cmd := exec.Command(commercectlBin(t), "copy-tenant", "--db", from, "--to", to, "--as", interactiveAdmin)
	cmd.Env = interactiveEnv(filepath.Dir(from))
	start := time.Now()
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("copy-tenant --db %s --to %s: %v\n%s", from, to, err, out)
	}
	t.Logf("copy-tenant of %s to PostgreSQL took %s", filepath.Base(from), time.Since(start).Round(time.Millisecond))
	return to
}

var (
	pgAdminOnce sync.Once
	pgAdminDB   *sql.DB
	pgAdminErr  error
	pgCloneSeq  atomic.Int64
)

// pgAdmin is a connection to the throwaway server's own database, from
// which the tests clone, drop and watch theirs.
func pgAdmin(t testing.TB) *sql.DB {
	t.Helper()
	base := pgtest.URL(t)
	pgAdminOnce.Do(func() {
		pgAdminDB, pgAdminErr = sql.Open("pgx", base)
		if pgAdminErr == nil {
			pgAdminDB.SetMaxOpenConns(4)
		}
	})
	if pgAdminErr != nil {
		t.Fatal(pgAdminErr)
	}
	return pgAdminDB
}

// pgName is the name of the database a PostgreSQL URL names.
func pgName(t testing.TB, dsn string) string {
	t.Helper()
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimPrefix(u.Path, "/")
}

// pgClone is a new database that is a copy of the database at tmpl, made
// by the server (CREATE DATABASE ... TEMPLATE: a copy of its files, much
// quicker than copy-tenant for a tenant of 50,000 users), dropped when t
// ends. Nothing may be connected to tmpl (the server waits a few seconds
// for connections just closed to go).
func pgClone(t testing.TB, tmpl string) string {
	t.Helper()
	name := fmt.Sprintf("cc_%d_clone_%d", os.Getpid(), pgCloneSeq.Add(1))
	db := pgAdmin(t)
	if _, err := db.Exec(`CREATE DATABASE ` + name + ` TEMPLATE ` + pgName(t, tmpl)); err != nil {
		t.Fatalf("create database %s from %s: %v", name, pgName(t, tmpl), err)
	}
	dsn := pgtest.WithDatabase(pgtest.URL(t), name)
	t.Cleanup(func() { pgDrop(t, dsn) })
	return dsn
}

// pgDrop drops the database at dsn, if it is still there.
func pgDrop(t testing.TB, dsn string) {
	t.Helper()
	name := pgName(t, dsn)
	if _, err := pgAdmin(t).Exec(`DROP DATABASE IF EXISTS ` + name + ` WITH (FORCE)`); err != nil {
		t.Errorf("drop database %s: %v", name, err)
	}
}

// pgWriterAt says, from the server's view (pg_stat_activity), where the
// one client of the database at dsn is: not connected (atNotOpen; or no
// more, after closing it, as the outcome tells), in a transaction that
// has written (its backend holds a transaction id, which a transaction
// takes at its first write and keeps to its commit: atInside), or outside
// one ("").
func pgWriterAt(t *testing.T, dsn string) string {
	var conns, writing int
	err := pgAdmin(t).QueryRow(`SELECT count(*), count(backend_xid) FROM pg_stat_activity
		WHERE datname = $1 AND backend_type = 'client backend'`, pgName(t, dsn)).Scan(&conns, &writing)
	switch {
	case err != nil:
		t.Fatal(err)
	case conns == 0:
		return atNotOpen
	case writing > 0:
		return atInside
	}
	return ""
}

// pgWaitGone waits until the server has ended every connection to the
// database at dsn, which it does, rolling back what was not committed,
// once it notices that the client is gone, and returns how long that took.
func pgWaitGone(t *testing.T, dsn string) time.Duration {
	t.Helper()
	start := time.Now()
	for {
		var conns int
		if err := pgAdmin(t).QueryRow(`SELECT count(*) FROM pg_stat_activity
			WHERE datname = $1 AND backend_type = 'client backend'`, pgName(t, dsn)).Scan(&conns); err != nil {
			t.Fatal(err)
		}
		if conns == 0 {
			return time.Since(start)
		}
		if time.Since(start) > time.Minute {
			t.Fatalf("a minute after its client was killed the server still has %d connection(s) to %s", conns, pgName(t, dsn))
		}
		time.Sleep(10 * time.Millisecond)
	}
}
