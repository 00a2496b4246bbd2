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
			if opts.ID, err = pickSubscription(f, cmd, args, cmdutil.Picking{Question: "Which subscription?",
				None: "the tenant has no subscriptions", NoneFix: "buy one: commercectl add-subscription --product ID --quantity N"}, anySubscription); err != nil {
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
	{Header: "Assigned", Field: "assignedAt", Whole: true, Get: func(u store.SubscriptionUser) string { return u.AssignedAt.Format(time.RFC3339) }},
	{Header: "Apps turned off", Field: "disabledPlans", Get: func(u store.SubscriptionUser) string { return strings.Join(u.DisabledPlans, ";") }},
}

func getSubscriptionRun(opts *GetSubscriptionOptions) error {
	f := opts.Factory
	p, s, ctx, err := f.Setup()
	if err != nil {
		return err
	}
	// The users stream as they are read: a subscription may hold 300,000.
	var (
		head func(*store.Subscription) error
		each func(*store.SubscriptionUser) error
		end  func() error
	)
	switch p.Format {
	case output.FormatJSON, output.FormatYAML:
		// The subscription's fields, then "users", always there ([] when
		// nobody holds a license of it).
		d := p.Doc()
		head = func(sub *store.Subscription) error {
			if err := d.Open(sub); err != nil {
				return err
			}
			d.Key("users")
			return d.Array()
		}
		each = func(u *store.SubscriptionUser) error { return d.Value(u) }
		end = d.Close
	case output.FormatCSV:
		// One record: the subscription's.
		head = func(sub *store.Subscription) error { return output.One(p, *sub, subscriptionColumns) }
		each = func(*store.SubscriptionUser) error { return nil }
		end = func() error { return nil }
	default:
		var rows *output.Rows[store.SubscriptionUser]
		head = func(sub *store.Subscription) error {
			if err := output.One(p, *sub, subscriptionColumns); err != nil {
				return err
			}
			if _, err := fmt.Fprintf(f.IOStreams.Out, "\nLicensed users (%d):\n", sub.Assigned); err != nil {
				return err
			}
			rows = output.Stream(p, subscriptionUserColumns)
			return nil
		}
		each = func(u *store.SubscriptionUser) error { return rows.Add(*u) }
		end = func() error { return rows.Close() }
	}
	if err := s.EachSubscriptionUser(ctx, opts.ID, head, each); err != nil {
		return err
	}
	return end()
}
