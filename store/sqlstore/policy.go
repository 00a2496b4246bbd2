package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"sort"
	"strings"

	"github.com/commercectl/commercectl/store"
)

var (
	policyReaders = []string{store.RoleGlobalAdmin, store.RoleBillingAdmin, store.RoleGlobalReader}
	policyWriters = []string{store.RoleGlobalAdmin, store.RoleBillingAdmin}
)

// resolvePolicy returns the policy id as stored, matching case-insensitively.
func (t *tx) resolvePolicy(id string) (string, error) {
	var canonical string
	err := t.QueryRowContext(t.ctx, `SELECT id FROM policies WHERE lower(id) = lower(?)`, strings.TrimSpace(id)).Scan(&canonical)
	if errors.Is(err, sql.ErrNoRows) {
		return "", store.Errorf(store.ENOTFOUND, "unknown policy %q", id).
			WithHint("the policy is %s (see commercectl get-policies)", store.PolicySelfServicePurchase)
	}
	return canonical, err
}

// resolveProduct returns the commerce id of a product named by its id or an
// old id, in any case.
func (t *tx) resolveProduct(id string) (string, error) {
	key := strings.ToUpper(strings.TrimSpace(id))
	var canonical string
	err := t.QueryRowContext(t.ctx, `SELECT id FROM products WHERE id = ?
		UNION ALL SELECT product_id FROM product_aliases WHERE alias = ? LIMIT 1`, key, key).Scan(&canonical)
	if errors.Is(err, sql.ErrNoRows) {
		return "", store.Errorf(store.ENOTFOUND, "unknown product %q", id).
			WithHint("list products with: commercectl get-product-policies %s", store.PolicySelfServicePurchase)
	}
	return canonical, err
}

const productPolicySelect = `SELECT pp.policy_id, p.id, p.name, p.publisher, pp.value, p.trial_without_payment
	FROM product_policies pp JOIN products p ON p.id = pp.product_id`

func scanProductPolicy(row interface{ Scan(...any) error }) (store.ProductPolicy, error) {
	var pp store.ProductPolicy
	err := row.Scan(&pp.PolicyID, &pp.ProductID, &pp.ProductName, &pp.Publisher, &pp.PolicyValue, &pp.TrialWithoutPayment)
	return pp, err
}

func (t *tx) productPolicy(policyID, productID string) (store.ProductPolicy, error) {
	return scanProductPolicy(t.QueryRowContext(t.ctx, productPolicySelect+` WHERE pp.policy_id = ? AND pp.product_id = ?`, policyID, productID))
}

