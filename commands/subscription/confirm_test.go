package subscription

import (
	"bytes"
	"context"
	"errors"
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

func newDemoTenant(t *testing.T) string { return clitest.DemoTenant(t) }

// terminalFactory is a Factory whose streams pretend to be a terminal, with
// the fake prompter pr.
func terminalFactory(t *testing.T, path, as string, pr output.Prompter) (*cmdutil.Factory, *bytes.Buffer, *bytes.Buffer) {
	return clitest.Factory(t, path, as, true, pr)
}

func subscription(t *testing.T, path, id string) *store.Subscription {
	t.Helper()
	d, err := sqlstore.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	now, _ := time.Parse(time.RFC3339, testNow)
	s, err := d.GetSubscription(store.WithNow(store.WithActor(context.Background(), testAdmin), now), id)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// In a terminal, lowering below the assigned licenses asks first.
func TestBuyLicensesBelowAssignedAsks(t *testing.T) {
	for _, yes := range []bool{false, true} {
		path := newDemoTenant(t)
		pr := &output.FakePrompter{Answers: []output.FakeAnswer{
			{Match: "SUB-00001 has 7 licenses assigned; 5 leaves 2 users without a valid license (140.00 → 70.00 a month). Go on?", Yes: yes},
		}}
		f, stdout, stderr := terminalFactory(t, path, testAdmin, pr)
		err := buyLicensesRun(&BuyLicensesOptions{Factory: f, SubscriptionID: "SUB-00001", Total: 5})
		got := subscription(t, path, "SUB-00001")
		if !yes {
			if !errors.Is(err, output.ErrCanceled) {
				t.Fatalf("answering no: %v, want output.ErrCanceled", err)
			}
			if got.Quantity != 10 || stdout.Len() != 0 {
				t.Errorf("answering no: quantity %d, stdout %q", got.Quantity, stdout)
			}
			continue
		}
		if err != nil {
			t.Fatalf("answering yes: %v", err)
		}
		if got.Quantity != 5 {
			t.Errorf("quantity %d, want 5", got.Quantity)
		}
		if !strings.Contains(stderr.String(), "SUB-00001: 10 → 5 licenses; new monthly cost 70.00 (was 140.00)") {
			t.Errorf("stderr:\n%s", stderr)
		}
		if len(pr.Answers) != 0 {
			t.Errorf("not asked: %+v", pr.Answers)
		}
	}
}

// Raising, or lowering no further than the assigned count, asks nothing; a
// refusal comes before any question.
func TestBuyLicensesAsksOnlyWhenNeeded(t *testing.T) {
	path := newDemoTenant(t)
	pr := &output.FakePrompter{}
	f, _, _ := terminalFactory(t, path, testAdmin, pr)
	if err := buyLicensesRun(&BuyLicensesOptions{Factory: f, SubscriptionID: "SUB-00001", Total: 7}); err != nil {
		t.Fatal(err)
	}
	err := buyLicensesRun(&BuyLicensesOptions{Factory: f, SubscriptionID: "SUB-00005", Total: 1})
	if code, _ := cmdutil.ExitCode(err); code != cmdutil.ExitRefused {
		t.Errorf("self-service subscription: %v (exit %d), want %d", err, code, cmdutil.ExitRefused)
	}
	f2, _, _ := terminalFactory(t, path, "lee.gu@contoso.com", pr)
	err = buyLicensesRun(&BuyLicensesOptions{Factory: f2, SubscriptionID: "SUB-00001", Total: 1})
	if code, _ := cmdutil.ExitCode(err); code != cmdutil.ExitForbidden {
		t.Errorf("LicenseAdmin: %v (exit %d), want %d", err, code, cmdutil.ExitForbidden)
	}
	if len(pr.Asked) != 0 {
		t.Errorf("asked %q", pr.Asked)
	}
}

func TestCancelSubscriptionAsks(t *testing.T) {
	for _, yes := range []bool{false, true} {
		path := newDemoTenant(t)
		pr := &output.FakePrompter{Answers: []output.FakeAnswer{
			{Match: "Cancel SUB-00005 (Power BI Pro, 5 license(s), 70.00 a month)? Its 3 user(s) lose their licenses.", Yes: yes},
		}}
		f, _, _ := terminalFactory(t, path, "alex.wilber@contoso.com", pr)
		err := cancelSubscriptionRun(&CancelSubscriptionOptions{Factory: f, ID: "SUB-00005"})
		got := subscription(t, path, "SUB-00005")
		if yes {
			if err != nil || got.Status != store.StatusDeleted || got.Assigned != 0 {
				t.Errorf("answering yes: %v; %s with %d assigned", err, got.Status, got.Assigned)
			}
		} else if !errors.Is(err, output.ErrCanceled) || got.Status != store.StatusActive || got.Assigned != 3 {
			t.Errorf("answering no: %v; %s with %d assigned", err, got.Status, got.Assigned)
		}
	}
	// An admin is refused before any question.
	path := newDemoTenant(t)
	pr := &output.FakePrompter{}
	f, _, _ := terminalFactory(t, path, testAdmin, pr)
	err := cancelSubscriptionRun(&CancelSubscriptionOptions{Factory: f, ID: "SUB-00005"})
	if code, _ := cmdutil.ExitCode(err); code != cmdutil.ExitRefused || len(pr.Asked) != 0 {
		t.Errorf("admin: %v (exit %d), asked %q", err, code, pr.Asked)
	}
}
