package subscription

import (
	"fmt"

	"github.com/commercectl/commercectl/cmd/cmdutil"
	"github.com/commercectl/commercectl/output"
	"github.com/commercectl/commercectl/store"
	"github.com/spf13/cobra"
)

// CancelSubscriptionOptions are the inputs of cancel-subscription.
type CancelSubscriptionOptions struct {
	Factory *cmdutil.Factory
	ID      string
}

// NewCmdCancelSubscription builds cancel-subscription.
func NewCmdCancelSubscription(f *cmdutil.Factory, runF func(*CancelSubscriptionOptions) error) *cobra.Command {
	opts := &CancelSubscriptionOptions{Factory: f}
	return &cobra.Command{
		Use:               "cancel-subscription ID",
		Example:           `  commercectl cancel-subscription SUB-00005 --as alex.wilber@contoso.com`,
		ValidArgsFunction: cmdutil.CompleteArg(f, store.CompleteSubscriptions),
		Short:             "Cancel a subscription you bought yourself; its users lose its licenses",
		Long: `Cancel a self-service or trial subscription you bought. It becomes Deleted
at once and the people you assigned its licenses to lose them (each is
notified). Asks for confirmation in a terminal; needs --yes otherwise. An
admin ends someone else's subscription with takeover-subscription.`,
		Args: cmdutil.MaxArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var err error
			if opts.ID, err = pickSubscription(f, cmd, args, cmdutil.Picking{Question: "Cancel which of your subscriptions?",
				None: "you have no self-service or trial subscription to cancel", NoneFix: "an admin ends someone else's with: commercectl takeover-subscription ID"}, ownedBy(f)); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return cancelSubscriptionRun(opts)
		},
	}
}

func cancelSubscriptionRun(opts *CancelSubscriptionOptions) error {
	f := opts.Factory
	p, s, ctx, err := f.Setup()
	if err != nil {
		return err
	}
	// Refusals (not the purchaser, already Deleted) come before the question,
	// with their own exit codes: a rehearsal that is rolled back checks them.
	if _, err := s.CancelSubscription(store.WithDryRun(ctx), opts.ID); err != nil {
		return err
	}
	before, err := s.GetSubscription(ctx, opts.ID)
	if err != nil {
		return err
	}
	if err := cmdutil.Confirm(f, fmt.Sprintf("Cancel %s (%s, %d license(s), %s a month)? Its %d user(s) lose their licenses.",
		before.ID, before.ProductName, before.Quantity, before.MonthlyCost, before.Assigned)); err != nil {
		return err
	}
	sub, err := s.CancelSubscription(ctx, opts.ID)
	if err != nil {
		return err
	}
	defer f.DryRunNote()
	f.Note("Canceled %s (%s): its licenses were taken from %s", sub.ID, sub.ProductName, store.Plural(before.Assigned, "user"))
	return output.One(p, *sub, subscriptionColumns)
}
