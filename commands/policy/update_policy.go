package policy

import (
	"context"
	"fmt"

	"github.com/commercectl/commercectl/cmd/cmdutil"
	"github.com/commercectl/commercectl/output"
	"github.com/commercectl/commercectl/store"
	"github.com/spf13/cobra"
)

// UpdatePolicyOptions are the inputs of update-policy.
type UpdatePolicyOptions struct {
	Factory    *cmdutil.Factory
	PolicyID   string
	ProductIDs []string
	OfferType  string
	Value      string
	Enabled    *bool
	All        bool
	Default    string
}

// NewCmdUpdatePolicy builds update-policy (Update-MSCommerceProductPolicy, and more).
func NewCmdUpdatePolicy(f *cmdutil.Factory, runF func(*UpdatePolicyOptions) error) *cobra.Command {
	opts := &UpdatePolicyOptions{Factory: f}
	var enabled bool
	cmd := &cobra.Command{
		Use:   "update-policy [POLICY] (--product ID[,ID...] | --offer-type TYPE | --all) (--value VALUE | --enabled=BOOL) | --default VALUE",
		Short: "Set a policy's value for products, an offer type, every product, or new products",
		Long: `Set AllowSelfServicePurchase for one or more products (by id or old id),
a third-party offer type, every product at once (--all), or the value that
products added to the catalog later receive (--default).

Values: Enabled, Disabled, OnlyTrialsWithoutPaymentMethod (Microsoft products
that offer a trial without a payment method; third-party offers take only
Enabled or Disabled). --enabled=true|false is Enabled|Disabled, as in the
PowerShell cmdlet. With --all, OnlyTrialsWithoutPaymentMethod is set where a
product offers such a trial and Disabled elsewhere. The change is all or
nothing; setting a value a product already has succeeds and says so.`,
		Example: `  commercectl update-policy AllowSelfServicePurchase --product CFQ7TTC0H9MP --value Disabled
  commercectl update-policy --product CFQ7TTC0HD33,CFQ7TTC0HD32 --enabled=false
  commercectl update-policy --offer-type SaaS --value Disabled
  commercectl update-policy --all --value OnlyTrialsWithoutPaymentMethod
  commercectl update-policy --default Disabled`,
		Args:              cmdutil.MaxArgs(1),
		ValidArgsFunction: cmdutil.CompletePolicyIDs(f),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.PolicyID = cmdutil.PolicyArg(args)
			opts.ProductIDs = cmdutil.SplitList(opts.ProductIDs)
			if cmd.Flags().Changed("enabled") {
				opts.Enabled = &enabled
			}
			if err := opts.validate(cmd); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return updatePolicyRun(opts)
		},
	}
	fl := cmd.Flags()
	fl.StringSliceVar(&opts.ProductIDs, "product", nil, "product id(s), comma-separated or repeated")
	fl.StringVar(&opts.OfferType, "offer-type", "", "third-party offer type: SaaS, POWERBIVISUALS, DYNAMICSCE, DYNAMICSBC")
	fl.StringVar(&opts.Value, "value", "", "Enabled, Disabled or OnlyTrialsWithoutPaymentMethod")
	fl.BoolVar(&enabled, "enabled", false, "true for Enabled, false for Disabled")
	fl.BoolVar(&opts.All, "all", false, "every product of the catalog")
	fl.StringVar(&opts.Default, "default", "", "the value products added later receive: Enabled or Disabled")
	_ = cmd.RegisterFlagCompletionFunc("product", cmdutil.CompleteProductIDs(f))
	_ = cmd.RegisterFlagCompletionFunc("offer-type", cobra.FixedCompletions(store.OfferTypes, cobra.ShellCompDirectiveNoFileComp))
	_ = cmd.RegisterFlagCompletionFunc("value", cobra.FixedCompletions(store.PolicyValues, cobra.ShellCompDirectiveNoFileComp))
	_ = cmd.RegisterFlagCompletionFunc("default", cobra.FixedCompletions(store.PolicyValues[:2], cobra.ShellCompDirectiveNoFileComp))
	return cmd
}

