package request

import (
	"bytes"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/commercectl/commercectl/cmd/cmdutil"
	"github.com/commercectl/commercectl/internal/clitest"
	"github.com/commercectl/commercectl/output"
	"github.com/commercectl/commercectl/store"
	"github.com/spf13/cobra"
)

const (
	testAdmin = "admin@contoso.com"
	testNow   = "2026-11-21T09:00:00Z"

	powerBIPro     = "CFQ7TTC0H9MP"
	powerBIPremium = "CFQ7TTC0H6RP"

	johanna = "johanna.lorenz@contoso.com"
	lidia   = "lidia.holloway@contoso.com"
	enrico  = "enrico.cattaneo@contoso.com"
)

// newDemoTenant creates the demo tenant in a temporary file. Its pending
// requests, newest first: 3 Microsoft 365 Copilot (joni.sherman, lynne.robbins),
// 1 Project Plan 3 (diego.siciliani), 2 Power BI Premium (johanna.lorenz,
// lidia.holloway, enrico.cattaneo). The central pool of Power BI Pro has 3
// free seats; Power BI Premium has no subscription.
func newDemoTenant(t *testing.T) string { return clitest.DemoTenant(t) }

// newTestFactory is a Factory on buffers that pretend to be a terminal, on
// the tenant at path as the admin, with the given prompter; no config file or
// environment of the person running the tests gets in.
func newTestFactory(t *testing.T, path string, pr output.Prompter) (*cmdutil.Factory, *bytes.Buffer, *bytes.Buffer) {
	return clitest.Factory(t, path, testAdmin, true, pr)
}

func answers(a ...output.FakeAnswer) *output.FakePrompter {
	return &output.FakePrompter{Answers: a}
}

// dump renders every row of every table, sorted: two equal dumps prove
// nothing changed.
func dump(t *testing.T, path string) string {
	t.Helper()
	db := openDB(t, path)
	names, err := db.Query(`SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`)
	if err != nil {
		t.Fatal(err)
	}
	var tables []string
	for names.Next() {
		var n string
		if err := names.Scan(&n); err != nil {
			t.Fatal(err)
		}
		tables = append(tables, n)
	}
	names.Close()
	var out strings.Builder
	for _, table := range tables {
		rows, err := db.Query(`SELECT * FROM "` + table + `"`)
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rows.Columns()
		var lines []string
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			cells := make([]string, len(vals))
			for i, v := range vals {
				if b, ok := v.([]byte); ok {
					v = string(b)
				}
				cells[i] = fmt.Sprint(v)
			}
			lines = append(lines, strings.Join(cells, "|"))
		}
		rows.Close()
		sort.Strings(lines)
		fmt.Fprintf(&out, "== %s\n%s\n", table, strings.Join(lines, "\n"))
	}
	return out.String()
}

