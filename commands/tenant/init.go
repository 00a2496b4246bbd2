package tenant

import (
	"os"
	"strconv"
	"strings"

	"github.com/commercectl/commercectl/cmd/cmdutil"
	"github.com/commercectl/commercectl/output"
	"github.com/commercectl/commercectl/store"
	"github.com/commercectl/commercectl/store/sqlstore"
	"github.com/spf13/cobra"
)

// InitOptions are the inputs of init.
type InitOptions struct {
	Factory *cmdutil.Factory
	Tenant  string
	Admin   string
	Demo    bool
	Force   bool
}

// NewCmdInit builds init.
func NewCmdInit(f *cmdutil.Factory, runF func(*InitOptions) error) *cobra.Command {
	opts := &InitOptions{Factory: f}
	cmd := &cobra.Command{
		Use:   "init --tenant NAME --admin UPN [--demo] [--force]",
		Short: "Create a tenant with the built-in catalog and its first GlobalAdmin",
		Long: `Create a tenant database (at --db or the default path) with the built-in
catalog of self-service products, their service plans, AllowSelfServicePurchase
Enabled for each, and a first user who is GlobalAdmin.

--demo adds a realistic tenant to explore: about 30 people with roles,
central and self-service subscriptions, a trial, an expired subscription and
pending license requests. An existing tenant is replaced only with --force,
after a confirmation (in a terminal, or --yes elsewhere); a tenant in a
file is kept beside it as FILE.bak-<time>.`,
		Example: `  commercectl init --tenant Contoso --admin admin@contoso.com --demo --db demo.db
  commercectl init --tenant Contoso --admin admin@contoso.com --db demo.db --force --yes`,
		Args: cmdutil.MaxArgs(0),
		RunE: func(cmd *cobra.Command, args []string) error {
			var err error
			if opts.Tenant == "" {
				if opts.Tenant, err = cmdutil.AskText(f, "tenant NAME", "The organization's name?"); err != nil {
					return err
				}
			}
			if opts.Admin == "" {
				if opts.Admin, err = cmdutil.AskText(f, "admin UPN", "UPN of the first GlobalAdmin?"); err != nil {
					return err
				}
			}
			if runF != nil {
				return runF(opts)
			}
			return initRun(opts)
		},
	}
	cmd.Flags().StringVar(&opts.Tenant, "tenant", "", "the organization's name")
	cmd.Flags().StringVar(&opts.Admin, "admin", "", "UPN of the first GlobalAdmin")
	cmd.Flags().BoolVar(&opts.Demo, "demo", false, "fill the tenant with demo people, subscriptions and requests")
	cmd.Flags().BoolVar(&opts.Force, "force", false, "replace an existing tenant database")
	return cmd
}

var initColumns = []output.Column[store.InitResult]{
	{Header: "Tenant", Field: "tenant", Get: func(r store.InitResult) string { return r.Tenant }},
	{Header: "Admin", Field: "admin", Get: func(r store.InitResult) string { return r.Admin }},
	{Header: "Database", Field: "db", Get: func(r store.InitResult) string { return r.DB }},
	{Header: "Products", Field: "products", Get: func(r store.InitResult) string { return strconv.Itoa(r.Products) }},
	{Header: "Users", Field: "users", Get: func(r store.InitResult) string { return strconv.Itoa(r.Users) }},
	{Header: "Subscriptions", Field: "subscriptions", Get: func(r store.InitResult) string { return strconv.Itoa(r.Subscriptions) }},
	{Header: "Requests", Field: "requests", Get: func(r store.InitResult) string { return strconv.Itoa(r.Requests) }},
	// Where init --force kept the tenant it replaced; a table shows it only then.
	{Header: "Replaced tenant kept as", Field: "backup", Get: func(r store.InitResult) string { return r.Backup }},
}

func initRun(opts *InitOptions) error {
	f := opts.Factory
	p, err := f.Printer()
	if err != nil {
		return err
	}
	ctx, err := f.Context()
	if err != nil {
		return err
	}
	// The name is shown on every init and in the audit log: the rules of a
	// display name keep escape sequences and 100 KB names out of it.
	if why := store.CheckName(strings.TrimSpace(opts.Tenant)); why != "" {
		return store.Errorf(store.EINVALID, "the tenant name %s", why)
	}
	if opts.Force {
		// A bad --admin is refused before anyone is asked to confirm.
		if _, err := store.ValidateUPN(opts.Admin); err != nil {
			return err
		}
		if err := confirmReplace(f); err != nil {
			return err
		}
	}
	res, err := f.InitTenant(ctx, store.InitOptions{Tenant: opts.Tenant, Admin: opts.Admin, Demo: opts.Demo}, opts.Force)
	if err != nil {
		return err
	}
	defer f.DryRunNote()
	f.Note("Created tenant %s in %s; connect with: commercectl connect --as %s --db %s", res.Tenant, res.DB, res.Admin, res.DB)
	return output.One(p, *res, initColumns)
}

// confirmReplace asks before init --force replaces a tenant that is there:
// a file that exists, or any tenant on a server (SPEC §2: --yes where
// nobody can be asked).
func confirmReplace(f *cmdutil.Factory) error {
	path, err := f.DBPath()
	if err != nil {
		return err
	}
	question := "Replace the whole tenant on " + sqlstore.RedactURL(path) + "? Everything in it is lost"
	if !sqlstore.IsURL(path) {
		st, err := os.Stat(path)
		if err != nil || st.IsDir() {
			return nil // nothing to replace; init says what is wrong with a directory
		}
		question = "Replace the whole tenant in " + path + "? It is kept as " + path + ".bak-<time>"
	}
	return cmdutil.Confirm(f, question)
}
