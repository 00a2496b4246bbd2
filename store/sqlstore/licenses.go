package sqlstore

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/commercectl/commercectl/store"
)

var (
	licenseManagers = []string{store.RoleGlobalAdmin, store.RoleLicenseAdmin, store.RoleUserAdmin}
	licenseReaders  = []string{store.RoleGlobalAdmin, store.RoleBillingAdmin, store.RoleGlobalReader, store.RoleLicenseAdmin}
)

// pool is where licenses come from: the central subscriptions of a product,
// or one selfService or trial subscription (SPEC §5).
type pool struct {
	productID, productName string
	central                bool
	// subs are every subscription of the pool; seats come from the Active ones.
	subs []*store.Subscription
	// fill are the subscriptions new licenses are taken from, in order.
	fill []*store.Subscription
	// label names the pool in messages: "the central pool of X" or "SUB-00007".
	label string
	// named is the subscription the call named, if it named one.
	named string
	// seats are the quantities of the pool's Active subscriptions; assigned
	// counts every license of the pool, whatever its subscription's status.
	seats, assigned int
}

func (p *pool) subIDs() []string {
	ids := make([]string, len(p.subs))
	for i, s := range p.subs {
		ids[i] = s.ID
	}
	return ids
}

// count sets seats and assigned from subs.
func (p *pool) count() {
	p.seats, p.assigned = 0, 0
	for _, s := range p.subs {
		if s.Status == store.StatusActive {
			p.seats += s.Quantity
		}
		p.assigned += s.Assigned
	}
}

// room is how many more licenses the pool can give: the free seats of the
// subscriptions it fills, but never more than the pool's seats minus every
// license it holds (licenses of an expired subscription take seats of the
// Active ones). Negative while the pool is in conflict.
func (p *pool) room() int {
	n := 0
	for _, s := range p.fill {
		n += s.Available
	}
	return min(n, p.seats-p.assigned)
}

func (p *pool) free() int { return max(0, p.room()) }

// resolvePool finds the pool of an assignment and checks that the actor may
// manage it: admins manage central pools, a purchaser their own
// selfService/trial subscription, and admins are refused there (take it over).
func (t *tx) resolvePool(a store.LicenseAssignment, what string) (*pool, error) {
	if err := t.requireIdentity(); err != nil {
		return nil, err
	}
	if (a.ProductID == "") == (a.SubscriptionID == "") {
		return nil, store.Errorf(store.EINVALID, "name the pool with --product ID or --subscription ID (one of them)")
	}
	if a.SubscriptionID != "" {
		sub, err := t.subscription(strings.ToUpper(strings.TrimSpace(a.SubscriptionID)))
		if err != nil {
			return nil, err
		}
		if sub.Kind != store.KindCentral {
			if !strings.EqualFold(sub.Purchaser, t.actor.UPN) {
				if t.actor.HasAnyRole(licenseManagers...) {
					return nil, store.Errorf(store.ECONFLICT, "%s is a %s subscription bought by %s: only its purchaser manages its licenses", sub.ID, sub.Kind, sub.Purchaser).
						WithHint("take it over first: commercectl takeover-subscription %s --move-to-product %s", sub.ID, sub.ProductID)
				}
				return nil, store.Errorf(store.EFORBIDDEN, "%s may not %s of %s: it was bought by %s", t.actor.UPN, what, sub.ID, sub.Purchaser)
			}
			p := &pool{productID: sub.ProductID, productName: sub.ProductName, subs: []*store.Subscription{sub}, label: sub.ID, named: sub.ID}
			if sub.Status == store.StatusActive {
				p.fill = p.subs
			}
			p.count()
			return p, nil
		}
		if err := t.requireRole(what, licenseManagers...); err != nil {
			return nil, err
		}
		p, err := t.centralPool(sub.ProductID)
		if err != nil {
			return nil, err
		}
		p.fill, p.label, p.named = nil, sub.ID, sub.ID
		if sub.Status == store.StatusActive {
			for _, s := range p.subs {
				if s.ID == sub.ID {
					p.fill = []*store.Subscription{s}
				}
			}
		}
		return p, nil
	}
	if err := t.requireRole(what, licenseManagers...); err != nil {
		return nil, err
	}
	pid, err := t.resolveProduct(a.ProductID)
	if err != nil {
		return nil, err
	}
	return t.centralPool(pid)
}

