package user

import (
	"context"
	"fmt"

	"github.com/commercectl/commercectl/cmd/cmdutil"
	"github.com/commercectl/commercectl/output"
	"github.com/commercectl/commercectl/store"
	"github.com/spf13/cobra"
)

// SetRoleOptions are the inputs of set-role.
type SetRoleOptions struct {
	Factory *cmdutil.Factory
	UPN     string
	Role    string
	Remove  bool
}

// NewCmdSetRole builds set-role.
func NewCmdSetRole(f *cmdutil.Factory, runF func(*SetRoleOptions) error) *cobra.Command {
	opts := &SetRoleOptions{Factory: f}
	cmd := &cobra.Command{
		Use:   "set-role UPN ROLE [--remove]",
		Short: "Give a user a role, or take it away with --remove",
		Example: `  commercectl set-role megan.bowen@contoso.com BillingAdmin
  commercectl set-role megan.bowen@contoso.com BillingAdmin --remove`,
		Args: cmdutil.ExactArgs(2, "a UPN and a role"),
		ValidArgsFunction: func(cmd *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
			switch len(args) {
			case 0:
				return cmdutil.Complete(f, store.CompleteUsers)(cmd, args, toComplete)
			case 1:
				return completeRoles(cmd, args, toComplete)
			}
			return nil, cobra.ShellCompDirectiveNoFileComp
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.UPN, opts.Role = args[0], args[1]
			if runF != nil {
				return runF(opts)
			}
			return setRoleRun(opts)
		},
	}
	cmd.Flags().BoolVar(&opts.Remove, "remove", false, "take the role away")
	return cmd
}

func setRoleRun(opts *SetRoleOptions) error {
	f := opts.Factory
	p, s, ctx, err := f.Setup()
	if err != nil {
		return err
	}
	if opts.Remove {
		err := cmdutil.Rehearse(f, ctx, func(ctx context.Context) (string, error) {
			_, err := s.SetRole(ctx, opts.UPN, opts.Role, true)
			return fmt.Sprintf("Take the role %s away from %s?", opts.Role, opts.UPN), err
		})
		if err != nil {
			return err
		}
	}
	u, err := s.SetRole(ctx, opts.UPN, opts.Role, opts.Remove)
	if err != nil {
		return err
	}
	defer f.DryRunNote()
	return output.One(p, *u, userColumns)
}
