package subscription

import (
	"context"
	"fmt"
	"github.com/commercectl/commercectl/cmd/cmdutil"
	"github.com/commercectl/commercectl/output"
	"github.com/spf13/cobra"
)

// AddSubscriptionOptions are the inputs of add-subscription.
type AddSubscriptionOptions struct {
	Factory   *cmdutil.Factory
	ProductID string
	Quantity  int
	Months    int
}

// NewCmdAddSubscription builds add-subscription.
func NewCmdAddSubscription(f *cmdutil.Factory, runF func(*AddSubscriptionOptions) error) *cobra.Command {
	opts := &AddSubscriptionOptions{Factory: f}
	cmd := &cobra.Command{
		Use:     "add-subscription --product ID --quantity N [--months M]",
		Short:   "Buy a central subscription of a product for the organization",
		Example: `  commercectl add-subscription --product CFQ7TTC0H9MP --quantity 25 --months 12`,
		Args:    cmdutil.MaxArgs(0),
		RunE: func(cmd *cobra.Command, args []string) error {
			var err error
			if opts.ProductID == "" {
				if opts.ProductID, err = cmdutil.PickProduct(f, "Buy which product for the organization?", nil); err != nil {
					return err
				}
			}
			if !cmd.Flags().Changed("quantity") {
				if opts.Quantity, err = cmdutil.AskInt(f, "quantity", "How many licenses?"); err != nil {
					return err
				}
			}
			if runF != nil {
				return runF(opts)
			}
			return addSubscriptionRun(opts)
		},
	}
	cmd.Flags().StringVar(&opts.ProductID, "product", "", "product id")
	cmdutil.IntVar(cmd.Flags(), &opts.Quantity, "quantity", 0, "number of licenses")
	cmdutil.IntVar(cmd.Flags(), &opts.Months, "months", 12, "term in months")
	_ = cmd.RegisterFlagCompletionFunc("product", cmdutil.CompleteProductIDs(f))
	return cmd
}

func addSubscriptionRun(opts *AddSubscriptionOptions) error {
	f := opts.Factory
	p, s, ctx, err := f.Setup()
	if err != nil {
		return err
	}
	if err := cmdutil.PlanAsked(f, ctx, func(ctx context.Context) (string, error) {
		sub, err := s.AddSubscription(ctx, opts.ProductID, opts.Quantity, opts.Months)
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("Buy %d license(s) of %s for the organization, %s a month for %d months?", sub.Quantity, sub.ProductName, sub.MonthlyCost, opts.Months), nil
	}); err != nil {
		return err
	}
	sub, err := s.AddSubscription(ctx, opts.ProductID, opts.Quantity, opts.Months)
	if err != nil {
		return err
	}
	defer f.DryRunNote()
	f.Note("Bought %d license(s) of %s for %s a month: subscription %s", sub.Quantity, sub.ProductName, sub.MonthlyCost, sub.ID)
	return output.One(p, *sub, subscriptionColumns)
}