func openDB(t *testing.T, path string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// query returns the rows of a one-column query as strings.
func query(t *testing.T, path, q string, args ...any) []string {
	t.Helper()
	rows, err := openDB(t, path).Query(q, args...)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
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

func wantRows(t *testing.T, what string, got []string, want ...string) {
	t.Helper()
	if want == nil {
		want = []string{}
	}
	if !slices.Equal(got, want) {
		t.Errorf("%s:\n%q\nwant\n%q", what, got, want)
	}
}

// requestRow is "status|assigned product|message|decided by" of a request.
func requestRow(t *testing.T, path string, id int64) string {
	t.Helper()
	rows := query(t, path, `SELECT r.status || '|' || coalesce(r.assigned_product_id, '') || '|' || r.message || '|' || coalesce(u.upn, '')
		FROM requests r LEFT JOIN users u ON u.id = r.decided_by_id WHERE r.id = ?`, id)
	if len(rows) != 1 {
		t.Fatalf("request %d: %q", id, rows)
	}
	return rows[0]
}

// requestDecisions is "upn decision plans" for each user of a request, in
// order; the apps turned off only for those approved.
func requestDecisions(t *testing.T, path string, id int64) []string {
	t.Helper()
	return query(t, path, `SELECT u.upn || ' ' || coalesce(x.decision, 'pending') || ' ' ||
		CASE x.decision WHEN 'approved' THEN x.disabled_plans ELSE '' END
		FROM request_users x JOIN users u ON u.id = x.user_id WHERE x.request_id = ? ORDER BY x.rowid`, id)
}

// licensesOf is "upn product subscription plans" for every license of the given users.
func licensesOf(t *testing.T, path string, upns ...string) []string {
	t.Helper()
	var out []string
	for _, upn := range upns {
		out = append(out, query(t, path, `SELECT u.upn || ' ' || l.product_id || ' ' || l.subscription_id || ' ' || l.disabled_plans
			FROM licenses l JOIN users u ON u.id = l.user_id WHERE u.upn_key = ? ORDER BY l.product_id`, upn)...)
	}
	if out == nil {
		out = []string{}
	}
	return out
}

// mail is "to kind" of each notification about a decision, in order.
func mail(t *testing.T, path string) []string {
	t.Helper()
	return query(t, path, `SELECT to_upn || ' ' || kind FROM notifications WHERE kind LIKE 'request-%' AND kind <> 'request-received' ORDER BY id`)
}

// The interactive approval, started two ways: list-requests -o interactive,
// and approve-request without an id in a terminal.
var entryPoints = []struct {
	name string
	run  func(f *cmdutil.Factory) error
}{
	{"list-requests -o interactive", func(f *cmdutil.Factory) error {
		f.Flags.Output = output.FormatInteractive
		return listRequestsRun(&ListRequestsOptions{Factory: f, Status: "pending"})
	}},
	{"approve-request without an id", func(f *cmdutil.Factory) error {
		return execute(NewCmdApproveRequest(f, nil))
	}},
}

func execute(cmd *cobra.Command, args ...string) error {
	if args == nil {
		args = []string{}
	}
	cmd.SetArgs(args)
	cmd.SetIn(&bytes.Buffer{})
	cmd.SetOut(io.Discard)
	cmd.SetErr(io.Discard)
	cmd.SilenceUsage = true
	_, err := cmd.ExecuteC()
	return err
}

// partialApproval answers: request 2, approve, untick lidia, Power BI Pro
// instead of Premium, untick EXCHANGE_S_FOUNDATION, a message; then confirm
// as given (nil: no confirmation is asked, as in a dry run).
func partialApproval(confirm *bool) *output.FakePrompter {
	a := []output.FakeAnswer{
		{Match: "Which request?", Options: []string{"2"}},
		{Match: "Approve or decline?", Options: []string{"Approve"}},
		{Match: "Who gets a license?", Options: []string{johanna, enrico}},
		{Match: "Assign which product?", Options: []string{powerBIPro}},
		{Match: "Apps and services", Options: []string{"BI_AZURE_P2"}},
		{Match: "Message to everyone in the request", Text: "Power BI Pro covers what you need"},
	}
	if confirm != nil {
		a = append(a, output.FakeAnswer{Match: "Approve?", Yes: *confirm})
	}
	return answers(a...)
}

func ptr[T any](v T) *T { return &v }

func TestInteractiveApprovePartly(t *testing.T) {
	for _, ep := range entryPoints {
		t.Run(ep.name, func(t *testing.T) {
			path := newDemoTenant(t)
			othersBefore := query(t, path, `SELECT l.product_id || ' ' || u.upn FROM licenses l JOIN users u ON u.id = l.user_id
				WHERE u.upn_key NOT IN (?, ?, ?) ORDER BY 1`, johanna, lidia, enrico)
			pr := partialApproval(ptr(true))
			f, stdout, stderr := newTestFactory(t, path, pr)
			if err := ep.run(f); err != nil {
				t.Fatalf("%v\nstderr:\n%s", err, stderr)
			}
			clitest.AllAnswered(t, pr)

			// What was offered: the pending requests newest first, the
			// request's users, the requested product first, the chosen product's apps.
			reqs := clitest.Offered(t, pr, "Which request?")
			if len(reqs) != 3 || !strings.HasPrefix(reqs[0], "3  Microsoft 365 Copilot") ||
				reqs[2] != "2  Power BI Premium, asked by johanna.lorenz@contoso.com on 16 Nov 2026 for 3 people (pending)" {
				t.Errorf("requests offered: %q", reqs)
			}
			wantRows(t, "users offered", clitest.Offered(t, pr, "Who gets a license?"), johanna, lidia, enrico)
			// Only what can work is offered: the requested Power BI Premium
			// has no central seat and Copilot 1 for 2 people, so they are
			// listed with the reason and the fix instead (issue 15).
			products := clitest.Offered(t, pr, "Assign which product?")
			if !slices.ContainsFunc(products, func(o string) bool { return strings.HasPrefix(o, powerBIPro+"  Power BI Pro (") }) {
				t.Errorf("products offered: %q", products)
			}
			if slices.ContainsFunc(products, func(o string) bool {
				return strings.HasPrefix(o, powerBIPremium) || strings.HasPrefix(o, "CFQ7TTC0MM8R")
			}) {
				t.Errorf("a product without room for 2 is offered: %q", products)
			}
			for _, want := range []string{
				"Not offered now (why, and what to do first):\n",
				"  " + powerBIPremium + "  Power BI Premium (requested): not enough licenses in the central pool of Power BI Premium: 2 needed, 0 available, 2 missing (buy a subscription: commercectl add-subscription --product " + powerBIPremium + " --quantity 2)\n",
				"  CFQ7TTC0MM8R  Microsoft 365 Copilot (1 available): not enough licenses in the central pool of Microsoft 365 Copilot: 2 needed, 1 available, 1 missing (buy more: commercectl buy-licenses --subscription SUB-00003 --total 4)\n",
			} {
				if !strings.Contains(stderr.String(), want) {
					t.Errorf("stderr lacks %q:\n%s", want, stderr)
				}
			}
			wantRows(t, "apps offered", clitest.Offered(t, pr, "Apps and services"), "BI_AZURE_P2", "EXCHANGE_S_FOUNDATION")

			// The request and its plan on stderr before the question; the result on stdout.
			for _, want := range []string{
				"Request 2: Power BI Premium for " + johanna + " (pending); " + lidia + " (pending); " + enrico + " (pending)",
				"Approve request 2: Power BI Pro for 2 of 3 people, from its central pool (3 free), with EXCHANGE_S_FOUNDATION off",
				"Approved request 2 for some of its users",
			} {
				if !strings.Contains(stderr.String(), want) {
					t.Errorf("stderr lacks %q:\n%s", want, stderr)
				}
			}
			for _, want := range []string{"PartiallyApproved", powerBIPro, "EXCHANGE_S_FOUNDATION",
				"Power BI Pro covers what you need", lidia, "notAssigned"} {
				if !strings.Contains(stdout.String(), want) {
					t.Errorf("stdout lacks %q:\n%s", want, stdout)
				}
			}
			if strings.Contains(stdout.String(), "Approve request 2") {
				t.Errorf("the plan went to stdout:\n%s", stdout)
			}

			// The tenant: the request, each decision, the licenses, the mail.
			if got := requestRow(t, path, 2); got != "PartiallyApproved|"+powerBIPro+"|Power BI Pro covers what you need|"+testAdmin {
				t.Errorf("request 2: %q", got)
			}
			wantRows(t, "decisions", requestDecisions(t, path, 2),
				johanna+" approved EXCHANGE_S_FOUNDATION", lidia+" notAssigned ", enrico+" approved EXCHANGE_S_FOUNDATION")
			// The three hold Visio Plan 2 already; two get Power BI Pro from the central pool.
			wantRows(t, "their licenses", licensesOf(t, path, johanna, lidia, enrico),
				johanna+" "+powerBIPro+" SUB-00001 EXCHANGE_S_FOUNDATION", johanna+" CFQ7TTC0HD32 SUB-00002 ",
				lidia+" CFQ7TTC0HD32 SUB-00002 ",
				enrico+" "+powerBIPro+" SUB-00001 EXCHANGE_S_FOUNDATION", enrico+" CFQ7TTC0HD32 SUB-00002 ")
			wantRows(t, "licenses of everyone else", query(t, path, `SELECT l.product_id || ' ' || u.upn FROM licenses l JOIN users u ON u.id = l.user_id
				WHERE u.upn_key NOT IN (?, ?, ?) ORDER BY 1`, johanna, lidia, enrico), othersBefore...)
			wantRows(t, "notifications", mail(t, path), johanna+" request-partially-approved", lidia+" request-partially-approved",
				enrico+" request-partially-approved")
			if bodies := query(t, path, `SELECT body FROM notifications WHERE to_upn = ? AND kind = 'request-partially-approved'`, lidia); len(bodies) != 1 ||
				!strings.Contains(bodies[0], "No license of Power BI Pro was assigned to you.") || !strings.Contains(bodies[0], "Power BI Pro covers what you need") {
				t.Errorf("lidia's notification: %q", bodies)
			}
			// The other requests are still pending.
			for _, id := range []int64{1, 3} {
				if got := requestRow(t, path, id); !strings.HasPrefix(got, "Pending|") {
					t.Errorf("request %d: %q", id, got)
				}
			}
		})
	}
}

// Keeping everyone, the requested product and every app approves it all.
func TestInteractiveApproveAll(t *testing.T) {
	path := newDemoTenant(t)
	pr := answers(
		output.FakeAnswer{Match: "Which request?", Options: []string{"3"}},
		output.FakeAnswer{Match: "Approve or decline?", Options: []string{"Approve"}},
		output.FakeAnswer{Match: "Who gets a license?", Options: []string{"joni.sherman@contoso.com", "lynne.robbins@contoso.com"}},
		output.FakeAnswer{Match: "Assign which product?", Options: []string{"CFQ7TTC0HD32"}},
		output.FakeAnswer{Match: "Apps and services", Options: []string{"VISIO_CLIENT_SUBSCRIPTION"}},
		output.FakeAnswer{Match: "Message to everyone in the request"},
		output.FakeAnswer{Match: "Approve?", Yes: false},
	)
	f, _, stderr := newTestFactory(t, path, pr)
	// The Copilot pool has 1 free seat for 2 people: the requested product
	// is not offered but listed with the seats missing and the fix.
	before := dump(t, path)
	err := execute(NewCmdApproveRequest(f, nil))
	if !errors.Is(err, output.ErrCanceled) {
		t.Fatalf("answering no: %v, want canceled\n%s", err, stderr)
	}
	if products := clitest.Offered(t, pr, "Assign which product?"); slices.ContainsFunc(products, func(o string) bool { return strings.HasPrefix(o, "CFQ7TTC0MM8R") }) {
		t.Errorf("Copilot, 1 seat for 2 people, is offered: %q", products)
	}
	if !strings.Contains(stderr.String(), "CFQ7TTC0MM8R  Microsoft 365 Copilot (requested, 1 available): not enough licenses in the central pool of Microsoft 365 Copilot: 2 needed, 1 available, 1 missing (buy more: commercectl buy-licenses --subscription SUB-00003 --total 4)") {
		t.Errorf("stderr lacks the requested product's reason and fix:\n%s", stderr)
	}
	if after := dump(t, path); after != before {
		t.Errorf("a declined approval changed the tenant")
	}

	// With a seat bought it goes through: Approved, nothing turned off.
	db := openDB(t, path)
	if _, err := db.Exec(`UPDATE subscriptions SET quantity = 4 WHERE id = 'SUB-00003'`); err != nil {
		t.Fatal(err)
	}
	pr = answers(
		output.FakeAnswer{Match: "Which request?", Options: []string{"3"}},
		output.FakeAnswer{Match: "Approve or decline?", Options: []string{"Approve"}},
		output.FakeAnswer{Match: "Who gets a license?", Options: []string{"joni.sherman@contoso.com", "lynne.robbins@contoso.com"}},
		output.FakeAnswer{Match: "Assign which product?", Options: []string{"CFQ7TTC0MM8R"}},
		output.FakeAnswer{Match: "Apps and services", Options: []string{"GRAPH_CONNECTORS_COPILOT", "M365_COPILOT_APPS", "M365_COPILOT_BUSINESS_CHAT",
			"M365_COPILOT_INTELLIGENT_SEARCH", "M365_COPILOT_TEAMS"}},
		output.FakeAnswer{Match: "Message to everyone in the request"},
		output.FakeAnswer{Match: "Approve?", Yes: true},
	)
	f, _, stderr = newTestFactory(t, path, pr)
	if err := execute(NewCmdApproveRequest(f, nil)); err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	if got := requestRow(t, path, 3); got != "Approved|CFQ7TTC0MM8R||"+testAdmin {
		t.Errorf("request 3: %q", got)
	}
	wantRows(t, "decisions", requestDecisions(t, path, 3), "joni.sherman@contoso.com approved ", "lynne.robbins@contoso.com approved ")
	wantRows(t, "licenses", licensesOf(t, path, "joni.sherman@contoso.com", "lynne.robbins@contoso.com"),
		"joni.sherman@contoso.com CFQ7TTC0MM8R SUB-00003 ", "lynne.robbins@contoso.com CFQ7TTC0MM8R SUB-00003 ")
	wantRows(t, "notifications", mail(t, path), "joni.sherman@contoso.com request-approved", "lynne.robbins@contoso.com request-approved")
}

// No at the confirmation: canceled (exit 2) and nothing changed.
func TestInteractiveApproveAnswerNo(t *testing.T) {
	for _, ep := range entryPoints {
		t.Run(ep.name, func(t *testing.T) {
			path := newDemoTenant(t)
			before := dump(t, path)
			pr := partialApproval(ptr(false))
			f, stdout, stderr := newTestFactory(t, path, pr)
			err := ep.run(f)
			if !errors.Is(err, output.ErrCanceled) {
				t.Fatalf("answering no: %v, want output.ErrCanceled", err)
			}
			if code, _ := cmdutil.ExitCode(err); code != cmdutil.ExitUsage {
				t.Errorf("answering no exits %d, want %d", code, cmdutil.ExitUsage)
			}
			clitest.AllAnswered(t, pr)
			if !strings.Contains(stderr.String(), "Approve request 2: Power BI Pro for 2 of 3 people") {
				t.Errorf("the plan was not shown before the question:\n%s", stderr)
			}
			if stdout.Len() != 0 {
				t.Errorf("a canceled run printed data:\n%s", stdout)
			}
			if after := dump(t, path); after != before {
				t.Errorf("answering no changed the tenant")
			}
		})
	}
}

// Declining: a message, a confirmation, everyone denied and told.
func TestInteractiveDecline(t *testing.T) {
	for _, ep := range entryPoints {
		t.Run(ep.name, func(t *testing.T) {
			path := newDemoTenant(t)
			licensesBefore := query(t, path, `SELECT user_id || ' ' || product_id || ' ' || subscription_id FROM licenses ORDER BY 1`)
			pr := answers(
				output.FakeAnswer{Match: "Which request?", Options: []string{"2"}},
				output.FakeAnswer{Match: "Approve or decline?", Options: []string{"Decline"}},
				output.FakeAnswer{Match: "Message to everyone in the request", Text: "No budget this quarter"},
				output.FakeAnswer{Match: "Decline request 2 for 3 people?", Yes: true},
			)
			f, stdout, stderr := newTestFactory(t, path, pr)
			if err := ep.run(f); err != nil {
				t.Fatalf("%v\n%s", err, stderr)
			}
			clitest.AllAnswered(t, pr)
			wantRows(t, "actions offered", clitest.Offered(t, pr, "Approve or decline?"), "Approve", "Decline")
			if !strings.Contains(stderr.String(), "Declined request 2") || !strings.Contains(stdout.String(), "Denied") {
				t.Errorf("stdout:\n%s\nstderr:\n%s", stdout, stderr)
			}
			if got := requestRow(t, path, 2); got != "Denied|"+powerBIPremium+"|No budget this quarter|"+testAdmin {
				t.Errorf("request 2: %q", got)
			}
			wantRows(t, "decisions", requestDecisions(t, path, 2), johanna+" denied ", lidia+" denied ", enrico+" denied ")
			wantRows(t, "notifications", mail(t, path), johanna+" request-denied", lidia+" request-denied", enrico+" request-denied")
			if n := query(t, path, `SELECT count(*) FROM notifications WHERE kind = 'request-denied' AND body LIKE '%No budget this quarter%'`); n[0] != "3" {
				t.Errorf("%s denial notifications carry the message, want 3", n[0])
			}
			wantRows(t, "licenses", query(t, path, `SELECT user_id || ' ' || product_id || ' ' || subscription_id FROM licenses ORDER BY 1`), licensesBefore...)
		})
	}

	// No at the confirmation of a decline changes nothing.
	path := newDemoTenant(t)
	before := dump(t, path)
	pr := answers(
		output.FakeAnswer{Match: "Which request?", Options: []string{"1"}},
		output.FakeAnswer{Match: "Approve or decline?", Options: []string{"Decline"}},
		output.FakeAnswer{Match: "Message to everyone in the request", Text: "no"},
		output.FakeAnswer{Match: "Decline request 1 for 1 person?", Yes: false},
	)
	f, _, _ := newTestFactory(t, path, pr)
	if err := execute(NewCmdApproveRequest(f, nil)); !errors.Is(err, output.ErrCanceled) {
		t.Fatalf("answering no: %v", err)
	}
	clitest.AllAnswered(t, pr)
	if after := dump(t, path); after != before {
		t.Errorf("answering no to a decline changed the tenant")
	}
}

// Nothing pending: said on stderr, nothing asked, nothing printed, exit 0.
func TestInteractiveNoPendingRequests(t *testing.T) {
	path := newDemoTenant(t)
	if _, err := openDB(t, path).Exec(`UPDATE requests SET status = 'Denied'`); err != nil {
		t.Fatal(err)
	}
	for _, ep := range entryPoints {
		t.Run(ep.name, func(t *testing.T) {
			before := dump(t, path)
			pr := answers()
			f, stdout, stderr := newTestFactory(t, path, pr)
			if err := ep.run(f); err != nil {
				t.Fatal(err)
			}
			if len(pr.Asked) != 0 || stdout.Len() != 0 || !strings.Contains(stderr.String(), "No pending requests.") {
				t.Errorf("asked %q\nstdout:\n%s\nstderr:\n%s", pr.Asked, stdout, stderr)
			}
			if after := dump(t, path); after != before {
				t.Errorf("the tenant changed")
			}
		})
	}
	// Completed requests listed interactively offer nothing to decide either.
	pr := answers()
	f, _, stderr := newTestFactory(t, path, pr)
	f.Flags.Output = output.FormatInteractive
	if err := listRequestsRun(&ListRequestsOptions{Factory: f, Status: "all"}); err != nil {
		t.Fatal(err)
	}
	if len(pr.Asked) != 0 || !strings.Contains(stderr.String(), "No pending requests.") {
		t.Errorf("asked %q; stderr:\n%s", pr.Asked, stderr)
	}
}

// --dry-run asks the same questions but no confirmation, prints the result
// and changes nothing.
func TestInteractiveApproveDryRun(t *testing.T) {
	for _, ep := range entryPoints {
		t.Run(ep.name, func(t *testing.T) {
			path := newDemoTenant(t)
			before := dump(t, path)
			pr := partialApproval(nil)
			f, stdout, stderr := newTestFactory(t, path, pr)
			f.Flags.DryRun = true
			if err := ep.run(f); err != nil {
				t.Fatalf("%v\n%s", err, stderr)
			}
			clitest.AllAnswered(t, pr)
			if !strings.Contains(stdout.String(), "PartiallyApproved") || !strings.Contains(stderr.String(), "dry run: nothing was changed") {
				t.Errorf("stdout:\n%s\nstderr:\n%s", stdout, stderr)
			}
			if after := dump(t, path); after != before {
				t.Errorf("a dry run changed the tenant")
			}
		})
	}
}

// Only a GlobalAdmin decides. A BillingAdmin or GlobalReader may read the
// requests, so the questions are asked, and the decision is refused: exit 4,
// nothing changed. Others may not even read them: refused before any question.
func TestInteractiveApproveNotGlobalAdmin(t *testing.T) {
	for _, who := range []string{"megan.bowen@contoso.com", "patti.fernandez@contoso.com"} {
		for _, ep := range entryPoints {
			t.Run(who+" "+ep.name, func(t *testing.T) {
				path := newDemoTenant(t)
				before := dump(t, path)
				pr := partialApproval(ptr(true))
				f, stdout, _ := newTestFactory(t, path, pr)
				f.Flags.As = who
				err := ep.run(f)
				if code, _ := cmdutil.ExitCode(err); code != cmdutil.ExitForbidden || store.ErrorCode(err) != store.EFORBIDDEN {
					t.Fatalf("%s approving: %v (exit %d), want exit %d", who, err, code, cmdutil.ExitForbidden)
				}
				if stdout.Len() != 0 {
					t.Errorf("stdout:\n%s", stdout)
				}
				if after := dump(t, path); after != before {
					t.Errorf("a forbidden approval changed the tenant")
				}
			})
		}
		t.Run(who+" declining", func(t *testing.T) {
			path := newDemoTenant(t)
			before := dump(t, path)
			pr := answers(
				output.FakeAnswer{Match: "Which request?", Options: []string{"2"}},
				output.FakeAnswer{Match: "Approve or decline?", Options: []string{"Decline"}},
				output.FakeAnswer{Match: "Message to everyone in the request"},
				output.FakeAnswer{Match: "Decline request 2", Yes: true},
			)
			f, _, _ := newTestFactory(t, path, pr)
			f.Flags.As = who
			err := execute(NewCmdApproveRequest(f, nil))
			if code, _ := cmdutil.ExitCode(err); code != cmdutil.ExitForbidden {
				t.Fatalf("%s declining: %v (exit %d)", who, err, code)
			}
			if after := dump(t, path); after != before {
				t.Errorf("a forbidden decline changed the tenant")
			}
		})
	}
	for _, who := range []string{"lee.gu@contoso.com", "diego.siciliani@contoso.com"} {
		for _, ep := range entryPoints {
			t.Run(who+" "+ep.name, func(t *testing.T) {
				path := newDemoTenant(t)
				before := dump(t, path)
				pr := answers()
				f, _, _ := newTestFactory(t, path, pr)
				f.Flags.As = who
				err := ep.run(f)
				if code, _ := cmdutil.ExitCode(err); code != cmdutil.ExitForbidden {
					t.Fatalf("%s: %v (exit %d), want %d", who, err, code, cmdutil.ExitForbidden)
				}
				if len(pr.Asked) != 0 {
					t.Errorf("asked %q", pr.Asked)
				}
				if after := dump(t, path); after != before {
					t.Errorf("the tenant changed")
				}
			})
		}
	}
}

// Without a terminal nothing is asked: approve-request wants its id, and
// -o interactive is bad usage; exit 2 either way.
func TestApproveRequestWithoutTerminal(t *testing.T) {
	path := newDemoTenant(t)
	before := dump(t, path)
	for _, tty := range [][3]bool{{false, false, false}, {false, true, true}, {true, true, false}} {
		pr := answers()
		f, stdout, _ := newTestFactory(t, path, pr)
		f.IOStreams.SetTTY(tty[0], tty[1], tty[2])
		err := execute(NewCmdApproveRequest(f, nil))
		if code, _ := cmdutil.ExitCode(err); code != cmdutil.ExitUsage {
			t.Errorf("tty %v: %v (exit %d), want %d", tty, err, code, cmdutil.ExitUsage)
		}
		if err == nil || !strings.Contains(err.Error(), "missing the request ID") || !strings.Contains(err.Error(), "approve-request ID") {
			t.Errorf("tty %v: error %v does not name the missing id", tty, err)
		}
		f.Flags.Output = output.FormatInteractive
		err = listRequestsRun(&ListRequestsOptions{Factory: f, Status: "pending"})
		if code, _ := cmdutil.ExitCode(err); code != cmdutil.ExitUsage || !strings.Contains(err.Error(), "terminal") {
			t.Errorf("tty %v: list-requests -o interactive: %v (exit %d)", tty, err, code)
		}
		if len(pr.Asked) != 0 || stdout.Len() != 0 {
			t.Errorf("tty %v: asked %q, printed %q", tty, pr.Asked, stdout)
		}
	}
	if after := dump(t, path); after != before {
		t.Errorf("the tenant changed")
	}
}

// gh-style flag tests: each verb's flags parsed into its options, runF
// called instead of the verb; bad usage never reaches it.

func runCmd(t *testing.T, tty bool, build func(*cmdutil.Factory) *cobra.Command, args []string) error {
	t.Helper()
	ios, _, _, _ := output.Test()
	ios.SetTTY(tty, tty, tty)
	f := cmdutil.New(ios)
	f.Getenv = func(string) string { return "" }
	return execute(build(f), args...)
}

func wantUsage(t *testing.T, err error, want string, ran bool) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want one containing %q", want)
	}
	if !strings.Contains(err.Error(), want) {
		t.Errorf("error %q, want it to contain %q", err, want)
	}
	if code, _ := cmdutil.ExitCode(err); code != cmdutil.ExitUsage {
		t.Errorf("error %q exits %d, want %d", err, code, cmdutil.ExitUsage)
	}
	if ran {
		t.Errorf("the verb ran despite bad usage")
	}
}

