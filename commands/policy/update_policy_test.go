package policy

import (
	"bytes"
	"errors"
	"io"
	"slices"
	"strings"
	"testing"

	"github.com/commercectl/commercectl/cmd/cmdutil"
	"github.com/commercectl/commercectl/output"
	"github.com/commercectl/commercectl/store"
)

func boolPtr(b bool) *bool { return &b }

func TestNewCmdUpdatePolicy(t *testing.T) {
	tests := []struct {
		name     string
		cli      string
		wants    UpdatePolicyOptions
		wantsErr string // part of the usage error; "" for none
	}{
		{
			name:  "product and value",
			cli:   "AllowSelfServicePurchase --product CFQ7TTC0H9MP --value Disabled",
			wants: UpdatePolicyOptions{PolicyID: "AllowSelfServicePurchase", ProductIDs: []string{"CFQ7TTC0H9MP"}, Value: "Disabled"},
		},
		{
			name:  "policy defaults to AllowSelfServicePurchase",
			cli:   "--product CFQ7TTC0H9MP --value Enabled",
			wants: UpdatePolicyOptions{PolicyID: "AllowSelfServicePurchase", ProductIDs: []string{"CFQ7TTC0H9MP"}, Value: "Enabled"},
		},
		{
			name:  "--enabled=false is Disabled",
			cli:   "--product CFQ7TTC0HD33,CFQ7TTC0HD32 --enabled=false",
			wants: UpdatePolicyOptions{PolicyID: "AllowSelfServicePurchase", ProductIDs: []string{"CFQ7TTC0HD33", "CFQ7TTC0HD32"}, Value: "Disabled", Enabled: boolPtr(false)},
		},
		{
			name:  "--enabled=true is Enabled",
			cli:   "--product CFQ7TTC0H9MP --enabled=true",
			wants: UpdatePolicyOptions{PolicyID: "AllowSelfServicePurchase", ProductIDs: []string{"CFQ7TTC0H9MP"}, Value: "Enabled", Enabled: boolPtr(true)},
		},
		{
			name:  "bare --enabled is Enabled",
			cli:   "--product CFQ7TTC0H9MP --enabled",
			wants: UpdatePolicyOptions{PolicyID: "AllowSelfServicePurchase", ProductIDs: []string{"CFQ7TTC0H9MP"}, Value: "Enabled", Enabled: boolPtr(true)},
		},
		{
			name:  "repeated and comma-separated products, blanks dropped",
			cli:   "--product CFQ7TTC0H9MP --product CFQ7TTC0HD33,,CFQ7TTC0L3PB, --value Disabled",
			wants: UpdatePolicyOptions{PolicyID: "AllowSelfServicePurchase", ProductIDs: []string{"CFQ7TTC0H9MP", "CFQ7TTC0HD33", "CFQ7TTC0L3PB"}, Value: "Disabled"},
		},
		{
			name:  "offer type",
			cli:   "--offer-type SaaS --value Disabled",
			wants: UpdatePolicyOptions{PolicyID: "AllowSelfServicePurchase", OfferType: "SaaS", Value: "Disabled"},
		},
		{
			name:  "all",
			cli:   "--all --value OnlyTrialsWithoutPaymentMethod",
			wants: UpdatePolicyOptions{PolicyID: "AllowSelfServicePurchase", All: true, Value: "OnlyTrialsWithoutPaymentMethod"},
		},
		{
			name:  "default",
			cli:   "--default Disabled",
			wants: UpdatePolicyOptions{PolicyID: "AllowSelfServicePurchase", Default: "Disabled"},
		},
		{
			name:  "value left for the prompt",
			cli:   "--product CFQ7TTC0H9MP",
			wants: UpdatePolicyOptions{PolicyID: "AllowSelfServicePurchase", ProductIDs: []string{"CFQ7TTC0H9MP"}},
		},
		{name: "--product with --all", cli: "--product CFQ7TTC0H9MP --all --value Disabled", wantsErr: "only one of"},
		{name: "--product with --offer-type", cli: "--product CFQ7TTC0H9MP --offer-type SaaS --value Disabled", wantsErr: "only one of"},
		{name: "--all with --default", cli: "--all --default Disabled", wantsErr: "only one of"},
		{name: "--value with --enabled", cli: "--product CFQ7TTC0H9MP --value Disabled --enabled=true", wantsErr: "--value or --enabled"},
		{name: "--default with --value", cli: "--default Disabled --value Enabled", wantsErr: "--default"},
		{name: "--default with --enabled", cli: "--default Disabled --enabled=false", wantsErr: "--default"},
		{name: "empty --product", cli: "--product= --value Disabled", wantsErr: "--product needs a product id"},
		{name: "--product of commas only", cli: "--product ,, --value Disabled", wantsErr: "--product needs a product id"},
		{name: "two policies", cli: "AllowSelfServicePurchase Other --product CFQ7TTC0H9MP --value Disabled", wantsErr: "at most 1"},
		{name: "unknown flag", cli: "--product CFQ7TTC0H9MP --valu Disabled", wantsErr: "unknown flag"},
		{name: "--enabled not a bool", cli: "--product CFQ7TTC0H9MP --enabled=maybe", wantsErr: "invalid argument"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ios, _, stdout, stderr := output.Test()
			f := cmdutil.New(ios)

			var gotOpts *UpdatePolicyOptions
			cmd := NewCmdUpdatePolicy(f, func(opts *UpdatePolicyOptions) error {
				gotOpts = opts
				return nil
			})
			cmd.SetArgs(strings.Fields(tt.cli))
			cmd.SetIn(&bytes.Buffer{})
			cmd.SetOut(io.Discard)
			cmd.SetErr(io.Discard)

			_, err := cmd.ExecuteC()
			if tt.wantsErr != "" {
				if err == nil {
					t.Fatalf("%q: no error, want one containing %q", tt.cli, tt.wantsErr)
				}
				if !strings.Contains(err.Error(), tt.wantsErr) {
					t.Errorf("error %q, want it to contain %q", err, tt.wantsErr)
				}
				if code, _ := cmdutil.ExitCode(err); code != cmdutil.ExitUsage {
					t.Errorf("error %q exits %d, want %d (bad usage)", err, code, cmdutil.ExitUsage)
				}
				if gotOpts != nil {
					t.Errorf("the verb ran despite bad usage: %+v", gotOpts)
				}
				return
			}
			if err != nil {
				t.Fatalf("%q: %v", tt.cli, err)
			}
			if gotOpts == nil {
				t.Fatal("runF was not called")
			}
			if gotOpts.PolicyID != tt.wants.PolicyID {
				t.Errorf("PolicyID = %q, want %q", gotOpts.PolicyID, tt.wants.PolicyID)
			}
			if !slices.Equal(gotOpts.ProductIDs, tt.wants.ProductIDs) {
				t.Errorf("ProductIDs = %q, want %q", gotOpts.ProductIDs, tt.wants.ProductIDs)
			}
			if gotOpts.OfferType != tt.wants.OfferType {
				t.Errorf("OfferType = %q, want %q", gotOpts.OfferType, tt.wants.OfferType)
			}
			if gotOpts.Value != tt.wants.Value {
				t.Errorf("Value = %q, want %q", gotOpts.Value, tt.wants.Value)
			}
			if gotOpts.All != tt.wants.All {
				t.Errorf("All = %v, want %v", gotOpts.All, tt.wants.All)
			}
			if gotOpts.Default != tt.wants.Default {
				t.Errorf("Default = %q, want %q", gotOpts.Default, tt.wants.Default)
			}
			switch {
			case tt.wants.Enabled == nil && gotOpts.Enabled != nil:
				t.Errorf("Enabled = %v, want unset", *gotOpts.Enabled)
			case tt.wants.Enabled != nil && (gotOpts.Enabled == nil || *gotOpts.Enabled != *tt.wants.Enabled):
				t.Errorf("Enabled = %v, want %v", gotOpts.Enabled, *tt.wants.Enabled)
			}
			if gotOpts.Factory != f {
				t.Error("the options do not carry the Factory")
			}
			// Parsing flags prints nothing: output is the run's job.
			if stdout.Len() != 0 || stderr.Len() != 0 {
				t.Errorf("parsing printed stdout %q stderr %q", stdout, stderr)
			}
		})
	}
}

