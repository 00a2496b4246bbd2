package sqlstore_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/commercectl/commercectl/store"
	"github.com/commercectl/commercectl/store/sqlstore"
)

// The people of a request, besides the staff of tenantWithStaff.
const (
	rqAda   = "ada@contoso.com"
	rqAlan  = "alan@contoso.com"
	rqGrace = "grace@contoso.com"
)

// requestTenant is a tenant with staff and three more people in which
// Power BI Premium and Power BI Pro may not be bought, only asked for.
func requestTenant(t *testing.T) (*sqlstore.DB, string) {
	t.Helper()
	d, path := tenantWithStaff(t)
	for _, u := range []string{rqAda, rqAlan, rqGrace} {
		addUser(t, d, u)
	}
	setValue(t, d, store.ValueDisabled, powerBIPremium, powerBIPro)
	return d, path
}

func newRequest(t *testing.T, d *sqlstore.DB, ctx context.Context, productID string, forUPNs ...string) *store.Request {
	t.Helper()
	r, err := d.NewRequest(ctx, productID, forUPNs)
	if err != nil {
		t.Fatalf("NewRequest(%s, %v): %v", productID, forUPNs, err)
	}
	return r
}

func approveRequest(t *testing.T, d *sqlstore.DB, ctx context.Context, a store.Approval) *store.Request {
	t.Helper()
	r, err := d.ApproveRequest(ctx, a)
	if err != nil {
		t.Fatalf("ApproveRequest(%+v): %v", a, err)
	}
	return r
}

func getRequest(t *testing.T, d *sqlstore.DB, ctx context.Context, id int64) *store.Request {
	t.Helper()
	r, err := d.GetRequest(ctx, id)
	if err != nil {
		t.Fatalf("GetRequest(%d): %v", id, err)
	}
	return r
}

// decisions renders the users of a request as "upn decision".
func decisions(r *store.Request) []string {
	out := make([]string, len(r.Users))
	for i, u := range r.Users {
		out[i] = u.UPN + " " + u.Decision
	}
	return out
}

func wantDecisions(t *testing.T, r *store.Request, want ...string) {
	t.Helper()
	if got := decisions(r); !slices.Equal(got, want) {
		t.Errorf("request %d users:\n%q\nwant\n%q", r.ID, got, want)
	}
}

// listIDs lists the ids list-requests shows as ctx, with the process it returns.
func listIDs(t *testing.T, d *sqlstore.DB, ctx context.Context, status string) ([]int64, *store.RequestProcess) {
	t.Helper()
	reqs, proc, err := d.ListRequests(ctx, store.RequestFilter{Status: status})
	if err != nil {
		t.Fatalf("ListRequests(%s): %v", status, err)
	}
	ids := []int64{}
	for _, r := range reqs {
		ids = append(ids, r.ID)
	}
	return ids, proc
}

func wantListed(t *testing.T, d *sqlstore.DB, ctx context.Context, status string, want ...int64) {
	t.Helper()
	if want == nil {
		want = []int64{}
	}
	if got, _ := listIDs(t, d, ctx, status); !slices.Equal(got, want) {
		t.Errorf("list-requests --status %s: %v, want %v", status, got, want)
	}
}

