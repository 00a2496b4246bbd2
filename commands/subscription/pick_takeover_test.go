package subscription

import (
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/commercectl/commercectl/cmd/cmdutil"
	"github.com/commercectl/commercectl/output"
	"github.com/commercectl/commercectl/store"
)

// tenantRows renders every row of the tables a takeover may change, sorted,
// so that two calls prove the tenant unchanged.
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

// runPickTakeover runs list-subscriptions --self-service -o interactive.
func runPickTakeover(t *testing.T, path string, pr *output.FakePrompter) (string, error) {
	t.Helper()
	f, stdout, _ := terminalFactory(t, path, testAdmin, pr)
	f.Flags.Output = output.FormatInteractive
	cmd := NewCmdListSubscriptions(f, nil)
	cmd.SetArgs([]string{"--self-service"})
	cmd.SilenceErrors, cmd.SilenceUsage = true, true
	err := cmd.Execute()
	return stdout.String(), err
}

func TestPickTakeoverMoves(t *testing.T) {
	path := newDemoTenant(t)
	pr := &output.FakePrompter{Answers: []output.FakeAnswer{
		{Match: "Which subscription?", Options: []string{"SUB-00005"}},
		{Match: "Take it over how?", Options: []string{"Move its users to a central subscription"}},
		{Match: "Move its users to?", Options: []string{"SUB-00001"}},
		{Match: "Move the 3 users of SUB-00005 (Power BI Pro) to SUB-00001 and delete SUB-00005? Cost change: -70.00 a month.", Yes: true},
	}}
	stdout, err := runPickTakeover(t, path, pr)
	if err != nil {
		t.Fatalf("move: %v (asked %q)", err, pr.Asked)
	}
	if len(pr.Answers) != 0 {
		t.Errorf("questions left unasked: %+v", pr.Answers)
	}
	src, dst := subscription(t, path, "SUB-00005"), subscription(t, path, "SUB-00001")
	if src.Status != store.StatusDeleted || src.Assigned != 0 || src.CancelReason != "taken over: users moved to SUB-00001" {
		t.Errorf("SUB-00005: %s, %d assigned, reason %q", src.Status, src.Assigned, src.CancelReason)
	}
	if dst.Assigned != 10 || dst.Available != 0 {
		t.Errorf("SUB-00001: %d assigned, %d available; want 10, 0", dst.Assigned, dst.Available)
	}
	if !strings.Contains(stdout, "Users moved:       3") || !strings.Contains(stdout, "Moved to:          SUB-00001") {
		t.Errorf("stdout:\n%s", stdout)
	}
}

func TestPickTakeoverCancelsWithTheReason(t *testing.T) {
	path := newDemoTenant(t)
	pr := &output.FakePrompter{Answers: []output.FakeAnswer{
		{Match: "Which subscription?", Options: []string{"SUB-00008"}},
		{Match: "Take it over how?", Options: []string{"Cancel it (its users lose the licenses)"}},
		{Match: "Why is it canceled?", Options: []string{"security-or-compliance"}},
		{Match: "Cancel SUB-00008 (Visio Plan 1, bought by sanjay.shah@contoso.com, 10.00 a month)? Its 2 user(s) lose their licenses.", Yes: true},
	}}
	if _, err := runPickTakeover(t, path, pr); err != nil {
		t.Fatalf("cancel: %v (asked %q)", err, pr.Asked)
	}
	if len(pr.Answers) != 0 {
		t.Errorf("questions left unasked: %+v", pr.Answers)
	}
	got := subscription(t, path, "SUB-00008")
	if got.Status != store.StatusDeleted || got.Assigned != 0 || got.CancelReason != "security-or-compliance" {
		t.Errorf("SUB-00008: %s, %d assigned, reason %q", got.Status, got.Assigned, got.CancelReason)
	}
}

// Answering no to the last question changes nothing, on either path.
func TestPickTakeoverAnsweringNoChangesNothing(t *testing.T) {
	for name, answers := range map[string][]output.FakeAnswer{
		"move": {
			{Match: "Which subscription?", Options: []string{"SUB-00006"}},
			{Match: "Take it over how?", Options: []string{"Move its users to a central subscription"}},
			{Match: "Move its users to?", Options: []string{"SUB-00001"}},
			{Match: "Move the 3 users of SUB-00006 (Power BI Pro) to SUB-00001 and delete SUB-00006? Cost change: -42.00 a month.", Yes: false},
		},
		"cancel": {
			{Match: "Which subscription?", Options: []string{"SUB-00009"}},
			{Match: "Take it over how?", Options: []string{"Cancel it (its users lose the licenses)"}},
			{Match: "Why is it canceled?", Options: []string{"other"}},
			{Match: "Cancel SUB-00009 (Power Apps per user, bought by adele.vance@contoso.com, 0.00 a month)?", Yes: false},
		},
	} {
		t.Run(name, func(t *testing.T) {
			path := newDemoTenant(t)
			before := tenantRows(t, path)
			pr := &output.FakePrompter{Answers: answers}
			stdout, err := runPickTakeover(t, path, pr)
			if !errors.Is(err, output.ErrCanceled) {
				t.Fatalf("answering no: %v, want output.ErrCanceled (asked %q)", err, pr.Asked)
			}
			if len(pr.Answers) != 0 {
				t.Errorf("questions left unasked: %+v", pr.Answers)
			}
			if stdout != "" {
				t.Errorf("stdout %q", stdout)
			}
			if after := tenantRows(t, path); after != before {
				t.Errorf("the tenant changed:\nbefore:\n%s\nafter:\n%s", before, after)
			}
		})
	}
}

