package policy

import (
	"fmt"
	"strings"

	"github.com/commercectl/commercectl/cmd/cmdutil"
	"github.com/commercectl/commercectl/output"
	"github.com/commercectl/commercectl/store"
	"github.com/spf13/cobra"
)

// GetProductPoliciesOptions are the inputs of get-product-policies.
type GetProductPoliciesOptions struct {
	Factory  *cmdutil.Factory
	PolicyID string
	Scope    string // "product" or "offer-type"
}

// NewCmdGetProductPolicies builds get-product-policies (Get-MSCommerceProductPolicies).
func NewCmdGetProductPolicies(f *cmdutil.Factory, runF func(*GetProductPoliciesOptions) error) *cobra.Command {
	opts := &GetProductPoliciesOptions{Factory: f}
	cmd := &cobra.Command{
		Use:   "get-product-policies [POLICY]",
		Short: "List a policy's value for every product (or every third-party offer type)",
		Long: `List a policy's value for every product of the catalog, or with
--scope offer-type for the third-party offer types.

With -o interactive, pick products and a value, review the plan and apply it.`,
		Example: `  commercectl get-product-policies AllowSelfServicePurchase
  commercectl get-product-policies -o interactive`,
		Args:              cmdutil.MaxArgs(1),
		ValidArgsFunction: cmdutil.CompletePolicyIDs(f),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.PolicyID = cmdutil.PolicyArg(args)
			switch opts.Scope {
			case "product", "offer-type":
			default:
				return cmdutil.Usagef("--scope is product or offer-type, not %q", opts.Scope)
			}
			if runF != nil {
				return runF(opts)
			}
			return getProductPoliciesRun(opts)
		},
	}
	cmd.Flags().StringVar(&opts.Scope, "scope", "product", "product or offer-type")
	_ = cmd.RegisterFlagCompletionFunc("scope", cobra.FixedCompletions([]string{"product", "offer-type"}, cobra.ShellCompDirectiveNoFileComp))
	return cmd
}

func getProductPoliciesRun(opts *GetProductPoliciesOptions) error {
	f := opts.Factory
	interactive, err := f.Interactive()
	if err != nil {
		return err
	}
	p, s, ctx, err := f.Setup()
	if err != nil {
		return err
	}
	pps, err := s.ListProductPolicies(ctx, opts.PolicyID, opts.Scope == "offer-type")
	if err != nil {
		return err
	}
	if !interactive {
		return output.List(p, pps, productPolicyColumns)
	}
	return pickAndUpdate(opts, pps, f.Prompter())
}

// pickAndUpdate is the interactive flow: pick products (or offer types) and
// a value, see the plan, confirm, apply.
func pickAndUpdate(opts *GetProductPoliciesOptions, pps []store.ProductPolicy, pr output.Prompter) error {
	f := opts.Factory
	if len(pps) == 0 {
		return store.Errorf(store.ENOTFOUND, "there is nothing to pick from")
	}
	labels := make([]string, len(pps))
	for i, pp := range pps {
		labels[i] = fmt.Sprintf("%s  %s (%s)", pp.Target(), pp.ProductName, pp.PolicyValue)
	}
	picked, err := pr.MultiSelect("Which products?", labels, nil)
	if err != nil {
		return err
	}
	if len(picked) == 0 {
		fmt.Fprintln(f.IOStreams.ErrOut, "Nothing picked: nothing changed.")
		return nil
	}
	chosen := make([]store.ProductPolicy, 0, len(picked))
	for _, i := range picked {
		chosen = append(chosen, pps[i])
	}
	values := []string{store.ValueEnabled, store.ValueDisabled}
	trialsFitAll := true
	for _, pp := range chosen {
		if pp.CheckValueFor(store.ValueOnlyTrials) != nil {
			trialsFitAll = false
		}
	}
	if trialsFitAll {
		values = append(values, store.ValueOnlyTrials)
	}
	vi, err := pr.Select("Set "+opts.PolicyID+" to", values, 0)
	if err != nil {
		return err
	}
	value := values[vi]

	var plan strings.Builder
	changes := 0
	fmt.Fprintln(&plan, "Plan:")
	for _, pp := range chosen {
		if pp.PolicyValue == value {
			fmt.Fprintf(&plan, "  %s  %s: already %s, unchanged\n", pp.Target(), pp.ProductName, value)
			continue
		}
		changes++
		fmt.Fprintf(&plan, "  %s  %s: %s → %s\n", pp.Target(), pp.ProductName, pp.PolicyValue, value)
	}
	fmt.Fprint(f.IOStreams.ErrOut, plan.String())
	if changes == 0 {
		fmt.Fprintln(f.IOStreams.ErrOut, "Nothing to change.")
		return nil
	}
	// --yes and --dry-run answer the question, as for every confirmation.
	if err := cmdutil.Confirm(f, fmt.Sprintf("Apply %d change(s)?", changes)); err != nil {
		return err
	}
	u := store.PolicyUpdate{PolicyID: opts.PolicyID, Value: value}
	s, err := f.Store()
	if err != nil {
		return err
	}
	ctx, err := f.Context()
	if err != nil {
		return err
	}
	// One store call, one transaction: the list holds products or offer types.
	for _, pp := range chosen {
		if pp.OfferType != "" {
			u.OfferTypes = append(u.OfferTypes, pp.OfferType)
		} else {
			u.ProductIDs = append(u.ProductIDs, pp.ProductID)
		}
	}
	results, _, err := s.UpdatePolicy(ctx, u)
	if err != nil {
		return err
	}
	defer f.DryRunNote()
	if !f.Flags.DryRun {
		f.Note("Applied %d change(s)", changes)
	}
	p, err := f.Printer()
	if err != nil {
		return err
	}
	return output.List(p, results, updateColumns(f.Flags.DryRun))
}
