package sqlstore

import (
	"context"
	"strings"

	"github.com/commercectl/commercectl/store"
)

var (
	// SPEC §3: LicenseAdmin reads licenses and users, not subscriptions.
	billingReaders = []string{store.RoleGlobalAdmin, store.RoleBillingAdmin, store.RoleGlobalReader}
	billingWriters = []string{store.RoleGlobalAdmin, store.RoleBillingAdmin}
)

// canonicalStatus returns a subscription status spelled as the service does.
func canonicalStatus(s string) (string, error) {
	for _, st := range []string{store.StatusActive, store.StatusExpired, store.StatusDisabled, store.StatusDeleted} {
		if strings.EqualFold(st, s) {
			return st, nil
		}
	}
	return "", store.Errorf(store.EINVALID, "unknown status %q", s).WithHint("statuses are Active, Expired, Disabled, Deleted")
}

// ListSubscriptions lists subscriptions. Readers see all of them; anyone else
// sees the ones they bought.
func (d *DB) ListSubscriptions(ctx context.Context, f store.SubscriptionFilter) ([]store.Subscription, error) {
	out := []store.Subscription{}
	err := d.read(ctx, func(t *tx) error {
		if err := t.requireIdentity(); err != nil {
			return err
		}
		q := subscriptionSelect + ` WHERE 1 = 1`
		var args []any
		if !t.actor.HasAnyRole(billingReaders...) {
			q += ` AND s.purchaser_id = ?`
			args = append(args, t.actorID)
		}
		if f.SelfService {
			q += ` AND s.kind <> ?`
			args = append(args, store.KindCentral)
		}
		if f.ProductID != "" {
			pid, err := t.resolveProduct(f.ProductID)
			if err != nil {
				return err
			}
			q += ` AND s.product_id = ?`
			args = append(args, pid)
		}
		status := ""
		if f.Status != "" {
			var err error
			if status, err = canonicalStatus(f.Status); err != nil {
				return err
			}
		}
		rows, err := t.QueryContext(t.ctx, q+` ORDER BY s.id`, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			s, err := t.scanSubscription(rows)
			if err != nil {
				return err
			}
			if status == "" || s.Status == status {
				out = append(out, *s)
			}
		}
		return rows.Err()
	})
	return out, err
}

