package subscription

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/commercectl/commercectl/cmd/cmdutil"
	"github.com/commercectl/commercectl/output"
	"github.com/commercectl/commercectl/store"
	"github.com/spf13/cobra"
)

// TakeoverOptions are the inputs of takeover-subscription.
type TakeoverOptions struct {
	Factory  *cmdutil.Factory
	Takeover store.Takeover
}

// NewCmdTakeoverSubscription builds takeover-subscription.
func NewCmdTakeoverSubscription(f *cmdutil.Factory, runF func(*TakeoverOptions) error) *cobra.Command {
	opts := &TakeoverOptions{Factory: f}
	to := &opts.Takeover
	cmd := &cobra.Command{
		Use:               "takeover-subscription ID (--move-to-product ID | --move-to-subscription ID | --cancel --reason REASON)",
		ValidArgsFunction: cmdutil.CompleteArg(f, store.CompleteSubscriptions),
		Short:             "Take a self-service or trial subscription over: move its users to a central one, or cancel it",
		Long: `Take over a subscription someone bought themselves, in one transaction.

--move-to-product or --move-to-subscription moves every licensed user into a
central pool that has a free seat for each of them (else exit 5 naming how
many are missing and the buy-licenses command; nothing moves). A user who
already holds the target product keeps that one license; apps turned off
stay off where the target product has the same app. The old subscription
becomes Deleted and its purchaser is told.

--cancel --reason REASON removes its licenses from its users instead.
Reasons: not-needed, duplicate, too-expensive, security-or-compliance, other.
It asks for confirmation in a terminal and needs --yes otherwise.
--dry-run prints the plan: users moved, seats needed, cost change,
subscriptions deleted, people told.`,
		Example: `  commercectl takeover-subscription SUB-00005 --move-to-product CFQ7TTC0H9MP
  commercectl takeover-subscription SUB-00006 --move-to-subscription SUB-00001 --dry-run
  commercectl takeover-subscription SUB-00008 --cancel --reason duplicate --yes`,
		Args: cmdutil.MaxArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			moves := to.MoveToProduct != "" || to.MoveToSubscription != ""
			// The flags alone first: a wrong mix is refused before any question.
			switch {
			case to.MoveToProduct != "" && to.MoveToSubscription != "":
				return cmdutil.Usagef("give --move-to-product or --move-to-subscription, not both")
			case moves && to.Cancel:
				return cmdutil.Usagef("give a move or --cancel, not both")
			case !to.Cancel && to.Reason != "":
				return cmdutil.Usagef("--reason goes with --cancel")
			}
			prompt := f.IOStreams.CanPrompt() && runF == nil
			if !moves && !to.Cancel && prompt {
				// No action: it is asked, for the subscription given or picked.
				if len(args) == 0 {
					return askTakeover(f)
				}
				return askTakeoverOf(f, args[0])
			}
			switch {
			case !moves && !to.Cancel:
				return cmdutil.Usagef("missing --move-to-product ID, --move-to-subscription ID or --cancel --reason REASON")
			case to.Cancel && to.Reason == "" && !prompt:
				return cmdutil.Usagef("--cancel needs --reason: %s", strings.Join(store.CancelReasons, ", "))
			}
			var err error
			if to.SubscriptionID, err = cmdutil.Arg(f, cmd, args, "a subscription id", cmdutil.Picking{Question: "Take over which subscription?",
				None: "nobody has a self-service or trial subscription to take over"}, takeoverChoices(*to)); err != nil {
				return err
			}
			if to.Cancel && to.Reason == "" {
				if to.Reason, err = pickReason(f); err != nil {
					return err
				}
			}
			if runF != nil {
				return runF(opts)
			}
			return takeover(f, *to)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&to.MoveToProduct, "move-to-product", "", "move its users into this product's central pool")
	fl.StringVar(&to.MoveToSubscription, "move-to-subscription", "", "move its users into this central subscription")
	_ = cmd.RegisterFlagCompletionFunc("move-to-subscription", cmdutil.Complete(f, store.CompleteSubscriptions))
	fl.BoolVar(&to.Cancel, "cancel", false, "cancel it: its users lose its licenses")
	fl.StringVar(&to.Reason, "reason", "", "why it is canceled: "+strings.Join(store.CancelReasons, ", "))
	_ = cmd.RegisterFlagCompletionFunc("move-to-product", cmdutil.CompleteProductIDs(f))
	_ = cmd.RegisterFlagCompletionFunc("reason", cobra.FixedCompletions(store.CancelReasons, cobra.ShellCompDirectiveNoFileComp))
	return cmd
}

