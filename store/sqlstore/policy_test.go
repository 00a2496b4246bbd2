package sqlstore_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/commercectl/commercectl/store"
)

func TestNewTenantHasEveryProductEnabled(t *testing.T) {
	d, _ := newTenant(t, false)
	pps, err := d.ListProductPolicies(as(admin), policy, false)
	if err != nil {
		t.Fatal(err)
	}
	if len(pps) != 12 {
		t.Fatalf("%d products, want the 12 of the built-in catalog", len(pps))
	}
	for _, pp := range pps {
		if pp.PolicyValue != store.ValueEnabled || pp.PolicyID != policy || pp.Publisher != store.PublisherMSFT {
			t.Errorf("%+v, want a Microsoft product with %s Enabled", pp, policy)
		}
	}
	ots, err := d.ListProductPolicies(as(admin), policy, true)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, ot := range ots {
		got = append(got, ot.OfferType+"="+ot.PolicyValue)
	}
	want := []string{"SaaS=Enabled", "POWERBIVISUALS=Enabled", "DYNAMICSCE=Enabled", "DYNAMICSBC=Enabled"}
	if !slices.Equal(got, want) {
		t.Errorf("offer types %q, want %q", got, want)
	}
}

func TestUpdatePolicyIsAllOrNothing(t *testing.T) {
	d, path := newTenant(t, false)
	before := snapshot(t, path)

	// The unknown product comes after one that would change: that change
	// must be rolled back with the rest.
	_, _, err := d.UpdatePolicy(as(admin), store.PolicyUpdate{PolicyID: policy,
		ProductIDs: []string{powerBIPro, "CFQ7TTC0NOPE", visioPlan2}, Value: store.ValueDisabled})
	wantCode(t, err, store.ENOTFOUND)
	if !strings.Contains(err.Error(), "CFQ7TTC0NOPE") {
		t.Errorf("error %q does not name the unknown product", err)
	}
	unchanged(t, path, before)
	if v := valueOf(t, d, powerBIPro); v != store.ValueEnabled {
		t.Errorf("%s is %s after a refused update, want Enabled", powerBIPro, v)
	}

	// The same for a value one of the products does not take.
	_, _, err = d.UpdatePolicy(as(admin), store.PolicyUpdate{PolicyID: policy,
		ProductIDs: []string{visioPlan1, powerBIPro}, Value: store.ValueOnlyTrials})
	wantCode(t, err, store.EINVALID)
	unchanged(t, path, before)
}

func TestUpdatePolicyRefusesBadInput(t *testing.T) {
	d, path := newTenant(t, false)
	before := snapshot(t, path)
	tests := []struct {
		name string
		u    store.PolicyUpdate
		code string
	}{
		{"unknown policy", store.PolicyUpdate{PolicyID: "AllowEverything", ProductIDs: []string{powerBIPro}, Value: "Disabled"}, store.ENOTFOUND},
		{"unknown value", store.PolicyUpdate{PolicyID: policy, ProductIDs: []string{powerBIPro}, Value: "Sometimes"}, store.EINVALID},
		{"no target", store.PolicyUpdate{PolicyID: policy, Value: "Disabled"}, store.EINVALID},
		{"trial value on a product without such a trial", store.PolicyUpdate{PolicyID: policy, ProductIDs: []string{powerBIPro}, Value: store.ValueOnlyTrials}, store.EINVALID},
		{"trial value on an offer type", store.PolicyUpdate{PolicyID: policy, OfferType: "SaaS", Value: store.ValueOnlyTrials}, store.EINVALID},
		{"unknown offer type", store.PolicyUpdate{PolicyID: policy, OfferType: "APPSOURCE", Value: "Disabled"}, store.EINVALID},
		{"trial value as the default", store.PolicyUpdate{PolicyID: policy, Default: store.ValueOnlyTrials}, store.EINVALID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := d.UpdatePolicy(as(admin), tt.u)
			wantCode(t, err, tt.code)
			unchanged(t, path, before)
		})
	}
}

