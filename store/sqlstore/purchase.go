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

// offerSelect reads products as offers to one person: price,
// AllowSelfServicePurchase, and whether they hold it, had a trial of it,
// or asked for it (a request still pending and kept). Its arguments are
// offerArgs.
const offerSelect = `SELECT p.id, p.name, p.monthly_price_cents, pp.value,
	CASE WHEN EXISTS (SELECT 1 FROM licenses l WHERE l.user_id = ? AND l.product_id = p.id) THEN 1 ELSE 0 END,
	CASE WHEN EXISTS (SELECT 1 FROM subscriptions s WHERE s.kind = ? AND s.product_id = p.id AND s.purchaser_id = ?) THEN 1 ELSE 0 END,
	coalesce((SELECT max(r.id) FROM requests r WHERE r.requester_id = ? AND r.product_id = p.id AND r.status = ? AND r.requested_at >= ?), 0)
	FROM products p JOIN product_policies pp ON pp.product_id = p.id AND pp.policy_id = ?`

func (t *tx) offerArgs() ([]any, error) {
	proc, err := t.process()
	if err != nil {
		return nil, err
	}
	return []any{t.actorID, store.KindTrial, t.actorID, t.actorID, store.RequestPending, fmtTime(keptSince(t.now, proc)),
		store.PolicySelfServicePurchase}, nil
}

// scanOffer reads one row of offerSelect, an offer to the actor.
func (t *tx) scanOffer(r interface{ Scan(...any) error }) (store.Offer, error) {
	o := store.Offer{For: t.actor.UPN}
	var holds, hadTrial int
	err := r.Scan(&o.ProductID, &o.ProductName, &o.MonthlyPrice, &o.PolicyValue, &holds, &hadTrial, &o.PendingRequest)
	o.Holds, o.HadTrial = holds == 1, hadTrial == 1
	return o, err
}

// purchasable is the product (by its id or an old one) as an offer.
func (t *tx) purchasable(productID string) (*store.Offer, error) {
	pid, err := t.resolveProduct(productID)
	if err != nil {
		return nil, err
	}
	args, err := t.offerArgs()
	if err != nil {
		return nil, err
	}
	p, err := t.scanOffer(t.QueryRowContext(t.ctx, offerSelect+` WHERE p.id = ?`, append(args, pid)...))
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
		args, err := t.offerArgs()
		if err != nil {
			return err
		}
		rows, err := t.QueryContext(t.ctx, offerSelect+` ORDER BY p.id`, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			o, err := t.scanOffer(rows)
			if err != nil {
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
		if !p.Holds { // the buyer gets one of the licenses unless they hold the product
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
