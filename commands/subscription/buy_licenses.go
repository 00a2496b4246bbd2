package subscription

import (
	"fmt"

	"github.com/commercectl/commercectl/cmd/cmdutil"
	"github.com/commercectl/commercectl/output"
	"github.com/commercectl/commercectl/store"
	"github.com/spf13/cobra"
)

// BuyLicensesOptions are the inputs of buy-licenses.
type BuyLicensesOptions struct {
	Factory        *cmdutil.Factory
	SubscriptionID string
	Total          int
}

// NewCmdBuyLicenses builds buy-licenses.
func NewCmdBuyLicenses(f *cmdutil.Factory, runF func(*BuyLicensesOptions) error) *cobra.Command {
	opts := &BuyLicensesOptions{Factory: f}
	cmd := &cobra.Command{
		Use:   "buy-licenses --subscription ID --total N",
		Short: "Set a central subscription's number of licenses and see the new monthly cost",
		Long: `Set the quantity of an Active central subscription and print the new
monthly cost. Lowering it below the licenses assigned from it leaves users
without a valid license (a conflict): that asks for confirmation in a
terminal and needs --yes otherwise.`,
		Example: `  commercectl buy-licenses --subscription SUB-00001 --total 30`,
		Args:    cmdutil.MaxArgs(0),
		RunE: func(cmd *cobra.Command, args []string) error {
			var err error
			if opts.SubscriptionID == "" {
				if opts.SubscriptionID, err = cmdutil.Pick(f, cmdutil.Picking{Missing: "--subscription",
					Question: "Which central subscription?", None: "the organization has no central subscription",
					NoneFix: "buy one: commercectl add-subscription --product ID --quantity N"},
					centralSubscriptions); err != nil {
					return err
				}
			}
			if !cmd.Flags().Changed("total") {
				if opts.Total, err = cmdutil.AskInt(f, "total", "How many licenses in all?"+nowHas(f, opts.SubscriptionID)); err != nil {
					return err
				}
			}
			if runF != nil {
				return runF(opts)
			}
			return buyLicensesRun(opts)
		},
	}
	cmd.Flags().StringVar(&opts.SubscriptionID, "subscription", "", "central subscription id")
	_ = cmd.RegisterFlagCompletionFunc("subscription", cmdutil.Complete(f, store.CompleteSubscriptions))
	cmdutil.IntVar(cmd.Flags(), &opts.Total, "total", 0, "the new number of licenses")
	return cmd
}

func buyLicensesRun(opts *BuyLicensesOptions) error {
	f := opts.Factory
	p, s, ctx, err := f.Setup()
	if err != nil {
		return err
	}
	// Every refusal but the confirmation comes first, with its own exit code:
	// a rehearsal that is rolled back checks role, state and quantity.
	planned, err := s.BuyLicenses(store.WithDryRun(ctx), opts.SubscriptionID, opts.Total, true)
	if err != nil {
		return err
	}
	before, err := s.GetSubscription(ctx, opts.SubscriptionID)
	if err != nil {
		return err
	}
	confirmed := false
	switch {
	case planned.Quantity == before.Quantity:
		// Nothing to ask: it says below that nothing changed.
	case opts.Total < before.Assigned:
		q := fmt.Sprintf("%s has %d licenses assigned; %d leaves %d users without a valid license (%s → %s a month). Go on?",
			before.ID, before.Assigned, opts.Total, before.Assigned-opts.Total, before.MonthlyCost, planned.MonthlyCost)
		if err := cmdutil.Confirm(f, q); err != nil {
			return err
		}
		confirmed = true
	default:
		if err := cmdutil.ConfirmAsked(f, fmt.Sprintf("Set %s (%s) from %d to %d licenses: %s → %s a month?",
			before.ID, before.ProductName, before.Quantity, planned.Quantity, before.MonthlyCost, planned.MonthlyCost)); err != nil {
			return err
		}
	}
	sub, err := s.BuyLicenses(ctx, opts.SubscriptionID, opts.Total, confirmed)
	if err != nil {
		return err
	}
	defer f.DryRunNote()
	if sub.Quantity == before.Quantity {
		fmt.Fprintf(f.IOStreams.ErrOut, "%s already has %d licenses: unchanged\n", sub.ID, sub.Quantity)
	} else {
		fmt.Fprintf(f.IOStreams.ErrOut, "%s: %d → %d licenses; new monthly cost %s (was %s)\n",
			sub.ID, before.Quantity, sub.Quantity, sub.MonthlyCost, before.MonthlyCost)
	}
	return output.One(p, *sub, subscriptionColumns)
}

// nowHas tells, in the question for the total, how many licenses the
// subscription has now ("" when it cannot be read: the verb says why).
func nowHas(f *cmdutil.Factory, id string) string {
	s, err := f.Store()
	if err != nil {
		return ""
	}
	ctx, err := f.Context()
	if err != nil {
		return ""
	}
	sub, err := s.GetSubscription(ctx, id)
	if err != nil {
		return ""
	}
	return fmt.Sprintf(" (%s has %d, %d assigned)", sub.ID, sub.Quantity, sub.Assigned)
}
