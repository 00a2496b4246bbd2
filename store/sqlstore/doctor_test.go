package sqlstore_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/commercectl/commercectl/store"
)

func TestDoctorFindsNothingOnACleanTenant(t *testing.T) {
	d, _ := newTenant(t, true)
	problems, err := d.Doctor(as(admin))
	if err != nil {
		t.Fatal(err)
	}
	if len(problems) != 0 {
		t.Fatalf("a demo tenant has problems: %+v", problems)
	}
}

// Each invariant, broken behind the store's back, is reported.
func TestDoctorReportsEachBrokenInvariant(t *testing.T) {
	for _, tc := range []struct {
		check, sql string
	}{
		{"license of another product than its subscription", `UPDATE licenses SET product_id = 'CFQ7TTC0HD32' WHERE id = (SELECT min(id) FROM licenses WHERE subscription_id = 'SUB-00001')`},
		{"licenses on a canceled subscription", `UPDATE subscriptions SET canceled_at = '2026-11-20T09:00:00Z' WHERE id = 'SUB-00005'`},
		{"request status and decisions disagree", `UPDATE requests SET status = 'Approved', decided_at = '2026-11-20T09:00:00Z' WHERE id = 1`},
		{"decided request without a decision date", `UPDATE requests SET status = 'Denied' WHERE id = 1; UPDATE request_users SET decision = 'denied' WHERE request_id = 1`},
		{"request without users", `DELETE FROM request_users WHERE request_id = 1`},
		{"tenant without a GlobalAdmin", `DELETE FROM user_roles WHERE role = 'GlobalAdmin'`},
		{"foreign keys", `PRAGMA foreign_keys = OFF; DELETE FROM users WHERE upn = 'alex.wilber@contoso.com'`},
		// Changes after init whose audit entries are gone.
		{"user without its audit entry", `UPDATE users SET created_at = '2026-11-22T09:00:00Z' WHERE upn = 'alex.wilber@contoso.com'`},
		{"subscription without its audit entry", `UPDATE subscriptions SET created_at = '2026-11-22T09:00:00Z' WHERE id = 'SUB-00005'`},
		{"license without its audit entry", `UPDATE licenses SET assigned_at = '2026-11-22T09:00:00Z' WHERE id = (SELECT min(id) FROM licenses)`},
		{"request without its audit entry", `UPDATE requests SET requested_at = '2026-11-22T09:00:00Z' WHERE id = 1`},
	} {
		t.Run(tc.check, func(t *testing.T) {
			if onPostgres && strings.HasPrefix(tc.sql, "PRAGMA") {
				t.Skip("a server enforces foreign keys: they cannot be broken behind its back")
			}
			d, path := newTenant(t, true)
			db := rawDB(t, path)
			conn, err := db.Conn(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			for _, q := range strings.Split(tc.sql, "; ") {
				if _, err := conn.ExecContext(t.Context(), q); err != nil {
					t.Fatalf("%s: %v", q, err)
				}
			}
			conn.Close()
			// doctor reads as GlobalReader when the GlobalAdmin is gone.
			reader := admin
			if strings.Contains(tc.sql, "GlobalAdmin") {
				addUserRaw(t, path)
				reader = "reader@contoso.com"
			}
			problems, err := d.Doctor(as(reader))
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range problems {
				if p.Check == tc.check {
					return
				}
			}
			t.Fatalf("doctor found %+v, none of them %q", problems, tc.check)
		})
	}
}

func addUserRaw(t *testing.T, path string) {
	t.Helper()
	db := rawDB(t, path)
	if _, err := db.Exec(`INSERT INTO users (upn, upn_key, created_at) VALUES ('reader@contoso.com', 'reader@contoso.com', '2026-11-21T09:00:00Z')`); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`INSERT INTO user_roles (user_id, role) SELECT id, 'GlobalReader' FROM users WHERE upn_key = 'reader@contoso.com'`); err != nil {
		t.Fatal(err)
	}
}

func TestDoctorIsForAdminsAndReaders(t *testing.T) {
	d, _ := newTenant(t, true)
	_, err := d.Doctor(as("alex.wilber@contoso.com"))
	wantCode(t, err, store.EFORBIDDEN)
}

// Changes made after init, each at its own time, carry their audit entries:
// the audit checks find nothing on a tenant the store alone has changed.
func TestDoctorAuditChecksAfterLaterChanges(t *testing.T) {
	d, _ := newTenant(t, true)
	at := func(upn string, h int) context.Context {
		return store.WithNow(store.WithActor(context.Background(), upn), now.Add(time.Duration(h)*time.Hour))
	}
	if _, err := d.AddUser(at(admin, 1), store.NewUser{UPN: "new.hire@contoso.com", DisplayName: "New Hire"}); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Purchase(at("new.hire@contoso.com", 2), visioPlan1, 2); err != nil {
		t.Fatal(err)
	}
	if _, err := d.NewRequest(at("new.hire@contoso.com", 3), powerBIPremium, nil); err != nil {
		t.Fatal(err)
	}
	problems, err := d.Doctor(as(admin))
	if err != nil {
		t.Fatal(err)
	}
	if len(problems) != 0 {
		t.Fatalf("changes made through the store: %+v", problems)
	}
}