func TestNewCmdApproveRequest(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		tty     bool
		want    ApproveRequestOptions
		wantErr string
	}{
		{name: "id", args: []string{"12"}, want: ApproveRequestOptions{HasID: true, Approval: store.Approval{RequestID: 12}}},
		{name: "id with spaces", args: []string{" 7 "}, want: ApproveRequestOptions{HasID: true, Approval: store.Approval{RequestID: 7}}},
		{
			name: "every flag, lists repeated and comma-separated",
			args: []string{"12", "--exclude", "alan@contoso.com, ada@contoso.com,", "--exclude", "grace@contoso.com",
				"--product", "CFQ7TTC0HDB1", "--disable-plan", "PROJECT_P1,SHAREPOINTSTANDARD", "--message", "Plan 1 covers it"},
			want: ApproveRequestOptions{HasID: true, Approval: store.Approval{RequestID: 12,
				Exclude: []string{"alan@contoso.com", "ada@contoso.com", "grace@contoso.com"}, ProductID: "CFQ7TTC0HDB1",
				DisabledPlans: []string{"PROJECT_P1", "SHAREPOINTSTANDARD"}, Message: "Plan 1 covers it"}},
		},
		{name: "no id in a terminal asks", tty: true, want: ApproveRequestOptions{}},
		{name: "no id without a terminal", wantErr: "missing the request ID (approve-request ID)"},
		{name: "id zero", args: []string{"0"}, wantErr: "positive number"},
		{name: "id not a number", args: []string{"twelve"}, wantErr: "positive number"},
		{name: "id not a number in a terminal", args: []string{"1x"}, tty: true, wantErr: "positive number"},
		{name: "two ids", args: []string{"1", "2"}, wantErr: "at most 1"},
		{name: "unknown flag", args: []string{"1", "--exclud", "a@contoso.com"}, wantErr: "unknown flag"},
		{name: "flag without value", args: []string{"1", "--message"}, wantErr: "flag needs an argument"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got *ApproveRequestOptions
			err := runCmd(t, tt.tty, func(f *cmdutil.Factory) *cobra.Command {
				return NewCmdApproveRequest(f, func(o *ApproveRequestOptions) error { got = o; return nil })
			}, tt.args)
			if tt.wantErr != "" {
				wantUsage(t, err, tt.wantErr, got != nil)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got == nil {
				t.Fatal("runF was not called")
			}
			a, w := got.Approval, tt.want.Approval
			if got.HasID != tt.want.HasID || a.RequestID != w.RequestID || a.ProductID != w.ProductID || a.Message != w.Message ||
				!slices.Equal(a.Exclude, w.Exclude) || !slices.Equal(a.DisabledPlans, w.DisabledPlans) {
				t.Errorf("options %+v (HasID %v), want %+v (HasID %v)", a, got.HasID, w, tt.want.HasID)
			}
		})
	}
}

