package subscription

import (
	"context"
	"fmt"

	"github.com/commercectl/commercectl/cmd/cmdutil"
	"github.com/commercectl/commercectl/store"
)

// askTakeover is takeover-subscription given nothing, in a terminal: the
// whole takeover is asked, over every subscription.
func askTakeover(f *cmdutil.Factory) error {
	s, err := f.Store()
	if err != nil {
		return err
	}
	ctx, err := f.Context()
	if err != nil {
		return err
	}
	subs, err := s.ListSubscriptions(ctx, store.SubscriptionFilter{})
	if err != nil {
		return err
	}
	return pickTakeover(f, subs)
}

// pickTakeover is the interactive takeover: pick a self-service or trial
// subscription, then move its users (pick the central target) or cancel it
// (pick the reason), and confirm.
func pickTakeover(f *cmdutil.Factory, subs []store.Subscription) error {
	var own []store.Subscription
	for _, s := range subs {
		if s.Kind != store.KindCentral && s.Status != store.StatusDeleted {
			own = append(own, s)
		}
	}
	if len(own) == 0 {
		fmt.Fprintln(f.IOStreams.ErrOut, "No self-service or trial subscriptions to take over.")
		return nil
	}
	pr := f.Prompter()
	labels := make([]string, len(own))
	for i, s := range own {
		labels[i] = fmt.Sprintf("%s  %s, bought by %s (%d of %d assigned, %s a month)", s.ID, s.ProductName, s.Purchaser, s.Assigned, s.Quantity, s.MonthlyCost)
	}
	i, err := pr.Select("Which subscription?", labels, 0)
	if err != nil {
		return err
	}
	src := own[i]
	action, err := pr.Select("Take it over how?", []string{"Move its users to a central subscription", "Cancel it (its users lose the licenses)"}, 0)
	if err != nil {
		return err
	}
	to := store.Takeover{SubscriptionID: src.ID}
	if action == 1 {
		r, err := pr.Select("Why?", store.CancelReasons, 0)
		if err != nil {
			return err
		}
		to.Cancel, to.Reason = true, store.CancelReasons[r]
		return takeover(f, to)
	}
	s, err := f.Store()
	if err != nil {
		return err
	}
	ctx, err := f.Context()
	if err != nil {
		return err
	}
	central, err := s.ListSubscriptions(ctx, store.SubscriptionFilter{Status: store.StatusActive})
	if err != nil {
		return err
	}
	// Each target is rehearsed: one without room for everyone is shown
	// with the seats missing and the buy-licenses that fixes it.
	var targets []cmdutil.Choice
	plans := map[string]*store.TakeoverResult{}
	for _, c := range central {
		if c.Kind != store.KindCentral {
			continue
		}
		try := to
		try.MoveToSubscription = c.ID
		why, fix, err := cmdutil.Refusal(ctx, func(ctx context.Context) error {
			res, err := s.TakeoverSubscription(ctx, try)
			plans[c.ID] = res
			return err
		})
		if err != nil {
			return err
		}
		targets = append(targets, cmdutil.Choice{Value: c.ID, Label: fmt.Sprintf("%s  %s (%d available)", c.ID, c.ProductName, c.Available), Why: why, Fix: fix})
	}
	if len(targets) == 0 {
		return store.Errorf(store.ECONFLICT, "the organization has no Active central subscription to move users to").
			WithHint("buy one: commercectl add-subscription --product %s --quantity %d", src.ProductID, src.Assigned)
	}
	if to.MoveToSubscription, err = cmdutil.Choose(f, "Move its users to?", targets); err != nil {
		return err
	}
	plan := plans[to.MoveToSubscription]
	if err := cmdutil.Confirm(f, fmt.Sprintf("Move the %d user(s) of %s to %s (%d keep a license they have) and delete %s? Cost change: %s a month.",
		plan.UsersMoved+plan.UsersKept, src.ID, to.MoveToSubscription, plan.UsersKept, src.ID, plan.MonthlyCostChange)); err != nil {
		return err
	}
	return takeover(f, to)
}
