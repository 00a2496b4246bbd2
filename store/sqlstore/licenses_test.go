package sqlstore_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/commercectl/commercectl/store"
	"github.com/commercectl/commercectl/store/sqlstore"
)

// asAt is a context in which upn runs operations at the given time.
func asAt(upn string, at time.Time) context.Context {
	return store.WithNow(store.WithActor(context.Background(), upn), at)
}

// licenseTenant is a tenant with staff (reader, billing, licAdm, member) and
// a few people to license.
func licenseTenant(t *testing.T, people ...string) (*sqlstore.DB, string) {
	t.Helper()
	d, path := tenantWithStaff(t)
	for _, p := range people {
		addUser(t, d, p)
	}
	return d, path
}

func addSub(t *testing.T, d *sqlstore.DB, productID string, quantity, months int) *store.Subscription {
	t.Helper()
	s, err := d.AddSubscription(as(admin), productID, quantity, months)
	if err != nil {
		t.Fatalf("AddSubscription(%s, %d): %v", productID, quantity, err)
	}
	return s
}

func assign(t *testing.T, d *sqlstore.DB, ctx context.Context, a store.LicenseAssignment) *store.AssignResult {
	t.Helper()
	res, err := d.AssignLicenses(ctx, a)
	if err != nil {
		t.Fatalf("AssignLicenses(%+v): %v", a, err)
	}
	return res
}

// holdings lists "upn subscription" for every license of a product.
func holdings(t *testing.T, path, productID string) []string {
	t.Helper()
	rows, err := rawq(t, path).Query(`SELECT u.upn || ' ' || l.subscription_id FROM licenses l JOIN users u ON u.id = l.user_id
		WHERE l.product_id = ? ORDER BY u.upn_key`, productID)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := []string{}
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	return out
}

func wantHoldings(t *testing.T, path, productID string, want ...string) {
	t.Helper()
	if want == nil {
		want = []string{}
	}
	slices.Sort(want)
	if got := holdings(t, path, productID); !slices.Equal(got, want) {
		t.Errorf("licenses of %s:\n%q\nwant\n%q", productID, got, want)
	}
}

func wantResult(t *testing.T, res *store.AssignResult, changed, unchanged, available int) {
	t.Helper()
	if res.Changed != changed || res.Unchanged != unchanged || res.Available != available {
		t.Errorf("result changed=%d unchanged=%d available=%d, want %d %d %d", res.Changed, res.Unchanged, res.Available, changed, unchanged, available)
	}
}

const (
	u1 = "ada@contoso.com"
	u2 = "alan@contoso.com"
	u3 = "grace@contoso.com"
	u4 = "edsger@contoso.com"
)

