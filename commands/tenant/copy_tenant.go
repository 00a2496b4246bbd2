package tenant

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/commercectl/commercectl/cmd/cmdutil"
	"github.com/commercectl/commercectl/output"
	"github.com/commercectl/commercectl/store"
	"github.com/spf13/cobra"
)

// CopyTenantOptions are the inputs of copy-tenant.
type CopyTenantOptions struct {
	Factory *cmdutil.Factory
	To      string
}

// NewCmdCopyTenant builds copy-tenant.
func NewCmdCopyTenant(f *cmdutil.Factory, runF func(*CopyTenantOptions) error) *cobra.Command {
	opts := &CopyTenantOptions{Factory: f}
	cmd := &cobra.Command{
		Use:   "copy-tenant --to DB",
		Short: "Copy the whole tenant into an empty database, a file or a PostgreSQL server",
		Long: `Copy the whole tenant of --db into the empty database --to, of either engine:
a file to a PostgreSQL server (postgres://...) to share it with a team, or a
server back to a file. Every row of every table is copied with its ids, the
audit log and the outbox included. The copy is all or nothing, the source is
never changed, and a target that already holds a tenant is refused (exit 5).
Only a GlobalAdmin copies a tenant. A terminal shows the progress.`,
		Example: `  commercectl copy-tenant --db tenant.db --to postgres://admin@db.contoso.com/commerce?sslmode=verify-full
  commercectl copy-tenant --db postgres://admin@db.contoso.com/commerce --to backup.db`,
		Args: cmdutil.MaxArgs(0),
		RunE: func(cmd *cobra.Command, args []string) error {
			if opts.To == "" {
				var err error
				if opts.To, err = cmdutil.AskFor(f, cmdutil.Usagef("missing --to DB: the empty database to copy the tenant into"),
					"Copy the tenant into which empty database (a file, or a postgres:// URL)?"); err != nil {
					return err
				}
			}
			if runF != nil {
				return runF(opts)
			}
			return copyTenantRun(opts)
		},
	}
	cmd.Flags().StringVar(&opts.To, "to", "", "the empty database to copy into: a file, or a postgres:// URL")
	return cmd
}

var copyColumns = []output.Column[store.CopyTenantResult]{
	{Header: "From", Field: "from", Get: func(r store.CopyTenantResult) string { return r.From }},
	{Header: "To", Field: "to", Get: func(r store.CopyTenantResult) string { return r.To }},
	{Header: "Rows", Field: "rows", Get: func(r store.CopyTenantResult) string { return strconv.Itoa(r.Rows) }},
	{Header: "Tables", Field: "tables", Get: func(r store.CopyTenantResult) string {
		names := make([]string, 0, len(r.Tables))
		for t := range r.Tables {
			names = append(names, t)
		}
		sort.Strings(names)
		for i, t := range names {
			names[i] = t + " " + strconv.Itoa(r.Tables[t])
		}
		return strings.Join(names, ", ")
	}},
}

func copyTenantRun(opts *CopyTenantOptions) error {
	f := opts.Factory
	p, s, ctx, err := f.Setup()
	if err != nil {
		return err
	}
	// A typed target is confirmed: the copy fills that database.
	if err := cmdutil.ConfirmAsked(f, fmt.Sprintf("Copy the whole tenant into %s?", opts.To)); err != nil {
		return err
	}
	var progress *output.Progress
	var fn func(done, total int)
	if f.IOStreams.IsStderrTTY() {
		progress = output.NewProgress(f.IOStreams.ErrOut, "Copying the tenant")
		fn = progress.SetOf
	}
	res, err := s.CopyTenant(ctx, opts.To, fn)
	if progress != nil && err == nil {
		progress.Done(res.Rows)
	}
	if err != nil {
		return err
	}
	defer f.DryRunNote()
	f.Note("Copied %d rows from %s to %s", res.Rows, res.From, res.To)
	return output.One(p, *res, copyColumns)
}