// centralPool loads the central subscriptions of a product. New licenses fill
// the Active subscription that lasts longest first.
func (t *tx) centralPool(productID string) (*pool, error) {
	var name string
	if err := t.QueryRowContext(t.ctx, `SELECT name FROM products WHERE id = ?`, productID).Scan(&name); err != nil {
		return nil, err
	}
	rows, err := t.QueryContext(t.ctx, subscriptionSelect+` WHERE s.product_id = ? AND s.kind = ? ORDER BY s.expires_at DESC, s.id`, productID, store.KindCentral)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	p := &pool{productID: productID, productName: name, central: true, label: "the central pool of " + name}
	for rows.Next() {
		s, err := t.scanSubscription(rows)
		if err != nil {
			return nil, err
		}
		p.subs = append(p.subs, s)
		if s.Status == store.StatusActive {
			p.fill = append(p.fill, s)
		}
	}
	p.count()
	return p, rows.Err()
}

// servicePlans checks plan names against the product and returns them as
// the catalog spells them, sorted and comma-joined.
func (t *tx) servicePlans(productID string, names []string) (string, error) {
	if len(names) == 0 {
		return "", nil
	}
	rows, err := t.QueryContext(t.ctx, `SELECT name FROM service_plans WHERE product_id = ? ORDER BY name`, productID)
	if err != nil {
		return "", err
	}
	defer rows.Close()
	known := map[string]string{}
	var all []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return "", err
		}
		known[strings.ToUpper(n)] = n
		all = append(all, n)
	}
	if err := rows.Err(); err != nil {
		return "", err
	}
	seen := map[string]bool{}
	var out []string
	for _, n := range names {
		c, ok := known[strings.ToUpper(strings.TrimSpace(n))]
		if !ok {
			return "", store.Errorf(store.EINVALID, "%s has no service plan %q", productID, n).
				WithHint("its plans are %s", strings.Join(all, ", "))
		}
		if !seen[c] {
			seen[c] = true
			out = append(out, c)
		}
	}
	sort.Strings(out)
	return strings.Join(out, ","), nil
}

// loadPick puts the requested UPNs in a temporary table, so that every
// check and change below is one set-based statement however many users.
func (t *tx) loadPick(upns []string) (int, error) {
	if err := t.eng.scratch(t.ctx, t.querier, "pick"); err != nil {
		return 0, err
	}
	const batch = 500
	progress := store.ProgressFrom(t.ctx)
	for start := 0; start < len(upns); start += batch {
		if progress != nil && start%(8*batch) == 0 {
			progress(start, len(upns))
		}
		end := min(start+batch, len(upns))
		var sb strings.Builder
		sb.WriteString(`INSERT INTO pick (upn_key) VALUES `)
		args := make([]any, 0, end-start)
		for i := start; i < end; i++ {
			if i > start {
				sb.WriteString(",")
			}
			sb.WriteString("(?)")
			args = append(args, strings.ToLower(strings.TrimSpace(upns[i])))
		}
		sb.WriteString(` ON CONFLICT (upn_key) DO NOTHING`)
		if _, err := t.ExecContext(t.ctx, sb.String(), args...); err != nil {
			return 0, err
		}
	}
	if progress != nil {
		progress(len(upns), len(upns))
	}
	if err := t.eng.scratchFilled(t.ctx, t.querier, "pick"); err != nil {
		return 0, err
	}
	var n int
	err := t.QueryRowContext(t.ctx, `SELECT count(*) FROM pick`).Scan(&n)
	return n, err
}

// unknownPicked refuses the call when any requested user does not exist.
func (t *tx) unknownPicked() error {
	rows, err := t.QueryContext(t.ctx, `SELECT p.upn_key FROM pick p LEFT JOIN users u ON u.upn_key = p.upn_key WHERE u.id IS NULL ORDER BY p.pos`)
	if err != nil {
		return err
	}
	defer rows.Close()
	var missing []string
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			return err
		}
		missing = append(missing, k)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if len(missing) > 0 {
		return store.Errorf(store.ENOTFOUND, "%s not in this tenant: %s", plural(len(missing), "user"), listSome(missing, 5)).
			WithHint("see commercectl list-users; nothing was changed")
	}
	return nil
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what + " is"
	}
	return fmt.Sprintf("%d %ss are", n, what)
}

