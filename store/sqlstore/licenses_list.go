package sqlstore

import (
	"context"
	"fmt"

	"github.com/commercectl/commercectl/store"
)

// poolKey names a pool: a product's central subscriptions, or one subscription.
type poolKey struct{ productID, subID string }

func keyOf(s *store.Subscription) poolKey {
	if s.Kind == store.KindCentral {
		return poolKey{productID: s.ProductID}
	}
	return poolKey{productID: s.ProductID, subID: s.ID}
}

// NeedValidLicense is the Status of a product with a conflict (SPEC §7).
func NeedValidLicense(n int) string {
	if n == 1 {
		return "1 user needs a valid license"
	}
	return fmt.Sprintf("%d users need a valid license", n)
}

// ListLicenses gives one row per product with the totals of its
// subscriptions (only selfService and trial ones with selfService): seats of
// Active subscriptions, licenses assigned, seats free, and how many users
// need a valid license where a pool holds more licenses than seats.
func (d *DB) ListLicenses(ctx context.Context, selfService bool) ([]store.LicenseSummary, error) {
	out := []store.LicenseSummary{}
	err := d.read(ctx, func(t *tx) error {
		if err := t.requireRole("read licenses", licenseReaders...); err != nil {
			return err
		}
		q := subscriptionSelect
		var args []any
		if selfService {
			q += ` WHERE s.kind <> ?`
			args = append(args, store.KindCentral)
		}
		rows, err := t.QueryContext(t.ctx, q+` ORDER BY p.name, s.id`, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		byProduct := map[string]*store.LicenseSummary{}
		var order []string
		type seats struct{ seats, assigned int }
		pools := map[poolKey]*seats{}
		for rows.Next() {
			s, err := t.scanSubscription(rows)
			if err != nil {
				return err
			}
			sum, ok := byProduct[s.ProductID]
			if !ok {
				sum = &store.LicenseSummary{ProductID: s.ProductID, ProductName: s.ProductName, SelfService: selfService}
				byProduct[s.ProductID] = sum
				order = append(order, s.ProductID)
			}
			if s.Status == store.StatusActive {
				sum.Quantity += s.Quantity
				switch s.Kind {
				case store.KindCentral:
					sum.CentralSeats += s.Quantity
				case store.KindSelfService:
					sum.SelfServiceSeats += s.Quantity
				case store.KindTrial:
					sum.TrialSeats += s.Quantity
				}
			}
			sum.Assigned += s.Assigned
			k := keyOf(s)
			if pools[k] == nil {
				pools[k] = &seats{}
			}
			if s.Status == store.StatusActive {
				pools[k].seats += s.Quantity
			}
			pools[k].assigned += s.Assigned
		}
		if err := rows.Err(); err != nil {
			return err
		}
		need := map[string]int{}
		for k, p := range pools {
			sum := byProduct[k.productID]
			if k.subID == "" {
				sum.CentralAssigned, sum.CentralAvailable = p.assigned, max(0, p.seats-p.assigned)
			}
			if p.assigned > p.seats {
				need[k.productID] += p.assigned - p.seats
			} else {
				sum.Available += p.seats - p.assigned
			}
		}
		for _, pid := range order {
			sum := byProduct[pid]
			if n := need[pid]; n > 0 {
				sum.Status = NeedValidLicense(n)
			}
			out = append(out, *sum)
		}
		return nil
	})
	return out, err
}

// ListLicenseUsers lists the licensed users of a product grouped by
// purchaser: the organization's central subscriptions ("") first.
func (d *DB) ListLicenseUsers(ctx context.Context, productID string, selfService bool) ([]store.PurchaserGroup, error) {
	out := []store.PurchaserGroup{}
	err := d.EachLicenseUser(ctx, productID, selfService, func(purchaser string, u *store.LicensedUser) error {
		if len(out) == 0 || out[len(out)-1].Purchaser != purchaser {
			out = append(out, store.PurchaserGroup{Purchaser: purchaser, Users: []store.LicensedUser{}})
		}
		g := &out[len(out)-1]
		g.Users = append(g.Users, *u)
		return nil
	})
	return out, err
}

// EachLicenseUser streams the licensed users of a product to fn, ordered
// by purchaser's UPN as written ("", the central subscriptions, first),
// then by user: each purchaser's group comes whole, one after the other.
func (d *DB) EachLicenseUser(ctx context.Context, productID string, selfService bool, fn func(purchaser string, u *store.LicensedUser) error) error {
	return d.read(ctx, func(t *tx) error {
		if err := t.requireRole("read licenses", licenseReaders...); err != nil {
			return err
		}
		pid, err := t.resolveProduct(productID)
		if err != nil {
			return err
		}
		// The purchaser sorts by its bytes on both engines (BINARY, and
		// "C", the upn column's collation, on PostgreSQL), as Go's strings do.
		q := `SELECT coalesce(pu.upn, ''), u.upn, u.display_name, l.subscription_id, l.assigned_at, l.disabled_plans
			FROM licenses l JOIN users u ON u.id = l.user_id JOIN subscriptions s ON s.id = l.subscription_id
			LEFT JOIN users pu ON pu.id = s.purchaser_id WHERE l.product_id = ?`
		args := []any{pid}
		if selfService {
			q += ` AND s.kind <> ?`
			args = append(args, store.KindCentral)
		}
		rows, err := t.QueryContext(t.ctx, q+` ORDER BY 1, u.upn_key`, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		var (
			purchaser, at, plans string
			u                    store.LicensedUser
		)
		for rows.Next() {
			if err := rows.Scan(&purchaser, &u.UPN, &u.DisplayName, &u.SubscriptionID, &at, &plans); err != nil {
				return err
			}
			u.AssignedAt, u.DisabledPlans = parseTime(at), splitPlans(plans)
			if err := fn(purchaser, &u); err != nil {
				return err
			}
		}
		return rows.Err()
	})
}
