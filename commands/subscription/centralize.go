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

// CentralizeOptions are the inputs of centralize.
type CentralizeOptions struct {
	Factory    *cmdutil.Factory
	Centralize store.Centralize
}

// NewCmdCentralize builds centralize.
func NewCmdCentralize(f *cmdutil.Factory, runF func(*CentralizeOptions) error) *cobra.Command {
	opts := &CentralizeOptions{Factory: f}
	c := &opts.Centralize
	cmd := &cobra.Command{
		Use:   "centralize --product ID [--subscription ID] [--buy]",
		Short: "Give everyone with a self-service license of a product a central one, and ask the buyers to cancel",
		Long: `Give every user who holds a self-service or trial license of the product
a license from the organization's central subscription instead, all or
nothing, and ask each purchaser by notification to cancel their
subscription. --subscription picks the central subscription (default: the
Active one that lasts longest); --buy raises its quantity first to fit
everyone and prints the new monthly cost. --dry-run prints the plan.`,
		Example: `  commercectl centralize --product CFQ7TTC0H9MP --buy`,
		Args:    cmdutil.MaxArgs(0),
		RunE: func(cmd *cobra.Command, args []string) error {
			if c.ProductID == "" {
				var err error
				if c.ProductID, err = cmdutil.Pick(f, cmdutil.Picking{Missing: "--product", Question: "Centralize which product?",
					None: "nobody holds a self-service or trial license", NoneFix: "see them with: commercectl list-licenses --self-service"},
					centralizable(*c)); err != nil {
					return err
				}
			}
			if runF != nil {
				return runF(opts)
			}
			return centralizeRun(opts)
		},
	}
	cmd.Flags().StringVar(&c.ProductID, "product", "", "product id")
	cmd.Flags().StringVar(&c.SubscriptionID, "subscription", "", "the central subscription to license from")
	_ = cmd.RegisterFlagCompletionFunc("subscription", cmdutil.Complete(f, store.CompleteSubscriptions))
	cmd.Flags().BoolVar(&c.Buy, "buy", false, "raise the central quantity first to fit everyone")
	_ = cmd.RegisterFlagCompletionFunc("product", cmdutil.CompleteProductIDs(f))
	return cmd
}

var centralizeColumns = []output.Column[store.CentralizeResult]{
	{Header: "Product ID", Whole: true, Field: "productId", Get: func(r store.CentralizeResult) string { return r.ProductID }},
	{Header: "Product", Field: "productName", Get: func(r store.CentralizeResult) string { return r.ProductName }},
	{Header: "Subscription", Field: "subscriptionId", Get: func(r store.CentralizeResult) string { return r.SubscriptionID }},
	{Header: "Users licensed", Field: "usersLicensed", Get: func(r store.CentralizeResult) string { return strconv.Itoa(r.UsersLicensed) }},
	{Header: "Seats needed", Field: "seatsNeeded", Get: func(r store.CentralizeResult) string { return strconv.Itoa(r.SeatsNeeded) }},
	{Header: "Seats bought", Field: "seatsBought", Get: func(r store.CentralizeResult) string { return strconv.Itoa(r.SeatsBought) }},
	{Header: "Quantity", Field: "quantity", Get: func(r store.CentralizeResult) string { return strconv.Itoa(r.Quantity) }},
	{Header: "Monthly cost", Field: "monthlyCost", Get: func(r store.CentralizeResult) string { return r.MonthlyCost.String() }},
	{Header: "Cost change", Field: "monthlyCostChange", Get: func(r store.CentralizeResult) string { return r.MonthlyCostChange.String() }},
	{Header: "Asked to cancel", Field: "notified", Get: func(r store.CentralizeResult) string { return strings.Join(r.Notified, ";") }},
}

func centralizeRun(opts *CentralizeOptions) error {
	f := opts.Factory
	p, s, ctx, err := f.Setup()
	if err != nil {
		return err
	}
	if err := cmdutil.PlanAsked(f, ctx, func(ctx context.Context) (string, error) {
		res, err := s.Centralize(ctx, opts.Centralize)
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("License %d user(s) of %s from %s (%d seat(s) bought, cost change %s a month) and ask %d purchaser(s) to cancel?",
			res.UsersLicensed, res.ProductName, res.SubscriptionID, res.SeatsBought, signed(res.MonthlyCostChange), len(res.Notified)), nil
	}); err != nil {
		return err
	}
	res, err := s.Centralize(ctx, opts.Centralize)
	if err != nil {
		return err
	}
	defer f.DryRunNote()
	if res.SeatsBought > 0 {
		verb := "bought"
		if f.Flags.DryRun {
			verb = "would buy"
		}
		fmt.Fprintf(f.IOStreams.ErrOut, "%s: %s %d more license(s); new monthly cost %s\n", res.SubscriptionID, verb, res.SeatsBought, res.MonthlyCost)
	}
	f.Note("Licensed %d user(s) of %s centrally; asked %d purchaser(s) to cancel", res.UsersLicensed, res.ProductName, len(res.Notified))
	return output.One(p, *res, centralizeColumns)
}

// centralizable offers the products someone holds a self-service or trial
// license of; each is rehearsed with the flags given, so one that would be
// refused (no central subscription, too few seats without --buy) shows
// why and what to do first.
func centralizable(c store.Centralize) func(context.Context, store.Service) ([]cmdutil.Choice, error) {
	return func(ctx context.Context, s store.Service) ([]cmdutil.Choice, error) {
		sums, err := s.ListLicenses(ctx, true)
		if err != nil {
			return nil, err
		}
		var out []cmdutil.Choice
		for _, sum := range sums {
			if sum.Assigned == 0 {
				continue
			}
			try := c
			try.ProductID = sum.ProductID
			why, fix, err := cmdutil.Refusal(ctx, func(ctx context.Context) error {
				_, err := s.Centralize(ctx, try)
				return err
			})
			if err != nil {
				return nil, err
			}
			out = append(out, cmdutil.Choice{Value: sum.ProductID, Why: why, Fix: fix,
				Label: fmt.Sprintf("%s  %s (%d self-service or trial license(s))", sum.ProductID, sum.ProductName, sum.Assigned)})
		}
		return out, nil
	}
}
