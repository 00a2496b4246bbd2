package user

import (
	"errors"
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

// Taking the last GlobalAdmin's role away is not offered: with nothing
// else to take, set-role --remove fails as the store would, exit 5.
func TestSetRoleRemoveLeavesTheLastGlobalAdmin(t *testing.T) {
	path := clitest.DemoTenant(t)
	pr := &output.FakePrompter{Answers: []output.FakeAnswer{
		{Match: "Take a role away from whom?", Options: []string{admin}},
	}}
	f, _, _ := clitest.Factory(t, path, admin, true, pr)
	err := execute(NewCmdSetRole(f, nil), "--remove")
	if store.ErrorCode(err) != store.ECONFLICT || !strings.Contains(err.Error(), "last GlobalAdmin") {
		t.Fatalf("removing the last GlobalAdmin's only role: %v, want refused", err)
	}
}