func TestUpdatePolicyAcceptsAnyCase(t *testing.T) {
	d, _ := newTenant(t, false)
	res, _, err := d.UpdatePolicy(as(admin), store.PolicyUpdate{PolicyID: "allowselfservicepurchase",
		ProductIDs: []string{strings.ToLower(visioPlan1)}, Value: "onlytrialswithoutpaymentmethod"})
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != 1 || res[0].ProductID != visioPlan1 || res[0].PolicyValue != store.ValueOnlyTrials || res[0].PolicyID != policy {
		t.Fatalf("result %+v, want %s %s set to %s, spelled as the service spells them", res, policy, visioPlan1, store.ValueOnlyTrials)
	}
	if v := valueOf(t, d, visioPlan1); v != store.ValueOnlyTrials {
		t.Errorf("%s is %s, want %s", visioPlan1, v, store.ValueOnlyTrials)
	}
}

// Old ids stay valid names of the new ones: a value set through either is one setting.
func TestAliasAndNewIDAreOneSetting(t *testing.T) {
	d, _ := newTenant(t, false)

	res, _, err := d.UpdatePolicy(as(admin), store.PolicyUpdate{PolicyID: policy, ProductIDs: []string{powerBIProOldID}, Value: store.ValueDisabled})
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != 1 || res[0].ProductID != powerBIPro {
		t.Fatalf("updating %s returned %+v, want the one product %s", powerBIProOldID, res, powerBIPro)
	}
	for _, id := range []string{powerBIPro, powerBIProOldID, strings.ToLower(powerBIProOldID)} {
		pp, err := d.GetProductPolicy(as(admin), policy, id)
		if err != nil {
			t.Fatal(err)
		}
		if pp.ProductID != powerBIPro || pp.PolicyValue != store.ValueDisabled {
			t.Errorf("GetProductPolicy(%s) = %s %s, want %s Disabled", id, pp.ProductID, pp.PolicyValue, powerBIPro)
		}
	}

	// Set back through the new id: the old id sees it.
	setValue(t, d, store.ValueEnabled, powerBIPro)
	if v := valueOf(t, d, powerBIProOldID); v != store.ValueEnabled {
		t.Errorf("through %s: %s, want Enabled", powerBIProOldID, v)
	}

	// Naming both in one call is one product, changed once.
	res, _, err = d.UpdatePolicy(as(admin), store.PolicyUpdate{PolicyID: policy, ProductIDs: []string{powerBIProOldID, powerBIPro}, Value: store.ValueDisabled})
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != 1 {
		t.Errorf("alias and id in one call gave %d results, want 1: %+v", len(res), res)
	}

	// The list has one row for the product, under its new id.
	pps, err := d.ListProductPolicies(as(admin), policy, false)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, pp := range pps {
		if pp.ProductID == powerBIProOldID {
			t.Errorf("the list shows the old id %s as a product of its own", powerBIProOldID)
		}
		if pp.ProductName == "Power BI Pro" {
			n++
		}
	}
	if n != 1 {
		t.Errorf("Power BI Pro is listed %d times, want once", n)
	}
}

