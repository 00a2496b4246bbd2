package store_test

import (
	"testing"
	"time"

	"github.com/commercectl/commercectl/store"
)

func TestSubscriptionStatus(t *testing.T) {
	expires := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	day := 24 * time.Hour
	ptr := func(t time.Time) *time.Time { return &t }

	tests := []struct {
		name     string
		now      time.Time
		canceled *time.Time
		want     string
	}{
		{"long before expiry", expires.Add(-200 * day), nil, store.StatusActive},
		{"one second before expiry", expires.Add(-time.Second), nil, store.StatusActive},
		{"at expiry", expires, nil, store.StatusExpired},
		{"29 days after expiry", expires.Add(29 * day), nil, store.StatusExpired},
		{"one second before the 30 expired days end", expires.Add(30*day - time.Second), nil, store.StatusExpired},
		{"exactly 30 days after expiry", expires.Add(30 * day), nil, store.StatusDisabled},
		{"one second before the 90 disabled days end", expires.Add(120*day - time.Second), nil, store.StatusDisabled},
		{"exactly 120 days after expiry", expires.Add(120 * day), nil, store.StatusDeleted},
		{"a year after expiry", expires.Add(365 * day), nil, store.StatusDeleted},

		// A cancel makes it Deleted at once, whatever the dates say.
		{"canceled while active", expires.Add(-100 * day), ptr(expires.Add(-100 * day)), store.StatusDeleted},
		{"canceled a day ago, still in term", expires.Add(-100 * day), ptr(expires.Add(-101 * day)), store.StatusDeleted},
		{"canceled while expired", expires.Add(5 * day), ptr(expires.Add(2 * day)), store.StatusDeleted},
		{"canceled while disabled", expires.Add(40 * day), ptr(expires.Add(35 * day)), store.StatusDeleted},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := store.SubscriptionStatus(tt.now, expires, tt.canceled); got != tt.want {
				t.Errorf("SubscriptionStatus(now=%s, expires=%s, canceled=%v) = %s, want %s",
					tt.now.Format(time.RFC3339), expires.Format(time.RFC3339), tt.canceled, got, tt.want)
			}
		})
	}
}

// The grace periods are the ones the SPEC names: Expired for 30 days, then
// Disabled for 90.
func TestGracePeriods(t *testing.T) {
	if store.ExpiredFor != 30*24*time.Hour {
		t.Errorf("ExpiredFor = %s, want 30 days", store.ExpiredFor)
	}
	if store.DisabledFor != 90*24*time.Hour {
		t.Errorf("DisabledFor = %s, want 90 days", store.DisabledFor)
	}
}

func TestCanonicalRole(t *testing.T) {
	tests := []struct {
		in     string
		want   string
		wantOK bool
	}{
		{"GlobalAdmin", store.RoleGlobalAdmin, true},
		{"globaladmin", store.RoleGlobalAdmin, true},
		{"GLOBALADMIN", store.RoleGlobalAdmin, true},
		{"billingADMIN", store.RoleBillingAdmin, true},
		{"licenseadmin", store.RoleLicenseAdmin, true},
		{"UserAdmin", store.RoleUserAdmin, true},
		{"globalreader", store.RoleGlobalReader, true},
		{"", "", false},
		{"Global Admin", "", false},
		{"Admin", "", false},
		{"GlobalAdmins", "", false},
		{"member", "", false},
	}
	for _, tt := range tests {
		got, ok := store.CanonicalRole(tt.in)
		if got != tt.want || ok != tt.wantOK {
			t.Errorf("CanonicalRole(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.wantOK)
		}
	}
}

func TestRolesListsEveryRoleOnce(t *testing.T) {
	want := []string{"GlobalAdmin", "BillingAdmin", "LicenseAdmin", "UserAdmin", "GlobalReader"}
	if len(store.Roles) != len(want) {
		t.Fatalf("Roles = %q, want %q", store.Roles, want)
	}
	for i := range want {
		if store.Roles[i] != want[i] {
			t.Errorf("Roles[%d] = %q, want %q", i, store.Roles[i], want[i])
		}
	}
}

func TestUserHasAnyRole(t *testing.T) {
	u := store.User{UPN: "megan@contoso.com", Roles: []string{store.RoleBillingAdmin, store.RoleGlobalReader}}
	if !u.HasAnyRole(store.RoleGlobalAdmin, store.RoleBillingAdmin) {
		t.Error("a BillingAdmin should match GlobalAdmin|BillingAdmin")
	}
	if u.HasAnyRole(store.RoleGlobalAdmin, store.RoleLicenseAdmin) {
		t.Error("a BillingAdmin/GlobalReader should not match GlobalAdmin|LicenseAdmin")
	}
	member := store.User{UPN: "alex@contoso.com"}
	if member.HasAnyRole(store.Roles...) {
		t.Error("a member (no roles) should match no role")
	}
}