// Seats come only from Active subscriptions: an Expired, Disabled or Deleted
// subscription gives none, and the licenses it still carries take seats of
// the Active ones (they are the pool's, SPEC §5).
func TestSeatsOnlyFromActiveSubscriptions(t *testing.T) {
	d, path := licenseTenant(t, u1, u2, u3, u4)
	short := addSub(t, d, visioPlan2, 2, 1) // expires in a month
	long := addSub(t, d, visioPlan2, 3, 12)

	// Now both are Active: 5 seats. Two users go to the short one by name.
	res := assign(t, d, as(admin), store.LicenseAssignment{SubscriptionID: short.ID, UPNs: []string{u1, u2}})
	wantResult(t, res, 2, 0, 0)
	wantHoldings(t, path, visioPlan2, u1+" "+short.ID, u2+" "+short.ID)

	for _, tc := range []struct {
		status string
		at     time.Time
	}{
		{store.StatusExpired, short.ExpiresAt},
		{store.StatusDisabled, short.ExpiresAt.Add(store.ExpiredFor)},
		{store.StatusDeleted, short.ExpiresAt.Add(store.ExpiredFor + store.DisabledFor)},
	} {
		t.Run(tc.status, func(t *testing.T) {
			ctx := asAt(admin, tc.at)
			sub, err := d.GetSubscription(ctx, short.ID)
			if err != nil || sub.Status != tc.status || sub.Available != 0 {
				t.Fatalf("%s at %s: %+v, %v; want %s with nothing available", short.ID, tc.at, sub, err, tc.status)
			}
			// Seats: 3 (the long one); licenses: 2 → 1 free, not the 3 the
			// long subscription has unused.
			before := snapshot(t, path)
			_, err = d.AssignLicenses(ctx, store.LicenseAssignment{ProductID: visioPlan2, UPNs: []string{u3, u4}})
			wantCode(t, err, store.ECONFLICT)
			if !strings.Contains(err.Error(), "2 needed, 1 available, 1 missing") {
				t.Errorf("error %q does not give the shortfall", err)
			}
			if hint := store.ErrorHint(err); hint != "buy more: commercectl buy-licenses --subscription "+long.ID+" --total 4" {
				t.Errorf("hint %q", hint)
			}
			unchanged(t, path, before)
			// Named, the lapsed subscription has no seat at all.
			_, err = d.AssignLicenses(ctx, store.LicenseAssignment{SubscriptionID: short.ID, UPNs: []string{u3}})
			wantCode(t, err, store.ECONFLICT)
			unchanged(t, path, before)

			// The list agrees with the rule: 3 seats, 2 assigned, 1 free.
			sums, err := d.ListLicenses(ctx, false)
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range sums {
				if s.ProductID == visioPlan2 && (s.Quantity != 3 || s.Assigned != 2 || s.Available != 1 || s.Status != "") {
					t.Errorf("list-licenses row %+v, want 3 seats, 2 assigned, 1 available, no status", s)
				}
			}
			// One user fits; dry run, so that the next status starts alike.
			res, err := d.AssignLicenses(store.WithDryRun(ctx), store.LicenseAssignment{ProductID: visioPlan2, UPNs: []string{u3}})
			if err != nil {
				t.Fatalf("one user for the one free seat: %v", err)
			}
			wantResult(t, res, 1, 0, 0)
			unchanged(t, path, before)
		})
	}

	// When the long one lapses too the pool has no seat: both users need a
	// valid license, and none can be added.
	ctx := asAt(admin, long.ExpiresAt)
	before := snapshot(t, path)
	_, err := d.AssignLicenses(ctx, store.LicenseAssignment{ProductID: visioPlan2, UPNs: []string{u3}})
	wantCode(t, err, store.ECONFLICT)
	if !strings.Contains(err.Error(), "1 needed, 0 available, 3 missing (2 users are already without a valid license)") {
		t.Errorf("error %q", err)
	}
	if hint := store.ErrorHint(err); hint != "buy a subscription: commercectl add-subscription --product "+visioPlan2+" --quantity 3" {
		t.Errorf("hint %q", hint)
	}
	unchanged(t, path, before)
	sums, err := d.ListLicenses(ctx, false)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, s := range sums {
		if s.ProductID == visioPlan2 {
			found = true
			if s.Quantity != 0 || s.Assigned != 2 || s.Available != 0 || s.Status != "2 users need a valid license" {
				t.Errorf("list-licenses row %+v", s)
			}
		}
	}
	if !found {
		t.Errorf("no row for %s in %+v", visioPlan2, sums)
	}
}

// A self-service subscription that lapsed gives its purchaser no seat either.
func TestSelfServiceSeatsOnlyWhileActive(t *testing.T) {
	d, path := licenseTenant(t, u1)
	sub, err := d.Purchase(as(member), visioPlan1, 3)
	if err != nil {
		t.Fatal(err)
	}
	later := asAt(member, sub.ExpiresAt)
	before := snapshot(t, path)
	_, err = d.AssignLicenses(later, store.LicenseAssignment{SubscriptionID: sub.ID, UPNs: []string{u1}})
	wantCode(t, err, store.ECONFLICT)
	if hint := store.ErrorHint(err); !strings.Contains(hint, "buy more in the store") {
		t.Errorf("hint %q", hint)
	}
	unchanged(t, path, before)
	// While Active it works.
	res := assign(t, d, as(member), store.LicenseAssignment{SubscriptionID: sub.ID, UPNs: []string{u1}})
	wantResult(t, res, 1, 0, 1)
}

// All or nothing: one unknown user, and nobody gets a license.
func TestAssignAllOrNothingUnknownUser(t *testing.T) {
	d, path := licenseTenant(t, u1, u2)
	addSub(t, d, powerBIPro, 5, 12)
	before := snapshot(t, path)
	res, err := d.AssignLicenses(as(admin), store.LicenseAssignment{ProductID: powerBIPro, UPNs: []string{u1, "ghost@contoso.com", u2}})
	wantCode(t, err, store.ENOTFOUND)
	if res != nil {
		t.Errorf("a refused call returned %+v", res)
	}
	if !strings.Contains(err.Error(), "ghost@contoso.com") || strings.Contains(err.Error(), u1) {
		t.Errorf("error %q should name the unknown user only", err)
	}
	unchanged(t, path, before)

	// Unassign too: the known holder keeps the license.
	assign(t, d, as(admin), store.LicenseAssignment{ProductID: powerBIPro, UPNs: []string{u1}})
	before = snapshot(t, path)
	_, err = d.UnassignLicenses(as(admin), store.LicenseAssignment{ProductID: powerBIPro, UPNs: []string{u1, "nobody@contoso.com"}})
	wantCode(t, err, store.ENOTFOUND)
	unchanged(t, path, before)
}