func TestNewCmdDenyRequest(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		id      int64
		message string
		wantErr string
		// noTerminal runs it without a terminal.
		noTerminal bool
	}{
		{name: "id", args: []string{"5"}, id: 5},
		{name: "id and message", args: []string{"5", "--message", "No budget this quarter"}, id: 5, message: "No budget this quarter"},
		{name: "message first", args: []string{"--message=Later", "9"}, id: 9, message: "Later"},
		// Without a terminal: in one, the request is picked (TestDenyPicksPending).
		{name: "no id", wantErr: "needs a request id", noTerminal: true},
		{name: "two ids", args: []string{"1", "2"}, wantErr: "at most 1 argument"},
		{name: "id not a number", args: []string{"abc"}, wantErr: "positive number"},
		{name: "negative id", args: []string{"--", "-3"}, wantErr: "positive number"},
		{name: "unknown flag", args: []string{"1", "--reason", "x"}, wantErr: "unknown flag"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got *DenyRequestOptions
			err := runCmd(t, !tt.noTerminal, func(f *cmdutil.Factory) *cobra.Command {
				return NewCmdDenyRequest(f, func(o *DenyRequestOptions) error { got = o; return nil })
			}, tt.args)
			if tt.wantErr != "" {
				wantUsage(t, err, tt.wantErr, got != nil)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got == nil || got.ID != tt.id || got.Message != tt.message {
				t.Errorf("options %+v, want id %d message %q", got, tt.id, tt.message)
			}
		})
	}
}

