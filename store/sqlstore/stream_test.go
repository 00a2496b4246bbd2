package sqlstore_test

import (
	"slices"
	"testing"

	"github.com/commercectl/commercectl/store"
)

// list-licenses --product's groups come from the query's order, on both
// engines: the central subscriptions ("") first, then purchasers in the
// byte order of their UPNs as written (so "Zoe" before "adele", as Go's
// sort had them), each group's users by UPN whatever their case; and
// EachLicenseUser hands the same users, in the same order, one by one.
func TestLicenseUserGroupsInOrder(t *testing.T) {
	d, _ := newTenant(t, false)
	for _, upn := range []string{"Zoe@contoso.com", "adele@contoso.com", "Bob@contoso.com", "carl@contoso.com"} {
		addUser(t, d, upn)
		if _, err := d.Purchase(as(upn), powerBIPro, 3); err != nil {
			t.Fatalf("Purchase as %s: %v", upn, err)
		}
	}
	for _, upn := range []string{"Ann@contoso.com", "al@contoso.com", "AB@contoso.com"} {
		addUser(t, d, upn)
	}
	subs, err := d.ListSubscriptions(as(admin), store.SubscriptionFilter{ProductID: powerBIPro})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range subs {
		if s.Purchaser == "adele@contoso.com" {
			if _, err := d.AssignLicenses(as(s.Purchaser), store.LicenseAssignment{SubscriptionID: s.ID, UPNs: []string{"Ann@contoso.com", "al@contoso.com"}}); err != nil {
				t.Fatal(err)
			}
		}
	}
	if _, err := d.AddSubscription(as(admin), powerBIPro, 5, 12); err != nil {
		t.Fatal(err)
	}
	if _, err := d.AssignLicenses(as(admin), store.LicenseAssignment{ProductID: powerBIPro, UPNs: []string{"AB@contoso.com"}}); err != nil {
		t.Fatal(err)
	}

	groups, err := d.ListLicenseUsers(as(admin), powerBIPro, false)
	if err != nil {
		t.Fatal(err)
	}
	var purchasers []string
	for _, g := range groups {
		purchasers = append(purchasers, g.Purchaser)
	}
	want := []string{"", "Bob@contoso.com", "Zoe@contoso.com", "adele@contoso.com", "carl@contoso.com"}
	if !slices.Equal(purchasers, want) {
		t.Fatalf("groups by purchaser %q, want %q", purchasers, want)
	}
	var adele []string
	for _, u := range groups[3].Users {
		adele = append(adele, u.UPN)
	}
	if !slices.Equal(adele, []string{"adele@contoso.com", "al@contoso.com", "Ann@contoso.com"}) {
		t.Errorf("adele's group %q, want her, al, Ann (by UPN whatever the case)", adele)
	}

	i, j := 0, 0
	err = d.EachLicenseUser(as(admin), powerBIPro, false, func(purchaser string, u *store.LicensedUser) error {
		for j == len(groups[i].Users) {
			i, j = i+1, 0
		}
		if g := groups[i]; purchaser != g.Purchaser || u.UPN != g.Users[j].UPN {
			t.Errorf("streamed %s of %q, listed %s of %q", u.UPN, purchaser, g.Users[j].UPN, g.Purchaser)
		}
		j++
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if i != len(groups)-1 || j != len(groups[i].Users) {
		t.Errorf("streamed up to group %d user %d of %d groups", i, j, len(groups))
	}
}
