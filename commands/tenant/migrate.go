package tenant

import (
	"strconv"

	"github.com/commercectl/commercectl/cmd/cmdutil"
	"github.com/commercectl/commercectl/output"
	"github.com/commercectl/commercectl/store/sqlstore"
	"github.com/spf13/cobra"
)

// MigrateOptions are the inputs of migrate.
type MigrateOptions struct {
	Factory *cmdutil.Factory
}

// Migration is what migrate did.
type Migration struct {
	DB      string `json:"db"`
	From    int    `json:"from"`
	To      int    `json:"to"`
	Changed bool   `json:"changed"`
}

var migrationColumns = []output.Column[Migration]{
	{Header: "Database", Field: "db", Get: func(m Migration) string { return m.DB }},
	{Header: "From", Field: "from", Get: func(m Migration) string { return strconv.Itoa(m.From) }},
	{Header: "To", Field: "to", Get: func(m Migration) string { return strconv.Itoa(m.To) }},
	{Header: "Changed", Field: "changed", Get: func(m Migration) string { return strconv.FormatBool(m.Changed) }},
}

// NewCmdMigrate builds migrate.
func NewCmdMigrate(f *cmdutil.Factory, runF func(*MigrateOptions) error) *cobra.Command {
	opts := &MigrateOptions{Factory: f}
	return &cobra.Command{
		Use:   "migrate",
		Short: "Upgrade a tenant made by an older commercectl to this one's schema",
		Long: `Upgrade the tenant's schema to this commercectl's, in one transaction,
keeping every row. A read verb never writes: on an older tenant it says an
upgrade is needed and stops; the first verb that changes the tenant
upgrades it too. On PostgreSQL the upgrade needs a login that owns the
tenant's tables or may create roles (docs/SECURITY.md).`,
		Example: `  commercectl migrate --db contoso.db`,
		Args:    cmdutil.MaxArgs(0),
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(opts)
			}
			return migrateRun(opts)
		},
	}
}

func migrateRun(opts *MigrateOptions) error {
	f := opts.Factory
	p, err := f.Printer()
	if err != nil {
		return err
	}
	if f.Flags.DryRun {
		return cmdutil.Usagef("migrate has no --dry-run: the upgrade is one transaction, all or nothing")
	}
	s, err := f.Store()
	if err != nil {
		return err
	}
	ctx, err := f.Context()
	if err != nil {
		return err
	}
	from, to, err := s.Migrate(ctx)
	if err != nil {
		return err
	}
	db, err := f.DBPath()
	if err != nil {
		return err
	}
	return output.One(p, Migration{DB: shownDB(db), From: from, To: to, Changed: from != to}, migrationColumns)
}

// shownDB is a database as messages show it: a URL without its password.
func shownDB(db string) string {
	if sqlstore.IsURL(db) {
		return sqlstore.RedactURL(db)
	}
	return db
}