func TestNewCmdNewRequest(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		product string
		forUPNs []string
		wantErr string
	}{
		{name: "product", args: []string{"--product", powerBIPremium}, product: powerBIPremium},
		{name: "colleagues", args: []string{"--product", powerBIPremium, "--for", "ada@contoso.com, alan@contoso.com", "--for", "grace@contoso.com"},
			product: powerBIPremium, forUPNs: []string{"ada@contoso.com", "alan@contoso.com", "grace@contoso.com"}},
		{name: "empty --for", args: []string{"--product", powerBIPremium, "--for", ""}, wantErr: "--for needs at least one UPN"},
		{name: "--for= ", args: []string{"--product", powerBIPremium, "--for="}, wantErr: "--for needs at least one UPN"},
		{name: "--for of commas", args: []string{"--product", powerBIPremium, "--for", " , ,"}, wantErr: "--for needs at least one UPN"},
		{name: "no product", args: []string{"--for", "ada@contoso.com"}, wantErr: "missing --product"},
		{name: "nothing", wantErr: "missing --product"},
		{name: "positional", args: []string{powerBIPremium}, wantErr: "at most 0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got *NewRequestOptions
			err := runCmd(t, false, func(f *cmdutil.Factory) *cobra.Command {
				return NewCmdNewRequest(f, func(o *NewRequestOptions) error { got = o; return nil })
			}, tt.args)
			if tt.wantErr != "" {
				wantUsage(t, err, tt.wantErr, got != nil)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got == nil || got.ProductID != tt.product || !slices.Equal(got.For, tt.forUPNs) {
				t.Errorf("options %+v, want product %s for %q", got, tt.product, tt.forUPNs)
			}
		})
	}
}

