package sqlstore_test

import (
	"strings"
	"testing"

	"github.com/commercectl/commercectl/store"
)

func TestPurchaseBlockedByPolicy(t *testing.T) {
	for _, value := range []string{store.ValueDisabled, store.ValueOnlyTrials} {
		t.Run(value, func(t *testing.T) {
			d, path := tenantWithStaff(t)
			setValue(t, d, value, visioPlan1)
			before := snapshot(t, path)

			sub, err := d.Purchase(as(member), visioPlan1, 2)
			wantCode(t, err, store.ECONFLICT)
			if sub != nil {
				t.Errorf("a refused purchase returned %+v", sub)
			}
			// The member is told a license request can be sent instead.
			if hint := store.ErrorHint(err); !strings.Contains(hint, "new-request") {
				t.Errorf("hint %q does not point to a license request", hint)
			}
			unchanged(t, path, before)
			if n := count(t, path, `SELECT count(*) FROM subscriptions`); n != 0 {
				t.Errorf("%d subscriptions after a refused purchase, want 0", n)
			}
			if n := count(t, path, `SELECT count(*) FROM licenses`); n != 0 {
				t.Errorf("%d licenses after a refused purchase, want 0", n)
			}
		})
	}
}

func TestPurchaseWhenEnabled(t *testing.T) {
	d, path := tenantWithStaff(t)
	sub, err := d.Purchase(as(member), powerBIProOldID, 3) // an old id names the product too
	if err != nil {
		t.Fatalf("Purchase: %v", err)
	}
	want := store.Subscription{ID: sub.ID, ProductID: powerBIPro, ProductName: "Power BI Pro", Kind: store.KindSelfService,
		Purchaser: member, Quantity: 3, Assigned: 1, Available: 2, MonthlyPrice: 1400, MonthlyCost: 4200,
		Status: store.StatusActive, CreatedAt: now, ExpiresAt: now.AddDate(0, 12, 0)}
	if sub.ID == "" || sub.ProductID != want.ProductID || sub.ProductName != want.ProductName || sub.Kind != want.Kind ||
		sub.Purchaser != want.Purchaser || sub.Quantity != want.Quantity || sub.Assigned != want.Assigned ||
		sub.Available != want.Available || sub.MonthlyPrice != want.MonthlyPrice || sub.MonthlyCost != want.MonthlyCost ||
		sub.Status != want.Status || !sub.CreatedAt.Equal(want.CreatedAt) || !sub.ExpiresAt.Equal(want.ExpiresAt) || sub.CanceledAt != nil {
		t.Errorf("purchase returned\n%+v\nwant\n%+v", *sub, want)
	}

	// The buyer holds exactly one license, of the new subscription.
	if n := count(t, path, `SELECT count(*) FROM licenses l JOIN users u ON u.id = l.user_id
		WHERE u.upn = ? AND l.subscription_id = ? AND l.product_id = ?`, member, sub.ID, powerBIPro); n != 1 {
		t.Errorf("buyer holds %d licenses of %s, want 1", n, sub.ID)
	}
	if n := count(t, path, `SELECT count(*) FROM licenses`); n != 1 {
		t.Errorf("%d licenses in the tenant, want 1", n)
	}
	if n := count(t, path, `SELECT count(*) FROM subscriptions WHERE id = ?`, sub.ID); n != 1 {
		t.Errorf("subscription %s not stored", sub.ID)
	}
	// The confirmation e-mail goes out with the purchase.
	if n := count(t, path, `SELECT count(*) FROM notifications WHERE to_upn = ? AND kind = 'purchase-confirmation'`, member); n != 1 {
		t.Errorf("%d purchase confirmations for the buyer, want 1", n)
	}

	// A second purchase of the same product does not give the buyer a second license.
	sub2, err := d.Purchase(as(member), powerBIPro, 2)
	if err != nil {
		t.Fatalf("second Purchase: %v", err)
	}
	if sub2.ID == sub.ID || sub2.Assigned != 0 || sub2.Available != 2 {
		t.Errorf("second purchase %+v, want a new subscription with no seat taken", *sub2)
	}
	if n := count(t, path, `SELECT count(*) FROM licenses`); n != 1 {
		t.Errorf("%d licenses after a second purchase, want still 1", n)
	}
}

