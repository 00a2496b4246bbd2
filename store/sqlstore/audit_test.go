package sqlstore_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/commercectl/commercectl/store"
)

func rawField(t *testing.T, v any) map[string]any {
	t.Helper()
	raw, ok := v.(json.RawMessage)
	if !ok {
		t.Fatalf("audit before/after is %T, want JSON", v)
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatalf("audit JSON %s: %v", raw, err)
	}
	return m
}

// Every change writes one audit entry with its time, actor, verb and target;
// a refused change writes none.
func TestEveryChangeIsAudited(t *testing.T) {
	d, _ := newTenant(t, false)

	log := auditLog(t, d)
	if len(log) != 1 || log[0].Action != "init" || log[0].Actor != admin || log[0].Target != "Contoso" {
		t.Fatalf("a new tenant's audit log is %+v, want one init entry by %s", log, admin)
	}

	type step struct {
		name   string
		run    func() error
		actor  string
		action string
		target string
	}
	var purchased, trial *store.Subscription
	steps := []step{
		{"add a member", func() error { _, err := d.AddUser(as(admin), store.NewUser{UPN: member}); return err },
			admin, "add-user", member},
		{"add a billing admin", func() error {
			_, err := d.AddUser(as(admin), store.NewUser{UPN: billing, Roles: []string{"billingadmin"}})
			return err
		}, admin, "add-user", billing},
		{"give a role", func() error { _, err := d.SetRole(as(admin), member, store.RoleGlobalReader, false); return err },
			admin, "set-role", member},
		{"take it away", func() error { _, err := d.SetRole(as(admin), member, store.RoleGlobalReader, true); return err },
			admin, "set-role", member},
		{"update a product", func() error {
			_, _, err := d.UpdatePolicy(as(billing), store.PolicyUpdate{PolicyID: policy, ProductIDs: []string{powerBIProOldID}, Value: store.ValueDisabled})
			return err
		}, billing, "update-policy", policy + "/" + powerBIPro},
		{"update an offer type", func() error {
			_, _, err := d.UpdatePolicy(as(admin), store.PolicyUpdate{PolicyID: policy, OfferType: "SaaS", Value: store.ValueDisabled})
			return err
		}, admin, "update-policy", policy + "/offer-type/SaaS"},
		{"update the default", func() error {
			_, _, err := d.UpdatePolicy(as(admin), store.PolicyUpdate{PolicyID: policy, Default: store.ValueDisabled})
			return err
		}, admin, "update-policy", policy + "/default"},
		{"apply a policy file", func() error {
			_, err := d.ApplyPolicies(as(admin), store.PolicySet{Policy: policy, Products: map[string]string{visioPlan1: store.ValueOnlyTrials}})
			return err
		}, admin, "update-policy", policy + "/" + visioPlan1},
		{"purchase", func() (err error) { purchased, err = d.Purchase(as(member), visioPlan2, 2); return err },
			member, "purchase", ""},
		{"start a trial", func() (err error) { trial, err = d.StartTrial(as(member), visioPlan1); return err },
			member, "start-trial", ""},
	}
	for _, s := range steps {
		before := len(auditLog(t, d))
		if err := s.run(); err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		log := auditLog(t, d)
		if len(log) != before+1 {
			t.Fatalf("%s wrote %d audit entries, want 1", s.name, len(log)-before)
		}
		e := log[len(log)-1]
		target := s.target
		switch s.action {
		case "purchase":
			target = purchased.ID
		case "start-trial":
			target = trial.ID
		}
		if e.Actor != s.actor || e.Action != s.action || e.Target != target || !e.At.Equal(now) {
			t.Errorf("%s: audit entry %+v, want actor %s, action %s, target %s at %s", s.name, e, s.actor, s.action, target, now)
		}
		if e.After == nil {
			t.Errorf("%s: audit entry has no after", s.name)
		}
	}

	// The policy entry says what it was and what it became.
	for _, e := range auditLog(t, d) {
		if e.Target == policy+"/"+powerBIPro {
			if b := rawField(t, e.Before); b["policyValue"] != store.ValueEnabled {
				t.Errorf("before %v, want policyValue Enabled", b)
			}
			if a := rawField(t, e.After); a["policyValue"] != store.ValueDisabled {
				t.Errorf("after %v, want policyValue Disabled", a)
			}
		}
	}

	// Refusals leave no trace.
	n := len(auditLog(t, d))
	_, _, err := d.UpdatePolicy(as(member), store.PolicyUpdate{PolicyID: policy, ProductIDs: []string{powerBIPro}, Value: store.ValueEnabled})
	wantCode(t, err, store.EFORBIDDEN)
	_, err = d.Purchase(as(member), powerBIPro, 1) // Disabled above
	wantCode(t, err, store.ECONFLICT)
	_, _, err = d.UpdatePolicy(as(admin), store.PolicyUpdate{PolicyID: policy, ProductIDs: []string{visioPlan2, "CFQ7TTC0NOPE"}, Value: store.ValueDisabled})
	wantCode(t, err, store.ENOTFOUND)
	if got := len(auditLog(t, d)); got != n {
		t.Errorf("refused changes wrote %d audit entries, want none", got-n)
	}
}

func TestApplyPoliciesAuditsEachChange(t *testing.T) {
	d, _ := newTenant(t, false)
	before := len(auditLog(t, d))
	changes, err := d.ApplyPolicies(as(admin), store.PolicySet{Policy: policy, Default: store.ValueDisabled,
		Products:   map[string]string{powerBIPro: store.ValueDisabled, visioPlan2: store.ValueDisabled, visioPlan1: store.ValueEnabled},
		OfferTypes: map[string]string{"DYNAMICSCE": store.ValueDisabled}})
	if err != nil {
		t.Fatal(err)
	}
	// visioPlan1 is already Enabled: 4 changes, 4 entries.
	if len(changes) != 4 {
		t.Fatalf("%d changes, want 4: %+v", len(changes), changes)
	}
	if got := len(auditLog(t, d)) - before; got != len(changes) {
		t.Errorf("%d audit entries for %d changes", got, len(changes))
	}
}

func TestListAuditFilters(t *testing.T) {
	d, _ := newTenant(t, false)
	addUser(t, d, billing, store.RoleBillingAdmin)
	later := now.Add(time.Hour)
	ctx := store.WithNow(as(billing), later)
	if _, _, err := d.UpdatePolicy(ctx, store.PolicyUpdate{PolicyID: policy, ProductIDs: []string{powerBIPro}, Value: store.ValueDisabled}); err != nil {
		t.Fatal(err)
	}
	byBilling, err := d.ListAudit(as(admin), store.AuditFilter{Actor: "MEGAN@contoso.com"})
	if err != nil {
		t.Fatal(err)
	}
	if len(byBilling) != 1 || byBilling[0].Actor != billing || !byBilling[0].At.Equal(later) {
		t.Errorf("--actor %s: %+v, want the one update", billing, byBilling)
	}
	since, err := d.ListAudit(as(admin), store.AuditFilter{Since: later})
	if err != nil {
		t.Fatal(err)
	}
	if len(since) != 1 || since[0].Action != "update-policy" {
		t.Errorf("--since %s: %+v, want the one update", later, since)
	}
	all := auditLog(t, d)
	for i := 1; i < len(all); i++ {
		if all[i].ID <= all[i-1].ID {
			t.Errorf("audit log not oldest first: %d after %d", all[i].ID, all[i-1].ID)
		}
	}
}
