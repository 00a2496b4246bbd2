package policy

import (
	"github.com/commercectl/commercectl/cmd/cmdutil"
	"github.com/commercectl/commercectl/output"
	"github.com/spf13/cobra"
)

// DiffPoliciesOptions are the inputs of diff-policies.
type DiffPoliciesOptions struct {
	Factory *cmdutil.Factory
	File    string
}

// NewCmdDiffPolicies builds diff-policies.
func NewCmdDiffPolicies(f *cmdutil.Factory, runF func(*DiffPoliciesOptions) error) *cobra.Command {
	opts := &DiffPoliciesOptions{Factory: f}
	cmd := &cobra.Command{
		Use:     "diff-policies -f FILE",
		Short:   "Print where the tenant differs from a policy file; exit 6 when it does",
		Example: `  commercectl diff-policies -f policies.yaml || echo "the tenant drifted"`,
		Args:    cmdutil.MaxArgs(0),
		RunE: func(cmd *cobra.Command, args []string) error {
			if opts.File == "" {
				var err error
				if opts.File, err = cmdutil.AskFor(f, cmdutil.Usagef("missing -f FILE"), "Which policy file (YAML from export-policies)?"); err != nil {
					return err
				}
			}
			if runF != nil {
				return runF(opts)
			}
			return diffPoliciesRun(opts)
		},
	}
	cmd.Flags().StringVarP(&opts.File, "file", "f", "", "policy file (YAML from export-policies), - for stdin")
	return cmd
}

func diffPoliciesRun(opts *DiffPoliciesOptions) error {
	f := opts.Factory
	p, err := f.Printer()
	if err != nil {
		return err
	}
	set, err := readPolicySet(f, opts.File)
	if err != nil {
		return err
	}
	s, err := f.Store()
	if err != nil {
		return err
	}
	ctx, err := f.Context()
	if err != nil {
		return err
	}
	drift, err := s.DiffPolicies(ctx, set)
	if err != nil {
		return err
	}
	if len(drift) == 0 {
		f.Note("No drift: the tenant matches %s", opts.File)
		if p.Format == output.FormatTable {
			return nil
		}
	}
	if err := output.List(p, drift, changeColumns); err != nil {
		return err
	}
	if len(drift) > 0 {
		return &cmdutil.DriftError{Count: len(drift)}
	}
	return nil
}
