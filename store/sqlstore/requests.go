package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/commercectl/commercectl/store"
)

var (
	requestReaders  = []string{store.RoleGlobalAdmin, store.RoleBillingAdmin, store.RoleGlobalReader}
	requestDeciders = []string{store.RoleGlobalAdmin}
)

const requestSelect = `SELECT r.id, r.product_id, p.name, ru.upn, r.requested_at, r.status, r.decided_at,
	coalesce(du.upn, ''), r.message, coalesce(r.assigned_product_id, '')
	FROM requests r JOIN products p ON p.id = r.product_id JOIN users ru ON ru.id = r.requester_id
	LEFT JOIN users du ON du.id = r.decided_by_id`

// requestListSelect is requestSelect with the requester's user id in place
// of their UPN: list-requests takes the UPN from the request's users, which
// it reads anyway, rather than look it up for every request.
const requestListSelect = `SELECT r.id, r.product_id, p.name, r.requester_id, r.requested_at, r.status, r.decided_at,
	coalesce(du.upn, ''), r.message, coalesce(r.assigned_product_id, '')
	FROM requests r JOIN products p ON p.id = r.product_id
	LEFT JOIN users du ON du.id = r.decided_by_id`

func scanRequest(row interface{ Scan(...any) error }) (*store.Request, error) {
	return scanRequestAs(row, nil)
}

// scanRequestAs scans a row of requestSelect, or of requestListSelect into
// requesterID when it is not nil.
func scanRequestAs(row interface{ Scan(...any) error }, requesterID *int64) (*store.Request, error) {
	var (
		r               store.Request
		requested       string
		decided         sql.NullString
		assignedProduct string
	)
	var requester any = &r.Requester
	if requesterID != nil {
		requester = requesterID
	}
	if err := row.Scan(&r.ID, &r.ProductID, &r.ProductName, requester, &requested, &r.Status, &decided,
		&r.DecidedBy, &r.Message, &assignedProduct); err != nil {
		return nil, err
	}
	r.RequestedAt, r.DecidedAt = parseTime(requested), parseNullTime(decided)
	if assignedProduct != r.ProductID {
		r.AssignedProductID = assignedProduct
	}
	r.Users = []store.RequestUser{}
	return &r, nil
}

// process reads the tenant's request process and retention.
func (t *tx) process() (*store.RequestProcess, error) {
	var (
		p     store.RequestProcess
		on    int
		since sql.NullString
	)
	err := t.QueryRowContext(t.ctx, `SELECT request_process_on, request_process_message, request_process_link,
		request_process_since, request_retention_days FROM tenant WHERE id = 1`).Scan(&on, &p.Message, &p.Link, &since, &p.RetentionDays)
	p.On, p.Since = on == 1, parseNullTime(since)
	return &p, err
}

// keptSince is the oldest request time still kept.
func keptSince(now time.Time, p *store.RequestProcess) time.Time {
	return now.AddDate(0, 0, -p.RetentionDays)
}

// request loads a request that is still kept, with its users.
func (t *tx) request(id int64) (*store.Request, error) {
	p, err := t.process()
	if err != nil {
		return nil, err
	}
	r, err := scanRequest(t.QueryRowContext(t.ctx, requestSelect+` WHERE r.id = ? AND r.requested_at >= ?`, id, fmtTime(keptSince(t.now, p))))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, store.Errorf(store.ENOTFOUND, "no request %d (requests are kept %d days after they are made)", id, p.RetentionDays).
			WithHint("see commercectl list-requests --status all")
	}
	if err != nil {
		return nil, err
	}
	rows, err := t.QueryContext(t.ctx, `SELECT u.upn, coalesce(x.decision, ''), x.disabled_plans FROM request_users x JOIN users u ON u.id = x.user_id
		WHERE x.request_id = ? ORDER BY x.pos`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var u store.RequestUser
		var plans string
		if err := rows.Scan(&u.UPN, &u.Decision, &plans); err != nil {
			return nil, err
		}
		if u.Decision == "" {
			u.Decision = "pending"
		}
		if plans != "" && r.DisabledPlans == nil {
			r.DisabledPlans = splitPlans(plans)
		}
		r.Users = append(r.Users, u)
	}
	return r, rows.Err()
}

