package license

import (
	"slices"
	"testing"

	"github.com/commercectl/commercectl/internal/clitest"
	"github.com/commercectl/commercectl/output"
)

// A member who bought a subscription runs assign-license with nothing
// given: they may not manage the central pools, so they are asked which of
// their own subscriptions, then whom, and see the plan before yes.
func TestAssignLicenseAsksAMemberForTheirOwnSubscription(t *testing.T) {
	path := newDemoTenant(t)
	pr := answers(
		output.FakeAnswer{Match: "Assign licenses of which of your subscriptions?", Options: []string{"SUB-00005"}},
		output.FakeAnswer{Match: "Which users (UPNs, comma-separated)?", Text: "lee.gu@contoso.com"},
		output.FakeAnswer{Match: "Give 1 license(s) of Power BI Pro to lee.gu@contoso.com? 1 will stay free.", Yes: true},
	)
	f, _, stderr := clitest.Factory(t, path, "alex.wilber@contoso.com", true, pr)
	cmd := NewCmdAssignLicense(f, nil)
	cmd.SetArgs(nil)
	cmd.SilenceErrors, cmd.SilenceUsage = true, true
	if err := cmd.Execute(); err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	clitest.AllAnswered(t, pr)
	if offered := clitest.Offered(t, pr, "Assign licenses of which of your subscriptions?"); len(offered) != 1 {
		t.Errorf("offered %q, want alex's one Active subscription", offered)
	}
	if !slices.Contains(licenses(t, path), "lee.gu@contoso.com CFQ7TTC0H9MP SUB-00005") {
		t.Errorf("lee.gu has no license of SUB-00005: %q", licenses(t, path))
	}
}
