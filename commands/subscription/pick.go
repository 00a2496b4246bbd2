package subscription

import (
	"fmt"
	"strings"

	"github.com/commercectl/commercectl/cmd/cmdutil"
	"github.com/commercectl/commercectl/store"
	"github.com/spf13/cobra"
)

// pickSubscription is the subscription ID argument, or in a terminal the
// one picked among those keep offers.
func pickSubscription(f *cmdutil.Factory, cmd *cobra.Command, args []string, p cmdutil.Picking, keep func(store.Subscription) (bool, string, string)) (string, error) {
	if p.None == "" {
		p.None, p.NoneFix = "no subscription to pick from", "see them all with: commercectl list-subscriptions"
	}
	return cmdutil.Arg(f, cmd, args, "a subscription id", p, cmdutil.Subscriptions(keep))
}

// anySubscription offers every subscription (get-subscription).
func anySubscription(store.Subscription) (bool, string, string) { return true, "", "" }

// ownedBy offers the actor's own self-service and trial subscriptions that
// are not Deleted: what cancel-subscription cancels.
func ownedBy(f *cmdutil.Factory) func(store.Subscription) (bool, string, string) {
	actor, _ := f.Actor()
	return func(s store.Subscription) (bool, string, string) {
		return s.Kind != store.KindCentral && s.Status != store.StatusDeleted && strings.EqualFold(s.Purchaser, actor), "", ""
	}
}

// selfBought offers the self-service and trial subscriptions an admin can
// take over (not Deleted).
func selfBought(s store.Subscription) (bool, string, string) {
	return s.Kind != store.KindCentral && s.Status != store.StatusDeleted, "", ""
}

// centralActive offers central subscriptions, those not Active with the
// reason (buy-licenses sets an Active one's quantity).
func centralActive(s store.Subscription) (bool, string, string) {
	if s.Kind != store.KindCentral {
		return false, "", ""
	}
	if s.Status != store.StatusActive {
		return true, fmt.Sprintf("it is %s", s.Status), fmt.Sprintf("buy a new one: commercectl add-subscription --product %s --quantity N", s.ProductID)
	}
	return true, "", ""
}
