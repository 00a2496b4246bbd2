package user

import (
	"github.com/commercectl/commercectl/cmd/cmdutil"
	"github.com/commercectl/commercectl/output"
	"github.com/commercectl/commercectl/store"
	"github.com/spf13/cobra"
)

// ListUsersOptions are the inputs of list-users.
type ListUsersOptions struct {
	Factory    *cmdutil.Factory
	Role       string
	Department string
}

// NewCmdListUsers builds list-users.
func NewCmdListUsers(f *cmdutil.Factory, runF func(*ListUsersOptions) error) *cobra.Command {
	opts := &ListUsersOptions{Factory: f}
	cmd := &cobra.Command{
		Use:   "list-users [--role ROLE] [--department DEPT]",
		Short: "List the tenant's people and their roles",
		Example: `  commercectl list-users --role GlobalAdmin
  commercectl list-users --department Marketing -o csv > marketing.csv`,
		Args: cmdutil.MaxArgs(0),
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(opts)
			}
			return listUsersRun(opts)
		},
	}
	cmd.Flags().StringVar(&opts.Role, "role", "", "only users with this role")
	cmd.Flags().StringVar(&opts.Department, "department", "", "only users of this department")
	_ = cmd.RegisterFlagCompletionFunc("role", completeRoles)
	return cmd
}

func listUsersRun(opts *ListUsersOptions) error {
	f := opts.Factory
	p, s, ctx, err := f.Setup()
	if err != nil {
		return err
	}
	// Streamed: a tenant of 300,000 users is printed as it is read.
	rows := output.Stream(p, userColumns)
	err = s.EachUser(ctx, store.UserFilter{Role: opts.Role, Department: opts.Department}, func(u *store.User) error {
		return rows.Add(*u)
	})
	if err != nil {
		return err
	}
	return rows.Close()
}
