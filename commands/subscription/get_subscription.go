package subscription

import (
	"fmt"
	"strings"
	"time"

	"github.com/commercectl/commercectl/cmd/cmdutil"
	"github.com/commercectl/commercectl/output"
	"github.com/commercectl/commercectl/store"
	"github.com/spf13/cobra"
)

// GetSubscriptionOptions are the inputs of get-subscription.
type GetSubscriptionOptions struct {
	Factory *cmdutil.Factory
	ID      string
}

// NewCmdGetSubscription builds get-subscription.
func NewCmdGetSubscription(f *cmdutil.Factory, runF func(*GetSubscriptionOptions) error) *cobra.Command {
	opts := &GetSubscriptionOptions{Factory: f}
	return &cobra.Command{
		Use: "get-subscription ID",
		Example: `  commercectl get-subscription SUB-00005
  commercectl get-subscription SUB-00005 -o json --jq '.users[].upn'`,
		ValidArgsFunction: cmdutil.CompleteArg(f, store.CompleteSubscriptions),
		Short:             "Show a subscription with its licensed users",
		Args:              cmdutil.MaxArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var err error
			if opts.ID, err = pickSubscription(f, cmd, args, cmdutil.Picking{Question: "Which subscription?"}, anySubscription); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return getSubscriptionRun(opts)
		},
	}
}

var subscriptionUserColumns = []output.Column[store.SubscriptionUser]{
	{Header: "UPN", Field: "upn", Get: func(u store.SubscriptionUser) string { return u.UPN }},
	{Header: "Assigned", Field: "assignedAt", Get: func(u store.SubscriptionUser) string { return u.AssignedAt.Format(time.RFC3339) }},
	{Header: "Apps turned off", Field: "disabledPlans", Get: func(u store.SubscriptionUser) string { return strings.Join(u.DisabledPlans, ";") }},
}

// subscriptionDetail is get-subscription's JSON: the subscription and its users.
type subscriptionDetail struct {
	store.Subscription
	Users []store.SubscriptionUser `json:"users"`
}

func getSubscriptionRun(opts *GetSubscriptionOptions) error {
	f := opts.Factory
	p, s, ctx, err := f.Setup()
	if err != nil {
		return err
	}
	sub, err := s.GetSubscription(ctx, opts.ID)
	if err != nil {
		return err
	}
	switch p.Format {
	case output.FormatJSON, output.FormatYAML:
		// "users" is always there, [] when nobody holds a license of it
		// (store.Subscription omits it when empty, for list-subscriptions).
		return output.One(p, subscriptionDetail{Subscription: *sub, Users: sub.Users}, nil)
	case output.FormatCSV:
		return output.One(p, *sub, subscriptionColumns)
	}
	if err := output.One(p, *sub, subscriptionColumns); err != nil {
		return err
	}
	fmt.Fprintf(f.IOStreams.Out, "\nLicensed users (%d):\n", len(sub.Users))
	return output.List(p, sub.Users, subscriptionUserColumns)
}
