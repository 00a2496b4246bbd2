package license

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/commercectl/commercectl/cmd/cmdutil"
	"github.com/commercectl/commercectl/internal/clitest"
	"github.com/commercectl/commercectl/output"
	"github.com/commercectl/commercectl/store"
	"github.com/commercectl/commercectl/store/sqlstore"
)

const (
	testAdmin = "admin@contoso.com"
	testNow   = "2026-11-21T09:00:00Z"
	powerBI   = "CFQ7TTC0H9MP"
)

// newDemoTenant creates the demo tenant (SPEC: SUB-00001 Power BI Pro, 10
// seats, 7 used; SUB-00005 self-service by alex.wilber; ...) in a temporary file.
func newDemoTenant(t *testing.T) string { return clitest.DemoTenant(t) }

// newTestFactory is a Factory on buffers that pretend to be a terminal, the
// tenant at path, -o interactive and the given prompter; no config file or
// environment of the person running the tests gets in.
func newTestFactory(t *testing.T, path string, pr output.Prompter) (*cmdutil.Factory, *bytes.Buffer, *bytes.Buffer) {
	f, stdout, stderr := clitest.Factory(t, path, testAdmin, true, pr)
	f.Flags.Output = output.FormatInteractive
	return f, stdout, stderr
}

func answers(a ...output.FakeAnswer) *output.FakePrompter {
	return &output.FakePrompter{Answers: a}
}