func TestUpdatePolicyUnchangedValue(t *testing.T) {
	d, _ := newTenant(t, false)
	auditBefore := len(auditLog(t, d))

	res, _, err := d.UpdatePolicy(as(admin), store.PolicyUpdate{PolicyID: policy, ProductIDs: []string{powerBIPro}, Value: store.ValueEnabled})
	if err != nil {
		t.Fatalf("setting the value a product already has: %v, want success", err)
	}
	if len(res) != 1 || res[0].Changed == nil || *res[0].Changed {
		t.Fatalf("result %+v, want Changed=false", res)
	}
	if res[0].PolicyValue != store.ValueEnabled {
		t.Errorf("value %s, want Enabled", res[0].PolicyValue)
	}
	if n := len(auditLog(t, d)); n != auditBefore {
		t.Errorf("an unchanged value wrote %d audit entries, want none", n-auditBefore)
	}

	// A real change says so, with the value before.
	res, _, err = d.UpdatePolicy(as(admin), store.PolicyUpdate{PolicyID: policy, ProductIDs: []string{powerBIPro}, Value: store.ValueDisabled})
	if err != nil {
		t.Fatal(err)
	}
	if res[0].Changed == nil || !*res[0].Changed || res[0].PreviousValue != store.ValueEnabled || res[0].PolicyValue != store.ValueDisabled {
		t.Errorf("result %+v, want Changed=true from Enabled to Disabled", res[0])
	}
	b, _ := json.Marshal(res[0])
	if !strings.Contains(string(b), `"changed":true`) {
		t.Errorf("JSON %s does not say it changed", b)
	}
}

func TestUpdatePolicyDryRunChangesNothing(t *testing.T) {
	d, path := newTenant(t, false)
	before := snapshot(t, path)

	res, _, err := d.UpdatePolicy(store.WithDryRun(as(admin)), store.PolicyUpdate{PolicyID: policy,
		ProductIDs: []string{powerBIPro, visioPlan2}, Value: store.ValueDisabled})
	if err != nil {
		t.Fatal(err)
	}
	// The preview is what the real run would return...
	if len(res) != 2 {
		t.Fatalf("dry run returned %d results, want 2", len(res))
	}
	for _, r := range res {
		if r.PolicyValue != store.ValueDisabled || r.Changed == nil || !*r.Changed || r.PreviousValue != store.ValueEnabled {
			t.Errorf("dry run result %+v, want changed from Enabled to Disabled", r)
		}
	}
	// ...but nothing was written, not even to the audit log.
	unchanged(t, path, before)
	if v := valueOf(t, d, powerBIPro); v != store.ValueEnabled {
		t.Errorf("%s is %s after a dry run, want Enabled", powerBIPro, v)
	}

	// The same for the default, offer types and --all.
	for _, u := range []store.PolicyUpdate{
		{PolicyID: policy, Default: store.ValueDisabled},
		{PolicyID: policy, OfferType: "SaaS", Value: store.ValueDisabled},
		{PolicyID: policy, All: true, Value: store.ValueDisabled},
	} {
		if _, _, err := d.UpdatePolicy(store.WithDryRun(as(admin)), u); err != nil {
			t.Fatalf("dry run %+v: %v", u, err)
		}
		unchanged(t, path, before)
	}

	// A dry run refuses what the real run refuses.
	_, _, err = d.UpdatePolicy(store.WithDryRun(as(admin)), store.PolicyUpdate{PolicyID: policy, ProductIDs: []string{"CFQ7TTC0NOPE"}, Value: store.ValueDisabled})
	wantCode(t, err, store.ENOTFOUND)
}

func TestUpdatePolicyOfferTypeAndDefault(t *testing.T) {
	d, _ := newTenant(t, false)
	res, _, err := d.UpdatePolicy(as(admin), store.PolicyUpdate{PolicyID: policy, OfferType: "saas", Value: store.ValueDisabled})
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != 1 || res[0].OfferType != "SaaS" || res[0].PolicyValue != store.ValueDisabled {
		t.Fatalf("result %+v, want SaaS Disabled", res)
	}
	ots, err := d.ListProductPolicies(as(admin), policy, true)
	if err != nil {
		t.Fatal(err)
	}
	for _, ot := range ots {
		want := store.ValueEnabled
		if ot.OfferType == "SaaS" {
			want = store.ValueDisabled
		}
		if ot.PolicyValue != want {
			t.Errorf("offer type %s is %s, want %s", ot.OfferType, ot.PolicyValue, want)
		}
	}
	// Products are not offer types: none changed.
	if v := valueOf(t, d, powerBIPro); v != store.ValueEnabled {
		t.Errorf("%s is %s after an offer type update, want Enabled", powerBIPro, v)
	}

	_, pol, err := d.UpdatePolicy(as(admin), store.PolicyUpdate{PolicyID: policy, Default: "disabled"})
	if err != nil {
		t.Fatal(err)
	}
	if pol == nil || pol.DefaultValue != store.ValueDisabled {
		t.Fatalf("policy after --default: %+v, want default Disabled", pol)
	}
	got, err := d.GetPolicy(as(admin), policy)
	if err != nil {
		t.Fatal(err)
	}
	if got.DefaultValue != store.ValueDisabled {
		t.Errorf("GetPolicy default %s, want Disabled", got.DefaultValue)
	}
	// The default is for products added later: existing ones keep their value.
	if v := valueOf(t, d, powerBIPro); v != store.ValueEnabled {
		t.Errorf("%s is %s after a default change, want Enabled", powerBIPro, v)
	}
}

