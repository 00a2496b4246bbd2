//go:build !windows

package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// crashOp is a command under test: a fresh copy of orig for each kill
// point, then the state it leaves.
type crashOp[S comparable] struct {
	name   string   // for the log
	dir    string   // where the copies go
	orig   string   // the tenant before it, closed and checkpointed (no -wal)
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
func runCrash[S comparable](t *testing.T, op crashOp[S]) {
	t.Helper()
	bin := commercectlBin(t)
	env := interactiveEnv(op.dir)
	before := op.state(t, op.orig)

	full := filepath.Join(op.dir, "full.db")
	copyDB(t, op.orig, full)
	cmd := append([]string{"--db", full, "--as", interactiveAdmin}, op.args...)
	start := time.Now()
	run(t, bin, env, cmd...)
	took := time.Since(start)
	crashDoctor(t, bin, env, full)
	checkDB(t, full)
	after := op.state(t, full)
	op.whole(t, before, after)
	removeDB(full)
	t.Logf("%s: a run to the end took %s", op.name, took.Round(time.Millisecond))

	outcomes := map[string]int{}
	where := map[string]int{}
	for i, delay := range crashDelays(took, op.points) {
		db := filepath.Join(op.dir, fmt.Sprintf("kill%d.db", i))
		copyDB(t, op.orig, db)
		cmd[1] = db
		var at string
		killed := killAfter(t, bin, env, delay, func() { at = writerAt(t, db) }, cmd...)
		// What the killed process had written to the log, before anything
		// opens the database again.
		var wal int64
		if st, err := os.Stat(db + "-wal"); err == nil {
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
			// SQLite removes the -shm when its last connection closes.
			at = atClosed
		case at == atInside && got == "whole":
			// Its commit record was in the log, the lock not yet released.
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
		t.Logf("  after %s: %s; %s; doctor ok", delay.Round(time.Millisecond), how, got)
		removeDB(db)
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

// removeDB removes a database and what a killed process left beside it.
func removeDB(path string) {
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
