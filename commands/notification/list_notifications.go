// Package notification holds the outbox verb.
package notification

import (
	"slices"
	"strconv"
	"time"

	"github.com/commercectl/commercectl/cmd/cmdutil"
	"github.com/commercectl/commercectl/commands/audit"
	"github.com/commercectl/commercectl/output"
	"github.com/commercectl/commercectl/store"
	"github.com/spf13/cobra"
)

// ListNotificationsOptions are the inputs of list-notifications.
type ListNotificationsOptions struct {
	Factory *cmdutil.Factory
	To      string
	Since   string
	Status  string
}

// NewCmdListNotifications builds list-notifications.
func NewCmdListNotifications(f *cmdutil.Factory, runF func(*ListNotificationsOptions) error) *cobra.Command {
	opts := &ListNotificationsOptions{Factory: f}
	cmd := &cobra.Command{
		Use:   "list-notifications [--to UPN] [--since TIME] [--status pending|sent|failed]",
		Short: "List the e-mails the service would have sent (the outbox), oldest first",
		Long: `List the outbox: every e-mail the service would send (purchase and trial
confirmations, license requests received, approved, partly approved or
declined, licenses removed), written in the same transaction as the change.
Readers of the tenant see every message; anyone else sees their own.
--since takes a time, a date or a duration back from now (24h, 7d).
Each message shows how its delivery went (send-notifications): pending,
sent or failed, its attempts, when it was sent, the last error and its
Message-ID.`,
		Example: `  commercectl list-notifications --to alex.wilber@contoso.com
  commercectl list-notifications --status failed -o json --jq '.[] | [.to, .lastError] | join(": ")'`,
		Args: cmdutil.MaxArgs(0),
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(opts)
			}
			return listNotificationsRun(opts)
		},
	}
	cmd.Flags().StringVar(&opts.To, "to", "", "only messages to this UPN")
	cmd.Flags().StringVar(&opts.Since, "since", "", "only messages at or after this time, date or duration ago")
	cmd.Flags().StringVar(&opts.Status, "status", "", "only messages of this delivery status: pending, sent or failed")
	return cmd
}

var columns = []output.Column[store.Notification]{
	{Header: "ID", Field: "id", Summary: true, Get: func(n store.Notification) string { return strconv.FormatInt(n.ID, 10) }},
	{Header: "To", Field: "to", Summary: true, Get: func(n store.Notification) string { return n.To }},
	{Header: "Kind", Field: "kind", Summary: true, Get: func(n store.Notification) string { return n.Kind }},
	{Header: "Subject", Field: "subject", Summary: true, Get: func(n store.Notification) string { return n.Subject }},
	{Header: "Body", Field: "body", Get: func(n store.Notification) string { return n.Body }},
	{Header: "Created", Field: "createdAt", Summary: true, Whole: true, Get: func(n store.Notification) string { return n.CreatedAt.Format(time.RFC3339) }},
	{Header: "Status", Field: "status", Summary: true, Get: func(n store.Notification) string { return n.Status }},
	{Header: "Attempts", Field: "attempts", Get: func(n store.Notification) string { return strconv.Itoa(n.Attempts) }},
	{Header: "Sent", Field: "sentAt", Get: func(n store.Notification) string { return fmtOptional(n.SentAt) }},
	{Header: "Next attempt", Field: "nextAttemptAt", Get: func(n store.Notification) string { return fmtOptional(n.NextAttemptAt) }},
	{Header: "Last error", Field: "lastError", Get: func(n store.Notification) string { return n.LastError }},
	{Header: "Message-ID", Field: "messageId", Get: func(n store.Notification) string { return n.MessageID }},
}

func fmtOptional(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.Format(time.RFC3339)
}

func listNotificationsRun(opts *ListNotificationsOptions) error {
	f := opts.Factory
	p, err := f.Printer()
	if err != nil {
		return err
	}
	filter := store.NotificationFilter{To: opts.To, Status: opts.Status}
	if opts.Status != "" && !slices.Contains(store.DeliveryStatuses, opts.Status) {
		return cmdutil.Usagef("--status is pending, sent or failed, not %s", store.QuoteShort(opts.Status))
	}
	if opts.Since != "" {
		now, err := f.Now()
		if err != nil {
			return err
		}
		if filter.Since, err = audit.ParseSince(opts.Since, now); err != nil {
			return err
		}
	}
	s, err := f.Store()
	if err != nil {
		return err
	}
	ctx, err := f.Context()
	if err != nil {
		return err
	}
	ns, err := s.ListNotifications(ctx, filter)
	if err != nil {
		return err
	}
	return output.List(p, ns, columns)
}
