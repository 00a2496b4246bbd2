package sqlstore

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/commercectl/commercectl/store"
)

// takeoverRoles may take subscriptions over and centralize (SPEC §3).
var takeoverRoles = []string{store.RoleGlobalAdmin, store.RoleBillingAdmin}

// pickHolders fills the pick table with the users of a query over licenses
// (aliased l), in the order they were licensed, and remembers the apps each
// had turned off, so that they can carry over to the new license.
func (t *tx) pickHolders(where string, args ...any) (int, error) {
	for _, name := range []string{"pick", "carry"} {
		if err := t.eng.scratch(t.ctx, t.querier, name); err != nil {
			return 0, err
		}
	}
	if _, err := t.ExecContext(t.ctx, `INSERT INTO pick (upn_key) SELECT u.upn_key FROM licenses l JOIN users u ON u.id = l.user_id
		WHERE `+where+` ORDER BY l.id`, args...); err != nil {
		return 0, err
	}
	if _, err := t.ExecContext(t.ctx, `INSERT INTO carry (user_id, plans) SELECT l.user_id, l.disabled_plans FROM licenses l
		WHERE `+where+` AND l.disabled_plans <> ''`, args...); err != nil {
		return 0, err
	}
	for _, name := range []string{"pick", "carry"} {
		if err := t.eng.scratchFilled(t.ctx, t.querier, name); err != nil {
			return 0, err
		}
	}
	var n int
	err := t.QueryRowContext(t.ctx, `SELECT count(*) FROM pick`).Scan(&n)
	return n, err
}

// movePicked moves the licenses where names (those pickHolders picked)
// into the pool, in place and in the order they were given, all or
// nothing. A user who holds the pool's product already keeps that license
// and loses this one. A moved license keeps the apps its user had turned
// off, where the pool's product has the same plan. Moving in place is
// what lets the server tell a takeover from a new license: a billing
// admin may move a license out of a self-service subscription into a
// central one, and never give one (docs/SECURITY.md).
func (t *tx) movePicked(p *pool, n int, where string, args ...any) (int, error) {
	r, err := t.ExecContext(t.ctx, `DELETE FROM licenses WHERE `+where+` AND product_id <> ?
		AND user_id IN (SELECT user_id FROM licenses WHERE product_id = ?)`, append(args, p.productID, p.productID)...)
	if err != nil {
		return 0, err
	}
	kept64, err := r.RowsAffected()
	if err != nil {
		return 0, err
	}
	kept := int(kept64)
	need := n - kept
	if need > p.free() {
		return 0, shortfall(p, need)
	}
	if err := t.carryPlans(p); err != nil {
		return 0, err
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
		r, err := t.ExecContext(t.ctx, `UPDATE licenses SET subscription_id = ?, product_id = ?, assigned_at = ?,
			disabled_plans = coalesce((SELECT c.plans FROM carry c WHERE c.user_id = licenses.user_id), '')
			WHERE id IN (SELECT id FROM licenses WHERE `+where+` ORDER BY id LIMIT ?)`,
			append(append([]any{s.ID, p.productID, at}, args...), k)...)
		if err != nil {
			return 0, err
		}
		moved, err := r.RowsAffected()
		if err != nil {
			return 0, err
		}
		need -= int(moved)
		s.Available -= int(moved)
		p.assigned += int(moved)
	}
	return kept, nil
}

// carryPlans narrows the apps each picked user had turned off to those
// the pool's product has too.
func (t *tx) carryPlans(p *pool) error {
	known, err := t.column(`SELECT name FROM service_plans WHERE product_id = ?`, p.productID)
	if err != nil {
		return err
	}
	has := map[string]bool{}
	for _, k := range known {
		has[k] = true
	}
	olds, err := t.column(`SELECT DISTINCT plans FROM carry`)
	if err != nil {
		return err
	}
	// A narrowed value is never another old value narrowed differently:
	// what is kept is kept again, so the updates cannot chain.
	for _, old := range olds {
		var keep []string
		for _, name := range splitPlans(old) {
			if has[name] {
				keep = append(keep, name)
			}
		}
		sort.Strings(keep)
		if v := strings.Join(keep, ","); v != old {
			if _, err := t.ExecContext(t.ctx, `UPDATE carry SET plans = ? WHERE plans = ?`, v, old); err != nil {
				return err
			}
		}
	}
	return nil
}