// outbox lists the notifications as "to kind", in the order they were written.
func outbox(t *testing.T, path string) []string {
	t.Helper()
	rows, err := rawq(t, path).Query(`SELECT to_upn || ' ' || kind FROM notifications ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := []string{}
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	return out
}

// A request goes Pending → Approved, PartiallyApproved or Denied, with a
// decision per user; a decided request is never decided again.
func TestRequestStatusTransitions(t *testing.T) {
	d, path := requestTenant(t)
	addSub(t, d, powerBIPremium, 10, 12)

	r := newRequest(t, d, as(member), powerBIPremium, rqAda, " "+strings.ToUpper(rqAlan)+" ")
	if r.Status != store.RequestPending || r.Requester != member || r.ProductID != powerBIPremium ||
		r.ProductName != "Power BI Premium" || !r.RequestedAt.Equal(now) || r.DecidedAt != nil || r.DecidedBy != "" {
		t.Errorf("new request %+v", r)
	}
	// The requester first, then the colleagues in the order named, as the tenant spells them.
	wantDecisions(t, r, member+" pending", rqAda+" pending", rqAlan+" pending")
	wantListed(t, d, as(admin), "pending", r.ID)
	wantListed(t, d, as(admin), "completed")

	// Partly approved: the excluded user is notAssigned.
	later := now.Add(time.Hour)
	got := approveRequest(t, d, asAt(admin, later), store.Approval{RequestID: r.ID, Exclude: []string{strings.ToUpper(rqAlan)}, Message: "Alan has Pro"})
	if got.Status != store.RequestPartiallyApproved || got.DecidedAt == nil || !got.DecidedAt.Equal(later) ||
		got.DecidedBy != admin || got.Message != "Alan has Pro" || got.AssignedProductID != "" {
		t.Errorf("partly approved request %+v", got)
	}
	wantDecisions(t, got, member+" approved", rqAda+" approved", rqAlan+" notAssigned")
	if stored := getRequest(t, d, as(admin), r.ID); !slices.Equal(decisions(stored), decisions(got)) || stored.Status != got.Status {
		t.Errorf("get-request %+v differs from what approve returned %+v", stored, got)
	}
	wantHoldings(t, path, powerBIPremium, member+" SUB-00001", rqAda+" SUB-00001")

	// Decided: neither approved nor denied again, and nothing changes.
	before := snapshot(t, path)
	_, err := d.ApproveRequest(as(admin), store.Approval{RequestID: r.ID})
	wantCode(t, err, store.ECONFLICT)
	if !strings.Contains(err.Error(), "already PartiallyApproved") {
		t.Errorf("error %q does not say the request is decided", err)
	}
	_, err = d.DenyRequest(as(admin), r.ID, "")
	wantCode(t, err, store.ECONFLICT)
	unchanged(t, path, before)

	// Approved: everyone.
	r2 := newRequest(t, d, as(rqAlan), powerBIPremium, rqGrace)
	got = approveRequest(t, d, as(admin), store.Approval{RequestID: r2.ID})
	if got.Status != store.RequestApproved {
		t.Errorf("request %d is %s, want Approved", got.ID, got.Status)
	}
	wantDecisions(t, got, rqAlan+" approved", rqGrace+" approved")

	// Denied: everyone denied, no license.
	r3 := newRequest(t, d, as(rqAda), powerBIPro, rqGrace)
	denied, err := d.DenyRequest(as(admin), r3.ID, "Not this quarter")
	if err != nil {
		t.Fatal(err)
	}
	if denied.Status != store.RequestDenied || denied.Message != "Not this quarter" || denied.DecidedBy != admin || denied.DecidedAt == nil {
		t.Errorf("denied request %+v", denied)
	}
	wantDecisions(t, denied, rqAda+" denied", rqGrace+" denied")
	wantHoldings(t, path, powerBIPro)
	before = snapshot(t, path)
	for name, decide := range map[string]func() error{
		"approve": func() error { _, err := d.ApproveRequest(as(admin), store.Approval{RequestID: r3.ID}); return err },
		"deny":    func() error { _, err := d.DenyRequest(as(admin), r3.ID, "again"); return err },
	} {
		err := decide()
		wantCode(t, err, store.ECONFLICT)
		if !strings.Contains(err.Error(), "already Denied") {
			t.Errorf("%s a denied request: %q", name, err)
		}
	}
	unchanged(t, path, before)

	// The lists follow the status; newest first.
	wantListed(t, d, as(admin), "pending")
	wantListed(t, d, as(admin), "completed", r3.ID, r2.ID, r.ID)
	wantListed(t, d, as(admin), "all", r3.ID, r2.ID, r.ID)
	_, _, err = d.ListRequests(as(admin), store.RequestFilter{Status: "decided"})
	wantCode(t, err, store.EINVALID)
}

// Every refusal is one error with its code, and the tenant is unchanged.
func TestRequestRefusalsChangeNothing(t *testing.T) {
	d, path := requestTenant(t)
	addSub(t, d, powerBIPremium, 10, 12)
	r := newRequest(t, d, as(member), powerBIPremium, rqAda)
	long := strings.Repeat("é", store.MaxMessageLength+1)

	for _, tc := range []struct {
		name string
		code string
		do   func() error
	}{
		{"new: product people may buy", store.ECONFLICT, func() error { _, err := d.NewRequest(as(rqAda), visioPlan2, nil); return err }},
		{"new: unknown product", store.ENOTFOUND, func() error { _, err := d.NewRequest(as(rqAda), "CFQ7TTC0XXXX", nil); return err }},
		{"new: unknown colleague", store.ENOTFOUND, func() error {
			_, err := d.NewRequest(as(rqAda), powerBIPro, []string{rqAlan, "nobody@contoso.com"})
			return err
		}},
		{"new: the requester in --for", store.EINVALID, func() error {
			_, err := d.NewRequest(as(rqAda), powerBIPro, []string{strings.ToUpper(rqAda)})
			return err
		}},
		{"new: a colleague twice", store.EINVALID, func() error {
			_, err := d.NewRequest(as(rqAda), powerBIPro, []string{rqAlan, " " + rqAlan})
			return err
		}},
		{"new: asked already", store.ECONFLICT, func() error { _, err := d.NewRequest(as(member), powerBIPremium, nil); return err }},
		{"new: nobody", store.EFORBIDDEN, func() error { _, err := d.NewRequest(nobody(), powerBIPro, nil); return err }},
		{"approve: unknown request", store.ENOTFOUND, func() error {
			_, err := d.ApproveRequest(as(admin), store.Approval{RequestID: r.ID + 100})
			return err
		}},
		{"approve: exclude someone not in the request", store.EINVALID, func() error {
			_, err := d.ApproveRequest(as(admin), store.Approval{RequestID: r.ID, Exclude: []string{rqGrace}})
			return err
		}},
		{"approve: exclude an unknown user", store.ENOTFOUND, func() error {
			_, err := d.ApproveRequest(as(admin), store.Approval{RequestID: r.ID, Exclude: []string{"nobody@contoso.com"}})
			return err
		}},
		{"approve: exclude everyone", store.EINVALID, func() error {
			_, err := d.ApproveRequest(as(admin), store.Approval{RequestID: r.ID, Exclude: []string{member, rqAda}})
			return err
		}},
		{"approve: unknown product", store.ENOTFOUND, func() error {
			_, err := d.ApproveRequest(as(admin), store.Approval{RequestID: r.ID, ProductID: "CFQ7TTC0XXXX"})
			return err
		}},
		{"approve: unknown plan", store.EINVALID, func() error {
			_, err := d.ApproveRequest(as(admin), store.Approval{RequestID: r.ID, DisabledPlans: []string{"PROJECT_P1"}})
			return err
		}},
		{"approve: message too long", store.EINVALID, func() error {
			_, err := d.ApproveRequest(as(admin), store.Approval{RequestID: r.ID, Message: long})
			return err
		}},
		{"deny: message too long", store.EINVALID, func() error { _, err := d.DenyRequest(as(admin), r.ID, long); return err }},
		{"deny: unknown request", store.ENOTFOUND, func() error { _, err := d.DenyRequest(as(admin), r.ID+100, ""); return err }},
		{"approve: BillingAdmin", store.EFORBIDDEN, func() error {
			_, err := d.ApproveRequest(as(billing), store.Approval{RequestID: r.ID})
			return err
		}},
		{"approve: LicenseAdmin", store.EFORBIDDEN, func() error {
			_, err := d.ApproveRequest(as(licAdm), store.Approval{RequestID: r.ID})
			return err
		}},
		{"approve: GlobalReader", store.EFORBIDDEN, func() error {
			_, err := d.ApproveRequest(as(reader), store.Approval{RequestID: r.ID})
			return err
		}},
		{"approve: the requester", store.EFORBIDDEN, func() error {
			_, err := d.ApproveRequest(as(member), store.Approval{RequestID: r.ID})
			return err
		}},
		{"deny: GlobalReader", store.EFORBIDDEN, func() error { _, err := d.DenyRequest(as(reader), r.ID, ""); return err }},
		{"list: a member", store.EFORBIDDEN, func() error {
			_, _, err := d.ListRequests(as(member), store.RequestFilter{})
			return err
		}},
		{"get: a member", store.EFORBIDDEN, func() error { _, err := d.GetRequest(as(member), r.ID); return err }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := snapshot(t, path)
			err := tc.do()
			wantCode(t, err, tc.code)
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error on more than one line: %q", err)
			}
			unchanged(t, path, before)
		})
	}

	// A message of exactly 1,000 characters is fine.
	ok := strings.Repeat("é", store.MaxMessageLength)
	if _, err := d.ApproveRequest(store.WithDryRun(as(admin)), store.Approval{RequestID: r.ID, Message: ok}); err != nil {
		t.Errorf("a message of %d characters: %v", store.MaxMessageLength, err)
	}
	// Readers read requests.
	for _, who := range []string{billing, reader} {
		if _, err := d.GetRequest(as(who), r.ID); err != nil {
			t.Errorf("GetRequest as %s: %v", who, err)
		}
	}
}

// Requests are kept RetentionDays after they are made, counted from the
// "now" of the context (COMMERCECTL_NOW), not from the wall clock.
func TestRequestRetention(t *testing.T) {
	d, path := requestTenant(t)
	addSub(t, d, powerBIPremium, 10, 12)
	made := now.AddDate(0, 0, -10)
	r := newRequest(t, d, asAt(member, made), powerBIPremium, rqAda)
	if !r.RequestedAt.Equal(made) {
		t.Fatalf("requested at %s, want the context's now %s", r.RequestedAt, made)
	}

	lastDay := made.AddDate(0, 0, 30)
	gone := lastDay.Add(time.Second)
	wantListed(t, d, asAt(admin, lastDay), "all", r.ID)
	getRequest(t, d, asAt(admin, lastDay), r.ID)
	wantListed(t, d, asAt(admin, gone), "all")
	wantListed(t, d, asAt(admin, gone), "pending")

	before := snapshot(t, path)
	_, err := d.GetRequest(asAt(admin, gone), r.ID)
	wantCode(t, err, store.ENOTFOUND)
	if !strings.Contains(err.Error(), "kept 30 days") {
		t.Errorf("error %q does not give the retention", err)
	}
	_, err = d.ApproveRequest(asAt(admin, gone), store.Approval{RequestID: r.ID})
	wantCode(t, err, store.ENOTFOUND)
	_, err = d.DenyRequest(asAt(admin, gone), r.ID, "")
	wantCode(t, err, store.ENOTFOUND)
	unchanged(t, path, before)

	// An expired pending request no longer stops the requester from asking again.
	again := newRequest(t, d, asAt(member, gone), powerBIPremium)
	wantListed(t, d, asAt(admin, gone), "all", again.ID)

	// Setting the process purges what has expired, under the retention in
	// force, as one audited entry: a longer retention brings nothing back
	// (issue 14), and the purged number is not given again.
	days := 90
	if _, err := d.SetRequestProcess(asAt(admin, gone), store.RequestProcessUpdate{RetentionDays: &days}); err != nil {
		t.Fatal(err)
	}
	wantListed(t, d, asAt(admin, gone), "all", again.ID)
	if n := count(t, path, `SELECT count(*) FROM requests WHERE id = ?`, r.ID); n != 0 {
		t.Errorf("request %d was hidden, not deleted", r.ID)
	}
	if n := count(t, path, `SELECT count(*) FROM request_users WHERE request_id = ?`, r.ID); n != 0 {
		t.Errorf("request %d left %d users behind", r.ID, n)
	}
	var purges []store.AuditEntry
	for _, e := range auditLog(t, d) {
		if e.Action == "purge-requests" {
			purges = append(purges, e)
		}
	}
	if len(purges) != 1 || purges[0].Actor != admin || !strings.Contains(fmt.Sprintf("%s", purges[0].After), `"purged":1`) {
		t.Errorf("purge audit entries: %+v", purges)
	}
	wantListed(t, d, asAt(admin, made.AddDate(0, 0, 90)), "all", again.ID)
	next := newRequest(t, d, asAt(rqAda, gone), powerBIPremium)
	if next.ID <= again.ID || next.ID == r.ID {
		t.Errorf("after the purge a new request is %d (purged %d, kept %d)", next.ID, r.ID, again.ID)
	}

	// Out of range, nothing changes.
	before = snapshot(t, path)
	for _, n := range []int{0, -1, 366} {
		_, err := d.SetRequestProcess(as(admin), store.RequestProcessUpdate{RetentionDays: &n})
		wantCode(t, err, store.EINVALID)
	}
	unchanged(t, path, before)
	year := 365
	p, err := d.SetRequestProcess(as(admin), store.RequestProcessUpdate{RetentionDays: &year})
	if err != nil || p.RetentionDays != 365 || p.On {
		t.Errorf("12 months: %+v, %v", p, err)
	}
}

// insertRequestAt writes a request the way none of the verbs can while the
// own process is on: made after it was turned on.
func insertRequestAt(t *testing.T, path, productID, requester string, at time.Time) int64 {
	t.Helper()
	db := rawDB(t, path)
	var id int64
	if err := db.QueryRow(sqlstore.RebindFor(path, `INSERT INTO requests (id, product_id, requester_id, requested_at)
		SELECT (SELECT coalesce(max(id), 0) + 1 FROM requests), ?, id, ? FROM users WHERE upn_key = ? RETURNING id`),
		productID, at.UTC().Format(time.RFC3339), requester).Scan(&id); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(sqlstore.RebindFor(path, `INSERT INTO request_users (request_id, user_id) SELECT ?, id FROM users WHERE upn_key = ?`), id, requester); err != nil {
		t.Fatal(err)
	}
	return id
}

// While the own process is on no request can be made, the list shows only
// the requests made before it was turned on that are still pending, and
// those can still be decided.
func TestOwnRequestProcess(t *testing.T) {
	d, path := requestTenant(t)
	addSub(t, d, powerBIPremium, 10, 12)
	older := newRequest(t, d, asAt(member, now.AddDate(0, 0, -2)), powerBIPremium, rqAda)
	decided := newRequest(t, d, asAt(rqAlan, now.AddDate(0, 0, -2)), powerBIPro)
	if _, err := d.DenyRequest(asAt(admin, now.AddDate(0, 0, -1)), decided.ID, ""); err != nil {
		t.Fatal(err)
	}
	if p, err := d.GetRequestProcess(as(member)); err != nil || p.On || p.RetentionDays != 30 || p.Since != nil {
		t.Fatalf("the process before: %+v, %v", p, err)
	}

	msg, link := "  Ask the service desk  ", "https://servicedesk.contoso.com/licenses"
	p, err := d.SetRequestProcess(as(admin), store.RequestProcessUpdate{Message: &msg, Link: &link})
	if err != nil {
		t.Fatal(err)
	}
	if !p.On || p.Message != "Ask the service desk" || p.Link != link || p.Since == nil || !p.Since.Equal(now) {
		t.Errorf("the process on: %+v", p)
	}
	if got, err := d.GetRequestProcess(as(rqGrace)); err != nil || *got.Since != *p.Since || got.Message != p.Message {
		t.Errorf("a member reads the process: %+v, %v", got, err)
	}

	// No new request: the tenant's message and link instead, nothing written.
	later := asAt(rqGrace, now.Add(time.Hour))
	before := snapshot(t, path)
	_, err = d.NewRequest(later, powerBIPremium, nil)
	wantCode(t, err, store.ECONFLICT)
	if !strings.Contains(err.Error(), "Ask the service desk") || !strings.Contains(store.ErrorHint(err), link) {
		t.Errorf("refusal %q (hint %q) lacks the message and link", err, store.ErrorHint(err))
	}
	unchanged(t, path, before)

	// One that got in after the process was turned on is not listed, nor
	// are the completed ones; the older pending one is, in every filter.
	newer := insertRequestAt(t, path, powerBIPremium, rqGrace, now.Add(time.Minute))
	at := asAt(admin, now.Add(time.Hour))
	ids, proc := listIDs(t, d, at, "pending")
	if !slices.Equal(ids, []int64{older.ID}) || proc == nil || !proc.On || proc.Message != "Ask the service desk" {
		t.Errorf("pending while on: %v (process %+v), want only %d", ids, proc, older.ID)
	}
	wantListed(t, d, at, "all", older.ID)
	wantListed(t, d, at, "completed")
	if store.OwnProcessBanner != "You're using your own license request process" {
		t.Errorf("banner %q", store.OwnProcessBanner)
	}

	// Older ones stay until handled.
	approveRequest(t, d, at, store.Approval{RequestID: older.ID})
	wantListed(t, d, at, "pending")
	wantListed(t, d, at, "all")

	// Only the link changes while on; Since stays.
	other := "https://intranet.contoso.com/how-to-ask"
	if p, err = d.SetRequestProcess(at, store.RequestProcessUpdate{Link: &other}); err != nil || p.Link != other || !p.Since.Equal(now) {
		t.Errorf("new link: %+v, %v", p, err)
	}

	// Off: everything kept shows again, and requests can be made.
	if p, err = d.SetRequestProcess(at, store.RequestProcessUpdate{Off: true}); err != nil || p.On || p.Since != nil {
		t.Fatalf("off: %+v, %v", p, err)
	}
	_, proc = listIDs(t, d, at, "all")
	if proc.On {
		t.Errorf("process still on: %+v", proc)
	}
	wantListed(t, d, at, "all", newer, decided.ID, older.ID)
	wantListed(t, d, at, "pending", newer)
	newRequest(t, d, asAt(rqAda, now.Add(2*time.Hour)), powerBIPro)

	// Turned on again: a request made before then that is pending is shown.
	if _, err := d.SetRequestProcess(asAt(admin, now.Add(3*time.Hour)), store.RequestProcessUpdate{Message: &msg}); err != nil {
		t.Fatal(err)
	}
	ids, _ = listIDs(t, d, asAt(admin, now.Add(4*time.Hour)), "pending")
	if len(ids) != 2 || !slices.Contains(ids, newer) {
		t.Errorf("pending after turning it on again: %v", ids)
	}

	// Bad settings change nothing.
	empty, httpLink, tooLong := "   ", "http://servicedesk.contoso.com", strings.Repeat("x", store.MaxMessageLength+1)
	before = snapshot(t, path)
	for name, tc := range map[string]struct {
		u    store.RequestProcessUpdate
		ctx  context.Context
		code string
	}{
		"empty message":      {store.RequestProcessUpdate{Message: &empty}, as(admin), store.EINVALID},
		"message too long":   {store.RequestProcessUpdate{Message: &tooLong}, as(admin), store.EINVALID},
		"http link":          {store.RequestProcessUpdate{Message: &msg, Link: &httpLink}, as(admin), store.EINVALID},
		"off with a message": {store.RequestProcessUpdate{Off: true, Message: &msg}, as(admin), store.EINVALID},
		"off with a link":    {store.RequestProcessUpdate{Off: true, Link: &link}, as(admin), store.EINVALID},
		"BillingAdmin":       {store.RequestProcessUpdate{Off: true}, as(billing), store.EFORBIDDEN},
		"member":             {store.RequestProcessUpdate{Message: &msg}, as(member), store.EFORBIDDEN},
	} {
		_, err := d.SetRequestProcess(tc.ctx, tc.u)
		if got := store.ErrorCode(err); got != tc.code {
			t.Errorf("%s: %v (code %q), want %q", name, err, got, tc.code)
		}
	}
	unchanged(t, path, before)

	// A link alone, while the process is off, is refused.
	if _, err := d.SetRequestProcess(as(admin), store.RequestProcessUpdate{Off: true}); err != nil {
		t.Fatal(err)
	}
	before = snapshot(t, path)
	_, err = d.SetRequestProcess(as(admin), store.RequestProcessUpdate{Link: &link})
	wantCode(t, err, store.EINVALID)
	unchanged(t, path, before)
}

// Not enough seats for everyone included: refused with the shortfall and the
// command that fixes it, and nothing at all is written.
func TestApproveShortfallWritesNothing(t *testing.T) {
	d, path := requestTenant(t)
	sub := addSub(t, d, powerBIPremium, 2, 12)
	r := newRequest(t, d, as(member), powerBIPremium, rqAda, rqAlan)
	counts := func() string {
		return fmt.Sprintf("licenses=%d decisions=%d notifications=%d audit=%d", count(t, path, `SELECT count(*) FROM licenses`),
			count(t, path, `SELECT count(*) FROM request_users WHERE decision IS NOT NULL`),
			count(t, path, `SELECT count(*) FROM notifications`), count(t, path, `SELECT count(*) FROM audit_log`))
	}
	before, beforeCounts := snapshot(t, path), counts()

	_, err := d.ApproveRequest(as(admin), store.Approval{RequestID: r.ID, Message: "all of you"})
	wantCode(t, err, store.ECONFLICT)
	if !strings.Contains(err.Error(), "3 needed, 2 available, 1 missing") {
		t.Errorf("error %q does not give the shortfall", err)
	}
	if hint := store.ErrorHint(err); !strings.Contains(hint, "buy-licenses --subscription "+sub.ID+" --total 3") {
		t.Errorf("hint %q does not name buy-licenses", hint)
	}
	if after := counts(); after != beforeCounts {
		t.Errorf("a refused approval wrote: %s → %s", beforeCounts, after)
	}
	unchanged(t, path, before)
	if got := getRequest(t, d, as(admin), r.ID); got.Status != store.RequestPending {
		t.Errorf("request is %s after a refused approval", got.Status)
	}

	// Another product without any central subscription: buy one.
	_, err = d.ApproveRequest(as(admin), store.Approval{RequestID: r.ID, ProductID: powerBIPro})
	wantCode(t, err, store.ECONFLICT)
	if hint := store.ErrorHint(err); !strings.Contains(hint, "add-subscription --product "+powerBIPro+" --quantity 3") {
		t.Errorf("hint %q does not name add-subscription", hint)
	}
	unchanged(t, path, before)

	// A self-service subscription of the product gives an approval no seat.
	setValue(t, d, store.ValueEnabled, powerBIPro)
	if _, err := d.Purchase(as(rqGrace), powerBIPro, 10); err != nil {
		t.Fatal(err)
	}
	before = snapshot(t, path)
	_, err = d.ApproveRequest(as(admin), store.Approval{RequestID: r.ID, ProductID: powerBIPro})
	wantCode(t, err, store.ECONFLICT)
	unchanged(t, path, before)

	// Leaving one out, the rest fit.
	got := approveRequest(t, d, as(admin), store.Approval{RequestID: r.ID, Exclude: []string{rqAlan}})
	if got.Status != store.RequestPartiallyApproved {
		t.Errorf("status %s", got.Status)
	}
}

// A user who already holds the product (from a self-service purchase, or
// the central pool) keeps that one license and takes no seat.
func TestApproveKeepsTheLicenseAUserHolds(t *testing.T) {
	d, path := requestTenant(t)
	setValue(t, d, store.ValueEnabled, powerBIPro)
	own, err := d.Purchase(as(rqAda), powerBIPro, 1)
	if err != nil {
		t.Fatal(err)
	}
	setValue(t, d, store.ValueDisabled, powerBIPro)
	central := addSub(t, d, powerBIPro, 2, 12)
	assign(t, d, as(admin), store.LicenseAssignment{ProductID: powerBIPro, UPNs: []string{rqAlan}})

	// One seat is left in the central pool, and two of the three hold the product.
	r := newRequest(t, d, as(member), powerBIPro, rqAda, rqAlan)
	got := approveRequest(t, d, as(admin), store.Approval{RequestID: r.ID, DisabledPlans: []string{"exchange_s_foundation"}})
	if got.Status != store.RequestApproved {
		t.Errorf("status %s", got.Status)
	}
	wantDecisions(t, got, member+" approved", rqAda+" approved", rqAlan+" approved")
	wantHoldings(t, path, powerBIPro, member+" "+central.ID, rqAda+" "+own.ID, rqAlan+" "+central.ID)
	if n := count(t, path, `SELECT count(*) FROM licenses l JOIN users u ON u.id = l.user_id WHERE u.upn_key = ?`, rqAda); n != 1 {
		t.Errorf("%s holds %d licenses, want the one bought", rqAda, n)
	}
	// The disabled plan goes with the new license only, spelled as the catalog does.
	if n := count(t, path, `SELECT count(*) FROM licenses WHERE disabled_plans = 'EXCHANGE_S_FOUNDATION'`); n != 1 {
		t.Errorf("%d licenses with EXCHANGE_S_FOUNDATION off, want 1 (the new one)", n)
	}
	if !slices.Equal(got.DisabledPlans, []string{"EXCHANGE_S_FOUNDATION"}) {
		t.Errorf("request disabled plans %q", got.DisabledPlans)
	}
}

// Another product than the one requested, apps turned off, a message: the
// request records them, and each user is told in the same transaction.
func TestApproveNotifiesEveryUser(t *testing.T) {
	d, path := requestTenant(t)
	addSub(t, d, powerBIPro, 5, 12)
	r := newRequest(t, d, as(member), powerBIPremium, rqAda, rqAlan)
	mailBefore := outbox(t, path)
	if !slices.Equal(mailBefore, []string{admin + " request-received"}) {
		t.Errorf("the admins are told of a new request: %q", mailBefore)
	}

	// A dry run returns the decision and writes nothing: no license, no mail.
	before := snapshot(t, path)
	dry, err := d.ApproveRequest(store.WithDryRun(as(admin)), store.Approval{RequestID: r.ID, Exclude: []string{rqAlan}, ProductID: "cfq7ttc0l3pb"})
	if err != nil {
		t.Fatal(err)
	}
	if dry.Status != store.RequestPartiallyApproved || dry.AssignedProductID != powerBIPro {
		t.Errorf("dry run returned %+v", dry)
	}
	if _, err := d.DenyRequest(store.WithDryRun(as(admin)), r.ID, "no"); err != nil {
		t.Fatal(err)
	}
	if _, err := d.NewRequest(store.WithDryRun(as(rqGrace)), powerBIPremium, nil); err != nil {
		t.Fatal(err)
	}
	unchanged(t, path, before)

	got := approveRequest(t, d, as(admin), store.Approval{RequestID: r.ID, Exclude: []string{rqAlan}, ProductID: "cfq7ttc0l3pb",
		DisabledPlans: []string{"BI_AZURE_P2"}, Message: "Pro is enough"})
	if got.AssignedProductID != powerBIPro || got.ProductID != powerBIPremium || got.Message != "Pro is enough" ||
		!slices.Equal(got.DisabledPlans, []string{"BI_AZURE_P2"}) {
		t.Errorf("approved request %+v", got)
	}
	wantHoldings(t, path, powerBIPro, member+" SUB-00001", rqAda+" SUB-00001")
	wantHoldings(t, path, powerBIPremium)

	mail, err := d.ListNotifications(as(admin), store.NotificationFilter{Since: now})
	if err != nil {
		t.Fatal(err)
	}
	var got3 []store.Notification
	for _, n := range mail {
		if n.Kind != "request-received" {
			got3 = append(got3, n)
		}
	}
	if len(got3) != 3 {
		t.Fatalf("notifications of the decision: %+v, want one per user", got3)
	}
	for i, want := range []struct{ to, body string }{
		{member, "You now have a license of Power BI Pro."},
		{rqAda, "You now have a license of Power BI Pro."},
		{rqAlan, "No license of Power BI Pro was assigned to you."},
	} {
		n := got3[i]
		if n.To != want.to || n.Kind != "request-partially-approved" || !strings.Contains(n.Subject, "Power BI Premium") ||
			!strings.Contains(n.Body, want.body) || !strings.Contains(n.Body, "Message from "+admin+": Pro is enough") ||
			!strings.Contains(n.Body, fmt.Sprintf("Request %d", r.ID)) || !n.CreatedAt.Equal(now) {
			t.Errorf("notification %d: %+v, want to %s saying %q and the message", i, n, want.to, want.body)
		}
	}

	// Each user reads their own; a member may not read another's.
	own, err := d.ListNotifications(as(rqAlan), store.NotificationFilter{})
	if err != nil || len(own) != 1 || own[0].To != rqAlan {
		t.Errorf("%s's notifications: %+v, %v", rqAlan, own, err)
	}
	_, err = d.ListNotifications(as(rqAlan), store.NotificationFilter{To: rqAda})
	wantCode(t, err, store.EFORBIDDEN)

	// The audit log has the decision.
	if !slices.ContainsFunc(auditLog(t, d), func(e store.AuditEntry) bool {
		return e.Action == "approve-request" && e.Target == fmt.Sprint(r.ID) && e.Actor == admin
	}) {
		t.Errorf("no approve-request audit entry for request %d", r.ID)
	}

	// A denial tells everyone, with the message.
	r2 := newRequest(t, d, as(rqGrace), powerBIPremium, rqAlan)
	n0 := count(t, path, `SELECT count(*) FROM notifications`)
	if _, err := d.DenyRequest(as(admin), r2.ID, "Budget"); err != nil {
		t.Fatal(err)
	}
	if n := count(t, path, `SELECT count(*) FROM notifications WHERE kind = 'request-denied' AND body LIKE '%Budget%'`); n != 2 {
		t.Errorf("%d denial notifications with the message, want 2", n)
	}
	if n := count(t, path, `SELECT count(*) FROM notifications`); n != n0+2 {
		t.Errorf("%d notifications written by the denial, want 2", n-n0)
	}
}

// A request naming 5,000 users on a tenant of 100,000 is approved in one call.
func TestApproveLargeRequest(t *testing.T) {
	if testing.Short() {
		t.Skip("imports 100,000 users")
	}
	d, path := newTenant(t, false)
	const users, named = 100_000, 5_000
	var csv strings.Builder
	csv.WriteString("upn,displayName,department\n")
	for i := range users {
		fmt.Fprintf(&csv, "user%06d@contoso.com,User %d,Bulk\n", i, i)
	}
	if _, err := d.ImportUsers(as(admin), "bulk.csv", strings.NewReader(csv.String())); err != nil {
		t.Fatal(err)
	}
	setValue(t, d, store.ValueDisabled, powerBIPremium)
	addSub(t, d, powerBIPremium, named, 12)
	// Every 20th user: spread over the tenant, not its first rows.
	var colleagues []string
	for i := 1; i < named; i++ {
		colleagues = append(colleagues, fmt.Sprintf("user%06d@contoso.com", i*20))
	}
	r := newRequest(t, d, as("user000000@contoso.com"), powerBIPremium, colleagues...)
	if len(r.Users) != named {
		t.Fatalf("request names %d users, want %d", len(r.Users), named)
	}

	got := approveRequest(t, d, as(admin), store.Approval{RequestID: r.ID, Message: "Everyone"})
	if got.Status != store.RequestApproved || len(got.Users) != named {
		t.Fatalf("status %s with %d users", got.Status, len(got.Users))
	}
	for _, u := range got.Users {
		if u.Decision != store.DecisionApproved {
			t.Fatalf("%s is %s", u.UPN, u.Decision)
		}
	}
	if n := count(t, path, `SELECT count(*) FROM licenses WHERE product_id = ?`, powerBIPremium); n != named {
		t.Errorf("%d licenses, want %d", n, named)
	}
	if n := count(t, path, `SELECT count(*) FROM notifications WHERE kind = 'request-approved'`); n != named {
		t.Errorf("%d notifications, want %d", n, named)
	}
	if n := count(t, path, `SELECT count(*) FROM licenses l JOIN users u ON u.id = l.user_id WHERE u.upn_key = 'user000020@contoso.com'`); n != 1 {
		t.Errorf("user000020 holds %d licenses", n)
	}
	reqs, _, err := d.ListRequests(as(admin), store.RequestFilter{Status: "completed"})
	if err != nil || len(reqs) != 1 || len(reqs[0].Users) != named {
		t.Errorf("list-requests: %d requests, %v", len(reqs), err)
	}
}

func TestValidateLink(t *testing.T) {
	for _, ok := range []string{
		"https://servicedesk.contoso.com/licenses",
		"https://intranet.contoso.com/",
		"https://intranet.contoso.com",
		"https://intranet.contoso.com:8443/how/to?ask=licenses#request",
		"HTTPS://intranet.contoso.com/path",
	} {
		if err := sqlstore.ValidateLink(ok); err != nil {
			t.Errorf("ValidateLink(%q): %v", ok, err)
		}
	}
	for _, bad := range []string{
		"",
		"http://intranet.contoso.com/licenses",
		"ftp://intranet.contoso.com/licenses",
		"/licenses",
		"intranet.contoso.com/licenses",
		"//intranet.contoso.com/licenses",
		"https:intranet.contoso.com/licenses",
		"https:///licenses",
		"javascript:alert(1)",
		"JavaScript:alert(document.cookie)",
		"data:text/html,<script>alert(1)</script>",
		"https://intranet.contoso.com/my licenses",
		" https://intranet.contoso.com/licenses",
		"https://intranet.contoso.com/licenses\n",
		"https://intranet.contoso.com/\tlicenses",
		"https://user@intranet.contoso.com/licenses",
		"https://user:secret@intranet.contoso.com/licenses",
		"https://@intranet.contoso.com/licenses",
		"user@intranet.contoso.com",
		"mailto:servicedesk@contoso.com",
		"https://" + strings.Repeat("a", 2050) + ".com/",
	} {
		err := sqlstore.ValidateLink(bad)
		if err == nil {
			t.Errorf("ValidateLink(%q) accepted it", bad)
			continue
		}
		if store.ErrorCode(err) != store.EINVALID || !strings.Contains(store.ErrorHint(err), "https://") {
			t.Errorf("ValidateLink(%q): %v (hint %q)", bad, err, store.ErrorHint(err))
		}
	}
}
