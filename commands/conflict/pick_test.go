package conflict

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"sort"
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
)

// newDemoTenant is the demo tenant, where Project Plan 3 (CFQ7TTC0HDB0) is
// in conflict: its only central subscription expired with 2 licenses.
func newDemoTenant(t *testing.T) string { return clitest.DemoTenant(t) }

func now() time.Time {
	n, _ := time.Parse(time.RFC3339, testNow)
	return n
}

// withStore runs fn on the tenant as the demo's GlobalAdmin.
func withStore(t *testing.T, path string, fn func(ctx context.Context, d *sqlstore.DB) error) {
	t.Helper()
	d, err := sqlstore.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if err := fn(store.WithNow(store.WithActor(context.Background(), testAdmin), now()), d); err != nil {
		t.Fatal(err)
	}
}

// reducePowerBI lowers SUB-00001 (Power BI Pro, 7 licenses) to 4 seats: a
// conflict of 3 (emily.braun, pradeep.gupta, christie.cline, the newest).
func reducePowerBI(t *testing.T, path string) {
	t.Helper()
	withStore(t, path, func(ctx context.Context, d *sqlstore.DB) error {
		_, err := d.BuyLicenses(ctx, "SUB-00001", 4, true)
		return err
	})
}

func conflicts(t *testing.T, path string) map[string]store.Conflict {
	t.Helper()
	out := map[string]store.Conflict{}
	withStore(t, path, func(ctx context.Context, d *sqlstore.DB) error {
		cs, err := d.ListConflicts(ctx, "")
		for _, c := range cs {
			out[c.ProductID+"/"+c.Pool] = c
		}
		return err
	})
	return out
}

func subscription(t *testing.T, path, id string) *store.Subscription {
	t.Helper()
	var s *store.Subscription
	withStore(t, path, func(ctx context.Context, d *sqlstore.DB) (err error) {
		s, err = d.GetSubscription(ctx, id)
		return err
	})
	return s
}

// tenantRows renders every row of the tables a resolution may change,
// sorted, so that two calls prove the tenant unchanged.
func tenantRows(t *testing.T, path string) string {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var out strings.Builder
	for _, table := range []string{"subscriptions", "licenses", "notifications", "audit_log"} {
		rows, err := db.Query(`SELECT * FROM "` + table + `"`)
		if err != nil {
			t.Fatalf("%s: %v", table, err)
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
			lines = append(lines, fmt.Sprint(vals...))
		}
		rows.Close()
		sort.Strings(lines)
		fmt.Fprintf(&out, "== %s (%d)\n%s\n", table, len(lines), strings.Join(lines, "\n"))
	}
	return out.String()
}

// factory is a Factory with the fake prompter pr, whose streams are a
// terminal when tty is true.
func factory(t *testing.T, path, as string, tty bool, pr output.Prompter) (*cmdutil.Factory, *bytes.Buffer, *bytes.Buffer) {
	return clitest.Factory(t, path, as, tty, pr)
}

// runPick runs list-conflicts -o interactive in a terminal.
func runPick(t *testing.T, path string, pr *output.FakePrompter) (string, string, error) {
	t.Helper()
	f, stdout, stderr := factory(t, path, testAdmin, true, pr)
	f.Flags.Output = output.FormatInteractive
	cmd := NewCmdListConflicts(f, nil)
	cmd.SetArgs([]string{})
	cmd.SilenceErrors, cmd.SilenceUsage = true, true
	err := cmd.Execute()
	return stdout.String(), stderr.String(), err
}

func TestPickBuysTheShortfallAfterConfirming(t *testing.T) {
	path := newDemoTenant(t)
	reducePowerBI(t, path)
	pr := &output.FakePrompter{Answers: []output.FakeAnswer{
		{Match: "Which product?", Options: []string{"CFQ7TTC0H9MP"}},
		{Match: "Resolve how?", Options: []string{"Buy 3 more license(s)"}},
		{Match: "Resolve: buy 3 license(s) of Power BI Pro on SUB-00001 (new total 98.00 a month)?", Yes: true},
	}}
	stdout, stderr, err := runPick(t, path, pr)
	if err != nil {
		t.Fatalf("buy: %v (asked %q)", err, pr.Asked)
	}
	if len(pr.Answers) != 0 {
		t.Errorf("questions left unasked: %+v", pr.Answers)
	}
	if s := subscription(t, path, "SUB-00001"); s.Quantity != 7 || s.Assigned != 7 {
		t.Errorf("SUB-00001: %d licenses, %d assigned; want 7, 7", s.Quantity, s.Assigned)
	}
	cs := conflicts(t, path)
	if _, ok := cs["CFQ7TTC0H9MP/central"]; ok {
		t.Errorf("Power BI Pro is still in conflict: %+v", cs)
	}
	if _, ok := cs["CFQ7TTC0HDB0/central"]; !ok {
		t.Errorf("Project Plan 3 was not picked, yet its conflict is gone: %+v", cs)
	}
	if !strings.Contains(stderr, "SUB-00001: 7 licenses in all; new monthly cost 98.00") {
		t.Errorf("stderr:\n%s", stderr)
	}
	if !strings.Contains(stdout, "CFQ7TTC0H9MP") || !strings.Contains(stdout, "buy") {
		t.Errorf("stdout:\n%s", stdout)
	}
}

