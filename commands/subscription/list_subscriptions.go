package subscription

import (
	"github.com/commercectl/commercectl/cmd/cmdutil"
	"github.com/commercectl/commercectl/output"
	"github.com/commercectl/commercectl/store"
	"github.com/spf13/cobra"
)

// ListSubscriptionsOptions are the inputs of list-subscriptions.
type ListSubscriptionsOptions struct {
	Factory *cmdutil.Factory
	Filter  store.SubscriptionFilter
}

// NewCmdListSubscriptions builds list-subscriptions.
func NewCmdListSubscriptions(f *cmdutil.Factory, runF func(*ListSubscriptionsOptions) error) *cobra.Command {
	opts := &ListSubscriptionsOptions{Factory: f}
	cmd := &cobra.Command{
		Use:   "list-subscriptions [--self-service] [--product ID] [--status S]",
		Short: "List subscriptions: product, kind, purchaser, licenses, cost, status, expiry",
		Long: `List subscriptions with their licenses (quantity, assigned, available),
monthly cost and status. The status follows from the dates: Active until
expiresAt, then Expired for 30 days, then Disabled for 90 days, then Deleted;
a canceled subscription is Deleted at once. A user without a reading role
sees the subscriptions they bought.`,
		Example: `  commercectl list-subscriptions --self-service
  commercectl list-subscriptions --status Expired -o json`,
		Args: cmdutil.MaxArgs(0),
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(opts)
			}
			return listSubscriptionsRun(opts)
		},
	}
	cmd.Flags().BoolVar(&opts.Filter.SelfService, "self-service", false, "only self-service and trial subscriptions")
	cmd.Flags().StringVar(&opts.Filter.ProductID, "product", "", "only this product")
	cmd.Flags().StringVar(&opts.Filter.Status, "status", "", "only Active, Expired, Disabled or Deleted")
	_ = cmd.RegisterFlagCompletionFunc("product", cmdutil.CompleteProductIDs(f))
	_ = cmd.RegisterFlagCompletionFunc("status", cobra.FixedCompletions([]string{store.StatusActive, store.StatusExpired, store.StatusDisabled, store.StatusDeleted}, cobra.ShellCompDirectiveNoFileComp))
	return cmd
}

func listSubscriptionsRun(opts *ListSubscriptionsOptions) error {
	f := opts.Factory
	interactive, err := f.Interactive()
	if err != nil {
		return err
	}
	p, s, ctx, err := f.Setup()
	if err != nil {
		return err
	}
	subs, err := s.ListSubscriptions(ctx, opts.Filter)
	if err != nil {
		return err
	}
	if interactive {
		return pickTakeover(f, subs)
	}
	return output.List(p, subs, subscriptionColumns)
}