// NewRequest asks for a license of a product the policy does not let people
// buy, for the actor and the colleagues named (SPEC §6).
func (d *DB) NewRequest(ctx context.Context, productID string, forUPNs []string) (*store.Request, error) {
	var req *store.Request
	err := d.write(ctx, func(t *tx) error {
		if err := t.requireIdentity(); err != nil {
			return err
		}
		p, err := t.purchasable(productID)
		if err != nil {
			return err
		}
		proc, err := t.process()
		if err != nil {
			return err
		}
		if proc.On {
			e := store.Errorf(store.ECONFLICT, "your organization handles license requests itself: %s", proc.Message)
			if proc.Link != "" {
				return e.WithHint("see %s", proc.Link)
			}
			return e
		}
		if err := p.RequestRefusal(); err != nil {
			return err
		}
		seen := map[string]bool{strings.ToLower(t.actor.UPN): true}
		upns := []string{t.actor.UPN}
		for _, u := range forUPNs {
			key := strings.ToLower(strings.TrimSpace(u))
			if seen[key] {
				return store.Errorf(store.EINVALID, "%s is named twice in the request (the requester is always in it)", store.QuoteShort(strings.TrimSpace(u)))
			}
			seen[key] = true
			upns = append(upns, u)
		}
		if _, err := t.loadPick(upns); err != nil {
			return err
		}
		if err := t.unknownPicked(); err != nil {
			return err
		}
		id, err := t.insertRequest(p.ProductID, t.actorID, t.now)
		if err != nil {
			return err
		}
		if _, err := t.ExecContext(t.ctx, `INSERT INTO request_users (request_id, user_id, pos)
			SELECT ?, u.id, p.pos FROM pick p JOIN users u ON u.upn_key = p.upn_key`, id); err != nil {
			return err
		}
		if req, err = t.request(id); err != nil {
			return err
		}
		// The admins who decide are told of the request.
		if _, err := t.ExecContext(t.ctx, `INSERT INTO notifications (to_upn, kind, subject, body, created_at)
			SELECT u.upn, 'request-received', ?, ?, ? FROM users u JOIN user_roles r ON r.user_id = u.id AND r.role = ?`,
			"License request: "+p.ProductName,
			fmt.Sprintf("%s asks for %s for %d %s. Review it with: commercectl get-request %d", t.actor.UPN, p.ProductName, len(upns), people(len(upns)), id),
			fmtTime(t.now), store.RoleGlobalAdmin); err != nil {
			return err
		}
		return t.audit("new-request", fmt.Sprint(id), nil, map[string]any{"productId": p.ProductID, "users": len(upns)})
	})
	return req, err
}

func people(n int) string {
	if n == 1 {
		return "person"
	}
	return "people"
}