// listSome joins the first n items and says how many more there are.
func listSome(items []string, n int) string {
	if len(items) <= n {
		return strings.Join(items, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(items[:n], ", "), len(items)-n)
}

func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?,", n), ",")
}

func stringArgs(prefix []any, ids []string) []any {
	out := append([]any{}, prefix...)
	for _, id := range ids {
		out = append(out, id)
	}
	return out
}

// AssignLicenses gives each user a license from the pool, all or nothing.
// A user who already holds this pool's license is left as is; one who holds
// the product from another pool is refused (one license per product).
func (d *DB) AssignLicenses(ctx context.Context, a store.LicenseAssignment) (*store.AssignResult, error) {
	var res *store.AssignResult
	err := d.write(ctx, func(t *tx) error {
		p, err := t.resolvePool(a, "assign licenses")
		if err != nil {
			return err
		}
		if len(a.UPNs) == 0 {
			return store.Errorf(store.EINVALID, "no users given: --users UPN,... or --users-file FILE")
		}
		plans, err := t.servicePlans(p.productID, a.DisabledPlans)
		if err != nil {
			return err
		}
		n, err := t.loadPick(a.UPNs)
		if err != nil {
			return err
		}
		if err := t.unknownPicked(); err != nil {
			return err
		}
		already, upns, err := t.assignPicked(p, n, plans, false)
		if err != nil {
			return err
		}
		res = &store.AssignResult{ProductID: p.productID, ProductName: p.productName, SubscriptionID: p.named,
			Changed: n - already, Unchanged: already, Available: p.free(), UPNs: upns}
		if res.Changed == 0 {
			return nil // nothing changed: nothing to audit
		}
		return t.audit("assign-license", p.label, nil, map[string]any{"users": res.Changed, "upns": res.UPNs, "disabledPlans": splitPlans(plans)})
	})
	return res, err
}

// assignPicked gives each user of the pick table a license from the pool,
// all or nothing, and returns how many already held the product and (the
// first 1,000 of) those it licensed. A user who holds the product from
// another pool is refused, unless anyPool: then, as when a license request
// is approved, having the product is enough.
func (t *tx) assignPicked(p *pool, n int, plans string, anyPool bool) (int, []string, error) {
	if !anyPool {
		ids := p.subIDs()
		holdElsewhere, err := t.column(`SELECT u.upn || ' (' || l.subscription_id || ')' FROM pick p JOIN users u ON u.upn_key = p.upn_key
			JOIN licenses l ON l.user_id = u.id AND l.product_id = ?
			WHERE l.subscription_id NOT IN (`+placeholders(len(ids)+1)+`) ORDER BY p.pos`, stringArgs([]any{p.productID, ""}, ids)...)
		if err != nil {
			return 0, nil, err
		}
		if len(holdElsewhere) > 0 {
			return 0, nil, store.Errorf(store.ECONFLICT, "a user holds at most one license of %s, and %s already licensed from another subscription: %s",
				p.productName, plural(len(holdElsewhere), "user"), listSome(holdElsewhere, 5)).
				WithHint("unassign those first; nothing was changed")
		}
	}
	var already int
	if err := t.QueryRowContext(t.ctx, `SELECT count(*) FROM pick p JOIN users u ON u.upn_key = p.upn_key
		JOIN licenses l ON l.user_id = u.id AND l.product_id = ?`, p.productID).Scan(&already); err != nil {
		return 0, nil, err
	}
	need := n - already
	if need > p.free() {
		return 0, nil, shortfall(p, need)
	}
	upns, err := t.pickedUPNs(`WHERE NOT EXISTS (SELECT 1 FROM licenses l WHERE l.user_id = u.id AND l.product_id = ?)`, p.productID)
	if err != nil {
		return 0, nil, err
	}
	at := fmtTime(t.now)
	for _, s := range p.fill {
		if need == 0 {
			break
		}
		k := min(s.Available, need)
		if k == 0 {
			continue
		}
		r, err := t.ExecContext(t.ctx, `INSERT INTO licenses (user_id, product_id, subscription_id, disabled_plans, assigned_at)
			SELECT u.id, ?, ?, ?, ? FROM pick p JOIN users u ON u.upn_key = p.upn_key
			WHERE NOT EXISTS (SELECT 1 FROM licenses l WHERE l.user_id = u.id AND l.product_id = ?)
			ORDER BY p.pos LIMIT ?`, p.productID, s.ID, plans, at, p.productID, k)
		if err != nil {
			return 0, nil, err
		}
		added, _ := r.RowsAffected()
		need -= int(added)
		s.Available -= int(added)
		p.assigned += int(added)
	}
	return already, upns, nil
}