// With several Active central subscriptions, the terminal asks which one.
func TestPickBuyAsksWhichSubscription(t *testing.T) {
	path := newDemoTenant(t)
	reducePowerBI(t, path)
	withStore(t, path, func(ctx context.Context, d *sqlstore.DB) error {
		s, err := d.AddSubscription(ctx, "CFQ7TTC0H9MP", 1, 12)
		if err == nil && s.ID != "SUB-00010" {
			err = fmt.Errorf("new subscription %s, want SUB-00010", s.ID)
		}
		return err
	})
	pr := &output.FakePrompter{Answers: []output.FakeAnswer{
		{Match: "Which product?", Options: []string{"CFQ7TTC0H9MP"}},
		{Match: "Resolve how?", Options: []string{"Buy 2 more license(s)"}},
		{Match: "Buy on which subscription?", Options: []string{"SUB-00010"}},
		{Match: "Resolve: buy 2 license(s) of Power BI Pro on SUB-00010 (new total 42.00 a month)?", Yes: true},
	}}
	if _, _, err := runPick(t, path, pr); err != nil {
		t.Fatalf("buy: %v (asked %q)", err, pr.Asked)
	}
	if len(pr.Answers) != 0 {
		t.Errorf("questions left unasked: %+v", pr.Answers)
	}
	if a, b := subscription(t, path, "SUB-00001"), subscription(t, path, "SUB-00010"); a.Quantity != 4 || b.Quantity != 3 {
		t.Errorf("SUB-00001 %d, SUB-00010 %d licenses; want 4, 3", a.Quantity, b.Quantity)
	}
}

func TestPickUnassignsThePickedUsers(t *testing.T) {
	path := newDemoTenant(t)
	reducePowerBI(t, path)
	pr := &output.FakePrompter{Answers: []output.FakeAnswer{
		{Match: "Which product?", Options: []string{"CFQ7TTC0H9MP"}},
		{Match: "Resolve how?", Options: []string{"Unassign licenses"}},
		{Match: "Whose license goes?", Options: []string{"debra.berger@contoso.com", "emily.braun@contoso.com", "patti.fernandez@contoso.com"}},
		{Match: "Resolve: unassign Power BI Pro from debra.berger@contoso.com, emily.braun@contoso.com, patti.fernandez@contoso.com?", Yes: true},
	}}
	stdout, _, err := runPick(t, path, pr)
	if err != nil {
		t.Fatalf("unassign: %v (asked %q)", err, pr.Asked)
	}
	if len(pr.Answers) != 0 {
		t.Errorf("questions left unasked: %+v", pr.Answers)
	}
	s := subscription(t, path, "SUB-00001")
	var left []string
	for _, u := range s.Users {
		left = append(left, u.UPN)
	}
	sort.Strings(left)
	want := []string{"admin@contoso.com", "christie.cline@contoso.com", "megan.bowen@contoso.com", "pradeep.gupta@contoso.com"}
	if s.Quantity != 4 || !slices.Equal(left, want) {
		t.Errorf("SUB-00001: %d licenses, users %q; want 4, %q", s.Quantity, left, want)
	}
	if _, ok := conflicts(t, path)["CFQ7TTC0H9MP/central"]; ok {
		t.Errorf("Power BI Pro is still in conflict")
	}
	if !strings.Contains(stdout, "debra.berger@contoso.com;emily.braun@contoso.com;patti.fernandez@contoso.com") {
		t.Errorf("stdout:\n%s", stdout)
	}
}

// Picking fewer users than the shortfall resolves part of the conflict.
func TestPickUnassignsFewerThanTheShortfall(t *testing.T) {
	path := newDemoTenant(t)
	pr := &output.FakePrompter{Answers: []output.FakeAnswer{
		{Match: "Which product?", Options: []string{"CFQ7TTC0HDB0"}},
		{Match: "Resolve how?", Options: []string{"Unassign licenses"}},
		{Match: "Whose license goes?", Options: []string{"ben.walters@contoso.com"}},
		{Match: "Resolve: unassign Project Plan 3 from ben.walters@contoso.com?", Yes: true},
	}}
	if _, _, err := runPick(t, path, pr); err != nil {
		t.Fatalf("unassign: %v (asked %q)", err, pr.Asked)
	}
	c, ok := conflicts(t, path)["CFQ7TTC0HDB0/central"]
	if !ok || c.Shortfall != 1 || !slices.Equal(c.Users, []string{"nestor.wilke@contoso.com"}) {
		t.Errorf("Project Plan 3 after: %+v (in conflict %v), want a shortfall of 1: nestor.wilke", c, ok)
	}
}