// --all with the trial value sets it where a product offers such a trial and
// Disabled elsewhere.
func TestUpdatePolicyAllWithTrialValue(t *testing.T) {
	d, _ := newTenant(t, false)
	res, _, err := d.UpdatePolicy(as(admin), store.PolicyUpdate{PolicyID: policy, All: true, Value: store.ValueOnlyTrials})
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != 12 {
		t.Fatalf("%d results, want 12", len(res))
	}
	pps, err := d.ListProductPolicies(as(admin), policy, false)
	if err != nil {
		t.Fatal(err)
	}
	for _, pp := range pps {
		want := store.ValueDisabled
		if pp.TrialWithoutPayment {
			want = store.ValueOnlyTrials
		}
		if pp.PolicyValue != want {
			t.Errorf("%s (%s) is %s, want %s", pp.ProductID, pp.ProductName, pp.PolicyValue, want)
		}
	}
	if v := valueOf(t, d, plannerPlan1); v != store.ValueOnlyTrials {
		t.Errorf("Planner Plan 1 is %s, want %s", v, store.ValueOnlyTrials)
	}
}

func TestApplyAndDiffPoliciesAgree(t *testing.T) {
	d, path := newTenant(t, true)
	desired := store.PolicySet{
		Policy:  policy,
		Default: store.ValueDisabled,
		Products: map[string]string{
			powerBIProOldID: "disabled",            // through the old id, any case
			visioPlan1:      store.ValueOnlyTrials, // Enabled in the demo
			powerBIPremium:  store.ValueEnabled,    // Disabled in the demo
			visioPlan2:      store.ValueEnabled,    // already so: no change
			plannerPlan1:    store.ValueOnlyTrials, // already so in the demo: no change
		},
		OfferTypes: map[string]string{"saas": store.ValueDisabled, "DYNAMICSBC": store.ValueEnabled},
	}
	before := snapshot(t, path)

	diff, err := d.DiffPolicies(as(admin), desired)
	if err != nil {
		t.Fatal(err)
	}
	unchanged(t, path, before) // a read never writes
	wantTargets := []string{"default", powerBIPro, powerBIPremium, visioPlan1, "SaaS"}
	var got []string
	for _, c := range diff {
		got = append(got, c.Target)
	}
	slices.Sort(got)
	slices.Sort(wantTargets)
	if !slices.Equal(got, wantTargets) {
		t.Fatalf("diff targets %q, want %q", got, wantTargets)
	}

	// A dry run shows the same plan and changes nothing.
	planned, err := d.ApplyPolicies(store.WithDryRun(as(admin)), desired)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(planned, diff) {
		t.Errorf("dry-run apply %+v\ndiffers from diff %+v", planned, diff)
	}
	unchanged(t, path, before)

	applied, err := d.ApplyPolicies(as(admin), desired)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(applied, diff) {
		t.Errorf("apply made %+v\nbut diff said %+v", applied, diff)
	}
	for _, c := range diff {
		if c.PolicyID != policy || c.Current == c.Desired {
			t.Errorf("change %+v: want a change of %s from one value to another", c, policy)
		}
	}

	after, err := d.DiffPolicies(as(admin), desired)
	if err != nil {
		t.Fatal(err)
	}
	if len(after) != 0 {
		t.Errorf("diff after apply: %+v, want none", after)
	}
	if v := valueOf(t, d, powerBIPro); v != store.ValueDisabled {
		t.Errorf("%s is %s, want Disabled", powerBIPro, v)
	}
	if v := valueOf(t, d, visioPlan1); v != store.ValueOnlyTrials {
		t.Errorf("%s is %s, want %s", visioPlan1, v, store.ValueOnlyTrials)
	}

	// Applying again is a no-op and writes nothing.
	again := snapshot(t, path)
	changes, err := d.ApplyPolicies(as(admin), desired)
	if err != nil {
		t.Fatal(err)
	}
	if len(changes) != 0 {
		t.Errorf("second apply made %+v, want nothing", changes)
	}
	unchanged(t, path, again)
}

