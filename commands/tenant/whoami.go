package tenant

import (
	"strings"

	"github.com/commercectl/commercectl/cmd/cmdutil"
	"github.com/commercectl/commercectl/output"
	"github.com/commercectl/commercectl/store/sqlstore"
	"github.com/spf13/cobra"
)

// Identity is what whoami tells: who runs the commands, with which roles,
// on which tenant, and where each of these came from.
type Identity struct {
	UPN         string   `json:"upn"`
	DisplayName string   `json:"displayName"`
	Roles       []string `json:"roles"`
	// Established is how the identity was given: "login" (the server's
	// login, bound to the user with set-login), "flag" (--as),
	// "environment" (COMMERCECTL_AS) or "config" (connect).
	Established string `json:"established"`
	// Login is the server login of the session ("" on a file).
	Login      string `json:"login"`
	DB         string `json:"db"`
	DBFrom     string `json:"dbFrom"`
	Engine     string `json:"engine"`
	Output     string `json:"output"`
	OutputFrom string `json:"outputFrom"`
	Config     string `json:"config"`
}

var identityColumns = []output.Column[Identity]{
	{Header: "UPN", Field: "upn", Get: func(i Identity) string { return i.UPN }},
	{Header: "Name", Field: "displayName", Get: func(i Identity) string { return i.DisplayName }},
	{Header: "Roles", Field: "roles", Get: func(i Identity) string {
		if len(i.Roles) == 0 {
			return "none (a member)"
		}
		return strings.Join(i.Roles, ", ")
	}},
	{Header: "Identity from", Field: "established", Get: func(i Identity) string {
		if i.Established == EstablishedByLogin {
			return "the server login"
		}
		return describeSource(i.Established, cmdutil.SettingAs)
	}},
	{Header: "Login", Field: "login", Get: func(i Identity) string {
		if i.Login == "" {
			return "none (a file has no logins)"
		}
		return i.Login
	}},
	{Header: "Database", Field: "db", Get: func(i Identity) string { return i.DB + " (" + i.Engine + ")" }},
	{Header: "Database from", Field: "dbFrom", Get: func(i Identity) string { return describeSource(i.DBFrom, cmdutil.SettingDB) }},
	{Header: "Output", Field: "output", Get: func(i Identity) string {
		return i.Output + ", from " + describeSource(i.OutputFrom, cmdutil.SettingOutput)
	}},
	{Header: "Config", Field: "config", Get: func(i Identity) string { return i.Config }},
}

// EstablishedByLogin is Identity.Established when the server's login
// says who runs the commands.
const EstablishedByLogin = "login"

// describeSource spells a setting's source for a person.
func describeSource(from string, s cmdutil.Setting) string {
	switch from {
	case cmdutil.FromFlag:
		return "the flag " + s.Flag
	case cmdutil.FromEnv:
		return "the environment, " + s.Env
	case cmdutil.FromConfig:
		return "the config file, " + s.Key
	}
	return "the default"
}

// WhoamiOptions are the inputs of whoami.
type WhoamiOptions struct {
	Factory *cmdutil.Factory
}

// NewCmdWhoami builds whoami.
func NewCmdWhoami(f *cmdutil.Factory, runF func(*WhoamiOptions) error) *cobra.Command {
	opts := &WhoamiOptions{Factory: f}
	return &cobra.Command{
		Use:   "whoami",
		Short: "Show who runs the commands, with which roles, on which tenant",
		Long: `Show the identity commands run as, its roles in the tenant, the tenant
database and the output mode, and where each came from: a flag, the
environment (COMMERCECTL_AS, COMMERCECTL_DB, COMMERCECTL_OUTPUT) or the
config file that connect writes. A password in a database URL shows as xxxxx.`,
		Example: `  commercectl whoami
  commercectl whoami -o json --jq .roles`,
		Args: cmdutil.MaxArgs(0),
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(opts)
			}
			return whoamiRun(opts)
		},
	}
}

func whoamiRun(opts *WhoamiOptions) error {
	f := opts.Factory
	p, s, ctx, err := f.Setup()
	if err != nil {
		return err
	}
	from, err := f.SettingSource(cmdutil.SettingAs)
	if err != nil {
		return err
	}
	who, err := s.Identity(ctx)
	if err != nil {
		return err
	}
	u := who.User
	id := Identity{UPN: u.UPN, DisplayName: u.DisplayName, Roles: u.Roles, Established: from, Login: who.Login, Config: f.ConfigPath()}
	if who.ByLogin {
		id.Established = EstablishedByLogin
	}
	if id.Roles == nil {
		id.Roles = []string{}
	}
	if id.DBFrom, err = f.SettingSource(cmdutil.SettingDB); err != nil {
		return err
	}
	if id.OutputFrom, err = f.SettingSource(cmdutil.SettingOutput); err != nil {
		return err
	}
	db, err := f.DBPath()
	if err != nil {
		return err
	}
	id.DB, id.Engine = db, "SQLite"
	if sqlstore.IsURL(db) {
		id.DB, id.Engine = sqlstore.RedactURL(db), "PostgreSQL"
	}
	if id.Output, err = f.OutputFormat(); err != nil {
		return err
	}
	return output.One(p, id, identityColumns)
}
