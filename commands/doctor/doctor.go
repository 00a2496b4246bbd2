// Package doctor holds the verb that checks a tenant.
package doctor

import (
	"fmt"

	"github.com/commercectl/commercectl/cmd/cmdutil"
	"github.com/commercectl/commercectl/output"
	"github.com/commercectl/commercectl/store"
	"github.com/spf13/cobra"
)

// Options are the inputs of doctor.
type Options struct {
	Factory *cmdutil.Factory
}

// NewCmdDoctor builds doctor.
func NewCmdDoctor(f *cmdutil.Factory, runF func(*Options) error) *cobra.Command {
	opts := &Options{Factory: f}
	return &cobra.Command{
		Use:   "doctor",
		Short: "Check the tenant: database integrity, foreign keys and the rules of the domain",
		Long: `Check the tenant database (on SQLite: PRAGMA integrity_check and the
foreign keys; a PostgreSQL server checks both as it writes) and its
invariants: a license is of its subscription's product, a user holds at most
one license per product, a canceled subscription holds no licenses, request
statuses agree with their users' decisions, every pool over its seats is a
conflict list-conflicts shows, the tenant has a GlobalAdmin. Every problem
is listed; the exit code is 5 when there is any, 0 otherwise.`,
		Example: `  commercectl doctor
  commercectl doctor -o json`,
		Args: cmdutil.MaxArgs(0),
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(opts)
			}
			return run(opts)
		},
	}
}

var columns = []output.Column[store.Problem]{
	{Header: "Check", Field: "check", Get: func(p store.Problem) string { return p.Check }},
	{Header: "Problem", Field: "detail", Get: func(p store.Problem) string { return p.Detail }},
}

func run(opts *Options) error {
	f := opts.Factory
	p, s, ctx, err := f.Setup()
	if err != nil {
		return err
	}
	problems, err := s.Doctor(ctx)
	if err != nil {
		return err
	}
	if len(problems) == 0 {
		if p.Format == output.FormatTable {
			fmt.Fprintln(f.IOStreams.ErrOut, "No problems: the tenant is consistent.")
			return nil
		}
		return output.List(p, problems, columns)
	}
	if err := output.List(p, problems, columns); err != nil {
		return err
	}
	return store.Errorf(store.ECONFLICT, "doctor found %d problem(s)", len(problems))
}