// updatePolicyRun without a terminal never prompts: a missing value fails
// with exit 2 naming the flag.
func TestUpdatePolicyRunMissingValueWithoutTerminal(t *testing.T) {
	path := newTestTenant(t)
	pr := answers()
	f, _, _ := newTestFactory(t, path, pr)
	f.Flags.Output = ""
	f.IOStreams.SetTTY(false, false, false)
	err := updatePolicyRun(&UpdatePolicyOptions{Factory: f, PolicyID: store.PolicySelfServicePurchase, ProductIDs: []string{"CFQ7TTC0H9MP"}})
	var usage *cmdutil.UsageError
	if !errors.As(err, &usage) || !strings.Contains(err.Error(), "--value") {
		t.Fatalf("got %v, want a usage error naming --value", err)
	}
	if len(pr.Asked) != 0 {
		t.Errorf("asked %q without a terminal", pr.Asked)
	}
	if got := tenantValues(t, path).Products["CFQ7TTC0H9MP"]; got != store.ValueEnabled {
		t.Errorf("value %s after a refused update, want Enabled", got)
	}
}

// In a terminal a missing value is asked for, then applied.
func TestUpdatePolicyRunPromptsForTheValue(t *testing.T) {
	path := newTestTenant(t)
	pr := answers(output.FakeAnswer{Match: "Set AllowSelfServicePurchase to", Options: []string{"Disabled"}})
	f, _, _ := newTestFactory(t, path, pr)
	f.Flags.Output = ""
	err := updatePolicyRun(&UpdatePolicyOptions{Factory: f, PolicyID: store.PolicySelfServicePurchase, ProductIDs: []string{"CFQ7TTC0L3PB"}})
	if err != nil {
		t.Fatal(err)
	}
	if got := tenantValues(t, path).Products["CFQ7TTC0H9MP"]; got != store.ValueDisabled {
		t.Errorf("value %s, want Disabled", got)
	}
}
