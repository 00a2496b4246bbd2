package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"strconv"

	"github.com/commercectl/commercectl/store"
)

func itoa(n int) string { return strconv.Itoa(n) }

// ListAudit lists recorded changes, oldest first.
func (d *DB) ListAudit(ctx context.Context, f store.AuditFilter) ([]store.AuditEntry, error) {
	out := []store.AuditEntry{}
	err := d.read(ctx, func(t *tx) error {
		if err := t.requireRole("read the audit log", policyReaders...); err != nil {
			return err
		}
		q := `SELECT id, at, actor, action, target, before, after FROM audit_log WHERE 1 = 1`
		var args []any
		if !f.Since.IsZero() {
			q += ` AND at >= ?`
			args = append(args, fmtTime(f.Since))
		}
		if f.Actor != "" {
			q += ` AND lower(actor) = lower(?)`
			args = append(args, f.Actor)
		}
		rows, err := t.QueryContext(t.ctx, q+` ORDER BY id`, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var (
				e             store.AuditEntry
				at            string
				before, after sql.NullString
			)
			if err := rows.Scan(&e.ID, &at, &e.Actor, &e.Action, &e.Target, &before, &after); err != nil {
				return err
			}
			e.At = parseTime(at)
			e.Before, e.After = rawJSON(before), rawJSON(after)
			out = append(out, e)
		}
		return rows.Err()
	})
	return out, err
}

func rawJSON(s sql.NullString) any {
	if !s.Valid {
		return nil
	}
	return json.RawMessage(s.String)
}

// completions are the queries of shell completion: id and description,
// filtered by the first ? (the prefix's length) and the second (the
// prefix), compared in upper case.
var completions = map[store.CompletionKind]string{
	store.CompleteProducts: `SELECT id, name FROM products WHERE upper(substr(id, 1, ?)) = upper(?) ORDER BY id`,
	store.CompletePolicies: `SELECT id, description FROM policies WHERE upper(substr(id, 1, ?)) = upper(?) ORDER BY id`,
	store.CompleteSubscriptions: `SELECT s.id, p.name || ', ' || s.kind FROM subscriptions s JOIN products p ON p.id = s.product_id
		WHERE upper(substr(s.id, 1, ?)) = upper(?) ORDER BY s.id`,
	store.CompleteRequests: `SELECT CAST(r.id AS TEXT), p.name || ', ' || r.status || ', by ' || u.upn FROM requests r
		JOIN products p ON p.id = r.product_id JOIN users u ON u.id = r.requester_id
		WHERE upper(substr(CAST(r.id AS TEXT), 1, ?)) = upper(?) ORDER BY r.id DESC`,
	store.CompleteUsers: `SELECT upn, display_name FROM users WHERE upper(substr(upn_key, 1, ?)) = upper(?) ORDER BY upn_key`,
	store.CompletePlans: `SELECT name, min(friendly_name) FROM service_plans WHERE upper(substr(name, 1, ?)) = upper(?) GROUP BY name ORDER BY name`,
}

// Completions lists ids for shell completion.
func (d *DB) Completions(ctx context.Context, kind store.CompletionKind, prefix string) ([]string, error) {
	q, ok := completions[kind]
	if !ok {
		return nil, store.Errorf(store.EINTERNAL, "no completion of kind %d", kind)
	}
	return d.column(ctx, q+` LIMIT 200`, len(prefix), prefix)
}

func (d *DB) column(ctx context.Context, q string, args ...any) ([]string, error) {
	var out []string
	err := d.read(store.WithActor(ctx, ""), func(t *tx) error {
		rows, err := t.QueryContext(t.ctx, q, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id, desc string
			if err := rows.Scan(&id, &desc); err != nil {
				return err
			}
			out = append(out, id+"\t"+desc)
		}
		return rows.Err()
	})
	return out, err
}
