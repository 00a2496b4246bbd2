package user

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/commercectl/commercectl/internal/clitest"
	"github.com/commercectl/commercectl/output"
	"github.com/commercectl/commercectl/store"
	"github.com/spf13/cobra"
)

const admin = "admin@contoso.com"

func execute(cmd *cobra.Command, args ...string) error {
	cmd.SetArgs(args)
	cmd.SilenceErrors, cmd.SilenceUsage = true, true
	return cmd.Execute()
}

// userCount is how many users of the tenant at path have upn.
func userCount(t *testing.T, path, upn string) int {
	t.Helper()
	f, stdout, _ := clitest.Factory(t, path, admin, false, nil)
	f.Flags.Output, f.Flags.JQ = output.FormatJSON, `[.[] | select(.upn == "`+upn+`")] | length`
	if err := execute(NewCmdListUsers(f, nil)); err != nil {
		t.Fatal(err)
	}
	return map[string]int{"0\n": 0, "1\n": 1}[stdout.String()]
}

// A UPN typed in a terminal is confirmed with what add-user will do:
// "no" adds nobody (exit 2), "yes" adds the user (issue 15).
func TestAddUserConfirmsATypedUPN(t *testing.T) {
	for _, yes := range []bool{false, true} {
		path := clitest.DemoTenant(t)
		pr := &output.FakePrompter{Answers: []output.FakeAnswer{
			{Match: "UPN of the new user?", Text: "zed@contoso.com"},
			{Match: "Add zed@contoso.com to the tenant, with no role (a member)?", Yes: yes},
		}}
		f, _, _ := clitest.Factory(t, path, admin, true, pr)
		err := execute(NewCmdAddUser(f, nil))
		clitest.AllAnswered(t, pr)
		if yes && err != nil || !yes && !errors.Is(err, output.ErrCanceled) {
			t.Errorf("answering %v: %v", yes, err)
		}
		if got, want := userCount(t, path, "zed@contoso.com"), map[bool]int{false: 0, true: 1}[yes]; got != want {
			t.Errorf("answering %v: %d zed, want %d", yes, got, want)
		}
	}
}