// takeoverTarget is the central pool users move to: a product's, or one
// Active central subscription.
func (t *tx) takeoverTarget(productID, subscriptionID string) (*pool, error) {
	if subscriptionID == "" {
		pid, err := t.resolveProduct(productID)
		if err != nil {
			return nil, err
		}
		return t.centralPool(pid)
	}
	sub, err := t.subscription(strings.ToUpper(strings.TrimSpace(subscriptionID)))
	if err != nil {
		return nil, err
	}
	if sub.Kind != store.KindCentral {
		return nil, store.Errorf(store.ECONFLICT, "%s is a %s subscription: users move to one of the organization's central subscriptions", sub.ID, sub.Kind)
	}
	if productID != "" {
		pid, err := t.resolveProduct(productID)
		if err != nil {
			return nil, err
		}
		if pid != sub.ProductID {
			return nil, store.Errorf(store.EINVALID, "%s is a subscription of %s, not of %s", sub.ID, sub.ProductName, pid)
		}
	}
	if sub.Status != store.StatusActive {
		return nil, store.Errorf(store.ECONFLICT, "%s is %s: users move only to an Active subscription", sub.ID, sub.Status)
	}
	p, err := t.centralPool(sub.ProductID)
	if err != nil {
		return nil, err
	}
	p.fill, p.label, p.named = nil, sub.ID, sub.ID
	for _, s := range p.subs {
		if s.ID == sub.ID {
			p.fill = []*store.Subscription{s}
		}
	}
	return p, nil
}

// TakeoverSubscription takes a selfService or trial subscription over, in
// one transaction: its users move into a central pool (all or nothing; a
// user who holds the target product keeps that license) or lose its
// licenses, it becomes Deleted, and its purchaser is told.
func (d *DB) TakeoverSubscription(ctx context.Context, to store.Takeover) (*store.TakeoverResult, error) {
	var res *store.TakeoverResult
	err := d.write(ctx, func(t *tx) error {
		if err := t.requireRole("take subscriptions over", takeoverRoles...); err != nil {
			return err
		}
		if to.Cancel == (to.MoveToProduct != "" || to.MoveToSubscription != "") {
			return store.Errorf(store.EINVALID, "say what to do: --move-to-product ID, --move-to-subscription ID, or --cancel --reason REASON")
		}
		if to.Cancel && !store.ValidCancelReason(to.Reason) {
			return store.Errorf(store.EINVALID, "unknown reason %s", store.QuoteShort(to.Reason)).
				WithHint("reasons are %s", strings.Join(store.CancelReasons, ", "))
		}
		src, err := t.subscription(strings.ToUpper(strings.TrimSpace(to.SubscriptionID)))
		if err != nil {
			return err
		}
		if src.Kind == store.KindCentral {
			return store.Errorf(store.ECONFLICT, "%s is one of the organization's own subscriptions: there is nothing to take over", src.ID)
		}
		if src.Status == store.StatusDeleted {
			return store.Errorf(store.ECONFLICT, "%s is already Deleted", src.ID)
		}
		res = &store.TakeoverResult{SubscriptionID: src.ID, ProductID: src.ProductID, ProductName: src.ProductName,
			MonthlyCostChange: -src.MonthlyCost, SubscriptionsDeleted: []string{src.ID}, Notified: []string{src.Purchaser}}
		reason := to.Reason
		if to.Cancel {
			res.Action, res.Reason = "cancel", to.Reason
			r, err := t.ExecContext(t.ctx, `DELETE FROM licenses WHERE subscription_id = ?`, src.ID)
			if err != nil {
				return err
			}
			n, _ := r.RowsAffected()
			res.UsersUnassigned = int(n)
		} else {
			res.Action = "move"
			p, err := t.takeoverTarget(to.MoveToProduct, to.MoveToSubscription)
			if err != nil {
				return err
			}
			res.TargetProductID, res.TargetSubscriptionID = p.productID, p.named
			n, err := t.pickHolders(`l.subscription_id = ?`, src.ID)
			if err != nil {
				return err
			}
			kept, err := t.movePicked(p, n, `subscription_id = ?`, src.ID)
			if err != nil {
				return err
			}
			res.UsersMoved, res.UsersKept, res.SeatsNeeded = n-kept, kept, n-kept
			reason = "taken over: users moved to " + p.label
		}
		if _, err := t.ExecContext(t.ctx, `UPDATE subscriptions SET canceled_at = ?, cancel_reason = ? WHERE id = ?`,
			fmtTime(t.now), reason, src.ID); err != nil {
			return err
		}
		body := fmt.Sprintf("Your admin %s took over your subscription %s of %s; it has been canceled and you are not billed for it any more.",
			t.actor.UPN, src.ID, src.ProductName)
		if to.Cancel {
			body += fmt.Sprintf(" Its %d license(s) were removed. Reason: %s.", res.UsersUnassigned, to.Reason)
		} else {
			body += fmt.Sprintf(" Its %d user(s) now have licenses from your organization.", res.UsersMoved+res.UsersKept)
		}
		if err := t.notify(src.Purchaser, "subscription-taken-over", "Your subscription of "+src.ProductName+" was taken over", body); err != nil {
			return err
		}
		return t.audit("takeover-subscription", src.ID, map[string]any{"status": src.Status, "assigned": src.Assigned}, res)
	})
	return res, err
}

