package policy

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"maps"
	"path/filepath"
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
	testAdmin  = "admin@contoso.com"
	testReader = "patti@contoso.com"
	testNow    = "2026-11-21T09:00:00Z"
)

// newTestTenant creates a tenant in a temporary file, with a GlobalReader.
func newTestTenant(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "tenant.db")
	now, _ := time.Parse(time.RFC3339, testNow)
	ctx := store.WithNow(context.Background(), now)
	if _, err := sqlstore.Init(ctx, path, store.InitOptions{Tenant: "Contoso", Admin: testAdmin}, false); err != nil {
		t.Fatal(err)
	}
	d, err := sqlstore.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if _, err := d.AddUser(store.WithActor(ctx, testAdmin), store.NewUser{UPN: testReader, Roles: []string{store.RoleGlobalReader}}); err != nil {
		t.Fatal(err)
	}
	return path
}

// newTestFactory is a Factory on buffers that pretend to be a terminal, the
// tenant at path, -o interactive and the given prompter. No config file or
// environment of the person running the tests gets in.
func newTestFactory(t *testing.T, path string, pr output.Prompter) (*cmdutil.Factory, *bytes.Buffer, *bytes.Buffer) {
	f, stdout, stderr := clitest.Factory(t, path, testAdmin, true, pr)
	f.Flags.Output = output.FormatInteractive
	return f, stdout, stderr
}

// tenantValues reads every value back from the file, through a store of its own.
func tenantValues(t *testing.T, path string) *store.PolicySet {
	t.Helper()
	d, err := sqlstore.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	set, err := d.ExportPolicies(store.WithActor(context.Background(), testAdmin), store.PolicySelfServicePurchase)
	if err != nil {
		t.Fatal(err)
	}
	return set
}

func answers(a ...output.FakeAnswer) *output.FakePrompter {
	return &output.FakePrompter{Answers: a}
}

func interactiveOpts(f *cmdutil.Factory) *GetProductPoliciesOptions {
	return &GetProductPoliciesOptions{Factory: f, PolicyID: store.PolicySelfServicePurchase, Scope: "product"}
}

func TestInteractivePickAndApply(t *testing.T) {
	path := newTestTenant(t)
	pr := answers(
		output.FakeAnswer{Match: "Which products?", Options: []string{"CFQ7TTC0H9MP", "CFQ7TTC0HD32"}},
		output.FakeAnswer{Match: "Set AllowSelfServicePurchase to", Options: []string{"Disabled"}},
		output.FakeAnswer{Match: "Apply 2 change(s)?", Yes: true},
	)
	f, stdout, stderr := newTestFactory(t, path, pr)

	if err := getProductPoliciesRun(interactiveOpts(f)); err != nil {
		t.Fatalf("getProductPoliciesRun: %v\nstderr:\n%s", err, stderr)
	}
	if len(pr.Answers) != 0 {
		t.Errorf("prompts not asked: %+v (asked %q)", pr.Answers, pr.Asked)
	}

	// Every product is offered, with its current value.
	products := pr.Offered["Which products?"]
	if len(products) != 12 || !slices.Contains(products, "CFQ7TTC0H9MP  Power BI Pro (Enabled)") {
		t.Errorf("products offered: %q", products)
	}
	// Power BI Pro and Visio Plan 2 have no trial without payment: the trial value is not offered.
	if got := pr.Offered["Set AllowSelfServicePurchase to"]; !slices.Equal(got, []string{"Enabled", "Disabled"}) {
		t.Errorf("values offered %q, want Enabled and Disabled", got)
	}

	// The plan goes to stderr, before the question.
	for _, want := range []string{
		"Plan:",
		"CFQ7TTC0H9MP  Power BI Pro: Enabled → Disabled",
		"CFQ7TTC0HD32  Visio Plan 2: Enabled → Disabled",
		"Applied 2 change(s)",
	} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
	if strings.Contains(stdout.String(), "Plan:") {
		t.Errorf("the plan went to stdout:\n%s", stdout)
	}
	// stdout holds the result, as a table.
	if !strings.Contains(stdout.String(), "Power BI Pro") || !strings.Contains(stdout.String(), "changed from Enabled") {
		t.Errorf("stdout does not show the result:\n%s", stdout)
	}

	set := tenantValues(t, path)
	for id, want := range map[string]string{
		"CFQ7TTC0H9MP": store.ValueDisabled,
		"CFQ7TTC0HD32": store.ValueDisabled,
		"CFQ7TTC0HD33": store.ValueEnabled, // not picked
		"CFQ7TTC0LH2H": store.ValueEnabled, // not picked
	} {
		if got := set.Products[id]; got != want {
			t.Errorf("%s is %s, want %s", id, got, want)
		}
	}
}

