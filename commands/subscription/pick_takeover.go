package subscription

import (
	"context"
	"fmt"
	"slices"

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
		if selfBought(s) {
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
	return takeoverOf(f, own[i])
}

// takeoverOf asks how to take src over: move its users (pick the central
// target) or cancel it (pick the reason), and confirms.
func takeoverOf(f *cmdutil.Factory, src store.Subscription) error {
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
	// with the seats missing and the buy-licenses that fixes it; with
	// none that fits, moving is not offered.
	// What a target has room for is its product's central pool's free
	// seats (the pool's conflicts take seats first), as the store counts.
	pools, err := cmdutil.CentralPools(ctx, s)
	if err != nil {
		return err
	}
	free := map[string]int{}
	for _, p := range pools {
		free[p.ProductID] = p.Available
	}
	to := store.Takeover{SubscriptionID: src.ID}
	var targets []cmdutil.Choice
	move := cmdutil.Choice{Value: "move", Label: "Move its users to a central subscription"}
	for _, c := range central {
		if c.Kind != store.KindCentral {
			continue
		}
		try := to
		try.MoveToSubscription = c.ID
		why, fix, err := cmdutil.Refusal(ctx, func(ctx context.Context) error {
			_, err := s.TakeoverSubscription(ctx, try)
			return err
		})
		if err != nil {
			return err
		}
		targets = append(targets, cmdutil.Choice{Value: c.ID, Label: fmt.Sprintf("%s  %s (%s free)", c.ID, c.ProductName, store.Plural(free[c.ProductID], "license")), Why: why, Fix: fix})
	}
	switch {
	case len(targets) == 0:
		move.Why = "the organization has no Active central subscription to move users to"
		move.Fix = fmt.Sprintf("buy one: commercectl add-subscription --product %s --quantity %d", src.ProductID, src.Assigned)
	case !slices.ContainsFunc(targets, func(t cmdutil.Choice) bool { return t.Why == "" }):
		move.Why, move.Fix = fmt.Sprintf("no central subscription has room for its %d user(s)", src.Assigned), targets[0].Fix
	}
	action, err := cmdutil.Choose(f, "Take it over how?", []cmdutil.Choice{move, {Value: "cancel", Label: "Cancel it (its users lose the licenses)"}})
	if err != nil {
		return err
	}
	if action == "cancel" {
		if to.Reason, err = pickReason(f); err != nil {
			return err
		}
		to.Cancel = true
		return takeover(f, to)
	}
	if to.MoveToSubscription, err = cmdutil.Choose(f, "Move its users to?", targets); err != nil {
		return err
	}
	// takeover shows the plan and asks (the target was picked).
	return takeover(f, to)
}

// moveQuestion asks to confirm a move with its plan: who moves, where (a
// subscription of target, the product's name), what the users who hold
// target already keep, and what it does to the monthly cost.
func moveQuestion(plan *store.TakeoverResult, target string) string {
	q := fmt.Sprintf("Move the %s of %s (%s) to %s", store.Plural(plan.UsersMoved+plan.UsersKept, "user"),
		plan.SubscriptionID, plan.ProductName, plan.TargetSubscriptionID)
	if plan.TargetProductID != plan.ProductID {
		q += fmt.Sprintf(" (%s, another product)", target)
	}
	q += fmt.Sprintf(" and delete %s?", plan.SubscriptionID)
	switch {
	case plan.UsersKept == 1:
		q += fmt.Sprintf(" 1 of them already has a license of %s and keeps it.", target)
	case plan.UsersKept > 1:
		q += fmt.Sprintf(" %d of them already have a license of %s and keep it.", plan.UsersKept, target)
	}
	return q + fmt.Sprintf(" Cost change: %s a month.", signed(plan.MonthlyCostChange))
}

// signed shows a change of money with its sign: +42.00, -70.00, 0.00.
func signed(c store.Cents) string {
	if c > 0 {
		return "+" + c.String()
	}
	return c.String()
}

// pickReason asks why a subscription is canceled.
func pickReason(f *cmdutil.Factory) (string, error) {
	choices := make([]cmdutil.Choice, len(store.CancelReasons))
	for i, r := range store.CancelReasons {
		choices[i] = cmdutil.Choice{Value: r, Label: r}
	}
	return cmdutil.Choose(f, "Why is it canceled?", choices)
}

// takeoverChoices offers the subscriptions the takeover to (its flags
// given) can take over; each is rehearsed, so one it would refuse (too
// few seats in the target, say) shows why and what to do first.
func takeoverChoices(to store.Takeover) func(context.Context, store.Service) ([]cmdutil.Choice, error) {
	return func(ctx context.Context, s store.Service) ([]cmdutil.Choice, error) {
		subs, err := s.ListSubscriptions(ctx, store.SubscriptionFilter{})
		if err != nil {
			return nil, err
		}
		var out []cmdutil.Choice
		for _, sub := range subs {
			if !selfBought(sub) {
				continue
			}
			try := to
			try.SubscriptionID = sub.ID
			if try.Cancel && try.Reason == "" {
				try.Reason = store.CancelReasons[0] // asked after the pick; any reason rehearses the same
			}
			why, fix, err := cmdutil.Refusal(ctx, func(ctx context.Context) error {
				_, err := s.TakeoverSubscription(ctx, try)
				return err
			})
			if err != nil {
				return nil, err
			}
			out = append(out, cmdutil.Choice{Value: sub.ID, Label: cmdutil.SubscriptionLabel(sub), Why: why, Fix: fix})
		}
		return out, nil
	}
}

// askTakeoverOf is takeover-subscription ID without an action, in a
// terminal: how to take that subscription over is asked.
func askTakeoverOf(f *cmdutil.Factory, id string) error {
	s, err := f.Store()
	if err != nil {
		return err
	}
	ctx, err := f.Context()
	if err != nil {
		return err
	}
	src, err := s.GetSubscription(ctx, id)
	if err != nil {
		return err
	}
	if !selfBought(*src) {
		// A central or Deleted one: the store's refusal, before any question.
		if _, err := s.TakeoverSubscription(store.WithDryRun(ctx), store.Takeover{SubscriptionID: id, Cancel: true, Reason: store.CancelReasons[0]}); err != nil {
			return err
		}
	}
	return takeoverOf(f, *src)
}
