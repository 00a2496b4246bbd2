package policy

import (
	"github.com/commercectl/commercectl/cmd/cmdutil"
	"github.com/commercectl/commercectl/output"
	"github.com/spf13/cobra"
)

// GetProductPolicyOptions are the inputs of get-product-policy.
type GetProductPolicyOptions struct {
	Factory   *cmdutil.Factory
	PolicyID  string
	ProductID string
}

// NewCmdGetProductPolicy builds get-product-policy (Get-MSCommerceProductPolicy).
func NewCmdGetProductPolicy(f *cmdutil.Factory, runF func(*GetProductPolicyOptions) error) *cobra.Command {
	opts := &GetProductPolicyOptions{Factory: f}
	cmd := &cobra.Command{
		Use:               "get-product-policy [POLICY] --product ID",
		Short:             "Show a policy's value for one product (by its id or an old id)",
		Example:           `  commercectl get-product-policy AllowSelfServicePurchase --product CFQ7TTC0H9MP`,
		Args:              cmdutil.MaxArgs(1),
		ValidArgsFunction: cmdutil.CompletePolicyIDs(f),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.PolicyID = cmdutil.PolicyArg(args)
			if opts.ProductID == "" {
				var err error
				if opts.ProductID, err = cmdutil.PickProduct(f, "Which product?", nil); err != nil {
					return err
				}
			}
			if runF != nil {
				return runF(opts)
			}
			return getProductPolicyRun(opts)
		},
	}
	cmd.Flags().StringVar(&opts.ProductID, "product", "", "product id, e.g. CFQ7TTC0H9MP (old ids work too)")
	_ = cmd.RegisterFlagCompletionFunc("product", cmdutil.CompleteProductIDs(f))
	return cmd
}

func getProductPolicyRun(opts *GetProductPolicyOptions) error {
	f := opts.Factory
	p, s, ctx, err := f.Setup()
	if err != nil {
		return err
	}
	pp, err := s.GetProductPolicy(ctx, opts.PolicyID, opts.ProductID)
	if err != nil {
		return err
	}
	return output.One(p, *pp, productPolicyColumns)
}
