package sqlstore

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"github.com/commercectl/commercectl/store"
)

// Delivery of the outbox (SPEC §12). A notification is due while it is
// pending, its backoff has passed and no live run holds it. A run claims
// a few at a time in one write transaction, so that two runs at once never
// send one notification twice; it records each attempt in a transaction of
// its own as soon as the server answered, so that a run killed in mid-send
// loses nothing and, once its claims lapse, costs at most the one message
// that was in flight, sent again with the same Message-ID.
const (
	// claimLease is how long a claim holds a notification: past it, a
	// run that died holding it no longer keeps it from the others.
	claimLease = 10 * time.Minute
	// retryFirst and retryMost bound the backoff after a temporary
	// failure: 1 min, 2, 4, ... at most 6 h.
	retryFirst = time.Minute
	retryMost  = 6 * time.Hour
)

// sendRoles may deliver the outbox.
var sendRoles = []string{store.RoleGlobalAdmin}

// dueWhere selects the due notifications n (with their deliveries d), at ?
// twice: now.
const dueWhere = `(d.notification_id IS NULL OR d.status = 'pending'
	AND (d.next_attempt_at IS NULL OR d.next_attempt_at <= ?)
	AND (d.claimed_until IS NULL OR d.claimed_until <= ?))`

const notificationColumns = `n.id, n.to_upn, n.kind, n.subject, n.body, n.created_at,
	coalesce(d.status, 'pending'), coalesce(d.attempts, 0), d.sent_at, coalesce(d.last_error, ''), coalesce(d.message_id, ''), d.next_attempt_at`

func scanNotification(rows *sql.Rows) (store.Notification, error) {
	var (
		n              store.Notification
		at             string
		sent, nextTime sql.NullString
	)
	err := rows.Scan(&n.ID, &n.To, &n.Kind, &n.Subject, &n.Body, &at, &n.Status, &n.Attempts, &sent, &n.LastError, &n.MessageID, &nextTime)
	n.CreatedAt = parseTime(at)
	if sent.Valid {
		v := parseTime(sent.String)
		n.SentAt = &v
	}
	if nextTime.Valid {
		v := parseTime(nextTime.String)
		n.NextAttemptAt = &v
	}
	return n, err
}