// ListRequests lists the requests still kept. While the tenant uses its own
// request process only those made before it was turned on that are still
// pending are listed, and the process is returned so the caller can say so.
func (d *DB) ListRequests(ctx context.Context, f store.RequestFilter) ([]store.Request, *store.RequestProcess, error) {
	out := []store.Request{}
	var proc *store.RequestProcess
	err := d.read(ctx, func(t *tx) error {
		if err := t.requireRole("read license requests", requestReaders...); err != nil {
			return err
		}
		var err error
		if proc, err = t.process(); err != nil {
			return err
		}
		where := ` WHERE r.requested_at >= ?`
		args := []any{fmtTime(keptSince(t.now, proc))}
		status := strings.ToLower(f.Status)
		if status == "" {
			status = "pending"
		}
		switch status {
		case "pending":
			where += ` AND r.status = 'Pending'`
		case "completed":
			where += ` AND r.status <> 'Pending'`
		case "all":
		default:
			return store.Errorf(store.EINVALID, "--status is pending, completed or all, not %s", store.QuoteShort(f.Status))
		}
		if proc.On {
			// No request can be made while the process is on, so every request
			// up to and including the second it was turned on came before it.
			where += ` AND r.status = 'Pending' AND r.requested_at <= ?`
			args = append(args, fmtTime(*proc.Since))
		}
		rows, err := t.QueryContext(t.ctx, requestListSelect+where+` ORDER BY r.requested_at DESC, r.id DESC`, args...)
		if err != nil {
			return err
		}
		byID := map[int64]int{}
		var requesters []int64
		for rows.Next() {
			var requester int64
			r, err := scanRequestAs(rows, &requester)
			if err != nil {
				rows.Close()
				return err
			}
			byID[r.ID] = len(out)
			out = append(out, *r)
			requesters = append(requesters, requester)
		}
		rows.Close()
		if err := rows.Err(); err != nil || len(out) == 0 {
			return err
		}
		// Everyone of every listed request, in one query. The listed ids
		// drive it (IN, not a join): joined, SQLite read every user of every
		// stored request and looked its request up to test the WHERE. The
		// requester is one of the users (new-request puts them first), so
		// their UPN comes from here too rather than from a lookup per request
		// in the query above (docs/PERFORMANCE.md).
		urows, err := t.QueryContext(t.ctx, `SELECT x.request_id, x.user_id, u.upn, coalesce(x.decision, ''), x.disabled_plans FROM request_users x
			JOIN users u ON u.id = x.user_id WHERE x.request_id IN (SELECT r.id FROM requests r`+where+`) ORDER BY x.request_id, x.pos`, args...)
		if err != nil {
			return err
		}
		defer urows.Close()
		for urows.Next() {
			var (
				id, userID int64
				u          store.RequestUser
				plans      string
			)
			if err := urows.Scan(&id, &userID, &u.UPN, &u.Decision, &plans); err != nil {
				return err
			}
			if u.Decision == "" {
				u.Decision = "pending"
			}
			if i, ok := byID[id]; ok {
				out[i].Users = append(out[i].Users, u)
				if userID == requesters[i] {
					out[i].Requester = u.UPN
				}
				// The apps turned off on approval, as get-request shows them.
				if plans != "" && out[i].DisabledPlans == nil {
					out[i].DisabledPlans = splitPlans(plans)
				}
			}
		}
		if err := urows.Err(); err != nil {
			return err
		}
		for i := range out {
			if out[i].Requester == "" {
				if err := t.QueryRowContext(t.ctx, `SELECT upn FROM users WHERE id = ?`, requesters[i]).Scan(&out[i].Requester); err != nil {
					return err
				}
			}
		}
		return nil
	})
	return out, proc, err
}

// GetRequest returns a request still kept, with its users and decisions.
func (d *DB) GetRequest(ctx context.Context, id int64) (*store.Request, error) {
	var req *store.Request
	err := d.read(ctx, func(t *tx) error {
		if err := t.requireRole("read license requests", requestReaders...); err != nil {
			return err
		}
		var err error
		req, err = t.request(id)
		return err
	})
	return req, err
}

func checkMessage(s string) error {
	if utf8.RuneCountInString(s) > store.MaxMessageLength {
		return store.Errorf(store.EINVALID, "the message is longer than %d characters", store.MaxMessageLength)
	}
	if !utf8.ValidString(s) {
		return store.Errorf(store.EINVALID, "the message is not valid UTF-8")
	}
	return nil
}

// pendingRequest loads a request the actor may decide.
func (t *tx) pendingRequest(id int64, message string) (*store.Request, error) {
	if err := t.requireRole("decide license requests", requestDeciders...); err != nil {
		return nil, err
	}
	if err := t.purgeExpired(); err != nil {
		return nil, err
	}
	if err := checkMessage(message); err != nil {
		return nil, err
	}
	r, err := t.request(id)
	if err != nil {
		return nil, err
	}
	if r.Status != store.RequestPending {
		return nil, store.Errorf(store.ECONFLICT, "request %d is already %s: a completed request is not decided again", id, r.Status)
	}
	return r, nil
}