// A target that cannot fit everyone is not offered: it is listed with the
// seats missing and the buy-licenses that makes room (issue 15).
func TestPickTakeoverOffersOnlyTargetsWithRoom(t *testing.T) {
	path := newDemoTenant(t)
	before := tenantRows(t, path)
	pr := &output.FakePrompter{Answers: []output.FakeAnswer{
		{Match: "Which subscription?", Options: []string{"SUB-00007"}},
		{Match: "Take it over how?", Options: []string{"Move its users to a central subscription"}},
		{Match: "Move its users to?", Options: []string{"SUB-00001"}},
		{Match: "Move the 3 users of SUB-00007 (Power Automate per user) to SUB-00001 (Power BI Pro, another product) and delete SUB-00007?", Yes: false},
	}}
	f, _, stderr := terminalFactory(t, path, testAdmin, pr)
	f.Flags.Output = output.FormatInteractive
	cmd := NewCmdListSubscriptions(f, nil)
	cmd.SetArgs([]string{"--self-service"})
	cmd.SilenceErrors, cmd.SilenceUsage = true, true
	if err := cmd.Execute(); !errors.Is(err, output.ErrCanceled) {
		t.Fatalf("answering no: %v, want canceled", err)
	}
	// 3 users: SUB-00001 has 3 free seats, SUB-00002 2, SUB-00003 1.
	if got := pr.Offered["Move its users to?"]; len(got) != 1 || !strings.HasPrefix(got[0], "SUB-00001 ") {
		t.Errorf("targets offered: %q, want SUB-00001 only", got)
	}
	for _, want := range []string{
		"Not offered now (why, and what to do first):\n",
		"  SUB-00002  Visio Plan 2 (2 licenses free): ",
		"1 missing (buy more: commercectl buy-licenses --subscription SUB-00002 --total 6)\n",
		"  SUB-00003  Microsoft 365 Copilot (1 license free): ",
	} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
	if after := tenantRows(t, path); after != before {
		t.Errorf("the tenant changed")
	}
}

// Without a terminal, -o interactive is a usage error and asks nothing.
func TestPickTakeoverNeedsATerminal(t *testing.T) {
	path := newDemoTenant(t)
	before := tenantRows(t, path)
	ios, _, stdout, _ := output.Test()
	f := cmdutil.New(ios)
	env := map[string]string{"XDG_CONFIG_HOME": t.TempDir(), "XDG_DATA_HOME": t.TempDir(), "COMMERCECTL_NOW": testNow}
	f.Getenv = func(k string) string { return env[k] }
	f.Flags.DB, f.Flags.As, f.Flags.Output = path, testAdmin, output.FormatInteractive
	pr := &output.FakePrompter{}
	f.SetPrompter(pr)
	t.Cleanup(f.Close)
	cmd := NewCmdListSubscriptions(f, nil)
	cmd.SetArgs([]string{"--self-service"})
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

// A move to a subscription of another product says so in its question:
// the users end up with a different product than the one they bought.
func TestMoveQuestionNamesAnotherProduct(t *testing.T) {
	plan := &store.TakeoverResult{SubscriptionID: "SUB-00008", ProductID: "CFQ7TTC0HD33", ProductName: "Visio Plan 1",
		TargetSubscriptionID: "SUB-00002", TargetProductID: "CFQ7TTC0HD32", UsersMoved: 1, UsersKept: 1, MonthlyCostChange: -1000}
	want := "Move the 2 users of SUB-00008 (Visio Plan 1) to SUB-00002 (Visio Plan 2, another product) and delete SUB-00008? 1 of them already has a license of Visio Plan 2 and keeps it. Cost change: -10.00 a month."
	if got := moveQuestion(plan, "Visio Plan 2"); got != want {
		t.Errorf("the question is\n%q, want\n%q", got, want)
	}
}