func (o *UpdatePolicyOptions) validate(cmd *cobra.Command) error {
	targets := 0
	for _, set := range []bool{len(o.ProductIDs) > 0, o.OfferType != "", o.All, o.Default != ""} {
		if set {
			targets++
		}
	}
	if targets > 1 {
		return cmdutil.Usagef("give only one of --product, --offer-type, --all and --default")
	}
	if cmd.Flags().Changed("product") && len(o.ProductIDs) == 0 {
		return cmdutil.Usagef("--product needs a product id")
	}
	if o.Value != "" && o.Enabled != nil {
		return cmdutil.Usagef("give --value or --enabled, not both")
	}
	if o.Default != "" && (o.Value != "" || o.Enabled != nil) {
		return cmdutil.Usagef("--default takes its value itself: --default Enabled|Disabled")
	}
	if o.Enabled != nil {
		o.Value = store.ValueDisabled
		if *o.Enabled {
			o.Value = store.ValueEnabled
		}
	}
	return nil
}

func updatePolicyRun(opts *UpdatePolicyOptions) error {
	f := opts.Factory
	p, s, ctx, err := f.Setup()
	if err != nil {
		return err
	}
	if len(opts.ProductIDs) == 0 && opts.OfferType == "" && !opts.All && opts.Default == "" {
		id, err := cmdutil.Missing(f, "product", func(pr output.Prompter) (string, error) {
			pps, err := s.ListProductPolicies(ctx, opts.PolicyID, false)
			if err != nil {
				return "", err
			}
			labels := make([]string, len(pps))
			for i, pp := range pps {
				labels[i] = fmt.Sprintf("%s  %s (%s)", pp.ProductID, pp.ProductName, pp.PolicyValue)
			}
			i, err := pr.Select("Which product?", labels, 0)
			if err != nil {
				return "", err
			}
			return pps[i].ProductID, nil
		})
		if err != nil {
			return err
		}
		opts.ProductIDs = []string{id}
	}
	if opts.Default == "" && opts.Value == "" {
		v, err := cmdutil.Missing(f, "value", func(pr output.Prompter) (string, error) {
			i, err := pr.Select("Set "+opts.PolicyID+" to", store.PolicyValues, 0)
			if err != nil {
				return "", err
			}
			return store.PolicyValues[i], nil
		})
		if err != nil {
			return err
		}
		opts.Value = v
	}
	update := store.PolicyUpdate{PolicyID: opts.PolicyID, ProductIDs: opts.ProductIDs,
		OfferType: opts.OfferType, All: opts.All, Value: opts.Value, Default: opts.Default}
	if opts.All {
		err := cmdutil.Rehearse(f, ctx, func(ctx context.Context) (string, error) {
			plan, _, err := s.UpdatePolicy(ctx, update)
			changes := 0
			for _, r := range plan {
				if r.Changed != nil && *r.Changed {
					changes++
				}
			}
			if err != nil || changes == 0 {
				return "", err
			}
			return fmt.Sprintf("Set %s to %s for every product: %d of %d change?", update.PolicyID, opts.Value, changes, len(plan)), nil
		})
		if err != nil {
			return err
		}
	}
	results, pol, err := s.UpdatePolicy(ctx, update)
	if err != nil {
		return err
	}
	defer f.DryRunNote()
	if pol != nil {
		if pol.Changed != nil && !*pol.Changed {
			fmt.Fprintf(f.IOStreams.ErrOut, "%s default is already %s: unchanged\n", pol.ID, pol.DefaultValue)
		} else {
			f.Note("%s default is %s: products added to the catalog from now on receive it", pol.ID, pol.DefaultValue)
		}
		return output.One(p, *pol, policyColumns)
	}
	changed := 0
	for _, r := range results {
		if r.Changed != nil && *r.Changed {
			changed++
			continue
		}
		fmt.Fprintf(f.IOStreams.ErrOut, "%s (%s) is already %s: unchanged\n", r.ProductName, r.Target(), r.PolicyValue)
	}
	if changed > 0 {
		f.Note("Set %s to %s for %d product(s)", opts.PolicyID, opts.Value, changed)
	}
	// The shape follows what was asked, not what was found: one --product id
	// or an offer type prints one object; a list of ids prints an array even
	// when two of them are aliases of one product.
	if len(results) == 1 && !opts.All && len(opts.ProductIDs) <= 1 {
		return output.One(p, results[0], updateColumns(f.Flags.DryRun))
	}
	return output.List(p, results, updateColumns(f.Flags.DryRun))
}