func TestInteractiveNoAtConfirmChangesNothing(t *testing.T) {
	path := newTestTenant(t)
	before := tenantValues(t, path)
	pr := answers(
		output.FakeAnswer{Match: "Which products?", Options: []string{"CFQ7TTC0H9MP"}},
		output.FakeAnswer{Match: "Set AllowSelfServicePurchase to", Options: []string{"Disabled"}},
		output.FakeAnswer{Match: "Apply 1 change(s)?", Yes: false},
	)
	f, stdout, stderr := newTestFactory(t, path, pr)

	err := getProductPoliciesRun(interactiveOpts(f))
	if !errors.Is(err, output.ErrCanceled) {
		t.Fatalf("answering no: %v, want output.ErrCanceled", err)
	}
	if !strings.Contains(stderr.String(), "CFQ7TTC0H9MP  Power BI Pro: Enabled → Disabled") {
		t.Errorf("the plan was not shown before the question:\n%s", stderr)
	}
	if stdout.Len() != 0 {
		t.Errorf("a canceled run printed data:\n%s", stdout)
	}
	after := tenantValues(t, path)
	if !maps.Equal(before.Products, after.Products) {
		t.Errorf("answering no changed the tenant:\nbefore %v\nafter  %v", before.Products, after.Products)
	}
}

func TestInteractiveOffersTheTrialValueOnlyWhenEveryPickTakesIt(t *testing.T) {
	path := newTestTenant(t)
	// Visio Plan 1 and Planner Plan 1 both offer a trial without payment.
	pr := answers(
		output.FakeAnswer{Match: "Which products?", Options: []string{"CFQ7TTC0HD33", "CFQ7TTC0HDB1"}},
		output.FakeAnswer{Match: "Set AllowSelfServicePurchase to", Options: []string{"OnlyTrialsWithoutPaymentMethod"}},
		output.FakeAnswer{Match: "Apply 2 change(s)?", Yes: true},
	)
	f, _, stderr := newTestFactory(t, path, pr)
	if err := getProductPoliciesRun(interactiveOpts(f)); err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	if got := pr.Offered["Set AllowSelfServicePurchase to"]; !slices.Equal(got, store.PolicyValues) {
		t.Errorf("values offered %q, want %q", got, store.PolicyValues)
	}
	set := tenantValues(t, path)
	if set.Products["CFQ7TTC0HD33"] != store.ValueOnlyTrials || set.Products["CFQ7TTC0HDB1"] != store.ValueOnlyTrials {
		t.Errorf("values %v, want both %s", set.Products, store.ValueOnlyTrials)
	}
}

func TestInteractiveUnchangedValueAsksNothingMore(t *testing.T) {
	path := newTestTenant(t)
	pr := answers(
		output.FakeAnswer{Match: "Which products?", Options: []string{"CFQ7TTC0H9MP"}},
		output.FakeAnswer{Match: "Set AllowSelfServicePurchase to", Options: []string{"Enabled"}},
	)
	f, _, stderr := newTestFactory(t, path, pr)
	if err := getProductPoliciesRun(interactiveOpts(f)); err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	if len(pr.Asked) != 2 {
		t.Errorf("asked %q, want no confirmation when nothing changes", pr.Asked)
	}
	for _, want := range []string{"already Enabled, unchanged", "Nothing to change."} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
}

func TestInteractiveNothingPicked(t *testing.T) {
	path := newTestTenant(t)
	pr := answers(output.FakeAnswer{Match: "Which products?"})
	f, _, stderr := newTestFactory(t, path, pr)
	if err := getProductPoliciesRun(interactiveOpts(f)); err != nil {
		t.Fatal(err)
	}
	if len(pr.Asked) != 1 {
		t.Errorf("asked %q after nothing was picked", pr.Asked)
	}
	if !strings.Contains(stderr.String(), "nothing changed") {
		t.Errorf("stderr does not say nothing changed:\n%s", stderr)
	}
}

func TestInteractiveOfferTypes(t *testing.T) {
	path := newTestTenant(t)
	pr := answers(
		output.FakeAnswer{Match: "Which products?", Options: []string{"SaaS"}},
		output.FakeAnswer{Match: "Set AllowSelfServicePurchase to", Options: []string{"Disabled"}},
		output.FakeAnswer{Match: "Apply 1 change(s)?", Yes: true},
	)
	f, _, stderr := newTestFactory(t, path, pr)
	opts := interactiveOpts(f)
	opts.Scope = "offer-type"
	if err := getProductPoliciesRun(opts); err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	// Third-party offers take only Enabled or Disabled.
	if got := pr.Offered["Set AllowSelfServicePurchase to"]; !slices.Equal(got, []string{"Enabled", "Disabled"}) {
		t.Errorf("values offered for an offer type %q", got)
	}
	set := tenantValues(t, path)
	if set.OfferTypes["SaaS"] != store.ValueDisabled || set.OfferTypes["DYNAMICSBC"] != store.ValueEnabled {
		t.Errorf("offer types %v, want only SaaS Disabled", set.OfferTypes)
	}
}