// All or nothing: more users than free seats, and nobody gets a license.
func TestAssignAllOrNothingShortOfSeats(t *testing.T) {
	d, path := licenseTenant(t, u1, u2, u3)
	sub := addSub(t, d, powerBIPro, 2, 12)
	before := snapshot(t, path)
	_, err := d.AssignLicenses(as(admin), store.LicenseAssignment{ProductID: powerBIPro, UPNs: []string{u1, u2, u3}})
	wantCode(t, err, store.ECONFLICT)
	if want := "not enough licenses in the central pool of Power BI Pro: 3 needed, 2 available, 1 missing"; err.Error() != want {
		t.Errorf("error %q, want %q", err, want)
	}
	if hint, want := store.ErrorHint(err), "buy more: commercectl buy-licenses --subscription "+sub.ID+" --total 3"; hint != want {
		t.Errorf("hint %q, want %q", hint, want)
	}
	unchanged(t, path, before)
	// A product with no subscription at all: buy one.
	_, err = d.AssignLicenses(as(admin), store.LicenseAssignment{ProductID: visioPlan2, UPNs: []string{u1}})
	wantCode(t, err, store.ECONFLICT)
	if hint := store.ErrorHint(err); hint != "buy a subscription: commercectl add-subscription --product "+visioPlan2+" --quantity 1" {
		t.Errorf("hint %q", hint)
	}
	unchanged(t, path, before)
	// Exactly the free seats: every user is licensed.
	res := assign(t, d, as(admin), store.LicenseAssignment{ProductID: powerBIPro, UPNs: []string{u1, u2}})
	wantResult(t, res, 2, 0, 0)
	if !slices.Equal(res.UPNs, []string{u1, u2}) {
		t.Errorf("upns %q", res.UPNs)
	}
}

// A user holds at most one license of a product: one who holds it from
// another pool is refused, and the whole call with them.
func TestAssignRefusesHolderFromAnotherPool(t *testing.T) {
	d, path := licenseTenant(t, u1, u2)
	addSub(t, d, powerBIPro, 5, 12)
	own, err := d.Purchase(as(member), powerBIPro, 2) // member holds a self-service license
	if err != nil {
		t.Fatal(err)
	}
	before := snapshot(t, path)
	_, err = d.AssignLicenses(as(admin), store.LicenseAssignment{ProductID: powerBIPro, UPNs: []string{u1, member}})
	wantCode(t, err, store.ECONFLICT)
	if !strings.Contains(err.Error(), member+" ("+own.ID+")") {
		t.Errorf("error %q does not name the holder and their subscription", err)
	}
	unchanged(t, path, before)

	// The other way round: a central holder is refused by the purchaser.
	assign(t, d, as(admin), store.LicenseAssignment{ProductID: powerBIPro, UPNs: []string{u1}})
	before = snapshot(t, path)
	_, err = d.AssignLicenses(as(member), store.LicenseAssignment{SubscriptionID: own.ID, UPNs: []string{u2, u1}})
	wantCode(t, err, store.ECONFLICT)
	unchanged(t, path, before)
	wantHoldings(t, path, powerBIPro, member+" "+own.ID, u1+" SUB-00001")
}

