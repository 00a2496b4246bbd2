package sqlstore_test

import (
	"context"
	"testing"

	"github.com/commercectl/commercectl/store"
	"github.com/commercectl/commercectl/store/sqlstore"
)

const (
	reader  = "patti@contoso.com"
	billing = "megan@contoso.com"
	licAdm  = "lee@contoso.com"
	member  = "alex@contoso.com"
)

// tenantWithStaff is a tenant with a user of each kind the policy rules tell apart.
func tenantWithStaff(t *testing.T) (*sqlstore.DB, string) {
	t.Helper()
	d, path := newTenant(t, false)
	addUser(t, d, reader, store.RoleGlobalReader)
	addUser(t, d, billing, store.RoleBillingAdmin)
	addUser(t, d, licAdm, store.RoleLicenseAdmin)
	addUser(t, d, member)
	return d, path
}

// reads are every policy read of the Service, with what it returns dropped.
var reads = map[string]func(store.Service, context.Context) error{
	"ListPolicies": func(s store.Service, ctx context.Context) error { _, err := s.ListPolicies(ctx); return err },
	"GetPolicy":    func(s store.Service, ctx context.Context) error { _, err := s.GetPolicy(ctx, policy); return err },
	"ListProductPolicies": func(s store.Service, ctx context.Context) error {
		_, err := s.ListProductPolicies(ctx, policy, false)
		return err
	},
	"GetProductPolicy": func(s store.Service, ctx context.Context) error {
		_, err := s.GetProductPolicy(ctx, policy, powerBIPro)
		return err
	},
	"ExportPolicies": func(s store.Service, ctx context.Context) error { _, err := s.ExportPolicies(ctx, policy); return err },
	"DiffPolicies": func(s store.Service, ctx context.Context) error {
		_, err := s.DiffPolicies(ctx, store.PolicySet{Policy: policy, Products: map[string]string{powerBIPro: store.ValueDisabled}})
		return err
	},
	"ListAudit": func(s store.Service, ctx context.Context) error {
		_, err := s.ListAudit(ctx, store.AuditFilter{})
		return err
	},
}

// writes are the policy changes of the Service.
var writes = map[string]func(store.Service, context.Context) error{
	"UpdatePolicy product": func(s store.Service, ctx context.Context) error {
		_, _, err := s.UpdatePolicy(ctx, store.PolicyUpdate{PolicyID: policy, ProductIDs: []string{powerBIPro}, Value: store.ValueDisabled})
		return err
	},
	"UpdatePolicy offer type": func(s store.Service, ctx context.Context) error {
		_, _, err := s.UpdatePolicy(ctx, store.PolicyUpdate{PolicyID: policy, OfferType: "SaaS", Value: store.ValueDisabled})
		return err
	},
	"UpdatePolicy all": func(s store.Service, ctx context.Context) error {
		_, _, err := s.UpdatePolicy(ctx, store.PolicyUpdate{PolicyID: policy, All: true, Value: store.ValueDisabled})
		return err
	},
	"UpdatePolicy default": func(s store.Service, ctx context.Context) error {
		_, _, err := s.UpdatePolicy(ctx, store.PolicyUpdate{PolicyID: policy, Default: store.ValueDisabled})
		return err
	},
	"ApplyPolicies": func(s store.Service, ctx context.Context) error {
		_, err := s.ApplyPolicies(ctx, store.PolicySet{Policy: policy, Products: map[string]string{powerBIPro: store.ValueDisabled}})
		return err
	},
}

func TestGlobalReaderReadsButDoesNotChange(t *testing.T) {
	d, path := tenantWithStaff(t)
	before := snapshot(t, path)
	for name, read := range reads {
		if err := read(d, as(reader)); err != nil {
			t.Errorf("GlobalReader %s: %v, want allowed", name, err)
		}
	}
	for name, write := range writes {
		err := write(d, as(reader))
		if store.ErrorCode(err) != store.EFORBIDDEN {
			t.Errorf("GlobalReader %s: %v (code %q), want %q", name, err, store.ErrorCode(err), store.EFORBIDDEN)
		}
	}
	unchanged(t, path, before)
}

func TestWhoMayChangePolicies(t *testing.T) {
	for _, tt := range []struct {
		who     string
		allowed bool
	}{
		{admin, true},
		{billing, true},
		{"MEGAN@Contoso.com", true}, // UPNs match whatever their case
		{reader, false},
		{licAdm, false},
		{member, false},
	} {
		t.Run(tt.who, func(t *testing.T) {
			d, path := tenantWithStaff(t)
			before := snapshot(t, path)
			_, _, err := d.UpdatePolicy(as(tt.who), store.PolicyUpdate{PolicyID: policy, ProductIDs: []string{powerBIPro}, Value: store.ValueDisabled})
			if tt.allowed {
				if err != nil {
					t.Fatalf("UpdatePolicy as %s: %v, want allowed", tt.who, err)
				}
				if v := valueOf(t, d, powerBIPro); v != store.ValueDisabled {
					t.Errorf("value %s, want Disabled", v)
				}
				return
			}
			wantCode(t, err, store.EFORBIDDEN)
			unchanged(t, path, before)
		})
	}
}

func TestMembersAndLicenseAdminsDoNotReadPolicies(t *testing.T) {
	d, _ := tenantWithStaff(t)
	for _, who := range []string{member, licAdm} {
		for name, read := range reads {
			err := read(d, as(who))
			if store.ErrorCode(err) != store.EFORBIDDEN {
				t.Errorf("%s %s: %v (code %q), want %q", who, name, err, store.ErrorCode(err), store.EFORBIDDEN)
			}
		}
	}
}

// Without an identity nothing is read or changed; an identity that is not a
// user of the tenant counts as none.
func TestNoIdentityIsForbidden(t *testing.T) {
	d, path := tenantWithStaff(t)
	before := snapshot(t, path)
	for _, tt := range []struct {
		name string
		ctx  context.Context
	}{
		{"no actor", nobody()},
		{"unknown actor", as("ghost@contoso.com")},
	} {
		for name, read := range reads {
			if err := read(d, tt.ctx); store.ErrorCode(err) != store.EFORBIDDEN {
				t.Errorf("%s, %s: %v (code %q), want %q", tt.name, name, err, store.ErrorCode(err), store.EFORBIDDEN)
			}
		}
		for name, write := range writes {
			if err := write(d, tt.ctx); store.ErrorCode(err) != store.EFORBIDDEN {
				t.Errorf("%s, %s: %v (code %q), want %q", tt.name, name, err, store.ErrorCode(err), store.EFORBIDDEN)
			}
		}
		if _, err := d.Purchase(tt.ctx, powerBIPro, 1); store.ErrorCode(err) != store.EFORBIDDEN {
			t.Errorf("%s, Purchase: %v, want %q", tt.name, err, store.EFORBIDDEN)
		}
		if _, err := d.StartTrial(tt.ctx, visioPlan1); store.ErrorCode(err) != store.EFORBIDDEN {
			t.Errorf("%s, StartTrial: %v, want %q", tt.name, err, store.EFORBIDDEN)
		}
		if _, err := d.AddUser(tt.ctx, store.NewUser{UPN: "new@contoso.com"}); store.ErrorCode(err) != store.EFORBIDDEN {
			t.Errorf("%s, AddUser: %v, want %q", tt.name, err, store.EFORBIDDEN)
		}
	}
	unchanged(t, path, before)
}