// A CSV file typed in a terminal is confirmed with what importing it will
// do, counted by a rehearsal: "no" imports nobody, "yes" imports them all.
func TestImportUsersConfirmsATypedFileWithItsCounts(t *testing.T) {
	for _, yes := range []bool{false, true} {
		path := clitest.DemoTenant(t)
		csv := filepath.Join(t.TempDir(), "new.csv")
		body := "upn,displayName,department,roles\nzed@contoso.com,Zed,Sales,BillingAdmin\nyan@contoso.com,Yan,Sales,\nadele.vance@contoso.com,Adele,Sales,\n"
		if err := os.WriteFile(csv, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		pr := &output.FakePrompter{Answers: []output.FakeAnswer{
			{Match: "Which CSV file?", Text: csv},
			{Match: "Import 2 users from " + csv + " and give them 1 role (1 already in the tenant, left as they are)?", Yes: yes},
		}}
		f, _, _ := clitest.Factory(t, path, admin, true, pr)
		err := execute(NewCmdImportUsers(f, nil), "--skip-existing")
		clitest.AllAnswered(t, pr)
		if yes && err != nil || !yes && !errors.Is(err, output.ErrCanceled) {
			t.Errorf("answering %v: %v", yes, err)
		}
		want := map[bool]int{false: 0, true: 1}[yes]
		if zed, yan := userCount(t, path, "zed@contoso.com"), userCount(t, path, "yan@contoso.com"); zed != want || yan != want {
			t.Errorf("answering %v: %d zed and %d yan, want %d of each", yes, zed, yan, want)
		}
	}
}

// A typed file the import refuses is refused before any question, with
// the bad lines, as it is when given.
func TestImportUsersRefusesABadTypedFileUnasked(t *testing.T) {
	path := clitest.DemoTenant(t)
	csv := filepath.Join(t.TempDir(), "bad.csv")
	if err := os.WriteFile(csv, []byte("upn,displayName,department\nadele.vance@contoso.com,Adele,Sales\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	pr := &output.FakePrompter{Answers: []output.FakeAnswer{{Match: "Which CSV file?", Text: csv}}}
	f, _, stderr := clitest.Factory(t, path, admin, true, pr)
	err := execute(NewCmdImportUsers(f, nil))
	clitest.AllAnswered(t, pr)
	var bad *store.ImportError
	if !errors.As(err, &bad) || len(pr.Asked) != 1 || !strings.Contains(stderr.String(), ":2: duplicate UPN adele.vance@contoso.com") {
		t.Errorf("import of a bad typed file: %v, asked %q, stderr %q", err, pr.Asked, stderr)
	}
}

// Given a UPN, add-user asks nothing.
func TestAddUserGivenAUPNAsksNothing(t *testing.T) {
	path := clitest.DemoTenant(t)
	pr := &output.FakePrompter{}
	f, _, _ := clitest.Factory(t, path, admin, true, pr)
	if err := execute(NewCmdAddUser(f, nil), "zed@contoso.com"); err != nil {
		t.Fatal(err)
	}
	if len(pr.Asked) != 0 {
		t.Errorf("asked %q", pr.Asked)
	}
}

// set-role without arguments asks whom, then which role (one not held,
// the least powerful first), then confirms the grant.
func TestSetRoleAsksWhomWhichAndConfirms(t *testing.T) {
	path := clitest.DemoTenant(t)
	pr := &output.FakePrompter{Answers: []output.FakeAnswer{
		{Match: "Give a role to whom?", Options: []string{"adele.vance@contoso.com"}},
		{Match: "Give adele.vance@contoso.com which role?", Options: []string{"GlobalReader"}},
		{Match: "Give adele.vance@contoso.com the role GlobalReader?", Yes: true},
	}}
	f, _, _ := clitest.Factory(t, path, admin, true, pr)
	if err := execute(NewCmdSetRole(f, nil)); err != nil {
		t.Fatal(err)
	}
	clitest.AllAnswered(t, pr)
	if roles := pr.Offered["Give adele.vance@contoso.com which role?"]; !slices.Equal(roles, []string{"GlobalReader", "UserAdmin", "LicenseAdmin", "BillingAdmin", "GlobalAdmin"}) {
		t.Errorf("roles offered: %q", roles)
	}
	g, stdout, _ := clitest.Factory(t, path, admin, false, nil)
	g.Flags.Output, g.Flags.JQ = output.FormatJSON, `[.[].upn] | index("adele.vance@contoso.com") != null`
	if err := execute(NewCmdListUsers(g, nil), "--role", "GlobalReader"); err != nil || stdout.String() != "true\n" {
		t.Errorf("adele among the GlobalReaders: %q (%v)", stdout, err)
	}
}

// Taking the last GlobalAdmin's role away is not offered: set-role
// --remove shows them above the list with the store's reason, and lists
// the users it can take a role from.
func TestSetRoleRemoveLeavesTheLastGlobalAdmin(t *testing.T) {
	path := clitest.DemoTenant(t)
	pr := &output.FakePrompter{Answers: []output.FakeAnswer{
		{Match: "Take a role away from whom?", Options: []string{"megan.bowen@contoso.com"}},
		{Match: "Take which role away from megan.bowen@contoso.com?", Options: []string{"BillingAdmin"}},
		{Match: "Take the role BillingAdmin away from megan.bowen@contoso.com?", Yes: false},
	}}
	f, _, stderr := clitest.Factory(t, path, admin, true, pr)
	err := execute(NewCmdSetRole(f, nil), "--remove")
	clitest.AllAnswered(t, pr)
	offered := pr.Offered["Take a role away from whom?"]
	if !errors.Is(err, output.ErrCanceled) || slices.ContainsFunc(offered, func(o string) bool { return strings.HasPrefix(o, admin) }) ||
		!strings.Contains(stderr.String(), admin+"  Admin: "+admin+" is the last GlobalAdmin; the tenant must keep one (give another user GlobalAdmin first)") {
		t.Errorf("set-role --remove: %v, offered %q, stderr %q", err, offered, stderr)
	}
}
