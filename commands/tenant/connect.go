package tenant

import (
	"path/filepath"

	"github.com/commercectl/commercectl/cmd/cmdutil"
	"github.com/commercectl/commercectl/output"
	"github.com/commercectl/commercectl/store"
	"github.com/commercectl/commercectl/store/sqlstore"
	"github.com/spf13/cobra"
)

// Connection is what connect remembers.
type Connection struct {
	As     string `json:"as"`
	DB     string `json:"db"`
	Config string `json:"config"`
}

var connectionColumns = []output.Column[Connection]{
	{Header: "As", Field: "as", Get: func(c Connection) string { return c.As }},
	{Header: "Database", Field: "db", Get: func(c Connection) string { return c.DB }},
	{Header: "Config", Field: "config", Get: func(c Connection) string { return c.Config }},
}

// ConnectOptions are the inputs of connect.
type ConnectOptions struct {
	Factory *cmdutil.Factory
}

// NewCmdConnect builds connect (Connect-MSCommerce).
func NewCmdConnect(f *cmdutil.Factory, runF func(*ConnectOptions) error) *cobra.Command {
	opts := &ConnectOptions{Factory: f}
	return &cobra.Command{
		Use:   "connect [--as UPN] [--db PATH]",
		Short: "Remember who you are and which tenant you use, in the config file",
		Long: `Check that UPN is a user of the tenant and store the identity and the
database path in the config file, so later commands need neither --as nor --db.

On PostgreSQL the server's login is the identity (set-login binds it): connect
--db URL needs no --as, and stores none.`,
		Annotations: map[string]string{cmdutil.AnnotationWritesConfig: "true"},
		Example: `  commercectl connect --db tenant.db --as admin@contoso.com
  commercectl connect --db postgres://db.contoso.com/commerce`,
		Args: cmdutil.MaxArgs(0),
		RunE: func(cmd *cobra.Command, args []string) error {
			if db, err := f.DBPath(); err == nil && f.Flags.As == "" && !sqlstore.IsURL(db) {
				return cmdutil.Usagef("missing --as UPN")
			}
			if runF != nil {
				return runF(opts)
			}
			return connectRun(opts)
		},
	}
}

func connectRun(opts *ConnectOptions) error {
	f := opts.Factory
	p, err := f.Printer()
	if err != nil {
		return err
	}
	path, err := f.DBPath()
	if err != nil {
		return err
	}
	shown := path
	if sqlstore.IsURL(path) {
		// The config keeps the URL as given, password and all (mode 0600);
		// everything shown says xxxxx instead.
		shown = sqlstore.RedactURL(path)
	} else if abs, err := filepath.Abs(path); err == nil {
		path, shown = abs, abs
	}
	s, err := f.Store()
	if err != nil {
		return err
	}
	ctx, err := f.Context()
	if err != nil {
		return err
	}
	var upn, as string
	if f.Flags.As != "" {
		u, err := s.LookupUser(ctx, f.Flags.As)
		if err != nil {
			if store.ErrorCode(err) == store.ENOTFOUND {
				return store.Errorf(store.ENOTFOUND, "no user %q in the tenant at %s", f.Flags.As, shown)
			}
			return err
		}
		upn, as = u.UPN, u.UPN
	}
	if sqlstore.IsURL(path) {
		// On a server the login says who runs the commands: it must
		// accept --as, if given, and stands for it if not.
		who, err := s.Identity(ctx)
		if err != nil {
			return err
		}
		upn = who.User.UPN
	}
	cfg, err := f.SaveConnection(as, path)
	if err != nil {
		return err
	}
	defer f.DryRunNote()
	f.Note("Connected as %s to %s", upn, shown)
	return output.One(p, Connection{As: upn, DB: shown, Config: cfg}, connectionColumns)
}

// DisconnectOptions are the inputs of disconnect.
type DisconnectOptions struct {
	Factory *cmdutil.Factory
}

// NewCmdDisconnect builds disconnect.
func NewCmdDisconnect(f *cmdutil.Factory, runF func(*DisconnectOptions) error) *cobra.Command {
	opts := &DisconnectOptions{Factory: f}
	return &cobra.Command{
		Use:         "disconnect",
		Short:       "Forget the identity and database stored by connect",
		Annotations: map[string]string{cmdutil.AnnotationWritesConfig: "true"},
		Example:     `  commercectl disconnect`,
		Args:        cmdutil.MaxArgs(0),
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(opts)
			}
			path, err := f.SaveConnection("", "")
			if err != nil {
				return err
			}
			defer f.DryRunNote()
			f.Note("Disconnected: %s no longer names an identity or a database", path)
			return nil
		},
	}
}
