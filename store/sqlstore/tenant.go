package sqlstore

import (
	"context"
	"strings"

	"github.com/commercectl/commercectl/store"
)

// policyDescription is what get-policy says AllowSelfServicePurchase does.
const policyDescription = "Whether users in the organization can buy products on their own (self-service purchase) or start trials; when a product is blocked they can send a license request instead."

// checkInitOptions refuses a tenant without a name or with an admin that
// is no UPN, and spells the admin's UPN as it is stored.
func checkInitOptions(opts *store.InitOptions) error {
	if strings.TrimSpace(opts.Tenant) == "" {
		return store.Errorf(store.EINVALID, "the tenant needs a name: --tenant NAME")
	}
	admin, err := store.ValidateUPN(opts.Admin)
	if err != nil {
		return err
	}
	opts.Admin = admin
	return nil
}

func (d *DB) seed(ctx context.Context, tenant, admin string, demo bool) (*store.InitResult, error) {
	var res *store.InitResult
	// Init runs before anyone exists, so it runs as nobody, and it builds its
	// file for real even in a dry run: Init throws the file away instead.
	ctx = store.WithNow(context.Background(), store.Now(ctx))
	err := d.write(ctx, func(t *tx) error {
		var err error
		res, err = t.seedTenant(tenant, admin, demo)
		return err
	})
	return res, err
}

// seedTenant fills an empty schema: the tenant, its policy, the built-in
// catalog, the admin, and with demo the demo tenant.
func (t *tx) seedTenant(tenant, admin string, demo bool) (*store.InitResult, error) {
	res := &store.InitResult{Tenant: tenant, Admin: admin}
	now := fmtTime(t.now)
	if _, err := t.ExecContext(t.ctx, `INSERT INTO tenant (id, name, created_at) VALUES (1, ?, ?)`, tenant, now); err != nil {
		return nil, err
	}
	if _, err := t.ExecContext(t.ctx, `INSERT INTO policies (id, description, default_value) VALUES (?, ?, ?)`,
		store.PolicySelfServicePurchase, policyDescription, store.ValueEnabled); err != nil {
		return nil, err
	}
	for _, ot := range store.OfferTypes {
		if _, err := t.ExecContext(t.ctx, `INSERT INTO offer_type_policies (policy_id, offer_type, value, updated_at) VALUES (?, ?, ?, ?)`,
			store.PolicySelfServicePurchase, ot, store.ValueEnabled, now); err != nil {
			return nil, err
		}
	}
	for _, p := range builtinCatalog {
		if err := t.insertBuiltinProduct(p); err != nil {
			return nil, err
		}
	}
	res.Products = len(builtinCatalog)
	if _, err := t.insertUser(store.NewUser{UPN: admin, DisplayName: displayNameFromUPN(admin), Roles: []string{store.RoleGlobalAdmin}}); err != nil {
		return nil, err
	}
	res.Users = 1
	if demo {
		if err := t.seedDemo(admin, res); err != nil {
			return nil, err
		}
	}
	t.actor = &store.User{UPN: admin}
	return res, t.audit("init", tenant, nil, map[string]any{"tenant": tenant, "admin": admin, "demo": demo})
}

func (t *tx) insertBuiltinProduct(p builtinProduct) error {
	now := fmtTime(t.now)
	if _, err := t.ExecContext(t.ctx, `INSERT INTO products (id, name, publisher, sku_part_number, sku_id, monthly_price_cents, trial_without_payment, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, p.id, p.name, store.PublisherMSFT, p.sku, p.skuID, p.priceCents, boolInt(p.trialWithoutPayment), now); err != nil {
		return err
	}
	if p.oldID != "" {
		if _, err := t.ExecContext(t.ctx, `INSERT INTO product_aliases (alias, product_id) VALUES (?, ?)`, p.oldID, p.id); err != nil {
			return err
		}
	}
	for _, sp := range p.servicePlans() {
		if _, err := t.ExecContext(t.ctx, `INSERT INTO service_plans (product_id, name, plan_id, friendly_name) VALUES (?, ?, ?, ?)
			ON CONFLICT (product_id, name) DO NOTHING`, p.id, sp[0], sp[1], sp[2]); err != nil {
			return err
		}
	}
	_, err := t.ExecContext(t.ctx, `INSERT INTO product_policies (policy_id, product_id, value, updated_at)
		SELECT id, ?, default_value, ? FROM policies WHERE id = ?`, p.id, now, store.PolicySelfServicePurchase)
	return err
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// displayNameFromUPN turns "ada.lovelace@contoso.com" into "Ada Lovelace".
func displayNameFromUPN(upn string) string {
	local, _, _ := strings.Cut(upn, "@")
	parts := strings.FieldsFunc(local, func(r rune) bool { return r == '.' || r == '_' || r == '-' })
	for i, p := range parts {
		parts[i] = strings.ToUpper(p[:1]) + p[1:]
	}
	return strings.Join(parts, " ")
}