func (t *tx) productPolicies(policyID string) ([]store.ProductPolicy, error) {
	rows, err := t.QueryContext(t.ctx, productPolicySelect+` WHERE pp.policy_id = ? ORDER BY p.name, p.id`, policyID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []store.ProductPolicy{}
	for rows.Next() {
		pp, err := scanProductPolicy(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, pp)
	}
	return out, rows.Err()
}

func offerTypePolicy(policyID, offerType, value string) store.ProductPolicy {
	return store.ProductPolicy{PolicyID: policyID, OfferType: offerType, ProductName: store.OfferTypeNames[offerType],
		Publisher: store.PublisherThirdPt, PolicyValue: value}
}

func (t *tx) offerTypePolicies(policyID string) ([]store.ProductPolicy, error) {
	rows, err := t.QueryContext(t.ctx, `SELECT offer_type, value FROM offer_type_policies WHERE policy_id = ?`, policyID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	values := map[string]string{}
	for rows.Next() {
		var ot, v string
		if err := rows.Scan(&ot, &v); err != nil {
			return nil, err
		}
		values[ot] = v
	}
	out := []store.ProductPolicy{}
	for _, ot := range store.OfferTypes {
		out = append(out, offerTypePolicy(policyID, ot, values[ot]))
	}
	return out, rows.Err()
}

func (t *tx) policy(id string) (*store.Policy, error) {
	var p store.Policy
	err := t.QueryRowContext(t.ctx, `SELECT id, description, default_value FROM policies WHERE id = ?`, id).
		Scan(&p.ID, &p.Description, &p.DefaultValue)
	return &p, err
}

// ListPolicies lists every policy.
func (d *DB) ListPolicies(ctx context.Context) ([]store.Policy, error) {
	out := []store.Policy{}
	err := d.read(ctx, func(t *tx) error {
		if err := t.requireRole("read policies", policyReaders...); err != nil {
			return err
		}
		rows, err := t.QueryContext(t.ctx, `SELECT id, description, default_value FROM policies ORDER BY id`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var p store.Policy
			if err := rows.Scan(&p.ID, &p.Description, &p.DefaultValue); err != nil {
				return err
			}
			out = append(out, p)
		}
		return rows.Err()
	})
	return out, err
}

// GetPolicy returns one policy with its default value.
func (d *DB) GetPolicy(ctx context.Context, policyID string) (*store.Policy, error) {
	var p *store.Policy
	err := d.read(ctx, func(t *tx) error {
		if err := t.requireRole("read policies", policyReaders...); err != nil {
			return err
		}
		id, err := t.resolvePolicy(policyID)
		if err != nil {
			return err
		}
		p, err = t.policy(id)
		return err
	})
	return p, err
}

// ListProductPolicies lists the policy's value for every product, or for
// every third-party offer type.
func (d *DB) ListProductPolicies(ctx context.Context, policyID string, offerTypes bool) ([]store.ProductPolicy, error) {
	var out []store.ProductPolicy
	err := d.read(ctx, func(t *tx) error {
		if err := t.requireRole("read policies", policyReaders...); err != nil {
			return err
		}
		id, err := t.resolvePolicy(policyID)
		if err != nil {
			return err
		}
		if offerTypes {
			out, err = t.offerTypePolicies(id)
		} else {
			out, err = t.productPolicies(id)
		}
		return err
	})
	return out, err
}

// GetProductPolicy returns the policy's value for one product (by id or old id).
func (d *DB) GetProductPolicy(ctx context.Context, policyID, productID string) (*store.ProductPolicy, error) {
	var pp store.ProductPolicy
	err := d.read(ctx, func(t *tx) error {
		if err := t.requireRole("read policies", policyReaders...); err != nil {
			return err
		}
		id, err := t.resolvePolicy(policyID)
		if err != nil {
			return err
		}
		pid, err := t.resolveProduct(productID)
		if err != nil {
			return err
		}
		pp, err = t.productPolicy(id, pid)
		return err
	})
	if err != nil {
		return nil, err
	}
	return &pp, nil
}

// setProductValue changes one product's value and records it; unchanged
// values are not written and not audited.
func (t *tx) setProductValue(pp *store.ProductPolicy, value string) error {
	changed := pp.PolicyValue != value
	pp.Changed, pp.PreviousValue = &changed, pp.PolicyValue
	if !changed {
		return nil
	}
	if _, err := t.ExecContext(t.ctx, `UPDATE product_policies SET value = ?, updated_at = ? WHERE policy_id = ? AND product_id = ?`,
		value, fmtTime(t.now), pp.PolicyID, pp.ProductID); err != nil {
		return err
	}
	before := pp.PolicyValue
	pp.PolicyValue = value
	return t.audit("update-policy", pp.PolicyID+"/"+pp.ProductID,
		map[string]string{"policyValue": before}, map[string]string{"policyValue": value, "productName": pp.ProductName})
}

func (t *tx) setOfferTypeValue(pp *store.ProductPolicy, value string) error {
	changed := pp.PolicyValue != value
	pp.Changed, pp.PreviousValue = &changed, pp.PolicyValue
	if !changed {
		return nil
	}
	if _, err := t.ExecContext(t.ctx, `UPDATE offer_type_policies SET value = ?, updated_at = ? WHERE policy_id = ? AND offer_type = ?`,
		value, fmtTime(t.now), pp.PolicyID, pp.OfferType); err != nil {
		return err
	}
	before := pp.PolicyValue
	pp.PolicyValue = value
	return t.audit("update-policy", pp.PolicyID+"/offer-type/"+pp.OfferType,
		map[string]string{"policyValue": before}, map[string]string{"policyValue": value})
}

// validateDefault: the default is given to products nobody has looked at
// yet, so it is Enabled or Disabled; the trial value needs a product that has
// such a trial.
func validateDefault(value string) (string, error) {
	v, err := store.ValidatePolicyValue(value)
	if err != nil {
		return "", err
	}
	if v == store.ValueOnlyTrials {
		return "", store.Errorf(store.EINVALID, "the default value is Enabled or Disabled: %s depends on the product", store.ValueOnlyTrials)
	}
	return v, nil
}

func (t *tx) setDefault(p *store.Policy, value string) (bool, error) {
	if p.DefaultValue == value {
		return false, nil
	}
	if _, err := t.ExecContext(t.ctx, `UPDATE policies SET default_value = ? WHERE id = ?`, value, p.ID); err != nil {
		return false, err
	}
	before := p.DefaultValue
	p.DefaultValue = value
	return true, t.audit("update-policy", p.ID+"/default", map[string]string{"defaultValue": before}, map[string]string{"defaultValue": value})
}

// UpdatePolicy sets a value for products, an offer type, every product, or
// the default for products added later. It is all or nothing: one invalid
// product refuses the whole call.
func (d *DB) UpdatePolicy(ctx context.Context, u store.PolicyUpdate) ([]store.ProductPolicy, *store.Policy, error) {
	var (
		out []store.ProductPolicy
		pol *store.Policy
	)
	err := d.write(ctx, func(t *tx) error {
		out, pol = nil, nil // a retried write starts afresh
		if err := t.requireRole("change policies", policyWriters...); err != nil {
			return err
		}
		id, err := t.resolvePolicy(u.PolicyID)
		if err != nil {
			return err
		}
		switch {
		case u.Default != "":
			v, err := validateDefault(u.Default)
			if err != nil {
				return err
			}
			if pol, err = t.policy(id); err != nil {
				return err
			}
			changed, err := t.setDefault(pol, v)
			pol.Changed = &changed
			return err
		case u.OfferType != "" || len(u.OfferTypes) > 0:
			wanted := map[string]bool{}
			for _, raw := range append([]string{u.OfferType}, u.OfferTypes...) {
				if raw == "" {
					continue
				}
				ot, ok := store.CanonicalOfferType(raw)
				if !ok {
					return store.Errorf(store.EINVALID, "unknown offer type %s", store.QuoteShort(raw)).
						WithHint("offer types are %s", strings.Join(store.OfferTypes, ", "))
				}
				wanted[ot] = true
			}
			v, err := store.ValidatePolicyValue(u.Value)
			if err != nil {
				return err
			}
			all, err := t.offerTypePolicies(id)
			if err != nil {
				return err
			}
			for _, pp := range all {
				if !wanted[pp.OfferType] {
					continue
				}
				if err := pp.CheckValueFor(v); err != nil {
					return err
				}
				if err := t.setOfferTypeValue(&pp, v); err != nil {
					return err
				}
				out = append(out, pp)
			}
			return nil
		case u.All:
			v, err := store.ValidatePolicyValue(u.Value)
			if err != nil {
				return err
			}
			all, err := t.productPolicies(id)
			if err != nil {
				return err
			}
			for i := range all {
				want := v
				// "Only trials" on a product without such a trial means no
				// purchases either: the nearest value it takes is Disabled.
				if all[i].CheckValueFor(v) != nil {
					want = store.ValueDisabled
				}
				if err := t.setProductValue(&all[i], want); err != nil {
					return err
				}
			}
			out = all
			return nil
		default:
			if len(u.ProductIDs) == 0 {
				return store.Errorf(store.EINVALID, "say what to change: --product ID, --offer-type TYPE, --all or --default VALUE")
			}
			v, err := store.ValidatePolicyValue(u.Value)
			if err != nil {
				return err
			}
			seen := map[string]bool{}
			for _, raw := range u.ProductIDs {
				pid, err := t.resolveProduct(raw)
				if err != nil {
					return err
				}
				if seen[pid] {
					continue
				}
				seen[pid] = true
				pp, err := t.productPolicy(id, pid)
				if err != nil {
					return err
				}
				if err := pp.CheckValueFor(v); err != nil {
					return err
				}
				if err := t.setProductValue(&pp, v); err != nil {
					return err
				}
				out = append(out, pp)
			}
			return nil
		}
	})
	if err != nil {
		return nil, nil, err
	}
	return out, pol, nil
}

// ExportPolicies returns the tenant's whole state of one policy.
func (d *DB) ExportPolicies(ctx context.Context, policyID string) (*store.PolicySet, error) {
	var set *store.PolicySet
	err := d.read(ctx, func(t *tx) error {
		if err := t.requireRole("read policies", policyReaders...); err != nil {
			return err
		}
		id, err := t.resolvePolicy(policyID)
		if err != nil {
			return err
		}
		p, err := t.policy(id)
		if err != nil {
			return err
		}
		set = &store.PolicySet{Policy: id, Default: p.DefaultValue, Products: map[string]string{}, OfferTypes: map[string]string{}}
		pps, err := t.productPolicies(id)
		if err != nil {
			return err
		}
		for _, pp := range pps {
			set.Products[pp.ProductID] = pp.PolicyValue
		}
		ots, err := t.offerTypePolicies(id)
		if err != nil {
			return err
		}
		for _, pp := range ots {
			set.OfferTypes[pp.OfferType] = pp.PolicyValue
		}
		return nil
	})
	return set, err
}

// plannedChange is a change of the plan with what applying it needs.
type plannedChange struct {
	store.PolicyChange
	pp  *store.ProductPolicy
	pol *store.Policy
}

// planPolicySet checks a desired state and lists what differs from the
// tenant. Diff prints the list; Apply makes each change of the same list.
func (t *tx) planPolicySet(desired store.PolicySet) ([]plannedChange, error) {
	if desired.Policy == "" {
		return nil, store.Errorf(store.EINVALID, "the file names no policy: add \"policy: %s\"", store.PolicySelfServicePurchase)
	}
	id, err := t.resolvePolicy(desired.Policy)
	if err != nil {
		return nil, err
	}
	plan := []plannedChange{}
	if desired.Default != "" {
		v, err := validateDefault(desired.Default)
		if err != nil {
			return nil, err
		}
		p, err := t.policy(id)
		if err != nil {
			return nil, err
		}
		if p.DefaultValue != v {
			plan = append(plan, plannedChange{PolicyChange: store.PolicyChange{PolicyID: id, Scope: "default", Target: "default",
				Current: p.DefaultValue, Desired: v}, pol: p})
		}
	}
	wantByProduct := map[string]string{}
	named := map[string]string{}
	keys := make([]string, 0, len(desired.Products))
	for k := range desired.Products {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, raw := range keys {
		v, err := store.ValidatePolicyValue(desired.Products[raw])
		if err != nil {
			return nil, store.Errorf(store.EINVALID, "product %s: %s", raw, store.ErrorMessage(err)).WithHint("%s", store.ErrorHint(err))
		}
		pid, err := t.resolveProduct(raw)
		if err != nil {
			return nil, err
		}
		if prev, ok := wantByProduct[pid]; ok && prev != v {
			return nil, store.Errorf(store.EINVALID, "%s and %s name the same product with different values", named[pid], raw)
		}
		wantByProduct[pid], named[pid] = v, raw
	}
	pps, err := t.productPolicies(id)
	if err != nil {
		return nil, err
	}
	for i := range pps {
		pp := &pps[i]
		v, ok := wantByProduct[pp.ProductID]
		if !ok {
			continue
		}
		if err := pp.CheckValueFor(v); err != nil {
			return nil, err
		}
		if pp.PolicyValue != v {
			plan = append(plan, plannedChange{PolicyChange: store.PolicyChange{PolicyID: id, Scope: "product", Target: pp.ProductID,
				ProductName: pp.ProductName, Current: pp.PolicyValue, Desired: v}, pp: pp})
		}
	}
	// Offer types match in any case, so "SaaS" and "saas" are one entry: walk
	// them in a fixed order and refuse two spellings with different values,
	// as for products (a map's order would otherwise pick the winner at random).
	wantByOffer := map[string]string{}
	namedOffer := map[string]string{}
	offerKeys := make([]string, 0, len(desired.OfferTypes))
	for k := range desired.OfferTypes {
		offerKeys = append(offerKeys, k)
	}
	sort.Strings(offerKeys)
	for _, raw := range offerKeys {
		ot, ok := store.CanonicalOfferType(raw)
		if !ok {
			return nil, store.Errorf(store.EINVALID, "unknown offer type %q", raw).WithHint("offer types are %s", strings.Join(store.OfferTypes, ", "))
		}
		v, err := store.ValidatePolicyValue(desired.OfferTypes[raw])
		if err != nil {
			return nil, store.Errorf(store.EINVALID, "offer type %s: %s", raw, store.ErrorMessage(err)).WithHint("%s", store.ErrorHint(err))
		}
		if prev, ok := wantByOffer[ot]; ok && prev != v {
			return nil, store.Errorf(store.EINVALID, "%s and %s name the same offer type with different values", namedOffer[ot], raw)
		}
		wantByOffer[ot], namedOffer[ot] = v, raw
	}
	ots, err := t.offerTypePolicies(id)
	if err != nil {
		return nil, err
	}
	for i := range ots {
		pp := &ots[i]
		v, ok := wantByOffer[pp.OfferType]
		if !ok {
			continue
		}
		if err := pp.CheckValueFor(v); err != nil {
			return nil, err
		}
		if pp.PolicyValue != v {
			plan = append(plan, plannedChange{PolicyChange: store.PolicyChange{PolicyID: id, Scope: "offerType", Target: pp.OfferType,
				ProductName: pp.ProductName, Current: pp.PolicyValue, Desired: v}, pp: pp})
		}
	}
	return plan, nil
}

func changesOf(plan []plannedChange) []store.PolicyChange {
	out := make([]store.PolicyChange, len(plan))
	for i, c := range plan {
		out[i] = c.PolicyChange
	}
	return out
}

// DiffPolicies lists where the tenant differs from a desired state.
func (d *DB) DiffPolicies(ctx context.Context, desired store.PolicySet) ([]store.PolicyChange, error) {
	var out []store.PolicyChange
	err := d.read(ctx, func(t *tx) error {
		if err := t.requireRole("read policies", policyReaders...); err != nil {
			return err
		}
		plan, err := t.planPolicySet(desired)
		out = changesOf(plan)
		return err
	})
	return out, err
}

// ApplyPolicies makes the tenant match a desired state in one transaction
// and returns the changes made.
func (d *DB) ApplyPolicies(ctx context.Context, desired store.PolicySet) ([]store.PolicyChange, error) {
	var out []store.PolicyChange
	err := d.write(ctx, func(t *tx) error {
		if err := t.requireRole("change policies", policyWriters...); err != nil {
			return err
		}
		plan, err := t.planPolicySet(desired)
		if err != nil {
			return err
		}
		for _, c := range plan {
			switch c.Scope {
			case "default":
				_, err = t.setDefault(c.pol, c.Desired)
			case "offerType":
				err = t.setOfferTypeValue(c.pp, c.Desired)
			default:
				err = t.setProductValue(c.pp, c.Desired)
			}
			if err != nil {
				return err
			}
		}
		out = changesOf(plan)
		return nil
	})
	return out, err
}

// GetProduct returns a product with its old ids and service plans.
func (d *DB) GetProduct(ctx context.Context, productID string) (*store.Product, error) {
	var p store.Product
	err := d.read(ctx, func(t *tx) error {
		if err := t.requireIdentity(); err != nil {
			return err
		}
		id, err := t.resolveProduct(productID)
		if err != nil {
			return err
		}
		var price int64
		if err := t.QueryRowContext(t.ctx, `SELECT id, name, publisher, sku_part_number, sku_id, monthly_price_cents, trial_without_payment
			FROM products WHERE id = ?`, id).Scan(&p.ID, &p.Name, &p.Publisher, &p.SkuPartNumber, &p.SkuID, &price, &p.TrialWithoutPayment); err != nil {
			return err
		}
		p.MonthlyPrice = store.Cents(price)
		if p.Aliases, err = t.column(`SELECT alias FROM product_aliases WHERE product_id = ? ORDER BY alias`, id); err != nil {
			return err
		}
		p.ServicePlans, err = t.column(`SELECT name FROM service_plans WHERE product_id = ? ORDER BY name`, id)
		return err
	})
	if err != nil {
		return nil, err
	}
	return &p, nil
}