func TestPickAnsweringNoChangesNothing(t *testing.T) {
	for _, tc := range []struct {
		name    string
		answers []output.FakeAnswer
	}{
		{"buy", []output.FakeAnswer{
			{Match: "Which product?", Options: []string{"CFQ7TTC0H9MP"}},
			{Match: "Resolve how?", Options: []string{"Buy 3 more license(s)"}},
			{Match: "Resolve: buy 3 license(s) of Power BI Pro", Yes: false},
		}},
		{"unassign", []output.FakeAnswer{
			{Match: "Which product?", Options: []string{"CFQ7TTC0H9MP"}},
			{Match: "Resolve how?", Options: []string{"Unassign licenses"}},
			{Match: "Whose license goes?", Options: []string{"emily.braun@contoso.com", "pradeep.gupta@contoso.com", "christie.cline@contoso.com"}},
			{Match: "Resolve: unassign Power BI Pro from christie.cline@contoso.com, emily.braun@contoso.com, pradeep.gupta@contoso.com?", Yes: false},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := newDemoTenant(t)
			reducePowerBI(t, path)
			before := tenantRows(t, path)
			pr := &output.FakePrompter{Answers: tc.answers}
			stdout, _, err := runPick(t, path, pr)
			if !errors.Is(err, output.ErrCanceled) {
				t.Fatalf("answering no: %v (asked %q), want output.ErrCanceled", err, pr.Asked)
			}
			if len(pr.Answers) != 0 {
				t.Errorf("questions left unasked: %+v", pr.Answers)
			}
			if stdout != "" {
				t.Errorf("stdout %q", stdout)
			}
			if after := tenantRows(t, path); after != before {
				t.Errorf("the tenant changed:\n%s\nwas\n%s", after, before)
			}
		})
	}
}

// Picking no one changes nothing and asks no confirmation.
func TestPickNobodyChangesNothing(t *testing.T) {
	path := newDemoTenant(t)
	before := tenantRows(t, path)
	pr := &output.FakePrompter{Answers: []output.FakeAnswer{
		{Match: "Which product?", Options: []string{"CFQ7TTC0HDB0"}},
		{Match: "Resolve how?", Options: []string{"Unassign licenses"}},
		{Match: "Whose license goes?"},
	}}
	_, stderr, err := runPick(t, path, pr)
	if err != nil || !strings.Contains(stderr, "Nothing picked: nothing changed.") {
		t.Fatalf("nobody picked: %v, stderr %q", err, stderr)
	}
	if after := tenantRows(t, path); after != before {
		t.Errorf("the tenant changed")
	}
}

// Without a terminal, -o interactive is a usage error and asks nothing.
func TestPickNeedsATerminal(t *testing.T) {
	path := newDemoTenant(t)
	before := tenantRows(t, path)
	pr := &output.FakePrompter{}
	f, stdout, _ := factory(t, path, testAdmin, false, pr)
	f.Flags.Output = output.FormatInteractive
	cmd := NewCmdListConflicts(f, nil)
	cmd.SetArgs([]string{})
	cmd.SilenceErrors, cmd.SilenceUsage = true, true
	err := cmd.Execute()
	if code, _ := cmdutil.ExitCode(err); code != cmdutil.ExitUsage {
		t.Fatalf("no terminal: %v (exit %d), want %d", err, code, cmdutil.ExitUsage)
	}
	if len(pr.Asked) != 0 || stdout.Len() != 0 {
		t.Errorf("asked %q, stdout %q", pr.Asked, stdout)
	}
	if after := tenantRows(t, path); after != before {
		t.Errorf("the tenant changed")
	}
}

// In a terminal, a refusal comes before any question: which subscription
// to buy on is asked only when the product is in conflict and the role may buy.
func TestResolveRefusesBeforeAsking(t *testing.T) {
	path := newDemoTenant(t)
	withStore(t, path, func(ctx context.Context, d *sqlstore.DB) error {
		_, err := d.AddSubscription(ctx, "CFQ7TTC0H9MP", 1, 12) // a second Active central one
		return err
	})
	before := tenantRows(t, path)
	for _, tc := range []struct {
		as, product string
		want        int
	}{
		{testAdmin, "CFQ7TTC0H9MP", cmdutil.ExitRefused},              // no conflict
		{"lee.gu@contoso.com", "CFQ7TTC0H9MP", cmdutil.ExitForbidden}, // LicenseAdmin may not buy
		{testAdmin, "CFQ7TTC0HDB0", cmdutil.ExitRefused},              // no Active subscription
	} {
		pr := &output.FakePrompter{}
		f, _, _ := factory(t, path, tc.as, true, pr)
		cmd := NewCmdResolveConflicts(f, nil)
		cmd.SetArgs([]string{"--product", tc.product, "--buy"})
		cmd.SilenceErrors, cmd.SilenceUsage = true, true
		err := cmd.Execute()
		if code, _ := cmdutil.ExitCode(err); code != tc.want || len(pr.Asked) != 0 {
			t.Errorf("%s --buy as %s: %v (exit %d, want %d), asked %q", tc.product, tc.as, err, code, tc.want, pr.Asked)
		}
	}
	if after := tenantRows(t, path); after != before {
		t.Errorf("the tenant changed")
	}
}
