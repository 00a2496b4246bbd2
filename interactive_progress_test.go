//go:build !windows

package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	expect "github.com/Netflix/go-expect"
)

// expectRe waits until the terminal shows text matching re.
func (term *terminal) expectRe(re string) {
	term.t.Helper()
	if _, err := term.c.Expect(expect.Regexp(regexp.MustCompile(re))); err != nil {
		term.cmd.Process.Kill()
		term.t.Fatalf("waiting for /%s/: %v\nscreen:\n%s", re, err, term.screen)
	}
}

// Bulk work in a terminal shows how far it is, with the percent, the rate
// and the time left against what is known (the file's size, the count of
// rows or users), and ends with what was done; on a pipe, none of it.
func TestBulkProgress(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := commercectlBin(t)
	dir := t.TempDir()
	env := interactiveEnv(dir)
	db := filepath.Join(dir, "tenant.db")
	run(t, bin, env, "init", "--tenant", "Contoso", "--admin", interactiveAdmin, "--db", db)
	const n = 150_000
	var users, upns bytes.Buffer
	users.WriteString("upn,displayName,department\r\n")
	for i := range n {
		fmt.Fprintf(&users, "user%06d@contoso.com,User %d,Dept %d\r\n", i, i, i%40)
		fmt.Fprintf(&upns, "user%06d@contoso.com\n", i)
	}
	usersCSV, upnsTXT := filepath.Join(dir, "users.csv"), filepath.Join(dir, "upns.txt")
	for name, b := range map[string][]byte{usersCSV: users.Bytes(), upnsTXT: upns.Bytes()} {
		if err := os.WriteFile(name, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	as := []string{"--db", db, "--as", interactiveAdmin}
	inTerm := func(args ...string) *terminal {
		cmd := exec.Command(bin, append(args, as...)...)
		cmd.Env = env
		return inTerminal(t, cmd)
	}

	term := inTerm("import-users", usersCSV)
	term.expectRe(`Reading \S+users\.csv +\d+% \[[=> ]*\] \(\d+(\.\d+)?( [kM]B)?/\d+(\.\d+)? MB, \d+(\.\d+)? [kM]?B/s\) \[\d+s:\d+s\]`)
	term.expectRe(`Reading \S+users\.csv: \d+\.\d MB in `)
	term.wait("the import")

	run(t, bin, env, append([]string{"add-subscription", "--product", "CFQ7TTC0H9MP", "--quantity", fmt.Sprint(n), "--months", "12"}, as...)...)
	term = inTerm("assign-license", "--product", "CFQ7TTC0H9MP", "--users-file", upnsTXT)
	term.expectRe(`Assigning licenses +\d+% \[[=> ]*\] \(\d+/150000`)
	term.expect("Assigning licenses: 150,000 users in ")
	term.wait("the assignment")

	out := filepath.Join(dir, "export.csv")
	term = inTerm("export-users", "--out", out)
	term.expectRe(`Exporting users to \S+ +\d+% \[[=> ]*\] \(\d+/150000, \d+ rows/s\) \[\d+s:\d+s\]`)
	term.expect("rows in ")
	term.wait("the export")

	// A pipe gets the results only.
	for _, args := range [][]string{
		{"export-users", "--out", out},
		{"unassign-license", "--product", "CFQ7TTC0H9MP", "--users-file", upnsTXT, "--yes"},
		{"import-users", usersCSV, "--dry-run"},
	} {
		var stdout, stderr bytes.Buffer
		cmd := exec.Command(bin, append(args, as...)...)
		cmd.Env, cmd.Stdout, cmd.Stderr = env, &stdout, &stderr
		err := cmd.Run()
		if args[0] != "import-users" && err != nil {
			t.Fatalf("%s on a pipe: %v: %s", args[0], err, stderr.String())
		}
		if strings.Contains(stderr.String(), "%") || strings.Contains(stderr.String(), "\r") {
			t.Errorf("%s: progress on a pipe:\nstderr %q", args[0], stderr.String())
		}
	}
}

// A progress line keeps to the terminal's width, its label cut when it
// must: a line that wraps would be drawn again under itself at each
// update, leaving a trail of stale bars (issue 15).
func TestProgressFitsANarrowTerminal(t *testing.T) {
	bin, env, db := demoTenant(t)
	var users bytes.Buffer
	users.WriteString("upn,displayName,department\n")
	for i := range 300_000 {
		fmt.Fprintf(&users, "user%06d@contoso.com,User %d,Sales\n", i, i)
	}
	csv := filepath.Join(filepath.Dir(db), "new-hires-of-the-whole-northern-region.csv")
	if err := os.WriteFile(csv, users.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "import-users", csv, "--db", db, "--as", interactiveAdmin)
	cmd.Env = env
	term := inTerminalOf(t, cmd, 60)
	term.expectRe(`\d+% \[`)
	term.expect("MB in ")
	term.wait("the import")
	if screen := term.screen.String(); strings.Contains(screen, "% [") {
		t.Errorf("stale progress lines are left on a 60-column screen:\n%s", screen)
	}
}

// In a terminal, a change prints its ✓; the same change with --dry-run
// prints the preview heading and no ✓ (issue 15).
func TestDryRunShowsNoTick(t *testing.T) {
	bin, env, db := demoTenant(t)
	args := []string{"assign-license", "--product", "CFQ7TTC0H9MP", "--users", "lee.gu@contoso.com", "--db", db, "--as", interactiveAdmin}

	cmd := exec.Command(bin, append(args, "--dry-run")...)
	cmd.Env = env
	term := inTerminal(t, cmd)
	term.expect("Preview (--dry-run): what would change; nothing is changed.")
	term.expect("dry run: nothing was changed")
	if rest := term.wait("the preview"); strings.Contains(rest, "✓") || strings.Contains(term.screen.String(), "✓") {
		t.Errorf("a ✓ in a preview:\n%s", term.screen)
	}

	cmd = exec.Command(bin, args...)
	cmd.Env = env
	term = inTerminal(t, cmd)
	term.expect("✓ Assigned 1 license(s) of Power BI Pro")
	term.wait("the change")
}

// In a terminal a table fits its width, COLUMNS first: long text is cut
// with "…", ids and counts stay whole (issue 15). On a pipe nothing is cut
// (table_output.txtar).
func TestTablesFitTheTerminal(t *testing.T) {
	bin, env, db := demoTenant(t)
	cmd := exec.Command(bin, "list-users", "--db", db, "--as", interactiveAdmin)
	cmd.Env = append(env, "COLUMNS=60")
	term := inTerminal(t, cmd)
	term.expect("Sanjay Shah") // the last user
	term.wait("the listing")
	lines := strings.Split(strings.TrimRight(term.screen.String(), " \n"), "\n")
	cut := 0
	for _, l := range lines {
		l = strings.TrimRight(l, " ")
		if n := len([]rune(l)); n > 60 {
			t.Errorf("a line of %d characters in a 60-column terminal: %q", n, l)
		}
		if strings.Contains(l, "…") {
			cut++
		}
	}
	if cut == 0 || !strings.Contains(term.screen.String(), "UPN") || !strings.Contains(term.screen.String(), "GlobalAdmin") {
		t.Errorf("the table:\n%s", term.screen)
	}
}

// The widest lists fit an 80-column terminal too: ids, counts, money and
// times whole, long text cut, and the columns that would not fit left
// out, said under the table (issue 15).
func TestWideListsFitEightyColumns(t *testing.T) {
	bin, env, db := demoTenant(t)
	for _, c := range []struct {
		args []string
		last string   // on the screen when the list is done
		kept []string // never left out or cut
		left string   // the note, "" when every column fits
	}{
		{[]string{"list-subscriptions"}, "SUB-00009", []string{"MONTHLY COST", "STATUS", "140.00", "Active", "Expired"}, "(no room for KIND, AVAILABLE, EXPIRES;"},
		{[]string{"list-licenses"}, "Visio Plan 2", []string{"PRODUCT ID", "CFQ7TTC0H9MP", "2 users need a valid license"}, "(no room for CENTRAL, SELF-SERVICE, TRIAL, AVAILABLE;"},
		{[]string{"list-conflicts"}, "CFQ7TTC0HDB0", []string{"SHORTFALL"}, "(no room for SUBSCRIPTIONS;"},
		{[]string{"list-licenses", "--product", "CFQ7TTC0H9MP"}, "SUB-00006", []string{"2026-", "SUBSCRIPTION", "henrietta.mueller@contoso.com"}, "(no room for NAME, APPS TURNED OFF;"},
		{[]string{"resolve-conflicts", "--all", "--unassign-newest", "--dry-run"}, "nothing was changed", []string{"UNASSIGNED", "MONTHLY COST"}, "(no room for PRODUCT, SHORTFALL, REMAINING;"},
		{[]string{"list-requests"}, "johanna.lorenz", []string{"REQUESTED", "Pending"}, ""},
		{[]string{"get-product-policies"}, "Visio Plan 2", []string{"OnlyTrialsWithoutPaymentMethod"}, ""},
	} {
		cmd := exec.Command(bin, append(c.args, "--db", db, "--as", interactiveAdmin)...)
		cmd.Env = append(env, "COLUMNS=80")
		term := inTerminal(t, cmd)
		term.expect(c.last)
		term.wait(strings.Join(c.args, " "))
		screen := term.screen.String()
		for _, l := range strings.Split(strings.TrimRight(screen, " \n"), "\n") {
			if n := len([]rune(strings.TrimRight(l, " "))); n > 80 {
				t.Errorf("%s: a line of %d characters in 80 columns: %q", c.args, n, l)
			}
		}
		for _, k := range c.kept {
			if !strings.Contains(screen, k) {
				t.Errorf("%s: %q is not on the screen:\n%s", c.args, k, screen)
			}
		}
		if c.left != "" && !strings.Contains(strings.ReplaceAll(screen, "\n", ""), c.left) || c.left == "" && strings.Contains(screen, "no room for") {
			t.Errorf("%s: want the note %q:\n%s", c.args, c.left, screen)
		}
	}
}

// init --force asks in a terminal before it replaces a tenant: "no" leaves
// it as it was (exit 2, canceled), "yes" replaces it and keeps the old one
// as FILE.bak-<time> (issue 15).
func TestInitForceAsks(t *testing.T) {
	bin, env, db := demoTenant(t)
	before, err := os.ReadFile(db)
	if err != nil {
		t.Fatal(err)
	}
	args := []string{"init", "--tenant", "Fabrikam", "--admin", interactiveAdmin, "--force", "--db", db}

	cmd := exec.Command(bin, args...)
	cmd.Env = env
	term := inTerminal(t, cmd)
	term.expect("Replace the whole tenant in " + db + "? It is kept as " + db + ".bak-<time>")
	term.expect("(y/N)")
	term.send("n\r")
	term.expect("canceled")
	select {
	case err := <-term.exited:
		var exitErr *exec.ExitError
		if !errors.As(err, &exitErr) || exitErr.ExitCode() != 2 {
			t.Fatalf("answered no: %v, want exit 2\n%s", err, term.screen)
		}
	case <-time.After(interactiveWait):
		t.Fatalf("init did not exit after no\n%s", term.screen)
	}
	if after, _ := os.ReadFile(db); !bytes.Equal(before, after) {
		t.Fatal("answered no, and the tenant changed")
	}

	cmd = exec.Command(bin, args...)
	cmd.Env = env
	term = inTerminal(t, cmd)
	term.expect("Replace the whole tenant in ")
	term.expect("(y/N)")
	term.send("y\r")
	term.expect("Replaced tenant kept as:  " + db + ".bak-")
	term.wait("the replacement")
	backups, _ := filepath.Glob(db + ".bak-*Z")
	if len(backups) != 1 {
		t.Fatalf("backups %q", backups)
	}
	out := run(t, bin, env, "list-users", "--db", backups[0], "--as", interactiveAdmin, "-o", "json", "--jq", "length")
	if strings.TrimSpace(string(out)) != "30" {
		t.Errorf("the backup holds %s users, want the demo's 30", out)
	}
}

// In a terminal, taking licenses away asks first and says what goes:
// "n" leaves them (exit 2), "y" takes them (issue 15).
func TestUnassignAsks(t *testing.T) {
	bin, env, db := demoTenant(t)
	args := []string{"unassign-license", "--product", "CFQ7TTC0H9MP", "--users", "megan.bowen@contoso.com,patti.fernandez@contoso.com", "--db", db, "--as", interactiveAdmin}
	for _, answer := range []string{"n", "y"} {
		cmd := exec.Command(bin, args...)
		cmd.Env = env
		term := inTerminal(t, cmd)
		term.expect("Take 2 license(s) of Power BI Pro away from megan.bowen@contoso.com, patti.fernandez@contoso.com?")
		term.expect("(y/N)")
		term.send(answer + "\r")
		if answer == "n" {
			term.expect("canceled")
			<-term.exited
		} else {
			term.expect("Unassigned 2 license(s) of Power BI Pro")
			term.wait("the unassignment")
		}
		out := run(t, bin, env, "list-licenses", "--product", "CFQ7TTC0H9MP", "--db", db, "--as", interactiveAdmin, "-o", "json", "--jq", `[.[].users[].upn | select(. == "megan.bowen@contoso.com")] | length`)
		want := map[string]string{"n": "1", "y": "0"}[answer]
		if strings.TrimSpace(string(out)) != want {
			t.Errorf("after %q: megan holds %s license(s), want %s", answer, out, want)
		}
	}
}