func TestNewCmdSetRequestProcess(t *testing.T) {
	str := func(p *string) string {
		if p == nil {
			return "<nil>"
		}
		return *p
	}
	num := func(p *int) string {
		if p == nil {
			return "<nil>"
		}
		return fmt.Sprint(*p)
	}
	tests := []struct {
		name    string
		args    []string
		want    string // "off message link retention"
		wantErr string
	}{
		{name: "message and link", args: []string{"--message", "Ask the service desk", "--link", "https://servicedesk.contoso.com/licenses"},
			want: "false|Ask the service desk|https://servicedesk.contoso.com/licenses|<nil>"},
		{name: "message", args: []string{"--message", "Ask IT"}, want: "false|Ask IT|<nil>|<nil>"},
		{name: "an empty message is the store's to refuse", args: []string{"--message="}, want: "false||<nil>|<nil>"},
		{name: "off", args: []string{"--off"}, want: "true|<nil>|<nil>|<nil>"},
		{name: "retention", args: []string{"--retention-days", "90"}, want: "false|<nil>|<nil>|90"},
		{name: "off and retention", args: []string{"--off", "--retention-days=365"}, want: "true|<nil>|<nil>|365"},
		{name: "link alone", args: []string{"--link", "https://x.contoso.com/"}, want: "false|<nil>|https://x.contoso.com/|<nil>"},
		{name: "nothing", wantErr: "say what to set"},
		{name: "--off=false alone", args: []string{"--off=false"}, wantErr: "say what to set"},
		{name: "retention not a number", args: []string{"--retention-days", "ninety"}, wantErr: "invalid argument"},
		{name: "positional", args: []string{"on"}, wantErr: "at most 0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got *SetRequestProcessOptions
			err := runCmd(t, false, func(f *cmdutil.Factory) *cobra.Command {
				return NewCmdSetRequestProcess(f, func(o *SetRequestProcessOptions) error { got = o; return nil })
			}, tt.args)
			if tt.wantErr != "" {
				wantUsage(t, err, tt.wantErr, got != nil)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got == nil {
				t.Fatal("runF was not called")
			}
			u := got.Update
			if s := fmt.Sprintf("%v|%s|%s|%s", u.Off, str(u.Message), str(u.Link), num(u.RetentionDays)); s != tt.want {
				t.Errorf("update %s, want %s", s, tt.want)
			}
		})
	}
}

