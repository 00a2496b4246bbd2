//go:build !windows

package main

import (
	"database/sql"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// killSub and killTarget are the subscriptions of the move under test: the
// one self-service subscription of gentenant's tenant, and its central
// Visio Plan 2 subscription.
const (
	killSub    = "SUB-0000001"
	killTarget = "SUB-CENTRAL"
)

// TestTakeoverKilled kills (SIGKILL) takeover-subscription --move-to-subscription
// of a self-service subscription of N licensed users at several points of the
// move, each on a fresh copy of the tenant, and checks that the database,
// opened again (WAL recovery), holds either the whole move or none of it.
// N is 100,000, the size the takeover issue names; COMMERCECTL_KILL_USERS
// changes it.
func TestTakeoverKilled(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and a tenant of 100,000 users")
	}
	n := 100_000
	if s := os.Getenv("COMMERCECTL_KILL_USERS"); s != "" {
		v, err := strconv.Atoi(s)
		if err != nil || v < 1 {
			t.Fatalf("COMMERCECTL_KILL_USERS=%q: want a number of users", s)
		}
		n = v
	}
	dir := t.TempDir()
	bin := commercectlBin(t)
	env := interactiveEnv(dir)
	gen := gentenantBin(t)
	orig := filepath.Join(dir, "tenant.db")
	num := strconv.Itoa(n)
	if out, err := exec.Command(gen, "tenant", "-users", num, "-licensed", num, "-per-sub", num, "-central", num, orig).CombinedOutput(); err != nil {
		t.Fatalf("gentenant: %v\n%s", err, out)
	}
	before := readKillState(t, orig)
	if before.sub != n || before.target != 0 || before.canceled || before.told != 0 {
		t.Fatalf("generated tenant: %+v, want %d licenses on %s and none on %s", before, n, killSub, killTarget)
	}

	// One move to the end, timed: the kill points are spread over it.
	full := filepath.Join(dir, "full.db")
	copyDB(t, orig, full)
	start := time.Now()
	run(t, bin, env, "--db", full, "--as", interactiveAdmin, "takeover-subscription", killSub, "--move-to-subscription", killTarget)
	took := time.Since(start)
	if got := judge(t, readKillState(t, full), before, n); got != "whole" {
		t.Fatalf("a move left to finish left %s of it", got)
	}
	t.Logf("%d users: the whole move took %s", n, took.Round(time.Millisecond))

	delays := []time.Duration{10 * time.Millisecond}
	// Up to 90% of the run, and then around its end, where the commit is.
	for _, f := range []float64{0.25, 0.5, 0.7, 0.8, 0.9, 0.95, 1.0} {
		if d := time.Duration(f * float64(took)); d > delays[len(delays)-1] {
			delays = append(delays, d)
		}
	}
	outcomes := map[string]int{}
	var lines []string
	for i, delay := range delays {
		db := filepath.Join(dir, fmt.Sprintf("kill%d.db", i))
		copyDB(t, orig, db)
		cmd := exec.Command(bin, "--db", db, "--as", interactiveAdmin, "takeover-subscription", killSub, "--move-to-subscription", killTarget)
		cmd.Env, cmd.Stdout, cmd.Stderr = env, io.Discard, io.Discard
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(delay)
		killed := cmd.Process.Signal(syscall.SIGKILL) == nil
		err := cmd.Wait()
		if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() {
			killed = false // it had exited before the signal
		} else if err == nil {
			t.Fatalf("killed after %s, yet Wait returned no error", delay)
		}
		got := judge(t, readKillState(t, db), before, n)
		outcomes[got]++
		how := "killed"
		if !killed {
			how = "had exited"
		}
		lines = append(lines, fmt.Sprintf("after %s: %s, %s", delay.Round(time.Millisecond), how, got))
		os.Remove(db)
		os.Remove(db + "-wal")
		os.Remove(db + "-shm")
	}
	for _, l := range lines {
		t.Log(l)
	}
	t.Logf("%d kill points: %d none, %d whole", len(delays), outcomes["none"], outcomes["whole"])
}

// killState is what a move changes.
type killState struct {
	sub, target       int // licenses of killSub and of killTarget
	canceled          bool
	told              int // takeover notifications to killSub's purchaser
	notifications     int // all notifications
	audit             int // audit_log rows
	integrity, fkeys  string
	purchaser, reason string
}

// readKillState opens the database as commercectl would (WAL, so that a log
// a killed process left is recovered) and reads the state of the move.
func readKillState(t *testing.T, path string) killState {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=foreign_keys(1)&_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var s killState
	var canceled sql.NullString
	if err := db.QueryRow(`SELECT
		(SELECT count(*) FROM licenses WHERE subscription_id = ?),
		(SELECT count(*) FROM licenses WHERE subscription_id = ?),
		s.canceled_at, coalesce(s.cancel_reason, ''), u.upn,
		(SELECT count(*) FROM notifications WHERE to_upn = u.upn AND kind = 'subscription-taken-over'),
		(SELECT count(*) FROM notifications),
		(SELECT count(*) FROM audit_log)
		FROM subscriptions s JOIN users u ON u.id = s.purchaser_id WHERE s.id = ?`, killSub, killTarget, killSub).
		Scan(&s.sub, &s.target, &canceled, &s.reason, &s.purchaser, &s.told, &s.notifications, &s.audit); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	s.canceled = canceled.Valid && canceled.String != ""
	var checks []string
	rows, err := db.Query(`PRAGMA integrity_check`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			t.Fatal(err)
		}
		checks = append(checks, line)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	s.integrity = strings.Join(checks, "; ")
	rows, err = db.Query(`PRAGMA foreign_key_check`)
	if err != nil {
		t.Fatal(err)
	}
	cols, _ := rows.Columns()
	var bad []string
	for rows.Next() {
		v := make([]any, len(cols))
		p := make([]any, len(cols))
		for i := range v {
			p[i] = &v[i]
		}
		if err := rows.Scan(p...); err != nil {
			t.Fatal(err)
		}
		bad = append(bad, fmt.Sprint(v...))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	s.fkeys = strings.Join(bad, "; ")
	return s
}

// judge says whether the state holds none of the move or the whole of it,
// and fails the test on anything in between or a damaged database.
func judge(t *testing.T, s, before killState, n int) string {
	t.Helper()
	if s.integrity != "ok" {
		t.Fatalf("integrity_check: %s", s.integrity)
	}
	if s.fkeys != "" {
		t.Fatalf("foreign_key_check: %s", s.fkeys)
	}
	switch {
	case s.sub == n && s.target == 0 && !s.canceled && s.told == 0 &&
		s.notifications == before.notifications && s.audit == before.audit:
		return "none"
	case s.sub == 0 && s.target == n && s.canceled && s.told == 1 &&
		s.notifications == before.notifications+1 && s.audit == before.audit+1:
		return "whole"
	}
	t.Fatalf("part of the move: %d licenses on %s, %d on %s, canceled %v (%q), %d notification(s) to %s (%d in all, %d before), %d audit rows (%d before)",
		s.sub, killSub, s.target, killTarget, s.canceled, s.reason, s.told, s.purchaser, s.notifications, before.notifications, s.audit, before.audit)
	return ""
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
