package subscription

import (
	"context"
	"strings"

	"github.com/commercectl/commercectl/cmd/cmdutil"
	"github.com/commercectl/commercectl/store"
	"github.com/spf13/cobra"
)

// pickSubscription is the subscription ID argument, or in a terminal the
// one picked among those keep offers.
func pickSubscription(f *cmdutil.Factory, cmd *cobra.Command, args []string, p cmdutil.Picking, keep func(store.Subscription) bool) (string, error) {
	if p.None == "" {
		p.None, p.NoneFix = "no subscription to pick from", "see them all with: commercectl list-subscriptions"
	}
	return cmdutil.Arg(f, cmd, args, "a subscription id", p, cmdutil.Subscriptions(keep))
}

// anySubscription offers every subscription (get-subscription).
func anySubscription(store.Subscription) bool { return true }

// ownedBy offers the actor's own self-service and trial subscriptions that
// are not Deleted: what cancel-subscription cancels.
func ownedBy(f *cmdutil.Factory) func(store.Subscription) bool {
	actor, _ := f.Actor()
	return func(s store.Subscription) bool {
		return selfBought(s) && strings.EqualFold(s.Purchaser, actor)
	}
}

// selfBought offers the self-service and trial subscriptions an admin can
// take over (not Deleted).
func selfBought(s store.Subscription) bool {
	return s.Kind != store.KindCentral && s.Status != store.StatusDeleted
}

// centralSubscriptions offers the central subscriptions buy-licenses
// sets the quantity of; one that is not Active is rehearsed (a refusal
// writes nothing), so it is shown with the store's reason and fix.
func centralSubscriptions(ctx context.Context, s store.Service) ([]cmdutil.Choice, error) {
	subs, err := s.ListSubscriptions(ctx, store.SubscriptionFilter{})
	if err != nil {
		return nil, err
	}
	var out []cmdutil.Choice
	for _, sub := range subs {
		if sub.Kind != store.KindCentral {
			continue
		}
		c := cmdutil.Choice{Value: sub.ID, Label: cmdutil.SubscriptionLabel(sub)}
		if sub.Status != store.StatusActive {
			if c.Why, c.Fix, err = cmdutil.Refusal(ctx, func(ctx context.Context) error {
				_, err := s.BuyLicenses(ctx, sub.ID, sub.Quantity+1, true)
				return err
			}); err != nil {
				return nil, err
			}
		}
		out = append(out, c)
	}
	return out, nil
}
