package user

import (
	"errors"
	"fmt"
	"strconv"

	"github.com/commercectl/commercectl/cmd/cmdutil"
	"github.com/commercectl/commercectl/output"
	"github.com/commercectl/commercectl/store"
	"github.com/spf13/cobra"
)

// ImportUsersOptions are the inputs of import-users.
type ImportUsersOptions struct {
	Factory *cmdutil.Factory
	File    string
}

// NewCmdImportUsers builds import-users.
func NewCmdImportUsers(f *cmdutil.Factory, runF func(*ImportUsersOptions) error) *cobra.Command {
	opts := &ImportUsersOptions{Factory: f}
	return &cobra.Command{
		Use:   "import-users FILE.csv",
		Short: "Add the users of a CSV file, all or nothing",
		Long: `Add every user of a CSV file with the header upn,displayName,department
and optionally roles (separated by ';'). The file streams in; a UTF-8 BOM,
CRLF line ends and quoted cells are fine. It is all or nothing: every bad
line is reported with its number (a bad UPN, a duplicate whatever its case,
an unknown role, a wrong number of columns, a name with a line break or
another control character in it) and then nothing is imported.
A GlobalAdmin may give roles; a UserAdmin imports users without roles.
"-" reads stdin. A terminal shows how much of the file is read, with the
rate and the time left.`,
		Example: `  commercectl import-users new-hires.csv`,
		Args:    cmdutil.ExactArgs(1, "a CSV file"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.File = args[0]
			if runF != nil {
				return runF(opts)
			}
			return importUsersRun(opts)
		},
	}
}

var importColumns = []output.Column[store.ImportUsersResult]{
	{Header: "File", Field: "file", Get: func(r store.ImportUsersResult) string { return r.File }},
	{Header: "Users", Field: "users", Get: func(r store.ImportUsersResult) string { return strconv.Itoa(r.Users) }},
	{Header: "Roles", Field: "roles", Get: func(r store.ImportUsersResult) string { return strconv.Itoa(r.Roles) }},
}

func importUsersRun(opts *ImportUsersOptions) error {
	f := opts.Factory
	p, err := f.Printer()
	if err != nil {
		return err
	}
	in, err := cmdutil.OpenInput(f, opts.File)
	if err != nil {
		return err
	}
	defer in.Close()
	in, done := cmdutil.WatchInput(f, in, "Reading "+opts.File)
	s, err := f.Store()
	if err != nil {
		return err
	}
	ctx, err := f.Context()
	if err != nil {
		return err
	}
	res, err := s.ImportUsers(ctx, opts.File, in)
	done()
	var bad *store.ImportError
	if errors.As(err, &bad) && p.Format != output.FormatJSON {
		// One line each, whatever the file's name or its cells held; a
		// refusal, with or without --dry-run.
		f.Preview.Disarm()
		name := cmdutil.OneLine(opts.File)
		for _, l := range bad.Lines {
			fmt.Fprintf(f.IOStreams.ErrOut, "%s:%d: %s\n", name, l.Line, cmdutil.OneLine(l.Error))
		}
	}
	if err != nil {
		return err
	}
	defer f.DryRunNote()
	f.Note("Imported %d user(s) from %s", res.Users, opts.File)
	return output.One(p, *res, importColumns)
}
