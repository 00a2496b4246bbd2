//go:build linux

package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/commercectl/commercectl/store/sqlstore"
)

func init() { testCommands["peakrss"] = peakRSS }

// peakRSS is the command "peakrss FILE CMD ARGS...": it runs CMD with the
// standard streams and writes CMD's peak memory in kB to FILE. The test
// could read a child's own rusage, but Linux counts in it the memory of
// the process that started it, up to its exec: the test's, which has read
// lists of 150,000 users; a small process in between keeps CMD's alone.
func peakRSS() {
	cmd := exec.Command(os.Args[2], os.Args[3:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	err := cmd.Run()
	if cmd.ProcessState == nil {
		fmt.Fprintln(os.Stderr, "peakrss:", err)
		os.Exit(1)
	}
	kb := cmd.ProcessState.SysUsage().(*syscall.Rusage).Maxrss
	if werr := os.WriteFile(os.Args[1], []byte(fmt.Sprint(kb)), 0o644); werr != nil {
		fmt.Fprintln(os.Stderr, "peakrss:", werr)
		os.Exit(1)
	}
	os.Exit(cmd.ProcessState.ExitCode())
}

// streamedUsers is the tenant of TestListsStream: gentenant's users, every
// one holding a license of the self-service subscription SUB-0000001.
const streamedUsers = 150_000

// streamedRSS bounds the peak memory of a streamed list of them. They
// print in 21 to 29 MB on either engine, whatever the tenant's size (the
// Go runtime and the driver are most of it); held whole before they were
// streamed, the same lists took 102 to 271 MB here.
const streamedRSS = 64 << 20

// list-users, list-licenses --product and get-subscription print a
// tenant's 150,000 licensed users, every one, in the order and JSON
// shapes of SPEC §10, with memory that does not grow with them.
func TestListsStream(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and a tenant of 150,000 users")
	}
	bin, gen := commercectlBin(t), gentenantBin(t)
	forEachEngine(t, func(t *testing.T, newDB func(dir, name string) string) {
		dir := t.TempDir()
		env := interactiveEnv(dir)
		db := newDB(dir, "tenant.db")
		file := db
		if sqlstore.IsURL(db) {
			file = filepath.Join(dir, "gen.db")
		}
		n := fmt.Sprint(streamedUsers)
		if out, err := exec.Command(gen, "tenant", "-users", n, "-licensed", n, "-first-sub", n, "-central", n, file).CombinedOutput(); err != nil {
			t.Fatalf("gentenant: %v\n%s", err, out)
		}
		if file != db {
			run(t, bin, env, "copy-tenant", "--db", file, "--to", db, "--as", "admin@contoso.com")
		}
		// list runs a verb and returns its stdout and its peak memory.
		list := func(args ...string) ([]byte, int64) {
			t.Helper()
			peak := filepath.Join(dir, "peak")
			cmd := exec.Command("peakrss", append([]string{peak, bin}, append(args, "--db", db, "--as", "admin@contoso.com")...)...)
			var stdout, stderr bytes.Buffer
			cmd.Env, cmd.Stdout, cmd.Stderr = env, &stdout, &stderr
			if err := cmd.Run(); err != nil {
				t.Fatalf("commercectl %s: %v\nstderr: %s", strings.Join(args, " "), err, stderr.String())
			}
			b, err := os.ReadFile(peak)
			if err != nil {
				t.Fatal(err)
			}
			kb, err := strconv.ParseInt(string(b), 10, 64)
			if err != nil {
				t.Fatal(err)
			}
			rss := kb << 10
			t.Logf("%s: %d MB peak", strings.Join(args, " "), rss>>20)
			if rss > streamedRSS {
				t.Errorf("%s: peak memory %d MB, over %d MB: the list is held, not streamed", strings.Join(args, " "), rss>>20, streamedRSS>>20)
			}
			return stdout.Bytes(), rss
		}
		type user struct {
			UPN string `json:"upn"`
		}
		inOrder := func(what string, users []user, want int) {
			t.Helper()
			if len(users) != want {
				t.Errorf("%s: %d users, want %d", what, len(users), want)
			}
			if !sort.SliceIsSorted(users, func(i, j int) bool { return strings.ToLower(users[i].UPN) < strings.ToLower(users[j].UPN) }) {
				t.Errorf("%s: users not in UPN order", what)
			}
		}

		out, _ := list("list-users", "-o", "json")
		var users []user
		decode(t, out, &users)
		inOrder("list-users", users, streamedUsers+1) // and the admin

		out, _ = list("list-licenses", "--product", "CFQ7TTC0H9MP", "-o", "json")
		var groups []struct {
			Purchaser *string `json:"purchaser"`
			Users     []user  `json:"users"`
		}
		decode(t, out, &groups)
		if len(groups) != 1 || groups[0].Purchaser == nil || *groups[0].Purchaser == "" {
			t.Fatalf("list-licenses --product: %d groups, want the one of SUB-0000001's purchaser", len(groups))
		}
		inOrder("list-licenses --product", groups[0].Users, streamedUsers)

		out, _ = list("get-subscription", "SUB-0000001", "-o", "json")
		var sub struct {
			ID       string `json:"id"`
			Assigned int    `json:"assigned"`
			Users    []user `json:"users"`
		}
		decode(t, out, &sub)
		if sub.ID != "SUB-0000001" || sub.Assigned != streamedUsers || len(sub.Users) != streamedUsers {
			t.Errorf("get-subscription: %s with %d assigned and %d users, want SUB-0000001 with %d", sub.ID, sub.Assigned, len(sub.Users), streamedUsers)
		}

		// A table too: a header and a line per user.
		out, _ = list("list-users")
		if lines := bytes.Count(out, []byte("\n")); lines != streamedUsers+2 {
			t.Errorf("list-users: %d lines, want %d", lines, streamedUsers+2)
		}
	})
}
