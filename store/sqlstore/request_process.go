package sqlstore

import (
	"context"
	"net/url"
	"strings"
	"unicode"

	"github.com/commercectl/commercectl/store"
)

// maxRetentionDays is what the newest Microsoft service keeps: 12 months.
const maxRetentionDays = 365

// ValidateLink accepts only an absolute https URL with a host: the link is
// shown to everyone who tries to send a request.
func ValidateLink(s string) error {
	bad := store.Errorf(store.EINVALID, "the link %s is not an absolute https URL", store.QuoteShort(s)).
		WithHint("give it as https://intranet.contoso.com/licenses")
	if len(s) > 2048 || strings.IndexFunc(s, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) >= 0 {
		return bad
	}
	u, err := url.Parse(s)
	if err != nil || u.Scheme != "https" || u.Hostname() == "" || u.User != nil || u.Opaque != "" {
		return bad
	}
	return nil
}

// SetRequestProcess turns the tenant's own request process on (a message and
// optionally a link) or off, and sets how long requests are kept.
func (d *DB) SetRequestProcess(ctx context.Context, u store.RequestProcessUpdate) (*store.RequestProcess, error) {
	var after *store.RequestProcess
	err := d.write(ctx, func(t *tx) error {
		if err := t.requireRole("set the request process", requestDeciders...); err != nil {
			return err
		}
		// Under the retention in force: a longer one brings nothing back.
		if err := t.purgeExpired(); err != nil {
			return err
		}
		before, err := t.process()
		if err != nil {
			return err
		}
		next := *before
		if u.Off {
			if u.Message != nil || u.Link != nil {
				return store.Errorf(store.EINVALID, "--off takes no message or link")
			}
			next.On, next.Since = false, nil
		}
		if u.Message != nil {
			m := strings.TrimSpace(*u.Message)
			if m == "" {
				return store.Errorf(store.EINVALID, "the message may not be empty: it tells people how to ask for licenses")
			}
			if err := checkMessage(m); err != nil {
				return err
			}
			next.Message = m
			if !next.On {
				// Turned on afresh: an old link is not carried over unasked.
				next.On, next.Since, next.Link = true, &t.now, ""
			}
		}
		if u.Link != nil {
			l := strings.TrimSpace(*u.Link)
			if l != "" {
				if err := ValidateLink(l); err != nil {
					return err
				}
			}
			if u.Message == nil && !before.On {
				return store.Errorf(store.EINVALID, "a link goes with a message: --message TEXT --link URL")
			}
			next.Link = l
		}
		if u.RetentionDays != nil {
			if *u.RetentionDays < 1 || *u.RetentionDays > maxRetentionDays {
				return store.Errorf(store.EINVALID, "--retention-days must be between 1 and %d, not %d", maxRetentionDays, *u.RetentionDays)
			}
			next.RetentionDays = *u.RetentionDays
		}
		var since any
		if next.Since != nil {
			since = fmtTime(*next.Since)
		}
		if _, err := t.ExecContext(t.ctx, `UPDATE tenant SET request_process_on = ?, request_process_message = ?, request_process_link = ?,
			request_process_since = ?, request_retention_days = ? WHERE id = 1`,
			boolInt(next.On), next.Message, next.Link, since, next.RetentionDays); err != nil {
			return err
		}
		if after, err = t.process(); err != nil {
			return err
		}
		if after.On == before.On && after.Message == before.Message && after.Link == before.Link &&
			after.RetentionDays == before.RetentionDays {
			return nil
		}
		return t.audit("set-request-process", "tenant", before, after)
	})
	return after, err
}

// GetRequestProcess shows the request process and retention.
func (d *DB) GetRequestProcess(ctx context.Context) (*store.RequestProcess, error) {
	var p *store.RequestProcess
	err := d.read(ctx, func(t *tx) error {
		if err := t.requireIdentity(); err != nil {
			return err
		}
		var err error
		p, err = t.process()
		return err
	})
	return p, err
}

// ListNotifications lists the outbox, oldest first. Readers see every
// message; anyone else sees their own.
func (d *DB) ListNotifications(ctx context.Context, f store.NotificationFilter) ([]store.Notification, error) {
	out := []store.Notification{}
	err := d.read(ctx, func(t *tx) error {
		if err := t.requireIdentity(); err != nil {
			return err
		}
		q := `SELECT ` + notificationColumns + ` FROM notifications n LEFT JOIN deliveries d ON d.notification_id = n.id WHERE 1 = 1`
		var args []any
		to := f.To
		if !t.actor.HasAnyRole(requestReaders...) {
			if to != "" && !strings.EqualFold(to, t.actor.UPN) {
				return store.Errorf(store.EFORBIDDEN, "%s may read only their own notifications", t.actor.UPN)
			}
			to = t.actor.UPN
		}
		if to != "" {
			q += ` AND lower(n.to_upn) = lower(?)`
			args = append(args, strings.TrimSpace(to))
		}
		if !f.Since.IsZero() {
			q += ` AND n.created_at >= ?`
			args = append(args, fmtTime(f.Since))
		}
		if f.Status != "" {
			q += ` AND coalesce(d.status, 'pending') = ?`
			args = append(args, f.Status)
		}
		ns, err := t.notifications(q+` ORDER BY n.id`, args...)
		out = ns
		return err
	})
	return out, err
}
