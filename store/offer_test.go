package store

import (
	"strings"
	"testing"
)

// What AllowSelfServicePurchase lets a person do with a product (SPEC §8):
// buy it when Enabled, try it when Enabled or OnlyTrialsWithoutPaymentMethod,
// ask for it when it cannot be bought.
func TestOfferRefusals(t *testing.T) {
	for _, tt := range []struct {
		value                  string
		purchase, trial, apply bool // allowed
	}{
		{ValueEnabled, true, true, false},
		{ValueOnlyTrials, false, true, true},
		{ValueDisabled, false, false, true},
	} {
		o := Offer{ProductID: "CFQ7TTC0H9MP", ProductName: "Power BI Pro", PolicyValue: tt.value}
		for _, c := range []struct {
			verb    string
			refusal *Error
			allowed bool
			hint    string
		}{
			{"purchase", o.PurchaseRefusal(), tt.purchase, "commercectl new-request --product CFQ7TTC0H9MP"},
			{"start-trial", o.TrialRefusal(), tt.trial, "commercectl new-request --product CFQ7TTC0H9MP"},
			{"new-request", o.RequestRefusal(), tt.apply, "commercectl purchase --product CFQ7TTC0H9MP"},
		} {
			switch {
			case c.allowed && c.refusal != nil:
				t.Errorf("%s %s: refused (%v), want allowed", tt.value, c.verb, c.refusal)
			case !c.allowed && c.refusal == nil:
				t.Errorf("%s %s: allowed, want refused", tt.value, c.verb)
			case !c.allowed && (c.refusal.Code != ECONFLICT || !strings.Contains(c.refusal.Hint, c.hint)):
				t.Errorf("%s %s: %q (%s, hint %q), want exit 5 with a hint naming %q", tt.value, c.verb, c.refusal, c.refusal.Code, c.refusal.Hint, c.hint)
			}
		}
	}
}

// What a person did with a product decides too: a trial is refused to one
// who holds the product or had a trial of it, a request to one whose
// request for it is pending.
func TestOfferRefusalsForThePerson(t *testing.T) {
	o := Offer{ProductID: "CFQ7TTC0HD33", ProductName: "Visio Plan 1", PolicyValue: ValueEnabled, For: "alex@contoso.com"}
	if o.TrialRefusal() != nil {
		t.Fatalf("a first trial is refused: %v", o.TrialRefusal())
	}
	held := o
	held.Holds = true
	if err := held.TrialRefusal(); err == nil || !strings.Contains(err.Message, "alex@contoso.com already has a license of Visio Plan 1") {
		t.Errorf("a trial for one who holds the product: %v", err)
	}
	tried := o
	tried.HadTrial = true
	if err := tried.TrialRefusal(); err == nil || !strings.Contains(err.Hint, "commercectl purchase --product CFQ7TTC0HD33") {
		t.Errorf("a second trial: %v", err)
	}
	asked := o
	asked.PolicyValue, asked.PendingRequest = ValueDisabled, 4
	if err := asked.RequestRefusal(); err == nil || err.Message != "you already asked for Visio Plan 1: request 4 is pending" {
		t.Errorf("a second request: %v", err)
	}
	if err := held.PurchaseRefusal(); err != nil {
		t.Errorf("buying more of a product one holds is refused: %v", err)
	}
}