// A user who holds the pool's license already is left as is, even from
// another central subscription of the product (one pool), and even when the
// call names other plans.
func TestAssignSamePoolHolderUnchanged(t *testing.T) {
	d, path := licenseTenant(t, u1, u2)
	first := addSub(t, d, visioPlan2, 2, 12)
	second := addSub(t, d, visioPlan2, 2, 24)
	assign(t, d, as(admin), store.LicenseAssignment{SubscriptionID: first.ID, UPNs: []string{u1}, DisabledPlans: []string{"VISIOONLINE"}})
	row := func() string {
		var s string
		if err := rawq(t, path).QueryRow(`SELECT l.subscription_id || '|' || l.disabled_plans || '|' || l.assigned_at FROM licenses l
			JOIN users u ON u.id = l.user_id WHERE u.upn = ?`, u1).Scan(&s); err != nil {
			t.Fatal(err)
		}
		return s
	}
	held := row()
	if held != first.ID+"|VISIOONLINE|2026-11-21T09:00:00Z" {
		t.Fatalf("license %q", held)
	}

	// Alone: nothing to do, nothing written (not even an audit entry).
	before := snapshot(t, path)
	later := asAt(admin, now.Add(time.Hour))
	res := assign(t, d, later, store.LicenseAssignment{SubscriptionID: second.ID, UPNs: []string{strings.ToUpper(u1)}, DisabledPlans: []string{"ONEDRIVE_BASIC"}})
	wantResult(t, res, 0, 1, 2) // what the named subscription has free
	if len(res.UPNs) != 0 {
		t.Errorf("upns %q, want none", res.UPNs)
	}
	unchanged(t, path, before)

	// With a newcomer: the newcomer is licensed (from the longest-lasting
	// subscription), the holder's license is the same row as before.
	res = assign(t, d, later, store.LicenseAssignment{ProductID: visioPlan2, UPNs: []string{u1, u2, u1}})
	wantResult(t, res, 1, 1, 2)
	if !slices.Equal(res.UPNs, []string{u2}) {
		t.Errorf("upns %q, want only %s", res.UPNs, u2)
	}
	if got := row(); got != held {
		t.Errorf("the holder's license changed: %q → %q", held, got)
	}
	wantHoldings(t, path, visioPlan2, u1+" "+first.ID, u2+" "+second.ID)
}

// Unassigning users who hold no license of the pool leaves them, and the
// tenant, as they were; a holder from another pool keeps their license.
func TestUnassignNonHoldersUnchanged(t *testing.T) {
	d, path := licenseTenant(t, u1, u2)
	addSub(t, d, powerBIPro, 5, 12)
	own, err := d.Purchase(as(member), powerBIPro, 1)
	if err != nil {
		t.Fatal(err)
	}
	assign(t, d, as(admin), store.LicenseAssignment{ProductID: powerBIPro, UPNs: []string{u1}})

	before := snapshot(t, path)
	res, err := d.UnassignLicenses(as(admin), store.LicenseAssignment{ProductID: powerBIPro, UPNs: []string{u2, member}})
	if err != nil {
		t.Fatal(err)
	}
	wantResult(t, res, 0, 2, 4)
	unchanged(t, path, before)

	// Mixed: only the holder loses it.
	res, err = d.UnassignLicenses(as(licAdm), store.LicenseAssignment{ProductID: powerBIPro, UPNs: []string{u2, u1, member}})
	if err != nil {
		t.Fatal(err)
	}
	wantResult(t, res, 1, 2, 5)
	if !slices.Equal(res.UPNs, []string{u1}) {
		t.Errorf("upns %q", res.UPNs)
	}
	wantHoldings(t, path, powerBIPro, member+" "+own.ID)
	n := count(t, path, `SELECT count(*) FROM audit_log WHERE action = 'unassign-license'`)
	if n != 1 {
		t.Errorf("%d unassign audit entries, want 1 (the no-op writes none)", n)
	}
}

