package policy

import (
	"github.com/commercectl/commercectl/cmd/cmdutil"
	"github.com/commercectl/commercectl/output"
	"github.com/spf13/cobra"
)

// GetPolicyOptions are the inputs of get-policy.
type GetPolicyOptions struct {
	Factory  *cmdutil.Factory
	PolicyID string
}

// NewCmdGetPolicy builds get-policy (Get-MSCommercePolicy).
func NewCmdGetPolicy(f *cmdutil.Factory, runF func(*GetPolicyOptions) error) *cobra.Command {
	opts := &GetPolicyOptions{Factory: f}
	return &cobra.Command{
		Use:               "get-policy [POLICY]",
		Short:             "Show a policy's description and the value new products receive",
		Example:           `  commercectl get-policy AllowSelfServicePurchase`,
		Args:              cmdutil.MaxArgs(1),
		ValidArgsFunction: cmdutil.CompletePolicyIDs(f),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.PolicyID = cmdutil.PolicyArg(args)
			if runF != nil {
				return runF(opts)
			}
			return getPolicyRun(opts)
		},
	}
}

func getPolicyRun(opts *GetPolicyOptions) error {
	f := opts.Factory
	p, s, ctx, err := f.Setup()
	if err != nil {
		return err
	}
	pol, err := s.GetPolicy(ctx, opts.PolicyID)
	if err != nil {
		return err
	}
	return output.One(p, *pol, policyColumns)
}
