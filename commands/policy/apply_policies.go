package policy

import (
	"context"
	"fmt"
	"strings"

	"github.com/commercectl/commercectl/cmd/cmdutil"
	"github.com/commercectl/commercectl/output"
	"github.com/commercectl/commercectl/store"
	"github.com/spf13/cobra"
)

// ApplyPoliciesOptions are the inputs of apply-policies.
type ApplyPoliciesOptions struct {
	Factory *cmdutil.Factory
	File    string
}

// NewCmdApplyPolicies builds apply-policies.
func NewCmdApplyPolicies(f *cmdutil.Factory, runF func(*ApplyPoliciesOptions) error) *cobra.Command {
	opts := &ApplyPoliciesOptions{Factory: f}
	cmd := &cobra.Command{
		Use:   "apply-policies -f FILE",
		Short: "Make the tenant match a policy file, in one transaction",
		Long: `Make the tenant match a desired state written by export-policies: every
product and offer type the file lists gets the file's value, and the default
too when the file gives one. Products the file does not list are left as they
are. It is one transaction: one bad entry changes nothing. --dry-run prints
the plan. "-f -" reads the file from stdin.`,
		Example: `  commercectl apply-policies -f policies.yaml --dry-run
  commercectl apply-policies -f policies.yaml`,
		Args: cmdutil.MaxArgs(0),
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
			return applyPoliciesRun(opts)
		},
	}
	cmd.Flags().StringVarP(&opts.File, "file", "f", "", "policy file (YAML from export-policies), - for stdin")
	return cmd
}

func applyPoliciesRun(opts *ApplyPoliciesOptions) error {
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
	if err := cmdutil.PlanAsked(f, ctx, func(ctx context.Context) (string, error) {
		plan, err := s.ApplyPolicies(ctx, set)
		if err != nil || len(plan) == 0 {
			return "", err
		}
		return applyQuestion(plan, opts.File), nil
	}); err != nil {
		return err
	}
	changes, err := s.ApplyPolicies(ctx, set)
	if err != nil {
		return err
	}
	defer f.DryRunNote()
	if len(changes) == 0 {
		f.Note("The tenant already matches %s", opts.File)
	} else if !f.Flags.DryRun {
		f.Note("Applied %d change(s) from %s", len(changes), opts.File)
	}
	return output.List(p, changes, changeColumns)
}

// applyQuestion names the first changes of a plan, what each one is and
// what it becomes, and how many more there are (diff-policies lists all).
func applyQuestion(plan []store.PolicyChange, file string) string {
	const shown = 3
	var parts []string
	for i, c := range plan {
		if i == shown {
			parts = append(parts, fmt.Sprintf("and %d more (diff-policies -f %s lists them)", len(plan)-shown, file))
			break
		}
		what := c.Target
		switch {
		case c.ProductName != "":
			what = c.ProductName
		case c.Scope == "default":
			what = "the default"
		}
		parts = append(parts, fmt.Sprintf("%s: %s → %s", what, c.Current, c.Desired))
	}
	return fmt.Sprintf("Apply %s from %s: %s?", store.Plural(len(plan), "change"), file, strings.Join(parts, "; "))
}
