package sqlstore

import (
	"context"
	"database/sql"
	"sort"
	"strings"

	"github.com/commercectl/commercectl/store"
)

// conflictUsers lists the users who need a valid license in a pool: the last
// n licenses when those of Active subscriptions come first and, within
// each, the oldest first. The statement for pools of k subscriptions is
// prepared once per listing and kept in stmts (a tenant with hundreds of
// short self-service pools runs it hundreds of times: preparing it each
// time cost more than running it).
func (t *tx) conflictUsers(stmts map[int]*sql.Stmt, subIDs []string, n int) ([]string, error) {
	stmt := stmts[len(subIDs)]
	if stmt == nil {
		var err error
		stmt, err = t.PrepareContext(t.ctx, `SELECT u.upn FROM licenses l JOIN users u ON u.id = l.user_id JOIN subscriptions s ON s.id = l.subscription_id
			WHERE l.subscription_id IN (`+placeholders(len(subIDs))+`)
			ORDER BY CASE WHEN s.canceled_at IS NULL AND s.expires_at > ? THEN 1 ELSE 0 END, l.assigned_at DESC, l.id DESC LIMIT ?`)
		if err != nil {
			return nil, err
		}
		stmts[len(subIDs)] = stmt
	}
	rows, err := stmt.QueryContext(t.ctx, append(stringArgs(nil, subIDs), fmtTime(t.now), n)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	users := make([]string, 0, n)
	for rows.Next() {
		var u string
		if err := rows.Scan(&u); err != nil {
			return nil, err
		}
		users = append(users, u)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	// Newest last, as they were assigned.
	for i, j := 0, len(users)-1; i < j; i, j = i+1, j-1 {
		users[i], users[j] = users[j], users[i]
	}
	return users, nil
}

// conflictCandidates selects what subscriptionSelect selects (the same
// columns, for scanSubscription), but only the subscriptions that can be in
// a conflict: every central one (they pool together per product, so whether
// their pool is short is decided in Go), and a selfService or trial one, a
// pool of its own, only when it holds more licenses than it would have seats
// if Active. Whether it is Active is decided again by scanSubscription; here
// the test is on the stored text, fixed-width UTC (schema 0001), so that
// expires_at > now is now < expiresAt. A pool without a conflict, almost
// every one on a big tenant, never reaches Go: its licenses are counted in
// the index licenses_subscription and nothing else is read.
const conflictCandidates = `SELECT s.id, s.product_id, p.name, s.kind, coalesce(u.upn, ''), s.quantity, s.monthly_price_cents,
	s.created_at, s.expires_at, s.canceled_at, s.cancel_reason,
	(SELECT count(*) FROM licenses l WHERE l.subscription_id = s.id)
	FROM subscriptions s JOIN products p ON p.id = s.product_id LEFT JOIN users u ON u.id = s.purchaser_id
	WHERE (s.kind = 'central' OR (SELECT count(*) FROM licenses l WHERE l.subscription_id = s.id) >
		CASE WHEN s.canceled_at IS NULL AND s.expires_at > ? THEN s.quantity ELSE 0 END)`

// conflicts finds the pools, of one product or all, with more licenses than seats.
func (t *tx) conflicts(productID string) ([]store.Conflict, error) {
	q := conflictCandidates
	args := []any{fmtTime(t.now)}
	if productID != "" {
		q += ` AND s.product_id = ?`
		args = append(args, productID)
	}
	rows, err := t.QueryContext(t.ctx, q+` ORDER BY p.name, s.id`, args...)
	if err != nil {
		return nil, err
	}
	byPool := map[poolKey]*store.Conflict{}
	var order []poolKey
	for rows.Next() {
		s, err := t.scanSubscription(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		k := keyOf(s)
		c := byPool[k]
		if c == nil {
			c = &store.Conflict{ProductID: s.ProductID, ProductName: s.ProductName, Pool: store.PoolCentral}
			if k.subID != "" {
				c.Pool = k.subID
			}
			byPool[k] = c
			order = append(order, k)
		}
		c.SubscriptionIDs = append(c.SubscriptionIDs, s.ID)
		if s.Status == store.StatusActive {
			c.Seats += s.Quantity
		}
		c.Assigned += s.Assigned
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := []store.Conflict{}
	stmts := map[int]*sql.Stmt{}
	defer func() {
		for _, st := range stmts {
			st.Close()
		}
	}()
	for _, k := range order {
		c := byPool[k]
		if c.Shortfall = c.Assigned - c.Seats; c.Shortfall <= 0 {
			continue
		}
		if c.Users, err = t.conflictUsers(stmts, c.SubscriptionIDs, c.Shortfall); err != nil {
			return nil, err
		}
		out = append(out, *c)
	}
	return out, nil
}

// ListConflicts lists the pools with more licenses assigned than seats, and
// the users who need a valid license.
func (d *DB) ListConflicts(ctx context.Context, productID string) ([]store.Conflict, error) {
	var out []store.Conflict
	err := d.read(ctx, func(t *tx) error {
		if err := t.requireRole("read license conflicts", licenseReaders...); err != nil {
			return err
		}
		pid := ""
		if productID != "" {
			var err error
			if pid, err = t.resolveProduct(productID); err != nil {
				return err
			}
		}
		var err error
		out, err = t.conflicts(pid)
		return err
	})
	return out, err
}

// ResolveConflicts makes central pools whole: by buying the shortfall on an
// Active central subscription, or by unassigning licenses (named users, or
// the newest), all products at once with All. Self-service pools are their
// purchasers' to resolve, or an admin's after a takeover.
func (d *DB) ResolveConflicts(ctx context.Context, r store.Resolve) ([]store.Resolution, error) {
	var out []store.Resolution
	err := d.write(ctx, func(t *tx) error {
		out = nil // a retried write starts afresh
		unassign := len(r.Unassign) > 0 || r.UnassignNewest
		switch {
		case r.Buy == unassign:
			return store.Errorf(store.EINVALID, "resolve by --buy or by --unassign UPN,... / --unassign-newest: one of them")
		case r.Buy:
			if err := t.requireRole("buy licenses", billingWriters...); err != nil {
				return err
			}
		default:
			if err := t.requireRole("unassign licenses", store.RoleGlobalAdmin, store.RoleLicenseAdmin); err != nil {
				return err
			}
		}
		var products []string
		if r.All {
			all, err := t.conflicts("")
			if err != nil {
				return err
			}
			for _, c := range all {
				if c.Pool == store.PoolCentral {
					products = append(products, c.ProductID)
				}
			}
			if len(products) == 0 {
				return store.Errorf(store.ECONFLICT, "no central pool has a license conflict: there is nothing to resolve")
			}
		} else {
			pid, err := t.resolveProduct(r.ProductID)
			if err != nil {
				return err
			}
			products = []string{pid}
		}
		for _, pid := range products {
			res, err := t.resolveProductConflict(pid, r)
			if err != nil {
				return err
			}
			out = append(out, *res)
		}
		return nil
	})
	return out, err
}

func (t *tx) resolveProductConflict(pid string, r store.Resolve) (*store.Resolution, error) {
	cs, err := t.conflicts(pid)
	if err != nil {
		return nil, err
	}
	var c *store.Conflict
	var own []string
	for i := range cs {
		if cs[i].Pool == store.PoolCentral {
			c = &cs[i]
		} else {
			own = append(own, cs[i].Pool)
		}
	}
	if c == nil {
		var name string
		if err := t.QueryRowContext(t.ctx, `SELECT name FROM products WHERE id = ?`, pid).Scan(&name); err != nil {
			return nil, err
		}
		if len(own) > 0 {
			return nil, store.Errorf(store.ECONFLICT, "the conflicts of %s are in self-service subscriptions (%s): their purchasers resolve them", name, strings.Join(own, ", ")).
				WithHint("or take one over: commercectl takeover-subscription %s --move-to-product %s", own[0], pid)
		}
		return nil, store.Errorf(store.ECONFLICT, "%s has no license conflict: every license has a seat", name)
	}
	res := &store.Resolution{ProductID: pid, ProductName: c.ProductName, Shortfall: c.Shortfall, Unassigned: []string{}}
	p, err := t.centralPool(pid)
	if err != nil {
		return nil, err
	}
	if r.Buy {
		res.Action = "buy"
		var target *store.Subscription
		switch {
		case r.SubscriptionID != "":
			// Refused as buy-licenses refuses it: unknown (3), another
			// product's (2), a purchaser's or no longer Active (5).
			s, err := t.subscription(strings.ToUpper(strings.TrimSpace(r.SubscriptionID)))
			if err != nil {
				return nil, err
			}
			switch {
			case s.ProductID != pid:
				return nil, store.Errorf(store.EINVALID, "%s is a subscription of %s, not of %s", s.ID, s.ProductName, c.ProductName)
			case s.Kind != store.KindCentral:
				return nil, store.Errorf(store.ECONFLICT, "%s is a %s subscription bought by %s: its licenses are its purchaser's to buy", s.ID, s.Kind, s.Purchaser).
					WithHint("take it over first: commercectl takeover-subscription %s --move-to-product %s", s.ID, pid)
			case s.Status != store.StatusActive:
				return nil, store.Errorf(store.ECONFLICT, "%s is %s: licenses can be bought only for an Active subscription", s.ID, s.Status).
					WithHint("buy a new one: commercectl add-subscription --product %s --quantity %d", pid, c.Shortfall)
			}
			target = s
		case len(p.fill) == 0:
			return nil, store.Errorf(store.ECONFLICT, "%s has no Active central subscription to buy licenses on", c.ProductName).
				WithHint("buy one: commercectl add-subscription --product %s --quantity %d", pid, c.Shortfall)
		case len(p.fill) == 1 || r.All:
			target = p.fill[0] // with --all, the one that lasts longest
		default:
			ids := make([]string, len(p.fill))
			for i, s := range p.fill {
				ids[i] = s.ID
			}
			return nil, store.Errorf(store.EINVALID, "%s has %d Active central subscriptions (%s): say which with --subscription ID", c.ProductName, len(ids), strings.Join(ids, ", "))
		}
		if _, err := t.ExecContext(t.ctx, `UPDATE subscriptions SET quantity = quantity + ? WHERE id = ?`, c.Shortfall, target.ID); err != nil {
			return nil, err
		}
		after, err := t.subscription(target.ID)
		if err != nil {
			return nil, err
		}
		res.SubscriptionID, res.Quantity, res.MonthlyCost = after.ID, after.Quantity, after.MonthlyCost
		return res, t.audit("resolve-conflicts", pid, map[string]any{"quantity": target.Quantity, "shortfall": c.Shortfall},
			map[string]any{"action": "buy", "subscriptionId": after.ID, "quantity": after.Quantity, "monthlyCost": after.MonthlyCost})
	}
	res.Action = "unassign"
	victims := c.Users
	if len(r.Unassign) > 0 {
		if _, err := t.loadPick(r.Unassign); err != nil {
			return nil, err
		}
		if err := t.unknownPicked(); err != nil {
			return nil, err
		}
		holders := `JOIN licenses l ON l.user_id = u.id AND l.subscription_id IN (` + placeholders(len(c.SubscriptionIDs)) + `)`
		without, err := t.pickedUPNs(`WHERE NOT EXISTS (SELECT 1 FROM licenses l WHERE l.user_id = u.id AND l.subscription_id IN (`+
			placeholders(len(c.SubscriptionIDs))+`))`, stringArgs(nil, c.SubscriptionIDs)...)
		if err != nil {
			return nil, err
		}
		if len(without) > 0 {
			return nil, store.Errorf(store.ECONFLICT, "%s holds no license of the central pool of %s", listSome(without, 5), c.ProductName)
		}
		if victims, err = t.pickedUPNs(holders, stringArgs(nil, c.SubscriptionIDs)...); err != nil {
			return nil, err
		}
		if len(victims) < c.Shortfall && !r.Partial {
			return nil, store.Errorf(store.ECONFLICT, "unassigning %d license(s) of %s leaves %d user(s) without a valid license", len(victims), c.ProductName, c.Shortfall-len(victims)).
				WithHint("name %d more, use --unassign-newest, or pass --partial", c.Shortfall-len(victims))
		}
	}
	for _, u := range victims {
		if _, err := t.ExecContext(t.ctx, `DELETE FROM licenses WHERE subscription_id IN (`+placeholders(len(c.SubscriptionIDs))+`)
			AND user_id = (SELECT id FROM users WHERE upn_key = ?)`, append(stringArgs(nil, c.SubscriptionIDs), strings.ToLower(u))...); err != nil {
			return nil, err
		}
		if err := t.notify(u, "license-removed", "Your license of "+c.ProductName+" was removed",
			"Your organization had more licenses of "+c.ProductName+" assigned than it owns, and yours was removed."); err != nil {
			return nil, err
		}
	}
	sort.Strings(victims)
	res.Unassigned, res.Remaining = victims, max(0, c.Shortfall-len(victims))
	return res, t.audit("resolve-conflicts", pid, map[string]any{"shortfall": c.Shortfall},
		map[string]any{"action": "unassign", "unassigned": victims, "remaining": res.Remaining})
}