var takeoverColumns = []output.Column[store.TakeoverResult]{
	{Header: "Subscription", Field: "subscriptionId", Get: func(r store.TakeoverResult) string { return r.SubscriptionID }},
	{Header: "Product", Field: "productName", Get: func(r store.TakeoverResult) string { return r.ProductName }},
	{Header: "Action", Field: "action", Get: func(r store.TakeoverResult) string { return r.Action }},
	{Header: "Reason", Field: "reason", Get: func(r store.TakeoverResult) string { return r.Reason }},
	{Header: "Moved to product", Field: "targetProductId", Get: func(r store.TakeoverResult) string { return r.TargetProductID }},
	{Header: "Moved to", Field: "targetSubscriptionId", Get: func(r store.TakeoverResult) string { return r.TargetSubscriptionID }},
	{Header: "Users moved", Field: "usersMoved", Get: func(r store.TakeoverResult) string { return strconv.Itoa(r.UsersMoved) }},
	{Header: "Users kept", Field: "usersKept", Get: func(r store.TakeoverResult) string { return strconv.Itoa(r.UsersKept) }},
	{Header: "Users unassigned", Field: "usersUnassigned", Get: func(r store.TakeoverResult) string { return strconv.Itoa(r.UsersUnassigned) }},
	{Header: "Seats needed", Field: "seatsNeeded", Get: func(r store.TakeoverResult) string { return strconv.Itoa(r.SeatsNeeded) }},
	{Header: "Cost change", Field: "monthlyCostChange", Get: func(r store.TakeoverResult) string { return r.MonthlyCostChange.String() }},
	{Header: "Deleted", Field: "subscriptionsDeleted", Get: func(r store.TakeoverResult) string { return strings.Join(r.SubscriptionsDeleted, ";") }},
	{Header: "Told", Field: "notified", Get: func(r store.TakeoverResult) string { return strings.Join(r.Notified, ";") }},
}

// bigMove is the number of users past which a move shows progress.
const bigMove = 2000

// takeover runs one takeover: a confirmation for a cancel, progress for a
// big move (terminal only), the result.
func takeover(f *cmdutil.Factory, to store.Takeover) error {
	p, s, ctx, err := f.Setup()
	if err != nil {
		return err
	}
	if to.Cancel {
		// Refusals (role, central, Deleted, unknown) come before the
		// question, with their own exit codes: a rehearsal that is rolled
		// back checks them.
		if _, err := s.TakeoverSubscription(store.WithDryRun(ctx), to); err != nil {
			return err
		}
		sub, err := s.GetSubscription(ctx, to.SubscriptionID)
		if err != nil {
			return err
		}
		if err := cmdutil.Confirm(f, fmt.Sprintf("Cancel %s (%s, bought by %s, %s a month)? Its %d user(s) lose their licenses.",
			sub.ID, sub.ProductName, sub.Purchaser, sub.MonthlyCost, sub.Assigned)); err != nil {
			return err
		}
	}
	if !to.Cancel {
		if err := cmdutil.PlanAsked(f, ctx, func(ctx context.Context) (string, error) {
			plan, err := s.TakeoverSubscription(ctx, to)
			if err != nil {
				return "", err
			}
			target, err := s.GetSubscription(ctx, plan.TargetSubscriptionID)
			if err != nil {
				return "", err
			}
			return moveQuestion(plan, target.ProductName), nil
		}); err != nil {
			return err
		}
	}
	var progress *output.Progress
	if !to.Cancel && f.IOStreams.IsStderrTTY() {
		if sub, err := s.GetSubscription(ctx, to.SubscriptionID); err == nil && sub.Assigned > bigMove {
			progress = output.NewProgress(f.IOStreams.ErrOut, fmt.Sprintf("Moving the %d users of %s", sub.Assigned, sub.ID))
			progress.Set(0)
		}
	}
	res, err := s.TakeoverSubscription(ctx, to)
	if progress != nil && err == nil {
		progress.Done(res.UsersMoved + res.UsersKept)
	}
	if err != nil {
		return err
	}
	defer f.DryRunNote()
	if res.Action == "move" {
		f.Note("Took over %s: %d user(s) moved, %d kept the license they had", res.SubscriptionID, res.UsersMoved, res.UsersKept)
	} else {
		f.Note("Canceled %s: %d license(s) removed", res.SubscriptionID, res.UsersUnassigned)
	}
	return output.One(p, *res, takeoverColumns)
}
