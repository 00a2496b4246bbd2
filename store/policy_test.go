package store_test

import (
	"strings"
	"testing"

	"github.com/commercectl/commercectl/store"
)

func TestCanonicalPolicyValue(t *testing.T) {
	tests := []struct {
		in     string
		want   string
		wantOK bool
	}{
		{"Enabled", store.ValueEnabled, true},
		{"enabled", store.ValueEnabled, true},
		{"ENABLED", store.ValueEnabled, true},
		{"disabled", store.ValueDisabled, true},
		{"DiSaBlEd", store.ValueDisabled, true},
		{"OnlyTrialsWithoutPaymentMethod", store.ValueOnlyTrials, true},
		{"onlytrialswithoutpaymentmethod", store.ValueOnlyTrials, true},
		{"", "", false},
		{"true", "", false},
		{"Enable", "", false},
		{"OnlyTrials", "", false},
		{" Enabled", "", false},
	}
	for _, tt := range tests {
		got, ok := store.CanonicalPolicyValue(tt.in)
		if got != tt.want || ok != tt.wantOK {
			t.Errorf("CanonicalPolicyValue(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.wantOK)
		}
	}
}

func TestValidatePolicyValue(t *testing.T) {
	v, err := store.ValidatePolicyValue("disabled")
	if err != nil || v != store.ValueDisabled {
		t.Fatalf("ValidatePolicyValue(disabled) = %q, %v; want Disabled, nil", v, err)
	}
	_, err = store.ValidatePolicyValue("Maybe")
	if store.ErrorCode(err) != store.EINVALID {
		t.Fatalf("ValidatePolicyValue(Maybe): code %q (%v), want %q", store.ErrorCode(err), err, store.EINVALID)
	}
	// The hint tells a person which values there are.
	hint := store.ErrorHint(err)
	for _, v := range store.PolicyValues {
		if !strings.Contains(hint, v) {
			t.Errorf("hint %q does not name %s", hint, v)
		}
	}
}

func TestCanonicalOfferType(t *testing.T) {
	tests := []struct {
		in     string
		want   string
		wantOK bool
	}{
		{"SaaS", "SaaS", true},
		{"saas", "SaaS", true},
		{"SAAS", "SaaS", true},
		{"powerbivisuals", "POWERBIVISUALS", true},
		{"DynamicsCE", "DYNAMICSCE", true},
		{"dynamicsbc", "DYNAMICSBC", true},
		{"", "", false},
		{"Power BI visuals", "", false},
		{"DYNAMICS", "", false},
		{"CFQ7TTC0H9MP", "", false},
	}
	for _, tt := range tests {
		got, ok := store.CanonicalOfferType(tt.in)
		if got != tt.want || ok != tt.wantOK {
			t.Errorf("CanonicalOfferType(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.wantOK)
		}
	}
	for _, ot := range store.OfferTypes {
		if store.OfferTypeNames[ot] == "" {
			t.Errorf("offer type %s has no name to show", ot)
		}
	}
}

func TestCheckValueFor(t *testing.T) {
	withTrial := store.ProductPolicy{ProductID: "CFQ7TTC0HD33", ProductName: "Visio Plan 1", Publisher: store.PublisherMSFT, TrialWithoutPayment: true}
	noTrial := store.ProductPolicy{ProductID: "CFQ7TTC0H9MP", ProductName: "Power BI Pro", Publisher: store.PublisherMSFT}
	offer := store.ProductPolicy{OfferType: "SaaS", ProductName: store.OfferTypeNames["SaaS"], Publisher: store.PublisherThirdPt}
	// An offer type can never take the trial value, even if some field said it had a trial.
	offerWithTrialFlag := offer
	offerWithTrialFlag.TrialWithoutPayment = true
	thirdPartyProduct := store.ProductPolicy{ProductID: "XYZ123", ProductName: "Contoso CRM", Publisher: "Contoso Ltd", TrialWithoutPayment: true}

	tests := []struct {
		name    string
		pp      store.ProductPolicy
		value   string
		wantErr bool
	}{
		{"trial value on a product with a no-payment trial", withTrial, store.ValueOnlyTrials, false},
		{"Enabled on a product with a trial", withTrial, store.ValueEnabled, false},
		{"Disabled on a product with a trial", withTrial, store.ValueDisabled, false},
		{"trial value on a product without such a trial", noTrial, store.ValueOnlyTrials, true},
		{"Enabled on a product without a trial", noTrial, store.ValueEnabled, false},
		{"Disabled on a product without a trial", noTrial, store.ValueDisabled, false},
		{"trial value on an offer type", offer, store.ValueOnlyTrials, true},
		{"trial value on an offer type flagged with a trial", offerWithTrialFlag, store.ValueOnlyTrials, true},
		{"Enabled on an offer type", offer, store.ValueEnabled, false},
		{"Disabled on an offer type", offer, store.ValueDisabled, false},
		{"trial value on a third-party product", thirdPartyProduct, store.ValueOnlyTrials, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.pp.CheckValueFor(tt.value)
			if !tt.wantErr {
				if err != nil {
					t.Fatalf("CheckValueFor(%s) = %v, want nil", tt.value, err)
				}
				return
			}
			if err == nil {
				t.Fatalf("CheckValueFor(%s) = nil, want a refusal", tt.value)
			}
			if code := store.ErrorCode(err); code != store.EINVALID {
				t.Errorf("code %q, want %q (%v)", code, store.EINVALID, err)
			}
			// The message names what was refused, so the person knows which one.
			if !strings.Contains(err.Error(), tt.pp.Target()) {
				t.Errorf("message %q does not name %s", err.Error(), tt.pp.Target())
			}
		})
	}
}

func TestProductPolicyTarget(t *testing.T) {
	if got := (store.ProductPolicy{ProductID: "CFQ7TTC0H9MP"}).Target(); got != "CFQ7TTC0H9MP" {
		t.Errorf("product Target() = %q", got)
	}
	if got := (store.ProductPolicy{OfferType: "DYNAMICSBC"}).Target(); got != "DYNAMICSBC" {
		t.Errorf("offer type Target() = %q", got)
	}
}
