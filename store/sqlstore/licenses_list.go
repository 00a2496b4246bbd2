package sqlstore

import (
	"context"
	"fmt"
	"sort"

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
	err := d.read(ctx, func(t *tx) error {
		if err := t.requireRole("read licenses", licenseReaders...); err != nil {
			return err
		}
		pid, err := t.resolveProduct(productID)
		if err != nil {
			return err
		}
		q := `SELECT coalesce(pu.upn, ''), u.upn, u.display_name, l.subscription_id, l.assigned_at, l.disabled_plans
			FROM licenses l JOIN users u ON u.id = l.user_id JOIN subscriptions s ON s.id = l.subscription_id
			LEFT JOIN users pu ON pu.id = s.purchaser_id WHERE l.product_id = ?`
		args := []any{pid}
		if selfService {
			q += ` AND s.kind <> ?`
			args = append(args, store.KindCentral)
		}
		rows, err := t.QueryContext(t.ctx, q+` ORDER BY u.upn_key`, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		groups := map[string]*store.PurchaserGroup{}
		for rows.Next() {
			var (
				purchaser, at, plans string
				u                    store.LicensedUser
			)
			if err := rows.Scan(&purchaser, &u.UPN, &u.DisplayName, &u.SubscriptionID, &at, &plans); err != nil {
				return err
			}
			u.AssignedAt, u.DisabledPlans = parseTime(at), splitPlans(plans)
			g := groups[purchaser]
			if g == nil {
				g = &store.PurchaserGroup{Purchaser: purchaser, Users: []store.LicensedUser{}}
				groups[purchaser] = g
			}
			g.Users = append(g.Users, u)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		keys := make([]string, 0, len(groups))
		for k := range groups {
			keys = append(keys, k)
		}
		sort.Strings(keys) // "" (central) sorts first
		for _, k := range keys {
			out = append(out, *groups[k])
		}
		return nil
	})
	return out, err
}
