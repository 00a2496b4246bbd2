package subscription

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/commercectl/commercectl/cmd/cmdutil"
	"github.com/commercectl/commercectl/output"
)

// SPEC §2: in a terminal a verb that changes data asks for a missing
// required flag; without one it fails with exit 2 naming the flag.
func TestPurchaseAsksForWhatIsMissingInATerminal(t *testing.T) {
	path := newDemoTenant(t)
	pr := &output.FakePrompter{Answers: []output.FakeAnswer{
		{Match: "Buy which product?", Options: []string{"CFQ7TTC0H9MP"}},
		{Match: "How many licenses", Text: "3"},
	}}
	f, _, _ := terminalFactory(t, path, "alex.wilber@contoso.com", pr)
	var got *PurchaseOptions
	cmd := NewCmdPurchase(f, func(o *PurchaseOptions) error { got = o; return nil })
	cmd.SetArgs([]string{})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	if got == nil || got.ProductID != "CFQ7TTC0H9MP" || got.Quantity != 3 {
		t.Fatalf("options after the prompts: %+v", got)
	}
	if len(pr.Answers) != 0 {
		t.Errorf("questions left unasked: %+v", pr.Answers)
	}
	// The product is picked from the catalog, not typed, with its price;
	// one whose policy blocks a purchase (Copilot is Disabled) is left out.
	offered := pr.Offered["Buy which product?"]
	if !slices.Contains(offered, "CFQ7TTC0H9MP  Power BI Pro (14.00 a license a month)") ||
		slices.ContainsFunc(offered, func(o string) bool { return strings.HasPrefix(o, "CFQ7TTC0MM8R") }) {
		t.Errorf("products offered: %q", offered)
	}
}

// A total that is not a number is asked again; the third is refused as
// the flag would be.
func TestBuyLicensesAsksAgainForANumber(t *testing.T) {
	path := newDemoTenant(t)
	pr := &output.FakePrompter{Answers: []output.FakeAnswer{
		{Match: "How many licenses in all? (SUB-00001 has 10, 7 assigned)", Text: "lots"},
		{Match: "How many licenses in all?", Text: "12"},
	}}
	f, _, stderr := terminalFactory(t, path, testAdmin, pr)
	var got *BuyLicensesOptions
	cmd := NewCmdBuyLicenses(f, func(o *BuyLicensesOptions) error { got = o; return nil })
	cmd.SetArgs([]string{"--subscription", "SUB-00001"})
	if err := cmd.Execute(); err != nil || got == nil || got.Total != 12 {
		t.Fatalf("after lots then 12: %v, %+v", err, got)
	}
	if !strings.Contains(stderr.String(), `"lots" is not a whole number.`) {
		t.Errorf("stderr does not say why it asks again:\n%s", stderr)
	}
}

func TestBuyLicensesRefusesANonNumberTypedAsTotal(t *testing.T) {
	path := newDemoTenant(t)
	pr := &output.FakePrompter{Answers: []output.FakeAnswer{
		{Match: "How many licenses in all", Text: "lots"},
		{Match: "How many licenses in all", Text: "many"},
		{Match: "How many licenses in all", Text: "all"},
	}}
	f, _, _ := terminalFactory(t, path, testAdmin, pr)
	cmd := NewCmdBuyLicenses(f, func(*BuyLicensesOptions) error { t.Fatal("ran with a bad total"); return nil })
	cmd.SetArgs([]string{"--subscription", "SUB-00001"})
	err := cmd.Execute()
	var usage *cmdutil.UsageError
	if !errors.As(err, &usage) {
		t.Fatalf("want a usage error, got %v", err)
	}
}

func TestAddSubscriptionWithoutATerminalNamesTheMissingFlag(t *testing.T) {
	path := newDemoTenant(t)
	ios, _, _, _ := output.Test()
	f := cmdutil.New(ios)
	f.Flags.DB, f.Flags.As = path, testAdmin
	pr := &output.FakePrompter{}
	f.SetPrompter(pr)
	cmd := NewCmdAddSubscription(f, func(*AddSubscriptionOptions) error { t.Fatal("ran without --product"); return nil })
	cmd.SetArgs([]string{"--quantity", "2"})
	err := cmd.Execute()
	if err == nil || err.Error() != "missing --product" {
		t.Fatalf("want \"missing --product\", got %v", err)
	}
	if len(pr.Asked) != 0 {
		t.Errorf("asked %q without a terminal", pr.Asked)
	}
}