func TestNewCmdListRequestsStatus(t *testing.T) {
	for _, s := range []string{"pending", "completed", "all"} {
		var got *ListRequestsOptions
		err := runCmd(t, false, func(f *cmdutil.Factory) *cobra.Command {
			return NewCmdListRequests(f, func(o *ListRequestsOptions) error { got = o; return nil })
		}, []string{"--status", s})
		if err != nil || got == nil || got.Status != s {
			t.Errorf("--status %s: %+v, %v", s, got, err)
		}
	}
	var got *ListRequestsOptions
	err := runCmd(t, false, func(f *cmdutil.Factory) *cobra.Command {
		return NewCmdListRequests(f, func(o *ListRequestsOptions) error { got = o; return nil })
	}, nil)
	if err != nil || got == nil || got.Status != "pending" {
		t.Errorf("default status: %+v, %v", got, err)
	}
	got = nil
	err = runCmd(t, false, func(f *cmdutil.Factory) *cobra.Command {
		return NewCmdListRequests(f, func(o *ListRequestsOptions) error { got = o; return nil })
	}, []string{"--status", "decided"})
	wantUsage(t, err, "pending, completed or all", got != nil)
}

// deny-request without an id, in a terminal, picks among the pending
// requests, asks the message as the review does, and confirms.
func TestDenyPicksPending(t *testing.T) {
	path := newDemoTenant(t)
	pr := answers(
		output.FakeAnswer{Match: "Decline which request?", Options: []string{"1"}},
		output.FakeAnswer{Match: "Message to everyone in the request", Text: "Later this year"},
		output.FakeAnswer{Match: "Decline request 1 (Project Plan 3)? Its 1 person is told.", Yes: true},
	)
	f, _, stderr := newTestFactory(t, path, pr)
	if err := execute(NewCmdDenyRequest(f, nil)); err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	clitest.AllAnswered(t, pr)
	if reqs := clitest.Offered(t, pr, "Decline which request?"); len(reqs) != 3 {
		t.Errorf("requests offered: %q, want the 3 pending", reqs)
	}
	if got := query(t, path, `SELECT status || '|' || message FROM requests WHERE id = 1`); len(got) != 1 || got[0] != "Denied|Later this year" {
		t.Errorf("request 1: %q", got)
	}
}