// shortfall refuses an assignment the pool has no room for. What is missing
// also covers the users who already need a valid license, so that buying it
// makes room for every requested user.
func shortfall(p *pool, need int) error {
	room := p.room()
	missing := need - room
	msg := fmt.Sprintf("not enough licenses in %s: %d needed, %d available, %d missing", p.label, need, max(0, room), missing)
	if conflict := p.assigned - p.seats; conflict > 0 {
		msg += fmt.Sprintf(" (%s already without a valid license)", plural(conflict, "user"))
	}
	e := store.Errorf(store.ECONFLICT, "%s", msg)
	if !p.central {
		return e.WithHint("buy more in the store, or unassign licenses you no longer need")
	}
	if len(p.fill) == 0 {
		return e.WithHint("buy a subscription: commercectl add-subscription --product %s --quantity %d", p.productID, missing)
	}
	s := p.fill[0]
	return e.WithHint("buy more: commercectl buy-licenses --subscription %s --total %d", s.ID, s.Quantity+missing)
}

// pickedUPNs lists (at most 1,000) picked users matching a join, in input order.
func (t *tx) pickedUPNs(join string, args ...any) ([]string, error) {
	return t.column(`SELECT u.upn FROM pick p JOIN users u ON u.upn_key = p.upn_key `+join+` ORDER BY p.pos LIMIT 1000`, args...)
}

func (t *tx) column(q string, args ...any) ([]string, error) {
	rows, err := t.QueryContext(t.ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []string{}
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

func splitPlans(s string) []string {
	if s == "" {
		return []string{}
	}
	return strings.Split(s, ",")
}

// UnassignLicenses takes the pool's license away from each user, all or
// nothing. Users without such a license are left as they are.
func (d *DB) UnassignLicenses(ctx context.Context, a store.LicenseAssignment) (*store.AssignResult, error) {
	var res *store.AssignResult
	err := d.write(ctx, func(t *tx) error {
		p, err := t.resolvePool(a, "unassign licenses")
		if err != nil {
			return err
		}
		if len(a.UPNs) == 0 {
			return store.Errorf(store.EINVALID, "no users given: --users UPN,... or --users-file FILE")
		}
		n, err := t.loadPick(a.UPNs)
		if err != nil {
			return err
		}
		if err := t.unknownPicked(); err != nil {
			return err
		}
		ids := p.subIDs()
		if p.named != "" {
			ids = []string{p.named}
		}
		holders := `JOIN licenses l ON l.user_id = u.id AND l.product_id = ? AND l.subscription_id IN (` + placeholders(len(ids)+1) + `)`
		holderArgs := stringArgs([]any{p.productID, ""}, ids)
		upns, err := t.pickedUPNs(holders, holderArgs...)
		if err != nil {
			return err
		}
		r, err := t.ExecContext(t.ctx, `DELETE FROM licenses WHERE product_id = ? AND subscription_id IN (`+placeholders(len(ids)+1)+`)
			AND user_id IN (SELECT u.id FROM pick p JOIN users u ON u.upn_key = p.upn_key)`, holderArgs...)
		if err != nil {
			return err
		}
		removed, _ := r.RowsAffected()
		p.assigned -= int(removed)
		for _, s := range p.fill {
			var assigned int
			if err := t.QueryRowContext(t.ctx, `SELECT count(*) FROM licenses WHERE subscription_id = ?`, s.ID).Scan(&assigned); err != nil {
				return err
			}
			s.Available = max(0, s.Quantity-assigned)
		}
		res = &store.AssignResult{ProductID: p.productID, ProductName: p.productName, SubscriptionID: p.named,
			Changed: int(removed), Unchanged: n - int(removed), Available: p.free(), UPNs: upns}
		if removed == 0 {
			return nil // nothing changed: nothing to audit
		}
		return t.audit("unassign-license", p.label, map[string]any{"users": res.Changed, "upns": upns}, nil)
	})
	return res, err
}