func TestPurchaseRefusesBadInput(t *testing.T) {
	d, path := tenantWithStaff(t)
	before := snapshot(t, path)
	for _, q := range []int{0, -1, 1_000_001} {
		_, err := d.Purchase(as(member), powerBIPro, q)
		wantCode(t, err, store.EINVALID)
	}
	_, err := d.Purchase(as(member), "CFQ7TTC0NOPE", 1)
	wantCode(t, err, store.ENOTFOUND)
	unchanged(t, path, before)
}

func TestPurchaseDryRunWritesNothing(t *testing.T) {
	d, path := tenantWithStaff(t)
	before := snapshot(t, path)
	sub, err := d.Purchase(store.WithDryRun(as(member)), powerBIPro, 2)
	if err != nil {
		t.Fatal(err)
	}
	if sub.Quantity != 2 || sub.Assigned != 1 {
		t.Errorf("dry run returned %+v, want the subscription the real run would make", *sub)
	}
	unchanged(t, path, before)
}

func TestStartTrial(t *testing.T) {
	for _, value := range []string{store.ValueOnlyTrials, store.ValueEnabled} {
		t.Run(value, func(t *testing.T) {
			d, path := tenantWithStaff(t)
			setValue(t, d, value, plannerPlan1)

			sub, err := d.StartTrial(as(member), plannerPlan1)
			if err != nil {
				t.Fatalf("StartTrial with %s: %v, want allowed", value, err)
			}
			if sub.Kind != store.KindTrial || sub.Quantity != 1 || sub.Assigned != 1 || sub.Available != 0 ||
				sub.MonthlyPrice != 0 || sub.MonthlyCost != 0 || sub.Purchaser != member || sub.Status != store.StatusActive ||
				!sub.ExpiresAt.Equal(now.AddDate(0, 0, 30)) {
				t.Errorf("trial %+v, want one free seat for 30 days held by %s", *sub, member)
			}
			if n := count(t, path, `SELECT count(*) FROM licenses l JOIN users u ON u.id = l.user_id WHERE u.upn = ? AND l.subscription_id = ?`,
				member, sub.ID); n != 1 {
				t.Errorf("the member holds %d licenses of the trial, want 1", n)
			}

			// One trial per person and product.
			before := snapshot(t, path)
			_, err = d.StartTrial(as(member), plannerPlan1)
			wantCode(t, err, store.ECONFLICT)
			unchanged(t, path, before)
		})
	}
}

func TestStartTrialBlockedWhenDisabled(t *testing.T) {
	d, path := tenantWithStaff(t)
	setValue(t, d, store.ValueDisabled, plannerPlan1)
	before := snapshot(t, path)
	_, err := d.StartTrial(as(member), plannerPlan1)
	wantCode(t, err, store.ECONFLICT)
	if hint := store.ErrorHint(err); !strings.Contains(hint, "new-request") {
		t.Errorf("hint %q does not point to a license request", hint)
	}
	unchanged(t, path, before)
}

// The store front shows a member every product with its price and what
// the policy lets them do, though they may not read policies; the offer
// refuses what Purchase refuses. Without an identity it shows nothing.
func TestOffersForAMember(t *testing.T) {
	d, _ := tenantWithStaff(t)
	setValue(t, d, store.ValueDisabled, visioPlan1)
	if _, err := d.ListProductPolicies(as(member), store.PolicySelfServicePurchase, false); store.ErrorCode(err) != store.EFORBIDDEN {
		t.Fatalf("a member reads policies: %v", err)
	}
	offers, err := d.Offers(as(member))
	if err != nil {
		t.Fatal(err)
	}
	byID := map[string]store.Offer{}
	for _, o := range offers {
		byID[o.ProductID] = o
	}
	if o := byID[powerBIPro]; o.ProductName != "Power BI Pro" || o.MonthlyPrice != 1400 || o.PolicyValue != store.ValueEnabled || o.PurchaseRefusal() != nil {
		t.Errorf("Power BI Pro offered as %+v", o)
	}
	o := byID[visioPlan1]
	_, err = d.Purchase(as(member), visioPlan1, 1)
	if o.PolicyValue != store.ValueDisabled || o.PurchaseRefusal() == nil || o.PurchaseRefusal().Error() != store.ErrorMessage(err) {
		t.Errorf("Visio Plan 1 offered as %+v (refusal %v), Purchase says %v", o, o.PurchaseRefusal(), err)
	}
	if _, err := d.Offers(nobody()); store.ErrorCode(err) != store.EFORBIDDEN {
		t.Errorf("offers without an identity: %v, want forbidden", err)
	}
}
