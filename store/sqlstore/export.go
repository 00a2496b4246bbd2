package sqlstore

import (
	"context"
	"database/sql"
	"strings"

	"github.com/commercectl/commercectl/store"
)

// ExportUsers streams every license matching f to fn, one row at a time, in
// one read transaction: memory does not grow with the tenant. The row's
// bytes are reused for the next row.
func (d *DB) ExportUsers(ctx context.Context, f store.ExportFilter, fn func(*store.ExportRow) error) error {
	return d.read(ctx, func(t *tx) error {
		if err := t.requireRole("export users", licenseReaders...); err != nil {
			return err
		}
		q := `SELECT u.upn, u.display_name, u.department, l.product_id, p.name, l.subscription_id,
			coalesce(pu.upn, ''), l.assigned_at, l.disabled_plans
			FROM licenses l JOIN users u ON u.id = l.user_id JOIN products p ON p.id = l.product_id
			JOIN subscriptions s ON s.id = l.subscription_id LEFT JOIN users pu ON pu.id = s.purchaser_id WHERE 1 = 1`
		var args []any
		if len(f.SubscriptionIDs) > 0 {
			ids := make([]string, len(f.SubscriptionIDs))
			for i, id := range f.SubscriptionIDs {
				ids[i] = strings.ToUpper(strings.TrimSpace(id))
				if _, err := t.subscription(ids[i]); err != nil {
					return err
				}
			}
			q += ` AND l.subscription_id IN (` + placeholders(len(ids)) + `)`
			args = stringArgs(args, ids)
		}
		if f.ProductID != "" {
			pid, err := t.resolveProduct(f.ProductID)
			if err != nil {
				return err
			}
			q += ` AND l.product_id = ?`
			args = append(args, pid)
		}
		if f.SelfService {
			q += ` AND s.kind <> ?`
			args = append(args, store.KindCentral)
		}
		if progress := store.ProgressFrom(t.ctx); progress != nil {
			// The count, in the same transaction, is the total the rows
			// are shown against.
			var total int
			if err := t.QueryRowContext(t.ctx, `SELECT count(*) FROM (`+q+`) x`, args...).Scan(&total); err != nil {
				return err
			}
			next, inner := fn, 0
			fn = func(r *store.ExportRow) error {
				if inner%4096 == 0 {
					progress(inner, total)
				}
				inner++
				return next(r)
			}
		}
		var r store.ExportRow
		each := func(raw [][]byte) error {
			r.UPN, r.DisplayName, r.Department, r.ProductID, r.ProductName = raw[0], raw[1], raw[2], raw[3], raw[4]
			r.SubscriptionID, r.Purchaser, r.AssignedAt, r.DisabledPlans = raw[5], raw[6], raw[7], raw[8]
			return fn(&r)
		}
		q += ` ORDER BY l.id`
		if rr, ok := t.eng.(rawRower); ok {
			return rr.queryRaw(t, q, args, each)
		}
		rows, err := t.QueryContext(t.ctx, q, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		var raw [9]sql.RawBytes
		dest := make([]any, len(raw))
		for i := range raw {
			dest[i] = &raw[i]
		}
		cells := make([][]byte, len(raw))
		for rows.Next() {
			if err := rows.Scan(dest...); err != nil {
				return err
			}
			for i := range raw {
				cells[i] = raw[i]
			}
			if err := each(cells); err != nil {
				return err
			}
		}
		return rows.Err()
	})
}