// What export-policies writes, diff-policies finds no drift in.
func TestExportedPoliciesHaveNoDrift(t *testing.T) {
	d, _ := newTenant(t, true)
	set, err := d.ExportPolicies(as(admin), policy)
	if err != nil {
		t.Fatal(err)
	}
	if len(set.Products) != 12 || len(set.OfferTypes) != 4 || set.Default != store.ValueEnabled {
		t.Fatalf("export %+v, want 12 products, 4 offer types and the default", set)
	}
	if set.Products[powerBIPremium] != store.ValueDisabled || set.Products[plannerPlan1] != store.ValueOnlyTrials {
		t.Errorf("export %v does not hold the demo's values", set.Products)
	}
	drift, err := d.DiffPolicies(as(admin), *set)
	if err != nil {
		t.Fatal(err)
	}
	if len(drift) != 0 {
		t.Errorf("drift against its own export: %+v", drift)
	}
	// And drift appears once the tenant moves away from it.
	setValue(t, d, store.ValueEnabled, powerBIPremium)
	drift, err = d.DiffPolicies(as(admin), *set)
	if err != nil {
		t.Fatal(err)
	}
	if len(drift) != 1 || drift[0].Target != powerBIPremium || drift[0].Current != store.ValueEnabled || drift[0].Desired != store.ValueDisabled {
		t.Errorf("drift %+v, want %s Enabled → Disabled", drift, powerBIPremium)
	}
}

func TestApplyPoliciesRefusesAndChangesNothing(t *testing.T) {
	tests := []struct {
		name string
		set  store.PolicySet
		code string
	}{
		{"alias and id with different values", store.PolicySet{Policy: policy,
			Products: map[string]string{powerBIProOldID: store.ValueDisabled, powerBIPro: store.ValueEnabled}}, store.EINVALID},
		{"offer type in two spellings with different values", store.PolicySet{Policy: policy,
			OfferTypes: map[string]string{"SaaS": store.ValueDisabled, "saas": store.ValueEnabled}}, store.EINVALID},
		{"unknown product among good ones", store.PolicySet{Policy: policy,
			Products: map[string]string{powerBIPro: store.ValueDisabled, "CFQ7TTC0NOPE": store.ValueDisabled, visioPlan2: store.ValueDisabled}}, store.ENOTFOUND},
		{"trial value on a product without such a trial", store.PolicySet{Policy: policy,
			Products: map[string]string{visioPlan1: store.ValueDisabled, powerBIPro: store.ValueOnlyTrials}}, store.EINVALID},
		{"trial value on an offer type", store.PolicySet{Policy: policy,
			Products: map[string]string{visioPlan1: store.ValueDisabled}, OfferTypes: map[string]string{"SaaS": store.ValueOnlyTrials}}, store.EINVALID},
		{"unknown value", store.PolicySet{Policy: policy,
			Products: map[string]string{visioPlan1: store.ValueDisabled, powerBIPro: "Off"}}, store.EINVALID},
		{"unknown offer type", store.PolicySet{Policy: policy,
			Products: map[string]string{visioPlan1: store.ValueDisabled}, OfferTypes: map[string]string{"APPSOURCE": store.ValueDisabled}}, store.EINVALID},
		{"trial value as default", store.PolicySet{Policy: policy, Default: store.ValueOnlyTrials,
			Products: map[string]string{visioPlan1: store.ValueDisabled}}, store.EINVALID},
		{"no policy", store.PolicySet{Products: map[string]string{visioPlan1: store.ValueDisabled}}, store.EINVALID},
		{"unknown policy", store.PolicySet{Policy: "AllowEverything", Products: map[string]string{visioPlan1: store.ValueDisabled}}, store.ENOTFOUND},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, path := newTenant(t, false)
			before := snapshot(t, path)
			_, err := d.ApplyPolicies(as(admin), tt.set)
			wantCode(t, err, tt.code)
			unchanged(t, path, before)
			_, err = d.DiffPolicies(as(admin), tt.set)
			wantCode(t, err, tt.code)
		})
	}
}

