package policy

import (
	"github.com/commercectl/commercectl/cmd/cmdutil"
	"github.com/commercectl/commercectl/output"
	"github.com/spf13/cobra"
)

// ExportPoliciesOptions are the inputs of export-policies.
type ExportPoliciesOptions struct {
	Factory  *cmdutil.Factory
	PolicyID string
}

// NewCmdExportPolicies builds export-policies.
func NewCmdExportPolicies(f *cmdutil.Factory, runF func(*ExportPoliciesOptions) error) *cobra.Command {
	opts := &ExportPoliciesOptions{Factory: f}
	return &cobra.Command{
		Use:   "export-policies [POLICY]",
		Short: "Write every product's policy value as YAML, a desired state for apply-policies",
		Example: `  commercectl export-policies > policies.yaml
  commercectl diff-policies -f policies.yaml`,
		Args:              cmdutil.MaxArgs(1),
		ValidArgsFunction: cmdutil.CompletePolicyIDs(f),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.PolicyID = cmdutil.PolicyArg(args)
			if runF != nil {
				return runF(opts)
			}
			return exportPoliciesRun(opts)
		},
	}
}

func exportPoliciesRun(opts *ExportPoliciesOptions) error {
	f := opts.Factory
	p, s, ctx, err := f.Setup()
	if err != nil {
		return err
	}
	set, err := s.ExportPolicies(ctx, opts.PolicyID)
	if err != nil {
		return err
	}
	if p.Format == output.FormatJSON {
		return output.One(p, *set, nil)
	}
	pps, err := s.ListProductPolicies(ctx, set.Policy, false)
	if err != nil {
		return err
	}
	names := map[string]string{}
	for _, pp := range pps {
		names[pp.ProductID] = pp.ProductName
	}
	b, err := policySetYAML(set, names)
	if err != nil {
		return err
	}
	_, err = f.IOStreams.Out.Write(b)
	return err
}