// A purchaser manages the licenses of their own self-service subscription,
// and only those; admins are refused there with a hint to take it over.
func TestSelfServicePurchaserVersusAdmins(t *testing.T) {
	const other = "mallory@contoso.com"
	d, path := licenseTenant(t, u1, u2, other)
	addUser(t, d, "ua@contoso.com", store.RoleUserAdmin)
	central := addSub(t, d, powerBIPro, 5, 12)
	sub, err := d.Purchase(as(member), powerBIPro, 3)
	if err != nil {
		t.Fatal(err)
	}

	// The purchaser assigns and unassigns in their own subscription.
	res := assign(t, d, as(member), store.LicenseAssignment{SubscriptionID: strings.ToLower(sub.ID), UPNs: []string{u1, u2}})
	if res.SubscriptionID != sub.ID {
		t.Errorf("result names %q, want %s", res.SubscriptionID, sub.ID)
	}
	wantResult(t, res, 2, 0, 0)
	res, err = d.UnassignLicenses(as(member), store.LicenseAssignment{SubscriptionID: sub.ID, UPNs: []string{u2}})
	if err != nil {
		t.Fatal(err)
	}
	wantResult(t, res, 1, 0, 1)
	wantHoldings(t, path, powerBIPro, member+" "+sub.ID, u1+" "+sub.ID)

	before := snapshot(t, path)
	// Admins who manage licenses: refused (5) with the takeover hint.
	for _, adm := range []string{admin, licAdm, "ua@contoso.com"} {
		_, err := d.AssignLicenses(as(adm), store.LicenseAssignment{SubscriptionID: sub.ID, UPNs: []string{u2}})
		wantCode(t, err, store.ECONFLICT)
		if hint := store.ErrorHint(err); !strings.Contains(hint, "takeover-subscription "+sub.ID) {
			t.Errorf("%s: hint %q does not point to takeover-subscription", adm, hint)
		}
		_, err = d.UnassignLicenses(as(adm), store.LicenseAssignment{SubscriptionID: sub.ID, UPNs: []string{u1}})
		wantCode(t, err, store.ECONFLICT)
	}
	// Anyone else: not permitted (4).
	for _, who := range []string{other, reader, billing} {
		_, err := d.AssignLicenses(as(who), store.LicenseAssignment{SubscriptionID: sub.ID, UPNs: []string{u2}})
		wantCode(t, err, store.EFORBIDDEN)
		_, err = d.UnassignLicenses(as(who), store.LicenseAssignment{SubscriptionID: sub.ID, UPNs: []string{u1}})
		wantCode(t, err, store.EFORBIDDEN)
	}
	// The purchaser does not manage the central pool, by product or by id.
	_, err = d.AssignLicenses(as(member), store.LicenseAssignment{ProductID: powerBIPro, UPNs: []string{u2}})
	wantCode(t, err, store.EFORBIDDEN)
	_, err = d.AssignLicenses(as(member), store.LicenseAssignment{SubscriptionID: central.ID, UPNs: []string{u2}})
	wantCode(t, err, store.EFORBIDDEN)
	// Nobody without an identity.
	_, err = d.AssignLicenses(nobody(), store.LicenseAssignment{SubscriptionID: sub.ID, UPNs: []string{u2}})
	wantCode(t, err, store.EFORBIDDEN)
	unchanged(t, path, before)
}

// Bad input: both or neither pool, no users, a plan the product lacks.
func TestAssignBadInput(t *testing.T) {
	d, path := licenseTenant(t, u1)
	sub := addSub(t, d, powerBIPro, 5, 12)
	before := snapshot(t, path)
	for name, a := range map[string]store.LicenseAssignment{
		"both pools":    {ProductID: powerBIPro, SubscriptionID: sub.ID, UPNs: []string{u1}},
		"no pool":       {UPNs: []string{u1}},
		"no users":      {ProductID: powerBIPro},
		"unknown plan":  {ProductID: powerBIPro, UPNs: []string{u1}, DisabledPlans: []string{"VISIOONLINE"}},
		"one bad plan":  {ProductID: powerBIPro, UPNs: []string{u1}, DisabledPlans: []string{"BI_AZURE_P2", "nope"}},
		"plan of other": {SubscriptionID: sub.ID, UPNs: []string{u1}, DisabledPlans: []string{"PROJECT_P1"}},
	} {
		_, err := d.AssignLicenses(as(admin), a)
		if err == nil || store.ErrorCode(err) != store.EINVALID {
			t.Errorf("%s: %v, want %s", name, err, store.EINVALID)
		}
	}
	_, err := d.AssignLicenses(as(admin), store.LicenseAssignment{ProductID: "CFQ7TTC0XXXX", UPNs: []string{u1}})
	wantCode(t, err, store.ENOTFOUND)
	_, err = d.AssignLicenses(as(admin), store.LicenseAssignment{SubscriptionID: "SUB-09999", UPNs: []string{u1}})
	wantCode(t, err, store.ENOTFOUND)
	_, err = d.AssignLicenses(as(billing), store.LicenseAssignment{ProductID: powerBIPro, UPNs: []string{u1}})
	wantCode(t, err, store.EFORBIDDEN)
	_, err = d.UnassignLicenses(as(reader), store.LicenseAssignment{ProductID: powerBIPro, UPNs: []string{u1}})
	wantCode(t, err, store.EFORBIDDEN)
	unchanged(t, path, before)

	// Plans in any case are stored as the catalog spells them, sorted.
	assign(t, d, as(admin), store.LicenseAssignment{ProductID: powerBIPro, UPNs: []string{u1}, DisabledPlans: []string{"exchange_s_foundation", "bi_azure_p2", "BI_AZURE_P2"}})
	if n := count(t, path, `SELECT count(*) FROM licenses WHERE disabled_plans = 'BI_AZURE_P2,EXCHANGE_S_FOUNDATION'`); n != 1 {
		t.Errorf("%d licenses with the canonical plans, want 1", n)
	}
}

