package user

import (
	"github.com/commercectl/commercectl/store/sqlstore"
	"strings"

	"github.com/commercectl/commercectl/cmd/cmdutil"
	"github.com/commercectl/commercectl/output"
	"github.com/commercectl/commercectl/store"
	"github.com/spf13/cobra"
)

// SetLoginOptions are the inputs of set-login.
type SetLoginOptions struct {
	Factory *cmdutil.Factory
	UPN     string
	Login   string
	Remove  bool
}

var loginColumns = []output.Column[store.LoginBinding]{
	{Header: "UPN", Field: "upn", Get: func(b store.LoginBinding) string { return b.UPN }},
	{Header: "Login", Field: "login", Get: func(b store.LoginBinding) string {
		if b.Login == "" {
			return "none"
		}
		return b.Login
	}},
	{Header: "Roles", Field: "roles", Get: func(b store.LoginBinding) string {
		if len(b.Roles) == 0 {
			return "none (a member)"
		}
		return strings.Join(b.Roles, ",")
	}},
}

// NewCmdSetLogin builds set-login.
func NewCmdSetLogin(f *cmdutil.Factory, runF func(*SetLoginOptions) error) *cobra.Command {
	opts := &SetLoginOptions{Factory: f}
	cmd := &cobra.Command{
		Use:               "set-login UPN --pg-role NAME [--remove]",
		ValidArgsFunction: cmdutil.CompleteArg(f, store.CompleteUsers),
		Short:             "Bind a user to their PostgreSQL login, or unbind it with --remove",
		Long: `Bind a user of a tenant on PostgreSQL to the server login they sign in
with. From then on that login is the user: commands run as it need no --as,
and may not act as anyone else. The login becomes a member of the tenant's
group roles for the user's roles (set-role keeps them in step), so the
server itself refuses what those roles do not allow, even in plain SQL.

The login must exist on the server (CREATE ROLE name LOGIN ...); one login
is one user. GlobalAdmin only. A SQLite file has no logins: whoever can
write it owns the tenant (docs/SECURITY.md).`,
		Example: `  commercectl set-login megan.bowen@contoso.com --pg-role megan
  commercectl set-login megan.bowen@contoso.com --remove`,
		Args: cmdutil.MaxArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var err error
			if len(args) == 0 && f.IOStreams.CanPrompt() {
				// A file has no logins: its refusal comes before any question.
				if db, err := f.DBPath(); err == nil && !sqlstore.IsURL(db) {
					return setLoginRun(opts)
				}
			}
			if opts.UPN, err = cmdutil.UserArg(f, cmd, args, "a UPN", loginQuestion(opts.Remove), nil); err != nil {
				return err
			}
			if !opts.Remove && opts.Login == "" {
				missing := store.Errorf(store.EINVALID, "name the login: --pg-role NAME").
					WithHint("or take the user's login away with --remove")
				if opts.Login, err = cmdutil.AskFor(f, missing, "Bind "+opts.UPN+" to which PostgreSQL login?"); err != nil {
					return err
				}
			}
			if runF != nil {
				return runF(opts)
			}
			return setLoginRun(opts)
		},
	}
	cmd.Flags().StringVar(&opts.Login, "pg-role", "", "the PostgreSQL login role the user signs in with")
	cmd.Flags().BoolVar(&opts.Remove, "remove", false, "unbind the user's login")
	return cmd
}

func setLoginRun(opts *SetLoginOptions) error {
	f := opts.Factory
	p, s, ctx, err := f.Setup()
	if err != nil {
		return err
	}
	b, err := s.SetLogin(ctx, opts.UPN, opts.Login, opts.Remove)
	if err != nil {
		return err
	}
	defer f.DryRunNote()
	return output.One(p, *b, loginColumns)
}

// loginQuestion asks whose login is bound, or with remove unbound.
func loginQuestion(remove bool) string {
	if remove {
		return "Unbind the login of which user?"
	}
	return "Bind which user to a login?"
}