// GetSubscription returns a subscription with its licensed users.
func (d *DB) GetSubscription(ctx context.Context, id string) (*store.Subscription, error) {
	var sub *store.Subscription
	err := d.EachSubscriptionUser(ctx, id, func(s *store.Subscription) error {
		sub = s
		sub.Users = []store.SubscriptionUser{}
		return nil
	}, func(u *store.SubscriptionUser) error {
		sub.Users = append(sub.Users, *u)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return sub, nil
}

// EachSubscriptionUser streams a subscription and then its licensed users,
// in the order they were assigned: its purchaser and the billing readers
// may read it.
func (d *DB) EachSubscriptionUser(ctx context.Context, id string, head func(*store.Subscription) error, fn func(*store.SubscriptionUser) error) error {
	return d.read(ctx, func(t *tx) error {
		if err := t.requireIdentity(); err != nil {
			return err
		}
		sub, err := t.subscription(strings.ToUpper(strings.TrimSpace(id)))
		if err != nil {
			return err
		}
		if !t.actor.HasAnyRole(billingReaders...) && !strings.EqualFold(sub.Purchaser, t.actor.UPN) {
			return store.Errorf(store.EFORBIDDEN, "%s may not read subscription %s", t.actor.UPN, sub.ID).
				WithHint("this needs one of the roles %s, or to be its purchaser", strings.Join(billingReaders, ", "))
		}
		if err := head(sub); err != nil {
			return err
		}
		rows, err := t.QueryContext(t.ctx, `SELECT u.upn, l.assigned_at, l.disabled_plans FROM licenses l JOIN users u ON u.id = l.user_id
			WHERE l.subscription_id = ? ORDER BY l.assigned_at, u.upn_key`, sub.ID)
		if err != nil {
			return err
		}
		defer rows.Close()
		var (
			u         store.SubscriptionUser
			at, plans string
		)
		for rows.Next() {
			if err := rows.Scan(&u.UPN, &at, &plans); err != nil {
				return err
			}
			u.AssignedAt, u.DisabledPlans = parseTime(at), splitPlans(plans)
			if err := fn(&u); err != nil {
				return err
			}
		}
		return rows.Err()
	})
}

// AddSubscription buys a central subscription of a product.
func (d *DB) AddSubscription(ctx context.Context, productID string, quantity, months int) (*store.Subscription, error) {
	var sub *store.Subscription
	err := d.write(ctx, func(t *tx) error {
		if err := t.requireRole("buy subscriptions", billingWriters...); err != nil {
			return err
		}
		if quantity < 1 || quantity > maxQuantity {
			return store.Errorf(store.EINVALID, "--quantity must be between 1 and %d, not %d", maxQuantity, quantity)
		}
		if months < 1 || months > 60 {
			return store.Errorf(store.EINVALID, "--months must be between 1 and 60, not %d", months)
		}
		p, err := t.purchasable(productID)
		if err != nil {
			return err
		}
		id, err := t.insertSubscription(newSubscription{productID: p.ProductID, kind: store.KindCentral, quantity: quantity,
			priceCents: int64(p.MonthlyPrice), createdAt: t.now, expiresAt: t.now.AddDate(0, months, 0)})
		if err != nil {
			return err
		}
		if sub, err = t.subscription(id); err != nil {
			return err
		}
		return t.audit("add-subscription", id, nil, sub)
	})
	return sub, err
}

// BuyLicenses sets a central subscription's quantity. Lowering it below the
// licenses assigned from it leaves users without a valid license (a
// conflict), so it needs confirmed.
func (d *DB) BuyLicenses(ctx context.Context, id string, total int, confirmed bool) (*store.Subscription, error) {
	var sub *store.Subscription
	err := d.write(ctx, func(t *tx) error {
		if err := t.requireRole("buy licenses", billingWriters...); err != nil {
			return err
		}
		if total < 0 || total > maxQuantity {
			return store.Errorf(store.EINVALID, "--total must be between 0 and %d, not %d", maxQuantity, total)
		}
		before, err := t.subscription(strings.ToUpper(strings.TrimSpace(id)))
		if err != nil {
			return err
		}
		if before.Kind != store.KindCentral {
			return store.Errorf(store.ECONFLICT, "%s is a %s subscription bought by %s: its licenses are its purchaser's to buy", before.ID, before.Kind, before.Purchaser).
				WithHint("take it over first: commercectl takeover-subscription %s --move-to-product %s", before.ID, before.ProductID)
		}
		if before.Status != store.StatusActive {
			return store.Errorf(store.ECONFLICT, "%s is %s: licenses can be bought only for an Active subscription", before.ID, before.Status).
				WithHint("buy a new one: commercectl add-subscription --product %s --quantity %d", before.ProductID, total)
		}
		if total < before.Assigned && !confirmed {
			return store.Errorf(store.ECONFLICT, "%s has %d licenses assigned: %d would leave %d users without a valid license", before.ID, before.Assigned, total, before.Assigned-total).
				WithHint("confirm to create the conflict, or unassign licenses first")
		}
		if total != before.Quantity {
			if _, err := t.ExecContext(t.ctx, `UPDATE subscriptions SET quantity = ? WHERE id = ?`, total, before.ID); err != nil {
				return err
			}
		}
		if sub, err = t.subscription(before.ID); err != nil {
			return err
		}
		if total == before.Quantity {
			return nil
		}
		return t.audit("buy-licenses", sub.ID, map[string]any{"quantity": before.Quantity, "monthlyCost": before.MonthlyCost},
			map[string]any{"quantity": sub.Quantity, "monthlyCost": sub.MonthlyCost})
	})
	return sub, err
}

// CancelSubscription ends a selfService or trial subscription at its
// purchaser's request: it is Deleted at once and its users lose its licenses.
func (d *DB) CancelSubscription(ctx context.Context, id string) (*store.Subscription, error) {
	var sub *store.Subscription
	err := d.write(ctx, func(t *tx) error {
		if err := t.requireIdentity(); err != nil {
			return err
		}
		before, err := t.subscription(strings.ToUpper(strings.TrimSpace(id)))
		if err != nil {
			return err
		}
		if !strings.EqualFold(before.Purchaser, t.actor.UPN) {
			if before.Kind != store.KindCentral && t.actor.HasAnyRole(billingWriters...) {
				return store.Errorf(store.ECONFLICT, "%s was bought by %s: only its purchaser cancels it", before.ID, before.Purchaser).
					WithHint("an admin takes it over instead: commercectl takeover-subscription %s --cancel --reason REASON", before.ID)
			}
			return store.Errorf(store.EFORBIDDEN, "%s may not cancel %s: only its purchaser may", t.actor.UPN, before.ID)
		}
		if before.Status == store.StatusDeleted {
			return store.Errorf(store.ECONFLICT, "%s is already Deleted", before.ID)
		}
		var users []string
		if users, err = t.column(`SELECT u.upn FROM licenses l JOIN users u ON u.id = l.user_id WHERE l.subscription_id = ? ORDER BY u.upn_key`, before.ID); err != nil {
			return err
		}
		if _, err := t.ExecContext(t.ctx, `DELETE FROM licenses WHERE subscription_id = ?`, before.ID); err != nil {
			return err
		}
		if _, err := t.ExecContext(t.ctx, `UPDATE subscriptions SET canceled_at = ?, cancel_reason = ? WHERE id = ?`,
			fmtTime(t.now), "canceled by purchaser", before.ID); err != nil {
			return err
		}
		if sub, err = t.subscription(before.ID); err != nil {
			return err
		}
		for _, u := range users {
			if err := t.notify(u, "license-removed", "Your license of "+sub.ProductName+" was removed",
				"The subscription "+sub.ID+" that gave you "+sub.ProductName+" was canceled by "+sub.Purchaser+"."); err != nil {
				return err
			}
		}
		return t.audit("cancel-subscription", sub.ID, before, map[string]any{"status": sub.Status, "usersUnassigned": users})
	})
	return sub, err
}