// The same value through the alias and the id is not a conflict.
func TestApplyPoliciesAliasAndIDWithTheSameValue(t *testing.T) {
	d, _ := newTenant(t, false)
	changes, err := d.ApplyPolicies(as(admin), store.PolicySet{Policy: policy,
		Products: map[string]string{powerBIProOldID: store.ValueDisabled, powerBIPro: "DISABLED"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(changes) != 1 || changes[0].Target != powerBIPro {
		t.Errorf("changes %+v, want one change of %s", changes, powerBIPro)
	}
}

func TestGetProductPolicyUnknown(t *testing.T) {
	d, _ := newTenant(t, false)
	_, err := d.GetProductPolicy(as(admin), policy, "CFQ7TTC0NOPE")
	wantCode(t, err, store.ENOTFOUND)
	_, err = d.GetProductPolicy(as(admin), "AllowEverything", powerBIPro)
	wantCode(t, err, store.ENOTFOUND)
	_, err = d.GetPolicy(as(admin), "AllowEverything")
	wantCode(t, err, store.ENOTFOUND)
	// The policy id matches in any case.
	p, err := d.GetPolicy(as(admin), "allowselfservicepurchase")
	if err != nil || p.ID != policy || p.DefaultValue != store.ValueEnabled || p.Description == "" {
		t.Errorf("GetPolicy: %+v, %v; want %s with a description and default Enabled", p, err, policy)
	}
}

// Several offer types change in one call, all or nothing: the interactive
// flow picks them together and must not leave half of them changed.
func TestUpdatePolicySeveralOfferTypesAllOrNothing(t *testing.T) {
	d, _ := newTenant(t, false)
	_, _, err := d.UpdatePolicy(as(admin), store.PolicyUpdate{PolicyID: policy, OfferTypes: []string{"SaaS", "APPSOURCE"}, Value: store.ValueDisabled})
	wantCode(t, err, store.EINVALID)
	res, _, err := d.UpdatePolicy(as(admin), store.PolicyUpdate{PolicyID: policy, OfferTypes: []string{"SaaS", "dynamicsbc"}, Value: store.ValueDisabled})
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != 2 {
		t.Fatalf("changed %d offer types, want 2: %+v", len(res), res)
	}
	ots, err := d.ListProductPolicies(as(admin), policy, true)
	if err != nil {
		t.Fatal(err)
	}
	for _, ot := range ots {
		want := store.ValueEnabled
		if ot.OfferType == "SaaS" || ot.OfferType == "DYNAMICSBC" {
			want = store.ValueDisabled
		}
		if ot.PolicyValue != want {
			t.Errorf("%s is %s, want %s (the refused call must have changed nothing)", ot.OfferType, ot.PolicyValue, want)
		}
	}
}
