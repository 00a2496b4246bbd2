package subscription

import (
	"fmt"

	"github.com/commercectl/commercectl/cmd/cmdutil"
	"github.com/commercectl/commercectl/store"
)

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
	var targets []store.Subscription
	var options []string
	for _, c := range central {
		if c.Kind == store.KindCentral {
			targets = append(targets, c)
			options = append(options, fmt.Sprintf("%s  %s (%d available)", c.ID, c.ProductName, c.Available))
		}
	}
	if len(targets) == 0 {
		return store.Errorf(store.ECONFLICT, "the organization has no Active central subscription to move users to").
			WithHint("buy one: commercectl add-subscription --product %s --quantity %d", src.ProductID, src.Assigned)
	}
	ti, err := pr.Select("Move its users to?", options, 0)
	if err != nil {
		return err
	}
	to.MoveToSubscription = targets[ti].ID
	// A refusal (no room for everyone) comes before the question.
	if _, err := s.TakeoverSubscription(store.WithDryRun(ctx), to); err != nil {
		return err
	}
	if err := cmdutil.Confirm(f, fmt.Sprintf("Move the %d user(s) of %s to %s and delete %s?", src.Assigned, src.ID, targets[ti].ID, src.ID)); err != nil {
		return err
	}
	return takeover(f, to)
}
