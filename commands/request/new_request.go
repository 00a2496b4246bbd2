package request

import (
	"context"
	"fmt"
	"github.com/commercectl/commercectl/cmd/cmdutil"
	"github.com/commercectl/commercectl/output"
	"github.com/commercectl/commercectl/store"
	"github.com/spf13/cobra"
)

// NewRequestOptions are the inputs of new-request.
type NewRequestOptions struct {
	Factory   *cmdutil.Factory
	ProductID string
	For       []string
}

// NewCmdNewRequest builds new-request.
func NewCmdNewRequest(f *cmdutil.Factory, runF func(*NewRequestOptions) error) *cobra.Command {
	opts := &NewRequestOptions{Factory: f}
	cmd := &cobra.Command{
		Use:   "new-request --product ID [--for UPN,...]",
		Short: "Ask for a license of a product you may not buy yourself, for you and colleagues",
		Long: `Ask the admins for a license of a product whose AllowSelfServicePurchase is
not Enabled, for yourself and the colleagues named with --for. Everyone in
the request is told the decision. When the organization uses its own
request process, its message and link are shown instead (exit 5).`,
		Example: `  commercectl new-request --product CFQ7TTC0HDB0 --for ada@contoso.com,alan@contoso.com`,
		Args:    cmdutil.MaxArgs(0),
		RunE: func(cmd *cobra.Command, args []string) error {
			if opts.ProductID == "" {
				var err error
				if opts.ProductID, err = cmdutil.PickProduct(f, "Ask for which product?", store.Offer.RequestRefusal); err != nil {
					return err
				}
			}
			if cmd.Flags().Changed("for") && len(cmdutil.SplitList(opts.For)) == 0 {
				return cmdutil.Usagef("--for needs at least one UPN")
			}
			opts.For = cmdutil.SplitList(opts.For)
			if runF != nil {
				return runF(opts)
			}
			return newRequestRun(opts)
		},
	}
	cmd.Flags().StringVar(&opts.ProductID, "product", "", "product id")
	cmd.Flags().StringSliceVar(&opts.For, "for", nil, "colleagues who need it too, comma-separated")
	_ = cmd.RegisterFlagCompletionFunc("for", cmdutil.Complete(f, store.CompleteUsers))
	_ = cmd.RegisterFlagCompletionFunc("product", cmdutil.CompleteProductIDs(f))
	return cmd
}

func newRequestRun(opts *NewRequestOptions) error {
	f := opts.Factory
	p, s, ctx, err := f.Setup()
	if err != nil {
		return err
	}
	if err := cmdutil.PlanAsked(f, ctx, func(ctx context.Context) (string, error) {
		r, err := s.NewRequest(ctx, opts.ProductID, opts.For)
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("Ask the admins for %s for %d %s?", r.ProductName, len(r.Users), people(len(r.Users))), nil
	}); err != nil {
		return err
	}
	r, err := s.NewRequest(ctx, opts.ProductID, opts.For)
	if err != nil {
		return err
	}
	defer f.DryRunNote()
	f.Note("Sent request %d for %s", r.ID, r.ProductName)
	return output.One(p, *r, requestColumns)
}
