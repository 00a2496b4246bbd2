package sqlstore

import (
	"context"
	"fmt"
	"strings"

	"github.com/commercectl/commercectl/store"
)

// doctorChecks are the invariants of a tenant: each query returns one text
// per violation. They hold by construction; doctor proves it after a crash,
// a kill or a hostile input.
var doctorChecks = []struct{ name, query string }{
	{"license of another product than its subscription", `SELECT 'license ' || l.id || ' is of ' || l.product_id || ' but its subscription ' || s.id || ' is of ' || s.product_id
		FROM licenses l JOIN subscriptions s ON s.id = l.subscription_id WHERE l.product_id <> s.product_id`},
	{"two licenses of one product", `SELECT u.upn || ' holds ' || count(*) || ' licenses of ' || l.product_id FROM licenses l JOIN users u ON u.id = l.user_id
		GROUP BY l.user_id, u.upn, l.product_id HAVING count(*) > 1`},
	{"licenses on a canceled subscription", `SELECT s.id || ' was canceled but holds ' || count(*) || ' license(s)' FROM subscriptions s JOIN licenses l ON l.subscription_id = s.id
		WHERE s.canceled_at IS NOT NULL GROUP BY s.id`},
	{"request status and decisions disagree", `SELECT 'request ' || r.id || ' is ' || r.status || ' but its users are: ' || string_agg(coalesce(x.decision, 'undecided'), ',')
		FROM requests r JOIN request_users x ON x.request_id = r.id GROUP BY r.id, r.status HAVING
		(r.status = 'Pending' AND count(x.decision) > 0) OR
		(r.status = 'Approved' AND sum(CASE WHEN x.decision = 'approved' THEN 1 ELSE 0 END) <> count(*)) OR
		(r.status = 'Denied' AND sum(CASE WHEN x.decision = 'denied' THEN 1 ELSE 0 END) <> count(*)) OR
		(r.status = 'PartiallyApproved' AND (sum(CASE WHEN x.decision = 'approved' THEN 1 ELSE 0 END) = 0
			OR sum(CASE WHEN x.decision = 'notAssigned' THEN 1 ELSE 0 END) = 0
			OR sum(CASE WHEN x.decision IS NULL OR x.decision = 'denied' THEN 1 ELSE 0 END) > 0))`},
	{"request without users", `SELECT 'request ' || r.id || ' names nobody' FROM requests r WHERE NOT EXISTS (SELECT 1 FROM request_users x WHERE x.request_id = r.id)`},
	{"decided request without a decision date", `SELECT 'request ' || id || ' is ' || status || ' with no decision date' FROM requests WHERE status <> 'Pending' AND decided_at IS NULL`},
	{"user without a UPN key", `SELECT upn FROM users WHERE upn_key <> lower(upn)`},
	// Every change writes an audit entry at the time it stamps on what it
	// made (SPEC §9). What init seeded is covered by init's own entry, or
	// dated before it.
	{"user without its audit entry", auditedSince(`SELECT upn || ' was added at ' || created_at FROM users`, "created_at")},
	{"subscription without its audit entry", auditedSince(`SELECT id || ' was created at ' || created_at FROM subscriptions`, "created_at")},
	{"license without its audit entry", auditedSince(`SELECT 'license ' || id || ' was assigned at ' || assigned_at FROM licenses`, "assigned_at")},
	{"request without its audit entry", auditedSince(`SELECT 'request ' || id || ' was made at ' || requested_at FROM requests`, "requested_at")},
	{"tenant without a GlobalAdmin", `SELECT 'no user is GlobalAdmin' WHERE NOT EXISTS (SELECT 1 FROM user_roles WHERE role = 'GlobalAdmin')`},
}

// auditedSince adds to query (one table, no WHERE) the rows whose time
// column lies at or after the tenant's init and matches no audit entry's.
func auditedSince(query, column string) string {
	return query + ` WHERE ` + column + ` >= (SELECT min(at) FROM audit_log WHERE action = 'init')
		AND ` + column + ` NOT IN (SELECT at FROM audit_log)`
}

// Doctor checks the database's integrity and the tenant's invariants and
// returns every problem found (none: an empty list).
func (d *DB) Doctor(ctx context.Context) ([]store.Problem, error) {
	out := []store.Problem{}
	err := d.read(ctx, func(t *tx) error {
		if err := t.requireRole("check the tenant", store.RoleGlobalAdmin, store.RoleGlobalReader); err != nil {
			return err
		}
		found, err := t.eng.integrity(t.ctx, t.querier)
		if err != nil {
			return err
		}
		out = append(out, found...)
		for _, c := range doctorChecks {
			found, err := t.column(c.query)
			if err != nil {
				return fmt.Errorf("%s: %w", c.name, err)
			}
			for _, f := range found {
				out = append(out, store.Problem{Check: c.name, Detail: f})
			}
		}
		// Every pool over its seats must be a conflict list-conflicts shows.
		cs, err := t.conflicts("")
		if err != nil {
			return err
		}
		for _, c := range cs {
			if len(c.Users) != c.Shortfall {
				out = append(out, store.Problem{Check: "conflict without its users",
					Detail: fmt.Sprintf("%s pool %s is %d short but names %s", c.ProductID, c.Pool, c.Shortfall, strings.Join(c.Users, ", "))})
			}
		}
		return nil
	})
	return out, err
}