func (t *tx) notifications(query string, args ...any) ([]store.Notification, error) {
	rows, err := t.QueryContext(t.ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []store.Notification{}
	for rows.Next() {
		n, err := scanNotification(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, rows.Err()
}

// DueNotifications counts what a run would send now, and lists the first
// limit of them (0: all), oldest first.
func (d *DB) DueNotifications(ctx context.Context, limit int) ([]store.Notification, int, error) {
	var (
		out   []store.Notification
		total int
	)
	err := d.read(ctx, func(t *tx) error {
		if err := t.requireRole("send the notifications", sendRoles...); err != nil {
			return err
		}
		now := fmtTime(t.now)
		if err := t.QueryRowContext(t.ctx, `SELECT count(*) FROM notifications n LEFT JOIN deliveries d ON d.notification_id = n.id
			WHERE `+dueWhere, now, now).Scan(&total); err != nil {
			return err
		}
		q := `SELECT ` + notificationColumns + ` FROM notifications n LEFT JOIN deliveries d ON d.notification_id = n.id
			WHERE ` + dueWhere + ` ORDER BY n.id`
		args := []any{now, now}
		if limit > 0 {
			q += ` LIMIT ?`
			args = append(args, limit)
		}
		var err error
		out, err = t.notifications(q, args...)
		return err
	})
	return out, total, err
}

// ClaimNotifications claims up to n due notifications for the run claim,
// oldest first, each counted as an attempt and given its Message-ID.
func (d *DB) ClaimNotifications(ctx context.Context, claim string, n int) ([]store.Notification, error) {
	var out []store.Notification
	err := d.write(ctx, func(t *tx) error {
		if err := t.requireRole("send the notifications", sendRoles...); err != nil {
			return err
		}
		now := fmtTime(t.now)
		due, err := t.notifications(`SELECT `+notificationColumns+` FROM notifications n LEFT JOIN deliveries d ON d.notification_id = n.id
			WHERE `+dueWhere+` ORDER BY n.id LIMIT ?`, now, now, n)
		if err != nil {
			return err
		}
		if len(due) == 0 {
			out = due
			return nil
		}
		var tenant, created string
		if err := t.QueryRowContext(t.ctx, `SELECT name, created_at FROM tenant`).Scan(&tenant, &created); err != nil {
			return err
		}
		until := fmtTime(t.now.Add(claimLease))
		for i := range due {
			if due[i].MessageID == "" {
				due[i].MessageID = messageID(tenant, created, due[i])
			}
			due[i].Attempts++
			if _, err := t.ExecContext(t.ctx, `INSERT INTO deliveries (notification_id, attempts, message_id, claim, claimed_until) VALUES (?, 1, ?, ?, ?)
				ON CONFLICT (notification_id) DO UPDATE SET attempts = deliveries.attempts + 1, claim = excluded.claim, claimed_until = excluded.claimed_until`,
				due[i].ID, due[i].MessageID, claim, until); err != nil {
				return err
			}
		}
		out = due
		return nil
	})
	return out, err
}

// messageID is a notification's Message-ID: the same on every attempt and
// in every copy of the tenant, and unlike any other tenant's.
func messageID(tenant, created string, n store.Notification) string {
	sum := sha256.Sum256([]byte(fmt.Sprintf("%s\x00%s\x00%d\x00%s", tenant, created, n.ID, fmtTime(n.CreatedAt))))
	return fmt.Sprintf("<%d.%s@commercectl.invalid>", n.ID, hex.EncodeToString(sum[:])[:16])
}

// retryAfter is the backoff after the attempts-th attempt failed for now.
func retryAfter(attempts int) time.Duration {
	wait := retryFirst
	for i := 1; i < attempts && wait < retryMost; i++ {
		wait *= 2
	}
	return min(wait, retryMost)
}

// FinishDelivery records how one attempt ended. A run whose claim lapsed
// and passed to another run records nothing: the other run decides.
func (d *DB) FinishDelivery(ctx context.Context, claim string, id int64, o store.DeliveryOutcome) error {
	return d.write(ctx, func(t *tx) error {
		if err := t.requireRole("send the notifications", sendRoles...); err != nil {
			return err
		}
		now := fmtTime(t.now)
		msg := strings.TrimSpace(o.Error)
		var err error
		switch {
		case o.Sent:
			_, err = t.ExecContext(t.ctx, `UPDATE deliveries SET status = 'sent', sent_at = ?, next_attempt_at = NULL, claim = '', claimed_until = NULL
				WHERE notification_id = ? AND claim = ?`, now, id, claim)
		case o.Temporary:
			var attempts int
			if err := t.QueryRowContext(t.ctx, `SELECT attempts FROM deliveries WHERE notification_id = ?`, id).Scan(&attempts); err != nil {
				return err
			}
			_, err = t.ExecContext(t.ctx, `UPDATE deliveries SET last_error = ?, next_attempt_at = ?, claim = '', claimed_until = NULL
				WHERE notification_id = ? AND claim = ?`, msg, fmtTime(t.now.Add(retryAfter(attempts))), id, claim)
		default:
			_, err = t.ExecContext(t.ctx, `UPDATE deliveries SET status = 'failed', last_error = ?, next_attempt_at = NULL, claim = '', claimed_until = NULL
				WHERE notification_id = ? AND claim = ?`, msg, id, claim)
		}
		return err
	})
}

// EndSendRun gives back what the run claimed and never tried (it is due
// again at once, that attempt not counted), and audits the run.
func (d *DB) EndSendRun(ctx context.Context, claim string, s store.SendSummary) error {
	return d.write(ctx, func(t *tx) error {
		if err := t.requireRole("send the notifications", sendRoles...); err != nil {
			return err
		}
		if _, err := t.ExecContext(t.ctx, `UPDATE deliveries SET attempts = attempts - 1, claim = '', claimed_until = NULL WHERE claim = ?`, claim); err != nil {
			return err
		}
		if s.Sent+s.Pending+s.Failed == 0 {
			return nil // nothing was tried: nothing to audit
		}
		return t.audit("send-notifications", "outbox", nil, s)
	})
}
