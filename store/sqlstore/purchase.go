package sqlstore

import (
	"context"
	"time"

	"github.com/commercectl/commercectl/store"
)

// Self-service purchases are annual commitments billed monthly; trials last 30 days.
const (
	selfServiceTerm = 12 // months
	trialDays       = 30
	maxQuantity     = 1_000_000
)

type purchasable struct {
	id, name string
	price    int64
	value    string // AllowSelfServicePurchase for it
}

func (t *tx) purchasable(productID string) (*purchasable, error) {
	pid, err := t.resolveProduct(productID)
	if err != nil {
		return nil, err
	}
	var p purchasable
	err = t.QueryRowContext(t.ctx, `SELECT p.id, p.name, p.monthly_price_cents, pp.value FROM products p
		JOIN product_policies pp ON pp.product_id = p.id AND pp.policy_id = ? WHERE p.id = ?`,
		store.PolicySelfServicePurchase, pid).Scan(&p.id, &p.name, &p.price, &p.value)
	return &p, err
}

func blocked(p *purchasable, what string) error {
	return store.Errorf(store.ECONFLICT, "your organization does not allow %s of %s (%s is %s)", what, p.name, store.PolicySelfServicePurchase, p.value).
		WithHint("send a license request instead: commercectl new-request --product %s", p.id)
}

// Purchase is a self-service purchase by the actor: allowed when the policy is
// Enabled. The buyer gets one of the licenses unless they hold the product.
func (d *DB) Purchase(ctx context.Context, productID string, quantity int) (*store.Subscription, error) {
	var sub *store.Subscription
	err := d.write(ctx, func(t *tx) error {
		if err := t.requireIdentity(); err != nil {
			return err
		}
		if quantity < 1 || quantity > maxQuantity {
			return store.Errorf(store.EINVALID, "--quantity must be between 1 and %d, not %d", maxQuantity, quantity)
		}
		p, err := t.purchasable(productID)
		if err != nil {
			return err
		}
		if p.value != store.ValueEnabled {
			return blocked(p, "self-service purchase")
		}
		id, err := t.insertSubscription(newSubscription{productID: p.id, kind: store.KindSelfService, purchaserID: t.actorID,
			quantity: quantity, priceCents: p.price, createdAt: t.now, expiresAt: t.now.AddDate(0, selfServiceTerm, 0)})
		if err != nil {
			return err
		}
		holds, err := t.holdsProduct(t.actorID, p.id)
		if err != nil {
			return err
		}
		if !holds {
			if err := t.insertLicense(t.actorID, p.id, id, t.now); err != nil {
				return err
			}
		}
		if sub, err = t.subscription(id); err != nil {
			return err
		}
		if err := t.notify(t.actor.UPN, "purchase-confirmation", "Thank you for your purchase of "+p.name,
			purchaseBody(sub)); err != nil {
			return err
		}
		return t.audit("purchase", id, nil, sub)
	})
	return sub, err
}

func purchaseBody(s *store.Subscription) string {
	return "You bought " + itoa(s.Quantity) + " license(s) of " + s.ProductName + " (subscription " + s.ID + ") for " +
		s.MonthlyCost.String() + " a month. Assign them to people in your organization with commercectl assign-license --subscription " + s.ID + "."
}

// StartTrial starts a one-seat, 30-day, no-cost trial for the actor: allowed
// when the policy is Enabled or OnlyTrialsWithoutPaymentMethod.
func (d *DB) StartTrial(ctx context.Context, productID string) (*store.Subscription, error) {
	var sub *store.Subscription
	err := d.write(ctx, func(t *tx) error {
		if err := t.requireIdentity(); err != nil {
			return err
		}
		p, err := t.purchasable(productID)
		if err != nil {
			return err
		}
		if p.value != store.ValueEnabled && p.value != store.ValueOnlyTrials {
			return blocked(p, "trials")
		}
		holds, err := t.holdsProduct(t.actorID, p.id)
		if err != nil {
			return err
		}
		if holds {
			return store.Errorf(store.ECONFLICT, "%s already has a license of %s; a trial would be a second one", t.actor.UPN, p.name)
		}
		var trials int
		if err := t.QueryRowContext(t.ctx, `SELECT count(*) FROM subscriptions WHERE kind = ? AND product_id = ? AND purchaser_id = ?`,
			store.KindTrial, p.id, t.actorID).Scan(&trials); err != nil {
			return err
		}
		if trials > 0 {
			return store.Errorf(store.ECONFLICT, "%s has already had a trial of %s", t.actor.UPN, p.name).
				WithHint("buy it with: commercectl purchase --product %s --quantity 1", p.id)
		}
		id, err := t.insertSubscription(newSubscription{productID: p.id, kind: store.KindTrial, purchaserID: t.actorID,
			quantity: 1, createdAt: t.now, expiresAt: t.now.Add(trialDays * 24 * time.Hour)})
		if err != nil {
			return err
		}
		if err := t.insertLicense(t.actorID, p.id, id, t.now); err != nil {
			return err
		}
		if sub, err = t.subscription(id); err != nil {
			return err
		}
		if err := t.notify(t.actor.UPN, "trial-started", "Your trial of "+p.name+" has started",
			"Your 30-day trial of "+p.name+" (subscription "+id+") ends on "+sub.ExpiresAt.Format("2 January 2006")+"."); err != nil {
			return err
		}
		return t.audit("start-trial", id, nil, sub)
	})
	return sub, err
}