// The plan says who holds the product already (the demo's three people of
// request 2 all have Visio Plan 2): they keep the license they have, and
// the approval takes no seat for them.
func TestInteractiveApproveSaysWhoHoldsItAlready(t *testing.T) {
	path := newDemoTenant(t)
	pr := answers(
		output.FakeAnswer{Match: "Which request?", Options: []string{"2"}},
		output.FakeAnswer{Match: "Approve or decline?", Options: []string{"Approve"}},
		output.FakeAnswer{Match: "Who gets a license?", Options: []string{johanna, lidia, enrico}},
		output.FakeAnswer{Match: "Assign which product?", Options: []string{"CFQ7TTC0HD32"}},
		output.FakeAnswer{Match: "Apps and services", Options: []string{"VISIO_CLIENT_SUBSCRIPTION"}},
		output.FakeAnswer{Match: "Message to everyone in the request"},
		output.FakeAnswer{Match: "Approve?", Yes: false},
	)
	f, _, stderr := newTestFactory(t, path, pr)
	if err := execute(NewCmdApproveRequest(f, nil)); !errors.Is(err, output.ErrCanceled) {
		t.Fatalf("answering no: %v\n%s", err, stderr)
	}
	if want := "Approve request 2: Visio Plan 2 for 3 of 3 people (3 already have it), from its central pool (2 free)"; !strings.Contains(stderr.String(), want) {
		t.Errorf("stderr lacks %q:\n%s", want, stderr)
	}
}
