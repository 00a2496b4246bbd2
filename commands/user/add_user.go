package user

import (
	"context"
	"fmt"
	"github.com/commercectl/commercectl/cmd/cmdutil"
	"github.com/commercectl/commercectl/output"
	"github.com/commercectl/commercectl/store"
	"github.com/spf13/cobra"
	"strings"
)

// AddUserOptions are the inputs of add-user.
type AddUserOptions struct {
	Factory     *cmdutil.Factory
	UPN         string
	DisplayName string
	Department  string
	Roles       []string
}

// NewCmdAddUser builds add-user.
func NewCmdAddUser(f *cmdutil.Factory, runF func(*AddUserOptions) error) *cobra.Command {
	opts := &AddUserOptions{Factory: f}
	cmd := &cobra.Command{
		Use:     "add-user UPN [--display-name NAME] [--department DEPT] [--role ROLE]...",
		Short:   "Add a person to the tenant",
		Example: `  commercectl add-user ada@contoso.com --display-name "Ada Lovelace" --department Research --role LicenseAdmin`,
		Args:    cmdutil.MaxArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var err error
			if opts.UPN, err = cmdutil.TypedArg(f, cmd, args, "a UPN", "UPN of the new user?"); err != nil {
				return err
			}
			opts.Roles = cmdutil.SplitList(opts.Roles)
			if runF != nil {
				return runF(opts)
			}
			return addUserRun(opts)
		},
	}
	cmd.Flags().StringVar(&opts.DisplayName, "display-name", "", "the person's name")
	cmd.Flags().StringVar(&opts.Department, "department", "", "the person's department")
	cmd.Flags().StringSliceVar(&opts.Roles, "role", nil, "a role: GlobalAdmin, BillingAdmin, LicenseAdmin, UserAdmin, GlobalReader")
	_ = cmd.RegisterFlagCompletionFunc("role", completeRoles)
	return cmd
}

func addUserRun(opts *AddUserOptions) error {
	f := opts.Factory
	p, s, ctx, err := f.Setup()
	if err != nil {
		return err
	}
	nu := store.NewUser{UPN: opts.UPN, DisplayName: opts.DisplayName, Department: opts.Department, Roles: opts.Roles}
	if err := cmdutil.PlanAsked(f, ctx, func(ctx context.Context) (string, error) {
		u, err := s.AddUser(ctx, nu)
		if err != nil {
			return "", err
		}
		roles := "no role (a member)"
		if len(u.Roles) > 0 {
			roles = strings.Join(u.Roles, ", ")
		}
		return fmt.Sprintf("Add %s to the tenant, with %s?", u.UPN, roles), nil
	}); err != nil {
		return err
	}
	u, err := s.AddUser(ctx, nu)
	if err != nil {
		return err
	}
	defer f.DryRunNote()
	f.Note("Added %s", u.UPN)
	return output.One(p, *u, userColumns)
}