// The questions are asked before anything changes, and the role is checked
// when the change is made: a GlobalReader can look but not apply.
func TestInteractiveAsGlobalReaderChangesNothing(t *testing.T) {
	path := newTestTenant(t)
	before := tenantValues(t, path)
	pr := answers(
		output.FakeAnswer{Match: "Which products?", Options: []string{"CFQ7TTC0H9MP"}},
		output.FakeAnswer{Match: "Set AllowSelfServicePurchase to", Options: []string{"Disabled"}},
		output.FakeAnswer{Match: "Apply 1 change(s)?", Yes: true},
	)
	f, _, _ := newTestFactory(t, path, pr)
	f.Flags.As = testReader
	err := getProductPoliciesRun(interactiveOpts(f))
	if code, _ := cmdutil.ExitCode(err); code != cmdutil.ExitForbidden {
		t.Fatalf("GlobalReader applying: %v (exit %d), want exit %d", err, code, cmdutil.ExitForbidden)
	}
	if after := tenantValues(t, path); !maps.Equal(before.Products, after.Products) {
		t.Errorf("a forbidden change changed the tenant: %v", after.Products)
	}
}

// -o interactive without a terminal is bad usage (exit 2), and nothing is asked.
func TestInteractiveNeedsATerminal(t *testing.T) {
	path := newTestTenant(t)
	for _, tty := range [][3]bool{{false, false, false}, {false, true, true}, {true, true, false}} {
		pr := answers()
		f, _, _ := newTestFactory(t, path, pr)
		f.IOStreams.SetTTY(tty[0], tty[1], tty[2])
		err := getProductPoliciesRun(interactiveOpts(f))
		if code, _ := cmdutil.ExitCode(err); code != cmdutil.ExitUsage {
			t.Errorf("tty %v: %v (exit %d), want exit %d", tty, err, code, cmdutil.ExitUsage)
		}
		if len(pr.Asked) != 0 {
			t.Errorf("tty %v: asked %q without a terminal", tty, pr.Asked)
		}
	}
}

// Without -o interactive the verb lists, in the documented JSON shape, and asks nothing.
func TestGetProductPoliciesJSON(t *testing.T) {
	path := newTestTenant(t)
	pr := answers()
	f, stdout, _ := newTestFactory(t, path, pr)
	f.Flags.Output = output.FormatJSON
	if err := getProductPoliciesRun(interactiveOpts(f)); err != nil {
		t.Fatal(err)
	}
	if len(pr.Asked) != 0 {
		t.Errorf("asked %q with -o json", pr.Asked)
	}
	var got []map[string]any
	if err := json.Unmarshal(stdout.Bytes(), &got); err != nil {
		t.Fatalf("stdout is not a JSON array: %v\n%s", err, stdout)
	}
	if len(got) != 12 {
		t.Fatalf("%d products, want 12", len(got))
	}
	for _, key := range []string{"policyId", "productId", "productName", "publisher", "policyValue"} {
		if _, ok := got[0][key]; !ok {
			t.Errorf("product policy JSON lacks %q: %v", key, got[0])
		}
	}
}

// --dry-run runs the same flow and changes nothing, even when the plan is confirmed.
func TestInteractiveDryRunChangesNothing(t *testing.T) {
	path := newTestTenant(t)
	before := tenantValues(t, path)
	pr := answers(
		output.FakeAnswer{Match: "Which products?", Options: []string{"CFQ7TTC0H9MP"}},
		output.FakeAnswer{Match: "Set AllowSelfServicePurchase to", Options: []string{"Disabled"}},
		output.FakeAnswer{Match: "Apply 1 change(s)?", Yes: true},
	)
	f, _, stderr := newTestFactory(t, path, pr)
	f.Flags.DryRun = true
	if err := getProductPoliciesRun(interactiveOpts(f)); err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	if !strings.Contains(stderr.String(), "CFQ7TTC0H9MP  Power BI Pro: Enabled → Disabled") {
		t.Errorf("the plan was not shown:\n%s", stderr)
	}
	if after := tenantValues(t, path); !maps.Equal(before.Products, after.Products) {
		t.Errorf("a dry run changed the tenant: %v", after.Products)
	}
}
