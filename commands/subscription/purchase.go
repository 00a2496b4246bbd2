package subscription

import (
	"context"
	"fmt"
	"github.com/commercectl/commercectl/cmd/cmdutil"
	"github.com/commercectl/commercectl/output"
	"github.com/commercectl/commercectl/store"
	"github.com/spf13/cobra"
)

// PurchaseOptions are the inputs of purchase.
type PurchaseOptions struct {
	Factory   *cmdutil.Factory
	ProductID string
	Quantity  int
}

// NewCmdPurchase builds purchase.
func NewCmdPurchase(f *cmdutil.Factory, runF func(*PurchaseOptions) error) *cobra.Command {
	opts := &PurchaseOptions{Factory: f}
	cmd := &cobra.Command{
		Use:   "purchase --product ID --quantity N",
		Short: "Buy licenses of a product yourself (when the policy is Enabled)",
		Long: `Buy a product as a self-service purchase: allowed when its
AllowSelfServicePurchase is Enabled. You become the purchaser of a new
selfService subscription (an annual commitment billed monthly) and get one
of its licenses unless you already hold the product. When the policy blocks
it, send a license request instead (new-request).`,
		Example: `  commercectl purchase --product CFQ7TTC0H9MP --quantity 2 --as alex.wilber@contoso.com`,
		Args:    cmdutil.MaxArgs(0),
		RunE: func(cmd *cobra.Command, args []string) error {
			var err error
			if opts.ProductID == "" {
				if opts.ProductID, err = cmdutil.PickProduct(f, "Buy which product?", store.Offer.PurchaseRefusal); err != nil {
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
			return purchaseRun(opts)
		},
	}
	cmd.Flags().StringVar(&opts.ProductID, "product", "", "product id")
	cmdutil.IntVar(cmd.Flags(), &opts.Quantity, "quantity", 0, "number of licenses")
	_ = cmd.RegisterFlagCompletionFunc("product", cmdutil.CompleteProductIDs(f))
	return cmd
}

func purchaseRun(opts *PurchaseOptions) error {
	f := opts.Factory
	p, s, ctx, err := f.Setup()
	if err != nil {
		return err
	}
	if err := cmdutil.PlanAsked(f, ctx, func(ctx context.Context) (string, error) {
		sub, err := s.Purchase(ctx, opts.ProductID, opts.Quantity)
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("Buy %d license(s) of %s yourself, %s a month, committed until %s?", sub.Quantity, sub.ProductName, sub.MonthlyCost, sub.ExpiresAt.Format("2 Jan 2006")), nil
	}); err != nil {
		return err
	}
	sub, err := s.Purchase(ctx, opts.ProductID, opts.Quantity)
	if err != nil {
		return err
	}
	defer f.DryRunNote()
	f.Note("Bought %d license(s) of %s for %s a month: subscription %s", sub.Quantity, sub.ProductName, sub.MonthlyCost, sub.ID)
	return output.One(p, *sub, subscriptionColumns)
}