// 100,000 users are licensed in one call, and unassigned in one call.
func TestAssignHundredThousandUsers(t *testing.T) {
	if testing.Short() {
		t.Skip("100,000 users")
	}
	const n = 100_000
	d, path := newTenant(t, false)
	sub := addSub(t, d, powerBIPro, n, 12)
	db := rawDB(t, path)
	fill := `WITH RECURSIVE seq(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM seq WHERE i < ?)
		INSERT INTO users (upn, upn_key, display_name, department, created_at)
		SELECT printf('user%06d@contoso.com', i), printf('user%06d@contoso.com', i), printf('User %d', i), 'Bulk', ? FROM seq`
	if onPostgres {
		fill = `INSERT INTO users (upn, upn_key, display_name, department, created_at)
		SELECT 'user' || lpad(i::text, 6, '0') || '@contoso.com', 'user' || lpad(i::text, 6, '0') || '@contoso.com', 'User ' || i, 'Bulk', ?
		FROM generate_series(1, ?::int) AS i`
	}
	args := []any{n, now.Format(time.RFC3339)}
	if onPostgres {
		args = []any{now.Format(time.RFC3339), n}
	}
	if _, err := db.Exec(sqlstore.RebindFor(path, fill), args...); err != nil {
		t.Fatal(err)
	}
	upns := make([]string, n)
	for i := range upns {
		upns[i] = fmt.Sprintf("User%06d@contoso.com", i+1) // any case
	}

	// One unknown user among them: nobody is licensed.
	before := snapshot(t, path)
	_, err := d.AssignLicenses(as(admin), store.LicenseAssignment{ProductID: powerBIPro, UPNs: append(slices.Clone(upns), "ghost@contoso.com")})
	wantCode(t, err, store.ENOTFOUND)
	unchanged(t, path, before)
	// One more than the seats: nobody is licensed.
	addUser(t, d, "extra@contoso.com")
	before = snapshot(t, path)
	_, err = d.AssignLicenses(as(admin), store.LicenseAssignment{ProductID: powerBIPro, UPNs: append(slices.Clone(upns), "extra@contoso.com")})
	wantCode(t, err, store.ECONFLICT)
	if !strings.Contains(err.Error(), "100001 needed, 100000 available, 1 missing") {
		t.Errorf("error %q", err)
	}
	unchanged(t, path, before)

	res, err := d.AssignLicenses(as(admin), store.LicenseAssignment{ProductID: powerBIPro, UPNs: upns})
	if err != nil {
		t.Fatalf("AssignLicenses(100,000 users): %v", err)
	}
	wantResult(t, res, n, 0, 0)
	if len(res.UPNs) != 1000 || res.UPNs[0] != "user000001@contoso.com" {
		t.Errorf("the result lists %d users starting %q, want the first 1,000", len(res.UPNs), res.UPNs[:1])
	}
	if got := count(t, path, `SELECT count(*) FROM licenses WHERE subscription_id = ? AND product_id = ?`, sub.ID, powerBIPro); got != n {
		t.Errorf("%d licenses, want %d", got, n)
	}
	if got := count(t, path, `SELECT count(*) FROM audit_log WHERE action = 'assign-license'`); got != 1 {
		t.Errorf("%d audit entries for one call, want 1", got)
	}
	s, err := d.GetSubscription(as(admin), sub.ID)
	if err != nil || s.Assigned != n || s.Available != 0 {
		t.Errorf("subscription after: %+v, %v", s, err)
	}

	// Again: every one of them is unchanged.
	res, err = d.AssignLicenses(as(admin), store.LicenseAssignment{ProductID: powerBIPro, UPNs: upns})
	if err != nil {
		t.Fatal(err)
	}
	wantResult(t, res, 0, n, 0)

	res, err = d.UnassignLicenses(as(admin), store.LicenseAssignment{ProductID: powerBIPro, UPNs: upns})
	if err != nil {
		t.Fatalf("UnassignLicenses(100,000 users): %v", err)
	}
	wantResult(t, res, n, 0, n)
	if got := count(t, path, `SELECT count(*) FROM licenses`); got != 0 {
		t.Errorf("%d licenses left, want 0", got)
	}
}