// Centralize gives every holder of a selfService or trial license of a
// product a central license instead, all or nothing, and asks each
// purchaser to cancel. With Buy, the central subscription is raised first
// to fit everyone.
func (d *DB) Centralize(ctx context.Context, c store.Centralize) (*store.CentralizeResult, error) {
	var res *store.CentralizeResult
	err := d.write(ctx, func(t *tx) error {
		if err := t.requireRole("centralize licenses", takeoverRoles...); err != nil {
			return err
		}
		pid, err := t.resolveProduct(c.ProductID)
		if err != nil {
			return err
		}
		p, err := t.takeoverTarget(pid, c.SubscriptionID)
		if err != nil {
			return err
		}
		selfService := `l.product_id = ? AND l.subscription_id IN (SELECT id FROM subscriptions WHERE product_id = ? AND kind <> 'central')`
		purchasers, err := t.column(`SELECT pu.upn FROM licenses l JOIN subscriptions s ON s.id = l.subscription_id
			JOIN users pu ON pu.id = s.purchaser_id WHERE `+selfService+` GROUP BY pu.upn, pu.upn_key ORDER BY pu.upn_key`, pid, pid)
		if err != nil {
			return err
		}
		n, err := t.pickHolders(selfService, pid, pid)
		if err != nil {
			return err
		}
		if n == 0 {
			return store.Errorf(store.ECONFLICT, "nobody holds a self-service license of %s", p.productName)
		}
		res = &store.CentralizeResult{ProductID: pid, ProductName: p.productName, UsersLicensed: n, SeatsNeeded: n, Notified: purchasers}
		if len(p.fill) == 0 {
			return store.Errorf(store.ECONFLICT, "%s has no Active central subscription to license %d user(s) from", p.productName, n).
				WithHint("buy one: commercectl add-subscription --product %s --quantity %d", pid, n)
		}
		target := p.fill[0]
		if c.Buy && n > p.free() {
			add := n - p.free()
			if _, err := t.ExecContext(t.ctx, `UPDATE subscriptions SET quantity = quantity + ? WHERE id = ?`, add, target.ID); err != nil {
				return err
			}
			target.Quantity += add
			target.Available += add
			p.seats += add
			res.SeatsBought, res.MonthlyCostChange = add, store.Cents(int64(add))*target.MonthlyPrice
		}
		if _, err := t.movePicked(p, n, strings.ReplaceAll(selfService, "l.", ""), pid, pid); err != nil {
			return err
		}
		after, err := t.subscription(target.ID)
		if err != nil {
			return err
		}
		res.SubscriptionID, res.Quantity, res.MonthlyCost = after.ID, after.Quantity, after.MonthlyCost
		for _, u := range purchasers {
			if err := t.notify(u, "cancel-requested", "Please cancel your subscription of "+p.productName,
				fmt.Sprintf("Your organization now gives %s to everyone who needs it, including the people you bought it for. Please cancel your own subscription: commercectl cancel-subscription ID.", p.productName)); err != nil {
				return err
			}
		}
		return t.audit("centralize", pid, nil, res)
	})
	return res, err
}