// ApproveRequest licenses every included user of a request from the central
// pool of the chosen product, all or nothing; excluded users are not
// assigned, and a user who has the product keeps the one license they have.
func (d *DB) ApproveRequest(ctx context.Context, a store.Approval) (*store.Request, error) {
	var req *store.Request
	err := d.write(ctx, func(t *tx) error {
		r, err := t.pendingRequest(a.RequestID, a.Message)
		if err != nil {
			return err
		}
		inRequest := map[string]string{}
		for _, u := range r.Users {
			inRequest[strings.ToLower(u.UPN)] = u.UPN
		}
		excluded := map[string]bool{}
		for _, e := range a.Exclude {
			key := strings.ToLower(strings.TrimSpace(e))
			if _, ok := inRequest[key]; !ok {
				if _, _, err := t.findUser(e); err != nil {
					return err
				}
				return store.Errorf(store.EINVALID, "%s is not in request %d", store.QuoteShort(strings.TrimSpace(e)), r.ID)
			}
			excluded[key] = true
		}
		var included []string
		for _, u := range r.Users {
			if !excluded[strings.ToLower(u.UPN)] {
				included = append(included, u.UPN)
			}
		}
		if len(included) == 0 {
			return store.Errorf(store.EINVALID, "excluding everyone of request %d approves nobody", r.ID).
				WithHint("decline it instead: commercectl deny-request %d", r.ID)
		}
		pid := r.ProductID
		if a.ProductID != "" {
			if pid, err = t.resolveProduct(a.ProductID); err != nil {
				return err
			}
		}
		plans, err := t.servicePlans(pid, a.DisabledPlans)
		if err != nil {
			return err
		}
		p, err := t.centralPool(pid)
		if err != nil {
			return err
		}
		n, err := t.loadPick(included)
		if err != nil {
			return err
		}
		if _, _, err := t.assignPicked(p, n, plans, true); err != nil {
			return err
		}
		status := store.RequestApproved
		if len(excluded) > 0 {
			status = store.RequestPartiallyApproved
		}
		if _, err := t.ExecContext(t.ctx, `UPDATE request_users SET decision = CASE WHEN user_id IN
			(SELECT u.id FROM pick p JOIN users u ON u.upn_key = p.upn_key) THEN ? ELSE ? END,
			disabled_plans = ? WHERE request_id = ?`, store.DecisionApproved, store.DecisionNotAssigned, plans, r.ID); err != nil {
			return err
		}
		if err := t.decide(r, status, pid, a.Message); err != nil {
			return err
		}
		if req, err = t.request(r.ID); err != nil {
			return err
		}
		return t.audit("approve-request", fmt.Sprint(r.ID), map[string]any{"status": store.RequestPending},
			map[string]any{"status": status, "productId": pid, "approved": len(included), "notAssigned": len(excluded),
				"disabledPlans": splitPlans(plans), "message": a.Message})
	})
	return req, err
}

// DenyRequest declines a request: nobody of it gets a license.
func (d *DB) DenyRequest(ctx context.Context, id int64, message string) (*store.Request, error) {
	var req *store.Request
	err := d.write(ctx, func(t *tx) error {
		r, err := t.pendingRequest(id, message)
		if err != nil {
			return err
		}
		if _, err := t.ExecContext(t.ctx, `UPDATE request_users SET decision = ? WHERE request_id = ?`, store.DecisionDenied, r.ID); err != nil {
			return err
		}
		if err := t.decide(r, store.RequestDenied, r.ProductID, message); err != nil {
			return err
		}
		if req, err = t.request(r.ID); err != nil {
			return err
		}
		return t.audit("deny-request", fmt.Sprint(r.ID), map[string]any{"status": store.RequestPending},
			map[string]any{"status": store.RequestDenied, "message": message})
	})
	return req, err
}

