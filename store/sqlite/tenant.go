package sqlite

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/commercectl/commercectl/store"
)

// policyDescription is what get-policy says AllowSelfServicePurchase does.
const policyDescription = "Whether users in the organization can buy products on their own (self-service purchase) or start trials; when a product is blocked they can send a license request instead."

// Init creates a tenant at path. An existing file is replaced only with
// force, and only once the new tenant is complete: the tenant is built in a
// temporary file beside path and renamed over it, so a failed init leaves
// whatever was there before.
func Init(ctx context.Context, path string, opts store.InitOptions, force bool) (*store.InitResult, error) {
	if strings.TrimSpace(opts.Tenant) == "" {
		return nil, store.Errorf(store.EINVALID, "the tenant needs a name: --tenant NAME")
	}
	admin, err := store.ValidateUPN(opts.Admin)
	if err != nil {
		return nil, err
	}
	if st, err := os.Stat(path); err == nil {
		if st.IsDir() {
			return nil, store.Errorf(store.EINVALID, "%s is a directory, not a tenant database", path)
		}
		if !force {
			return nil, store.Errorf(store.ECONFLICT, "a tenant database already exists at %s", path).
				WithHint("pass --force to replace it, or choose another --db")
		}
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, store.Errorf(store.EINVALID, "cannot use %s: %v", path, unwrapPathError(err))
	}
	tmp := fmt.Sprintf("%s.init-%d", path, os.Getpid())
	if store.IsDryRun(ctx) {
		// A dry run changes nothing, not even the directory of path: it
		// builds the tenant in a temporary directory and throws it away.
		tmpDir, err := os.MkdirTemp("", "commercectl-init-")
		if err != nil {
			return nil, store.Errorf(store.EINTERNAL, "cannot create a temporary directory: %v", unwrapPathError(err))
		}
		defer os.RemoveAll(tmpDir)
		tmp = filepath.Join(tmpDir, "tenant.db")
	} else {
		dir := filepath.Dir(path)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, store.Errorf(store.EINVALID, "cannot create %s: %v", dir, unwrapPathError(err))
		}
	}
	cleanup := func() {
		for _, suffix := range []string{"", "-wal", "-shm", "-journal"} {
			os.Remove(tmp + suffix)
		}
	}
	cleanup()
	d, err := Create(tmp)
	if err != nil {
		cleanup()
		return nil, err
	}
	res, err := d.seed(ctx, opts.Tenant, admin, opts.Demo)
	if err == nil {
		// Fold the WAL into the main file so the rename moves the whole tenant.
		_, err = d.db.ExecContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)")
	}
	d.Close()
	if err != nil {
		cleanup()
		return nil, d.wrap(err)
	}
	if store.IsDryRun(ctx) {
		cleanup()
		res.DB = path
		return res, nil
	}
	for _, suffix := range []string{"-wal", "-shm"} {
		os.Remove(path + suffix)
	}
	if err := os.Rename(tmp, path); err != nil {
		cleanup()
		return nil, store.Errorf(store.EINTERNAL, "cannot write %s: %v", path, unwrapPathError(err))
	}
	cleanup()
	res.DB = path
	return res, nil
}

func (d *DB) seed(ctx context.Context, tenant, admin string, demo bool) (*store.InitResult, error) {
	res := &store.InitResult{Tenant: tenant, Admin: admin}
	// Init runs before anyone exists, so it runs as nobody, and it builds its
	// file for real even in a dry run: Init throws the file away instead.
	ctx = store.WithNow(context.Background(), store.Now(ctx))
	err := d.write(ctx, func(t *tx) error {
		now := fmtTime(t.now)
		if _, err := t.ExecContext(t.ctx, `INSERT INTO tenant (id, name, created_at) VALUES (1, ?, ?)`, tenant, now); err != nil {
			return err
		}
		if _, err := t.ExecContext(t.ctx, `INSERT INTO policies (id, description, default_value) VALUES (?, ?, ?)`,
			store.PolicySelfServicePurchase, policyDescription, store.ValueEnabled); err != nil {
			return err
		}
		for _, ot := range store.OfferTypes {
			if _, err := t.ExecContext(t.ctx, `INSERT INTO offer_type_policies (policy_id, offer_type, value, updated_at) VALUES (?, ?, ?, ?)`,
				store.PolicySelfServicePurchase, ot, store.ValueEnabled, now); err != nil {
				return err
			}
		}
		for _, p := range builtinCatalog {
			if err := t.insertBuiltinProduct(p); err != nil {
				return err
			}
		}
		res.Products = len(builtinCatalog)
		if _, err := t.insertUser(store.NewUser{UPN: admin, DisplayName: displayNameFromUPN(admin), Roles: []string{store.RoleGlobalAdmin}}); err != nil {
			return err
		}
		res.Users = 1
		if demo {
			if err := t.seedDemo(admin, res); err != nil {
				return err
			}
		}
		t.actor = &store.User{UPN: admin}
		return t.audit("init", tenant, nil, map[string]any{"tenant": tenant, "admin": admin, "demo": demo})
	})
	return res, err
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
