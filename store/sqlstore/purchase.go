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

// offerSelect reads products as offers: price and AllowSelfServicePurchase.
const offerSelect = `SELECT p.id, p.name, p.monthly_price_cents, pp.value FROM products p
	JOIN product_policies pp ON pp.product_id = p.id AND pp.policy_id = ?`

// purchasable is the product (by its id or an old one) as an offer.
func (t *tx) purchasable(productID string) (*store.Offer, error) {
	pid, err := t.resolveProduct(productID)
	if err != nil {
		return nil, err
	}
	var p store.Offer
	err = t.QueryRowContext(t.ctx, offerSelect+` WHERE p.id = ?`, store.PolicySelfServicePurchase, pid).
		Scan(&p.ProductID, &p.ProductName, &p.MonthlyPrice, &p.PolicyValue)
	return &p, err
}

// Offers lists the catalog as the store front shows it to anyone in the
// tenant (a member too): price and what the policy lets a person do.
func (d *DB) Offers(ctx context.Context) ([]store.Offer, error) {
	var out []store.Offer
	err := d.read(ctx, func(t *tx) error {
		if err := t.requireIdentity(); err != nil {
			return err
		}
		rows, err := t.QueryContext(t.ctx, offerSelect+` ORDER BY p.id`, store.PolicySelfServicePurchase)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var o store.Offer
			if err := rows.Scan(&o.ProductID, &o.ProductName, &o.MonthlyPrice, &o.PolicyValue); err != nil {
				return err
			}
			out = append(out, o)
		}
		return rows.Err()
	})
	return out, err
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
		if err := p.PurchaseRefusal(); err != nil {
			return err
		}
		id, err := t.insertSubscription(newSubscription{productID: p.ProductID, kind: store.KindSelfService, purchaserID: t.actorID,
			quantity: quantity, priceCents: int64(p.MonthlyPrice), createdAt: t.now, expiresAt: t.now.AddDate(0, selfServiceTerm, 0)})
		if err != nil {
			return err
		}
		holds, err := t.holdsProduct(t.actorID, p.ProductID)
		if err != nil {
			return err
		}
		if !holds {
			if err := t.insertLicense(t.actorID, p.ProductID, id, t.now); err != nil {
				return err
			}
		}
		if sub, err = t.subscription(id); err != nil {
			return err
		}
		if err := t.notify(t.actor.UPN, "purchase-confirmation", "Thank you for your purchase of "+p.ProductName,
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
		if err := p.TrialRefusal(); err != nil {
			return err
		}
		holds, err := t.holdsProduct(t.actorID, p.ProductID)
		if err != nil {
			return err
		}
		if holds {
			return store.Errorf(store.ECONFLICT, "%s already has a license of %s; a trial would be a second one", t.actor.UPN, p.ProductName)
		}
		var trials int
		if err := t.QueryRowContext(t.ctx, `SELECT count(*) FROM subscriptions WHERE kind = ? AND product_id = ? AND purchaser_id = ?`,
			store.KindTrial, p.ProductID, t.actorID).Scan(&trials); err != nil {
			return err
		}
		if trials > 0 {
			return store.Errorf(store.ECONFLICT, "%s has already had a trial of %s", t.actor.UPN, p.ProductName).
				WithHint("buy it with: commercectl purchase --product %s --quantity 1", p.ProductID)
		}
		id, err := t.insertSubscription(newSubscription{productID: p.ProductID, kind: store.KindTrial, purchaserID: t.actorID,
			quantity: 1, createdAt: t.now, expiresAt: t.now.Add(trialDays * 24 * time.Hour)})
		if err != nil {
			return err
		}
		if err := t.insertLicense(t.actorID, p.ProductID, id, t.now); err != nil {
			return err
		}
		if sub, err = t.subscription(id); err != nil {
			return err
		}
		if err := t.notify(t.actor.UPN, "trial-started", "Your trial of "+p.ProductName+" has started",
			"Your 30-day trial of "+p.ProductName+" (subscription "+id+") ends on "+sub.ExpiresAt.Format("2 January 2006")+"."); err != nil {
			return err
		}
		return t.audit("start-trial", id, nil, sub)
	})
	return sub, err
}
