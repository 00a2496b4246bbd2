package policy

import (
	"github.com/commercectl/commercectl/cmd/cmdutil"
	"github.com/commercectl/commercectl/output"
	"github.com/spf13/cobra"
)

// GetPoliciesOptions are the inputs of get-policies.
type GetPoliciesOptions struct {
	Factory *cmdutil.Factory
}

// NewCmdGetPolicies builds get-policies (Get-MSCommercePolicies).
func NewCmdGetPolicies(f *cmdutil.Factory, runF func(*GetPoliciesOptions) error) *cobra.Command {
	opts := &GetPoliciesOptions{Factory: f}
	return &cobra.Command{
		Use:     "get-policies",
		Short:   "List the commerce policies with their default values",
		Example: `  commercectl get-policies`,
		Args:    cmdutil.MaxArgs(0),
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(opts)
			}
			return getPoliciesRun(opts)
		},
	}
}

func getPoliciesRun(opts *GetPoliciesOptions) error {
	f := opts.Factory
	p, s, ctx, err := f.Setup()
	if err != nil {
		return err
	}
	policies, err := s.ListPolicies(ctx)
	if err != nil {
		return err
	}
	return output.List(p, policies, policyColumns)
}
