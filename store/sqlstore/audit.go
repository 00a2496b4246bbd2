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

// ProductIDs lists product ids for shell completion.
func (d *DB) ProductIDs(ctx context.Context) ([]string, error) {
	// "id<TAB>name": the shell shows the name as the completion's description.
	return d.column(ctx, `SELECT id, name FROM products ORDER BY id`)
}

// PolicyIDs lists policy ids for shell completion.
func (d *DB) PolicyIDs(ctx context.Context) ([]string, error) {
	return d.column(ctx, `SELECT id, description FROM policies ORDER BY id`)
}

func (d *DB) column(ctx context.Context, q string) ([]string, error) {
	var out []string
	err := d.read(store.WithActor(ctx, ""), func(t *tx) error {
		rows, err := t.QueryContext(t.ctx, q)
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
