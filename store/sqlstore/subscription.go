package sqlstore

import (
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/commercectl/commercectl/store"
)

const subscriptionSelect = `SELECT s.id, s.product_id, p.name, s.kind, coalesce(u.upn, ''), s.quantity, s.monthly_price_cents,
	s.created_at, s.expires_at, s.canceled_at, s.cancel_reason,
	(SELECT count(*) FROM licenses l WHERE l.subscription_id = s.id)
	FROM subscriptions s JOIN products p ON p.id = s.product_id LEFT JOIN users u ON u.id = s.purchaser_id`

func (t *tx) scanSubscription(row interface{ Scan(...any) error }) (*store.Subscription, error) {
	var (
		s                store.Subscription
		created, expires string
		canceled         sql.NullString
		price            int64
	)
	if err := row.Scan(&s.ID, &s.ProductID, &s.ProductName, &s.Kind, &s.Purchaser, &s.Quantity, &price,
		&created, &expires, &canceled, &s.CancelReason, &s.Assigned); err != nil {
		return nil, err
	}
	s.MonthlyPrice = store.Cents(price)
	s.CreatedAt, s.ExpiresAt, s.CanceledAt = parseTime(created), parseTime(expires), parseNullTime(canceled)
	s.Status = store.SubscriptionStatus(t.now, s.ExpiresAt, s.CanceledAt)
	// Only an Active subscription is billed.
	if s.Status == store.StatusActive {
		s.MonthlyCost = store.Cents(price * int64(s.Quantity))
	}
	if s.Status == store.StatusActive && s.Quantity > s.Assigned {
		s.Available = s.Quantity - s.Assigned
	}
	return &s, nil
}

func (t *tx) subscription(id string) (*store.Subscription, error) {
	s, err := t.scanSubscription(t.QueryRowContext(t.ctx, subscriptionSelect+` WHERE s.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, store.Errorf(store.ENOTFOUND, "no subscription %q", id).WithHint("see commercectl list-subscriptions")
	}
	return s, err
}

// newSubscriptionID hands out readable, increasing ids (SUB-00001, ...).
func (t *tx) newSubscriptionID() (string, error) {
	var n int64
	err := t.QueryRowContext(t.ctx, `SELECT coalesce(max(CAST(substr(id, 5) AS INTEGER)), 0) + 1 FROM subscriptions WHERE id LIKE 'SUB-%'`).Scan(&n)
	return fmt.Sprintf("SUB-%05d", n), err
}

type newSubscription struct {
	productID   string
	kind        string
	purchaserID int64 // 0 for central
	quantity    int
	priceCents  int64
	createdAt   time.Time
	expiresAt   time.Time
}

func (t *tx) insertSubscription(ns newSubscription) (string, error) {
	id, err := t.newSubscriptionID()
	if err != nil {
		return "", err
	}
	var purchaser any
	if ns.purchaserID != 0 {
		purchaser = ns.purchaserID
	}
	_, err = t.ExecContext(t.ctx, `INSERT INTO subscriptions (id, product_id, kind, purchaser_id, quantity, monthly_price_cents, created_at, expires_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, id, ns.productID, ns.kind, purchaser, ns.quantity, ns.priceCents, fmtTime(ns.createdAt), fmtTime(ns.expiresAt))
	return id, err
}

func (t *tx) insertLicense(userID int64, productID, subscriptionID string, at time.Time) error {
	_, err := t.ExecContext(t.ctx, `INSERT INTO licenses (user_id, product_id, subscription_id, assigned_at) VALUES (?, ?, ?, ?)`,
		userID, productID, subscriptionID, fmtTime(at))
	return err
}
