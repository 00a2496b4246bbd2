// Package conflict holds the license conflict verbs (SPEC §7).
package conflict

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/commercectl/commercectl/cmd/cmdutil"
	"github.com/commercectl/commercectl/output"
	"github.com/commercectl/commercectl/store"
	"github.com/spf13/cobra"
)

var conflictColumns = []output.Column[store.Conflict]{
	{Header: "Product ID", Whole: true, Field: "productId", Get: func(c store.Conflict) string { return c.ProductID }},
	{Header: "Product", Field: "productName", Get: func(c store.Conflict) string { return c.ProductName }},
	{Header: "Pool", Field: "pool", Spare: 1, Get: func(c store.Conflict) string { return c.Pool }},
	{Header: "Subscriptions", Field: "subscriptionIds", Spare: 2, Get: func(c store.Conflict) string { return strings.Join(c.SubscriptionIDs, ";") }},
	{Header: "Seats", Field: "seats", Get: func(c store.Conflict) string { return strconv.Itoa(c.Seats) }},
	{Header: "Assigned", Field: "assigned", Get: func(c store.Conflict) string { return strconv.Itoa(c.Assigned) }},
	{Header: "Shortfall", Field: "shortfall", Get: func(c store.Conflict) string { return strconv.Itoa(c.Shortfall) }},
	{Header: "Users who need a valid license", Field: "users", Get: func(c store.Conflict) string { return strings.Join(c.Users, ";") }},
}

var resolutionColumns = []output.Column[store.Resolution]{
	{Header: "Product ID", Whole: true, Field: "productId", Get: func(r store.Resolution) string { return r.ProductID }},
	{Header: "Product", Field: "productName", Spare: 1, Get: func(r store.Resolution) string { return r.ProductName }},
	{Header: "Action", Field: "action", Get: func(r store.Resolution) string { return r.Action }},
	{Header: "Subscription", Field: "subscriptionId", Get: func(r store.Resolution) string { return r.SubscriptionID }},
	{Header: "Quantity", Field: "quantity", Get: func(r store.Resolution) string { return strconv.Itoa(r.Quantity) }},
	{Header: "Monthly cost", Field: "monthlyCost", Get: func(r store.Resolution) string { return r.MonthlyCost.String() }},
	{Header: "Unassigned", Field: "unassigned", Get: func(r store.Resolution) string { return strings.Join(r.Unassigned, ";") }},
	{Header: "Shortfall", Field: "shortfall", Spare: 3, Get: func(r store.Resolution) string { return strconv.Itoa(r.Shortfall) }},
	{Header: "Remaining", Field: "remaining", Spare: 2, Get: func(r store.Resolution) string { return strconv.Itoa(r.Remaining) }},
}

// ListConflictsOptions are the inputs of list-conflicts.
type ListConflictsOptions struct {
	Factory   *cmdutil.Factory
	ProductID string
}

// NewCmdListConflicts builds list-conflicts.
func NewCmdListConflicts(f *cmdutil.Factory, runF func(*ListConflictsOptions) error) *cobra.Command {
	opts := &ListConflictsOptions{Factory: f}
	cmd := &cobra.Command{
		Use:   "list-conflicts [--product ID]",
		Short: "List pools with more licenses assigned than seats, and the users who need a valid license",
		Long: `A conflict is a pool (a product's central subscriptions, or one
self-service or trial subscription) whose assigned licenses exceed its
seats: licenses expired, or the quantity was lowered. The users who need a
valid license are the licenses past the seats: those of subscriptions no
longer Active, then the newest. JSON is [] when there is none.

With -o interactive: pick a product, then buy the shortfall (see the cost)
or pick users to unassign.`,
		Example: `  commercectl list-conflicts
  commercectl list-conflicts -o interactive`,
		Args: cmdutil.MaxArgs(0),
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(opts)
			}
			return listConflictsRun(opts)
		},
	}
	cmd.Flags().StringVar(&opts.ProductID, "product", "", "only this product")
	_ = cmd.RegisterFlagCompletionFunc("product", cmdutil.CompleteProductIDs(f))
	return cmd
}

func listConflictsRun(opts *ListConflictsOptions) error {
	f := opts.Factory
	interactive, err := f.Interactive()
	if err != nil {
		return err
	}
	p, s, ctx, err := f.Setup()
	if err != nil {
		return err
	}
	cs, err := s.ListConflicts(ctx, opts.ProductID)
	if err != nil {
		return err
	}
	if interactive {
		return pickResolution(f, cs)
	}
	if p.Format == output.FormatTable && len(cs) == 0 {
		fmt.Fprintln(f.IOStreams.ErrOut, "No license conflicts: every license has a seat.")
		return nil
	}
	return output.List(p, cs, conflictColumns)
}