// decide records the decision and tells every user of the request, in the
// same transaction, each with what was decided for them.
func (t *tx) decide(r *store.Request, status, productID, message string) error {
	if _, err := t.ExecContext(t.ctx, `UPDATE requests SET status = ?, decided_at = ?, decided_by_id = ?, assigned_product_id = ?, message = ? WHERE id = ?`,
		status, fmtTime(t.now), t.actorID, productID, message, r.ID); err != nil {
		return err
	}
	var name string
	if err := t.QueryRowContext(t.ctx, `SELECT name FROM products WHERE id = ?`, productID).Scan(&name); err != nil {
		return err
	}
	kind, subject := "request-approved", "Your request for "+r.ProductName+" was approved"
	switch status {
	case store.RequestPartiallyApproved:
		kind, subject = "request-partially-approved", "Your request for "+r.ProductName+" was partly approved"
	case store.RequestDenied:
		kind, subject = "request-denied", "Your request for "+r.ProductName+" was declined"
	}
	note := ""
	if message != "" {
		note = " Message from " + t.actor.UPN + ": " + message
	}
	got := fmt.Sprintf("You now have a license of %s.", name)
	notGot := fmt.Sprintf("No license of %s was assigned to you.", name)
	_, err := t.ExecContext(t.ctx, `INSERT INTO notifications (to_upn, kind, subject, body, created_at)
		SELECT u.upn, ?, ?, CASE x.decision WHEN 'approved' THEN ? ELSE ? END, ? FROM request_users x JOIN users u ON u.id = x.user_id
		WHERE x.request_id = ? ORDER BY x.pos`,
		kind, subject, fmt.Sprintf("Request %d, made by %s: %s%s", r.ID, r.Requester, got, note),
		fmt.Sprintf("Request %d, made by %s: %s%s", r.ID, r.Requester, notGot, note), fmtTime(t.now), r.ID)
	return err
}

// insertRequest adds a pending request and returns its number. Requests
// are numbered 1, 2, 3 in the order they are made, on every engine: the
// number is what an admin types (get-request 4), and an engine's own
// counter skips the numbers of transactions rolled back (a dry run).
// A purged request's number is not given again (purgeExpired).
func (t *tx) insertRequest(productID string, requesterID int64, at time.Time) (int64, error) {
	var kept, used int64
	if err := t.QueryRowContext(t.ctx, `SELECT coalesce(max(id), 0) FROM requests`).Scan(&kept); err != nil {
		return 0, err
	}
	if err := t.QueryRowContext(t.ctx, `SELECT request_numbers_used FROM tenant WHERE id = 1`).Scan(&used); err != nil {
		return 0, err
	}
	id := max(kept, used) + 1
	_, err := t.ExecContext(t.ctx, `INSERT INTO requests (id, product_id, requester_id, requested_at) VALUES (?, ?, ?, ?)`,
		id, productID, requesterID, fmtTime(at))
	return id, err
}

// purgeExpired deletes the requests past the retention period in force,
// with their users, as one audited purge. A GlobalAdmin's writes about
// requests run it first (deciding, setting the process): raising the
// retention later brings back nothing that had expired. Reads only hide
// expired requests; a read never writes.
func (t *tx) purgeExpired() error {
	p, err := t.process()
	if err != nil {
		return err
	}
	cutoff := fmtTime(keptSince(t.now, p))
	var n, last int64
	if err := t.QueryRowContext(t.ctx, `SELECT count(*), coalesce(max(id), 0) FROM requests WHERE requested_at < ?`, cutoff).Scan(&n, &last); err != nil {
		return err
	}
	if n == 0 {
		return nil
	}
	if _, err := t.ExecContext(t.ctx, `DELETE FROM request_users WHERE request_id IN (SELECT id FROM requests WHERE requested_at < ?)`, cutoff); err != nil {
		return err
	}
	if _, err := t.ExecContext(t.ctx, `DELETE FROM requests WHERE requested_at < ?`, cutoff); err != nil {
		return err
	}
	if _, err := t.ExecContext(t.ctx, `UPDATE tenant SET request_numbers_used = ? WHERE id = 1 AND request_numbers_used < ?`, last, last); err != nil {
		return err
	}
	return t.audit("purge-requests", "requests", nil, map[string]any{"purged": n, "requestedBefore": cutoff, "retentionDays": p.RetentionDays})
}
