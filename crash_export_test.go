//go:build !windows

package main

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/commercectl/commercectl/store/sqlstore"
)

// TestCrashExportUsers kills export-users --out FILE of 200,000 licenses
// (1,000,000 under stress) at points spread over the export, half of them
// with an older FILE in place. FILE must then be absent, still the old
// file, or the complete export (byte for byte the export of a run left to
// finish): never a part of it. A killed export may leave its temporary
// file, .FILE.*.tmp beside FILE; each one is reported. It runs on both
// engines: on PostgreSQL on a copy of the tenant (copy-tenant), whose
// export must be byte for byte the file's.
func TestCrashExportUsers(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and a tenant of 200,000 licensed users")
	}
	n := crashSize(200_000, 1_000_000)
	points := crashSize(6, 16)
	dir := t.TempDir()
	bin := commercectlBin(t)
	env := interactiveEnv(dir)
	db := filepath.Join(dir, "tenant.db")
	num := strconv.Itoa(n)
	runGentenant(t, "tenant", "-users", num, "-licensed", num, "-per-sub", "200", "-central", "100", db)

	onEachEngine(t, db, func(t *testing.T, tenant string) {
		exportUsersKilled(t, bin, env, tenant, db, n, points)
	})
}

// exportUsersKilled is TestCrashExportUsers on one engine's tenant, of n
// licenses; orig is the SQLite file it was copied from, when it is a copy,
// whose export it must be byte for byte.
func exportUsersKilled(t *testing.T, bin string, env []string, db, orig string, n, points int) {
	dir := t.TempDir()
	ref := filepath.Join(dir, "full", "users.csv")
	if err := os.Mkdir(filepath.Dir(ref), 0o755); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	run(t, bin, env, "--db", db, "--as", interactiveAdmin, "export-users", "--out", ref)
	took := time.Since(start)
	b, err := os.ReadFile(ref)
	if err != nil {
		t.Fatal(err)
	}
	refSize, refSum := int64(len(b)), sha256.Sum256(b)
	if lines := bytes.Count(b, []byte("\n")); lines != n+1 {
		t.Fatalf("export of %d licenses: %d lines", n, lines)
	}
	b = nil
	if db != orig {
		// A copy exports what its original does.
		file := filepath.Join(dir, "orig.csv")
		run(t, bin, env, "--db", orig, "--as", interactiveAdmin, "export-users", "--out", file)
		o, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		if sha256.Sum256(o) != refSum {
			t.Fatalf("the export of %s (%d bytes) is not that of the SQLite tenant it was copied from (%d bytes)", sqlstore.RedactURL(db), refSize, len(o))
		}
		os.Remove(file)
	}
	if tmp := exportTemps(t, ref); len(tmp) > 0 {
		t.Fatalf("an export left to finish left %v", tmp)
	}
	t.Logf("export-users --out, %d licenses: a run to the end took %s, %s", n, took.Round(time.Millisecond), mb(refSize))

	old := []byte("upn,displayName\r\nold@contoso.com,An older export\r\n")
	outcomes := map[string]int{}
	killed, temps, partial := 0, 0, 0
	for i, delay := range crashDelays(took, points) {
		out := filepath.Join(dir, fmt.Sprintf("point%d", i), "users.csv")
		if err := os.Mkdir(filepath.Dir(out), 0o755); err != nil {
			t.Fatal(err)
		}
		hadOld := i%2 == 1
		if hadOld {
			if err := os.WriteFile(out, old, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		k := killAfter(t, bin, env, delay, nil, "--db", db, "--as", interactiveAdmin, "export-users", "--out", out)
		var got string
		switch b, err := os.ReadFile(out); {
		case errors.Is(err, fs.ErrNotExist) && !hadOld:
			got = "absent"
		case err != nil:
			t.Fatalf("after %s: %v", delay, err)
		case hadOld && bytes.Equal(b, old):
			got = "the old file"
		case int64(len(b)) == refSize && sha256.Sum256(b) == refSum:
			got = "complete"
		default:
			t.Fatalf("export killed after %s left a half-written %s: %d bytes of %d", delay, out, len(b), refSize)
		}
		outcomes[got]++
		how := "had exited"
		if k {
			killed++
			how = "killed"
		}
		left := "no temporary file"
		if tmp := exportTemps(t, out); len(tmp) > 0 {
			if !k {
				t.Fatalf("an export that exited left %v", tmp)
			}
			temps++
			st, err := os.Stat(tmp[0])
			if err != nil {
				t.Fatal(err)
			}
			if st.Size() < refSize {
				partial++
			}
			left = fmt.Sprintf("left %s (%s)", filepath.Base(tmp[0]), mb(st.Size()))
		}
		over := ""
		if hadOld {
			over = " over an older FILE"
		}
		t.Logf("  after %s%s: %s; FILE is %s; %s", delay.Round(time.Millisecond), over, how, got, left)
		os.RemoveAll(filepath.Dir(out))
	}
	t.Logf("export-users --out, %d licenses: %d kill points (%d killed mid-run, %d had exited): FILE absent %d, the old file %d, complete %d, never partial; %d kills left a temporary file (%d of them partial)",
		n, points, killed, points-killed, outcomes["absent"], outcomes["the old file"], outcomes["complete"], temps, partial)
}

// exportTemps lists the temporary files of an export to out.
func exportTemps(t *testing.T, out string) []string {
	t.Helper()
	m, err := filepath.Glob(filepath.Join(filepath.Dir(out), "."+filepath.Base(out)+".*.tmp"))
	if err != nil {
		t.Fatal(err)
	}
	return m
}