// licenses reads every license of the tenant as "upn product subscription plans".
func licenses(t *testing.T, path string) []string {
	t.Helper()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(`SELECT u.upn, l.product_id, l.subscription_id, l.disabled_plans FROM licenses l
		JOIN users u ON u.id = l.user_id ORDER BY u.upn_key, l.product_id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var upn, pid, sub, plans string
		if err := rows.Scan(&upn, &pid, &sub, &plans); err != nil {
			t.Fatal(err)
		}
		out = append(out, strings.TrimSpace(fmt.Sprintf("%s %s %s %s", upn, pid, sub, plans)))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// changes counts the audit entries and notifications: any write adds one.
func changes(t *testing.T, path string) string {
	t.Helper()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var audit, mail, subs int
	if err := db.QueryRow(`SELECT (SELECT count(*) FROM audit_log), (SELECT count(*) FROM notifications),
		(SELECT coalesce(sum(quantity), 0) FROM subscriptions)`).Scan(&audit, &mail, &subs); err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("audit=%d notifications=%d seats=%d", audit, mail, subs)
}

type tenantState struct {
	licenses []string
	changes  string
}

func state(t *testing.T, path string) tenantState {
	return tenantState{licenses(t, path), changes(t, path)}
}

func (s tenantState) equal(o tenantState) bool {
	return slices.Equal(s.licenses, o.licenses) && s.changes == o.changes
}

func interactiveOpts(f *cmdutil.Factory) *ListLicensesOptions {
	return &ListLicensesOptions{Factory: f}
}

func TestInteractiveAssign(t *testing.T) {
	path := newDemoTenant(t)
	before := licenses(t, path)
	pr := answers(
		output.FakeAnswer{Match: "Which product?", Options: []string{powerBI}},
		output.FakeAnswer{Match: "What do you want to do?", Options: []string{"Assign licenses"}},
		output.FakeAnswer{Match: "Which users?", Options: []string{"diego.siciliani@contoso.com", "joni.sherman@contoso.com"}},
		output.FakeAnswer{Match: "Give 2 license(s) of Power BI Pro to diego.siciliani@contoso.com, joni.sherman@contoso.com? 1 will stay free.", Yes: true},
	)
	f, stdout, stderr := newTestFactory(t, path, pr)
	if err := listLicensesRun(interactiveOpts(f)); err != nil {
		t.Fatalf("listLicensesRun: %v\nstderr:\n%s", err, stderr)
	}
	if len(pr.Answers) != 0 {
		t.Errorf("prompts not asked: %+v (asked %q)", pr.Answers, pr.Asked)
	}

	// Every product with a subscription is offered, with its central pool:
	// the 5 available in all count 2 self-service seats nobody else can use.
	products := clitest.Offered(t, pr, "Which product?")
	if len(products) != 7 || !slices.Contains(products, "CFQ7TTC0H9MP  Power BI Pro (central: 7 of 10 assigned, 3 available)") ||
		!slices.Contains(products, "CFQ7TTC0HDB0  Project Plan 3 (central: 2 assigned, no seats)") {
		t.Errorf("products offered: %q", products)
	}
	if got := clitest.Offered(t, pr, "What do you want to do?"); !slices.Equal(got, []string{"Assign licenses", "Unassign licenses"}) {
		t.Errorf("actions offered: %q", got)
	}
	// The question says how many can be ticked: the central seats free.
	if !slices.Contains(pr.Asked, "Which users? (3 licenses free)") {
		t.Errorf("asked %q, want the users asked with the 3 free licenses", pr.Asked)
	}
	// Candidates: every user who holds no Power BI Pro license, from any pool.
	users := clitest.Offered(t, pr, "Which users?")
	for _, holder := range []string{"admin@contoso.com", "megan.bowen@contoso.com", "alex.wilber@contoso.com", "irvin.sayers@contoso.com"} {
		if slices.Contains(users, holder) {
			t.Errorf("%s holds Power BI Pro but is offered: %q", holder, users)
		}
	}
	for _, free := range []string{"diego.siciliani@contoso.com", "joni.sherman@contoso.com", "lee.gu@contoso.com"} {
		if !slices.Contains(users, free) {
			t.Errorf("%s holds no Power BI Pro but is not offered: %q", free, users)
		}
	}
	if len(users) != 30-13 {
		t.Errorf("%d users offered, want the %d without Power BI Pro", len(users), 30-13)
	}

	// The plan is the question (matched above); the result goes to stdout.
	if strings.Contains(stdout.String(), "Plan:") {
		t.Errorf("the plan went to stdout:\n%s", stdout)
	}
	for _, want := range []string{"Product ID:    CFQ7TTC0H9MP", "Changed:       2", "Available:     1"} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("stdout lacks %q:\n%s", want, stdout)
		}
	}

	// The licenses are in the tenant, from the central pool, and nothing else changed.
	after := licenses(t, path)
	want := append(slices.Clone(before), "diego.siciliani@contoso.com CFQ7TTC0H9MP SUB-00001", "joni.sherman@contoso.com CFQ7TTC0H9MP SUB-00001")
	slices.Sort(want)
	got := slices.Clone(after)
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Errorf("licenses after assigning:\n%q\nwant\n%q", got, want)
	}
}

func TestInteractiveNoAtConfirmChangesNothing(t *testing.T) {
	path := newDemoTenant(t)
	before := state(t, path)
	pr := answers(
		output.FakeAnswer{Match: "Which product?", Options: []string{powerBI}},
		output.FakeAnswer{Match: "What do you want to do?", Options: []string{"Assign licenses"}},
		output.FakeAnswer{Match: "Which users?", Options: []string{"diego.siciliani@contoso.com"}},
		output.FakeAnswer{Match: "Give 1 license(s) of Power BI Pro to diego.siciliani@contoso.com? 2 will stay free.", Yes: false},
	)
	f, stdout, _ := newTestFactory(t, path, pr)
	err := listLicensesRun(interactiveOpts(f))
	if !errors.Is(err, output.ErrCanceled) {
		t.Fatalf("answering no: %v, want output.ErrCanceled", err)
	}
	if code, _ := cmdutil.ExitCode(err); code != cmdutil.ExitUsage {
		t.Errorf("answering no exits %d, want %d", code, cmdutil.ExitUsage)
	}
	if len(pr.Answers) != 0 {
		t.Errorf("prompts not asked: %+v", pr.Answers)
	}
	if stdout.Len() != 0 {
		t.Errorf("a canceled run printed data:\n%s", stdout)
	}
	if after := state(t, path); !after.equal(before) {
		t.Errorf("answering no changed the tenant:\nbefore %+v\nafter  %+v", before, after)
	}
}

func TestInteractiveUnassign(t *testing.T) {
	path := newDemoTenant(t)
	before := licenses(t, path)
	pr := answers(
		output.FakeAnswer{Match: "Which product?", Options: []string{powerBI}},
		output.FakeAnswer{Match: "What do you want to do?", Options: []string{"Unassign licenses"}},
		output.FakeAnswer{Match: "Which users?", Options: []string{"megan.bowen@contoso.com", "patti.fernandez@contoso.com"}},
		output.FakeAnswer{Match: "Take 2 license(s) of Power BI Pro away from megan.bowen@contoso.com, patti.fernandez@contoso.com?", Yes: true},
	)
	f, stdout, stderr := newTestFactory(t, path, pr)
	if err := listLicensesRun(interactiveOpts(f)); err != nil {
		t.Fatalf("listLicensesRun: %v\nstderr:\n%s", err, stderr)
	}
	// Only the central pool's holders are offered: an admin does not manage
	// the self-service subscriptions (alex.wilber's, grady.archie's).
	users := clitest.Offered(t, pr, "Which users?")
	want := []string{"admin@contoso.com", "christie.cline@contoso.com", "debra.berger@contoso.com", "emily.braun@contoso.com",
		"megan.bowen@contoso.com", "patti.fernandez@contoso.com", "pradeep.gupta@contoso.com"}
	if !slices.Equal(users, want) {
		t.Errorf("users offered %q, want the central holders %q", users, want)
	}
	if !strings.Contains(stdout.String(), "Changed:       2") || !strings.Contains(stdout.String(), "Available:     5") {
		t.Errorf("stdout does not show the result:\n%s", stdout)
	}
	after := licenses(t, path)
	for _, gone := range []string{"megan.bowen@contoso.com CFQ7TTC0H9MP SUB-00001", "patti.fernandez@contoso.com CFQ7TTC0H9MP SUB-00001"} {
		if !slices.Contains(before, gone) || slices.Contains(after, gone) {
			t.Errorf("%q: before %v, after %v; want it removed", gone, slices.Contains(before, gone), slices.Contains(after, gone))
		}
	}
	if len(after) != len(before)-2 {
		t.Errorf("%d licenses after, want %d", len(after), len(before)-2)
	}
	if !slices.Contains(after, "alex.wilber@contoso.com CFQ7TTC0H9MP SUB-00005") {
		t.Errorf("a self-service license was touched: %q", after)
	}
}

func TestInteractiveUnassignAnswerNo(t *testing.T) {
	path := newDemoTenant(t)
	before := state(t, path)
	pr := answers(
		output.FakeAnswer{Match: "Which product?", Options: []string{powerBI}},
		output.FakeAnswer{Match: "What do you want to do?", Options: []string{"Unassign licenses"}},
		output.FakeAnswer{Match: "Which users?", Options: []string{"megan.bowen@contoso.com"}},
		output.FakeAnswer{Match: "Take 1 license(s) of Power BI Pro away from megan.bowen@contoso.com?", Yes: false},
	)
	f, _, _ := newTestFactory(t, path, pr)
	if err := listLicensesRun(interactiveOpts(f)); !errors.Is(err, output.ErrCanceled) {
		t.Fatalf("answering no: %v, want output.ErrCanceled", err)
	}
	if after := state(t, path); !after.equal(before) {
		t.Errorf("answering no changed the tenant:\nbefore %+v\nafter  %+v", before, after)
	}
}

func TestInteractiveNothingPickedAsksNoMore(t *testing.T) {
	path := newDemoTenant(t)
	before := state(t, path)
	pr := answers(
		output.FakeAnswer{Match: "Which product?", Options: []string{powerBI}},
		output.FakeAnswer{Match: "What do you want to do?", Options: []string{"Assign licenses"}},
		output.FakeAnswer{Match: "Which users?"},
	)
	f, stdout, stderr := newTestFactory(t, path, pr)
	if err := listLicensesRun(interactiveOpts(f)); err != nil {
		t.Fatal(err)
	}
	if len(pr.Asked) != 3 {
		t.Errorf("asked %q, want no confirmation after nothing was picked", pr.Asked)
	}
	if !strings.Contains(stderr.String(), "Nothing picked: nothing changed.") {
		t.Errorf("stderr does not say nothing changed:\n%s", stderr)
	}
	if stdout.Len() != 0 {
		t.Errorf("stdout: %s", stdout)
	}
	if after := state(t, path); !after.equal(before) {
		t.Errorf("the tenant changed: %+v → %+v", before, after)
	}
}

// A product whose central pool nobody holds offers neither: nothing to
// assign from, nobody to unassign. The verb fails as it would, exit 5,
// with both reasons.
func TestInteractiveUnassignWithoutCentralHolders(t *testing.T) {
	path := newDemoTenant(t)
	pr := answers(
		output.FakeAnswer{Match: "Which product?", Options: []string{"CFQ7TTC0HD33"}}, // Visio Plan 1: self-service only
	)
	f, _, stderr := newTestFactory(t, path, pr)
	err := listLicensesRun(interactiveOpts(f))
	if store.ErrorCode(err) != store.ECONFLICT {
		t.Fatalf("nothing to do on Visio Plan 1: %v, want refused", err)
	}
	for _, want := range []string{
		"  Assign licenses: no central subscription (buy some: commercectl add-subscription --product CFQ7TTC0HD33 --quantity N)\n",
		"  Unassign licenses: nobody holds a central license of Visio Plan 1 (its licenses are self-service or trials",
	} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
	if len(pr.Asked) != 1 {
		t.Errorf("asked %q, want only the product", pr.Asked)
	}
}

// The rules hold in the interactive flow: more users than seats is refused
// (exit 5) after the confirmation, and nothing changes.
func TestInteractiveShortfallChangesNothing(t *testing.T) {
	path := newDemoTenant(t)
	before := state(t, path)
	picked := []string{"diego.siciliani@contoso.com", "joni.sherman@contoso.com", "lynne.robbins@contoso.com", "raul.razo@contoso.com"}
	pr := answers(
		output.FakeAnswer{Match: "Which product?", Options: []string{powerBI}},
		output.FakeAnswer{Match: "What do you want to do?", Options: []string{"Assign licenses"}},
		output.FakeAnswer{Match: "Which users?", Options: picked},
		output.FakeAnswer{Match: "Give 4 license(s) of Power BI Pro to", Yes: true},
	)
	f, stdout, _ := newTestFactory(t, path, pr)
	err := listLicensesRun(interactiveOpts(f))
	if code, _ := cmdutil.ExitCode(err); code != cmdutil.ExitRefused {
		t.Fatalf("4 users for 3 seats: %v (exit %d), want exit %d", err, code, cmdutil.ExitRefused)
	}
	if !strings.Contains(err.Error(), "4 needed, 3 available, 1 missing") || !strings.Contains(store.ErrorHint(err), "buy-licenses --subscription SUB-00001 --total 11") {
		t.Errorf("error %q (hint %q) does not name the shortfall and buy-licenses", err, store.ErrorHint(err))
	}
	if stdout.Len() != 0 {
		t.Errorf("a refused run printed data:\n%s", stdout)
	}
	if after := state(t, path); !after.equal(before) {
		t.Errorf("a refused assignment changed the tenant:\nbefore %+v\nafter  %+v", before, after)
	}
}

// A GlobalReader may look (list-licenses) but the role is checked when the
// change is made: exit 4, nothing changed.
func TestInteractiveAsGlobalReaderChangesNothing(t *testing.T) {
	path := newDemoTenant(t)
	before := state(t, path)
	pr := answers(
		output.FakeAnswer{Match: "Which product?", Options: []string{powerBI}},
		output.FakeAnswer{Match: "What do you want to do?", Options: []string{"Assign licenses"}},
		output.FakeAnswer{Match: "Which users?", Options: []string{"diego.siciliani@contoso.com"}},
		output.FakeAnswer{Match: "Assign 1 license(s)", Yes: true},
	)
	f, _, _ := newTestFactory(t, path, pr)
	f.Flags.As = "patti.fernandez@contoso.com"
	err := listLicensesRun(interactiveOpts(f))
	if code, _ := cmdutil.ExitCode(err); code != cmdutil.ExitForbidden {
		t.Fatalf("GlobalReader assigning: %v (exit %d), want exit %d", err, code, cmdutil.ExitForbidden)
	}
	if after := state(t, path); !after.equal(before) {
		t.Errorf("a forbidden assignment changed the tenant: %+v → %+v", before, after)
	}
}

// A role that may not read licenses is refused before any question.
func TestInteractiveAsUserAdminAsksNothing(t *testing.T) {
	path := newDemoTenant(t)
	pr := answers()
	f, _, _ := newTestFactory(t, path, pr)
	f.Flags.As = "isaiah.langer@contoso.com"
	err := listLicensesRun(interactiveOpts(f))
	if code, _ := cmdutil.ExitCode(err); code != cmdutil.ExitForbidden {
		t.Fatalf("UserAdmin: %v (exit %d), want exit %d", err, code, cmdutil.ExitForbidden)
	}
	if len(pr.Asked) != 0 {
		t.Errorf("asked %q", pr.Asked)
	}
}

// --dry-run runs the same flow and changes nothing, even when confirmed.
func TestInteractiveDryRunChangesNothing(t *testing.T) {
	path := newDemoTenant(t)
	before := state(t, path)
	pr := answers(
		output.FakeAnswer{Match: "Which product?", Options: []string{powerBI}},
		output.FakeAnswer{Match: "What do you want to do?", Options: []string{"Assign licenses"}},
		output.FakeAnswer{Match: "Which users?", Options: []string{"diego.siciliani@contoso.com"}},
		output.FakeAnswer{Match: "Give 1 license(s) of Power BI Pro to", Yes: true},
	)
	f, stdout, stderr := newTestFactory(t, path, pr)
	f.Flags.DryRun = true
	if err := listLicensesRun(interactiveOpts(f)); err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	if !strings.Contains(stdout.String(), "Changed:       1") || !strings.Contains(stderr.String(), "dry run: nothing was changed") {
		t.Errorf("stdout:\n%s\nstderr:\n%s", stdout, stderr)
	}
	if after := state(t, path); !after.equal(before) {
		t.Errorf("a dry run changed the tenant: %+v → %+v", before, after)
	}
}

// Past 500 candidates the flow asks for UPNs instead of listing them.
func TestInteractiveManyUsersAsksForUPNs(t *testing.T) {
	path := newDemoTenant(t)
	var csv strings.Builder
	csv.WriteString("upn,displayName,department\n")
	for i := range 520 {
		fmt.Fprintf(&csv, "user%03d@contoso.com,User %d,Bulk\n", i, i)
	}
	d, err := sqlstore.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	now, _ := time.Parse(time.RFC3339, testNow)
	if _, err := d.ImportUsers(store.WithNow(store.WithActor(context.Background(), testAdmin), now), "bulk.csv", strings.NewReader(csv.String())); err != nil {
		t.Fatal(err)
	}
	d.Close()

	pr := answers(
		output.FakeAnswer{Match: "Which product?", Options: []string{powerBI}},
		output.FakeAnswer{Match: "What do you want to do?", Options: []string{"Assign licenses"}},
		output.FakeAnswer{Match: "users could be picked: type UPNs", Text: "user007@contoso.com, user123@contoso.com"},
		output.FakeAnswer{Match: "Give 2 license(s) of Power BI Pro to user007@contoso.com, user123@contoso.com?", Yes: true},
	)
	f, _, stderr := newTestFactory(t, path, pr)
	if err := listLicensesRun(interactiveOpts(f)); err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	if len(pr.Answers) != 0 {
		t.Errorf("prompts not asked: %+v (asked %q)", pr.Answers, pr.Asked)
	}
	if !strings.HasPrefix(pr.Asked[2], "537 users could be picked") {
		t.Errorf("asked %q, want 537 (= 550 users - 13 holders) candidates", pr.Asked[2])
	}
	after := licenses(t, path)
	for _, want := range []string{"user007@contoso.com CFQ7TTC0H9MP SUB-00001", "user123@contoso.com CFQ7TTC0H9MP SUB-00001"} {
		if !slices.Contains(after, want) {
			t.Errorf("no license %q", want)
		}
	}
}

// -o interactive without a terminal is bad usage (exit 2), and nothing is asked.
func TestInteractiveNeedsATerminal(t *testing.T) {
	path := newDemoTenant(t)
	for _, tty := range [][3]bool{{false, false, false}, {false, true, true}, {true, true, false}} {
		pr := answers()
		f, _, _ := newTestFactory(t, path, pr)
		f.IOStreams.SetTTY(tty[0], tty[1], tty[2])
		err := listLicensesRun(interactiveOpts(f))
		if code, _ := cmdutil.ExitCode(err); code != cmdutil.ExitUsage {
			t.Errorf("tty %v: %v (exit %d), want exit %d", tty, err, code, cmdutil.ExitUsage)
		}
		if len(pr.Asked) != 0 {
			t.Errorf("tty %v: asked %q without a terminal", tty, pr.Asked)
		}
	}
}

// Without -o interactive the verb lists and asks nothing, even in a terminal.
func TestListLicensesTableAsksNothing(t *testing.T) {
	path := newDemoTenant(t)
	pr := answers()
	f, stdout, _ := newTestFactory(t, path, pr)
	f.Flags.Output = output.FormatTable
	if err := listLicensesRun(interactiveOpts(f)); err != nil {
		t.Fatal(err)
	}
	if len(pr.Asked) != 0 {
		t.Errorf("asked %q", pr.Asked)
	}
	if !strings.Contains(stdout.String(), "STATUS") || !strings.Contains(stdout.String(), "2 users need a valid license") {
		t.Errorf("the demo's conflict is not shown:\n%s", stdout)
	}
}

// --product names the product of the interactive flow (an old id too): no
// product question.
func TestInteractiveProductFlag(t *testing.T) {
	path := newDemoTenant(t)
	pr := answers(
		output.FakeAnswer{Match: "What do you want to do?", Options: []string{"Assign licenses"}},
		output.FakeAnswer{Match: "Which users?", Options: []string{"lynne.robbins@contoso.com"}},
		output.FakeAnswer{Match: "Give 1 license(s) of Visio Plan 2 to lynne.robbins@contoso.com?", Yes: true},
	)
	f, _, stderr := newTestFactory(t, path, pr)
	opts := interactiveOpts(f)
	opts.ProductID = "cfq7ttc0kxn8" // Visio Plan 2's old id
	if err := listLicensesRun(opts); err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	if len(pr.Answers) != 0 || slices.ContainsFunc(pr.Asked, func(m string) bool { return strings.HasPrefix(m, "Which product?") }) {
		t.Errorf("asked %q", pr.Asked)
	}
	if !slices.Contains(licenses(t, path), "lynne.robbins@contoso.com CFQ7TTC0HD32 SUB-00002") {
		t.Errorf("no Visio Plan 2 license for lynne.robbins")
	}

	// An unknown product (3), and one without subscriptions (3), ask nothing.
	for _, id := range []string{"CFQ7TTC0XXXX", "CFQ7TTC0J1FV"} {
		pr := answers()
		f, _, _ := newTestFactory(t, path, pr)
		opts := interactiveOpts(f)
		opts.ProductID = id
		err := listLicensesRun(opts)
		if code, _ := cmdutil.ExitCode(err); code != cmdutil.ExitNotFound {
			t.Errorf("%s: %v (exit %d), want exit %d", id, err, code, cmdutil.ExitNotFound)
		}
		if len(pr.Asked) != 0 {
			t.Errorf("%s: asked %q", id, pr.Asked)
		}
	}
}
