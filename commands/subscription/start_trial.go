package subscription

import (
	"context"
	"fmt"
	"github.com/commercectl/commercectl/cmd/cmdutil"
	"github.com/commercectl/commercectl/output"
	"github.com/commercectl/commercectl/store"
	"github.com/spf13/cobra"
)

// StartTrialOptions are the inputs of start-trial.
type StartTrialOptions struct {
	Factory   *cmdutil.Factory
	ProductID string
}

// NewCmdStartTrial builds start-trial.
func NewCmdStartTrial(f *cmdutil.Factory, runF func(*StartTrialOptions) error) *cobra.Command {
	opts := &StartTrialOptions{Factory: f}
	cmd := &cobra.Command{
		Use:     "start-trial --product ID",
		Short:   "Start a 30-day, one-seat trial at no cost (when the policy allows trials)",
		Example: `  commercectl start-trial --product CFQ7TTC0HD33 --as adele.vance@contoso.com`,
		Args:    cmdutil.MaxArgs(0),
		RunE: func(cmd *cobra.Command, args []string) error {
			if opts.ProductID == "" {
				var err error
				if opts.ProductID, err = cmdutil.PickProduct(f, "Try which product?", store.Offer.TrialRefusal); err != nil {
					return err
				}
			}
			if runF != nil {
				return runF(opts)
			}
			return startTrialRun(opts)
		},
	}
	cmd.Flags().StringVar(&opts.ProductID, "product", "", "product id")
	_ = cmd.RegisterFlagCompletionFunc("product", cmdutil.CompleteProductIDs(f))
	return cmd
}

func startTrialRun(opts *StartTrialOptions) error {
	f := opts.Factory
	p, s, ctx, err := f.Setup()
	if err != nil {
		return err
	}
	if err := cmdutil.PlanAsked(f, ctx, func(ctx context.Context) (string, error) {
		sub, err := s.StartTrial(ctx, opts.ProductID)
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("Start a trial of %s, at no cost, until %s?", sub.ProductName, sub.ExpiresAt.Format("2 Jan 2006")), nil
	}); err != nil {
		return err
	}
	sub, err := s.StartTrial(ctx, opts.ProductID)
	if err != nil {
		return err
	}
	defer f.DryRunNote()
	f.Note("Started a trial of %s until %s: subscription %s", sub.ProductName, sub.ExpiresAt.Format("2006-01-02"), sub.ID)
	return output.One(p, *sub, subscriptionColumns)
}
