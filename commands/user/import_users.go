package user

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"

	"github.com/commercectl/commercectl/cmd/cmdutil"
	"github.com/commercectl/commercectl/output"
	"github.com/commercectl/commercectl/store"
	"github.com/spf13/cobra"
)

// ImportUsersOptions are the inputs of import-users.
type ImportUsersOptions struct {
	Factory      *cmdutil.Factory
	File         string
	SkipExisting bool
}

// NewCmdImportUsers builds import-users.
func NewCmdImportUsers(f *cmdutil.Factory, runF func(*ImportUsersOptions) error) *cobra.Command {
	opts := &ImportUsersOptions{Factory: f}
	cmd := &cobra.Command{
		Use:   "import-users FILE.csv [--skip-existing]",
		Short: "Add the users of a CSV file, all or nothing",
		Long: `Add every user of a CSV file with the header upn,displayName,department
and optionally roles (separated by ';'). The file streams in; a UTF-8 BOM,
CRLF line ends and quoted cells are fine. It is all or nothing: every bad
line is reported with its number (a bad UPN, a duplicate whatever its case,
an unknown role, a wrong number of columns, a name with a line break or
another control character in it) and then nothing is imported; the first 20
are listed, then how many more. --skip-existing leaves the users the tenant
already has as they are and counts them as skipped, so that the same file,
or a longer one, can be imported again.
A GlobalAdmin may give roles; a UserAdmin imports users without roles.
"-" reads stdin. A terminal shows how much of the file is read, with the
rate and the time left.`,
		Example: `  commercectl import-users new-hires.csv
  commercectl import-users all-staff.csv --skip-existing`,
		Args: cmdutil.MaxArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var err error
			if opts.File, err = cmdutil.TypedArg(f, cmd, args, "a CSV file", "Which CSV file?"); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return importUsersRun(opts)
		},
	}
	cmd.Flags().BoolVar(&opts.SkipExisting, "skip-existing", false, "leave the users the tenant already has as they are")
	return cmd
}

var importColumns = []output.Column[store.ImportUsersResult]{
	{Header: "File", Field: "file", Get: func(r store.ImportUsersResult) string { return r.File }},
	{Header: "Users", Field: "users", Get: func(r store.ImportUsersResult) string { return strconv.Itoa(r.Users) }},
	{Header: "Roles", Field: "roles", Get: func(r store.ImportUsersResult) string { return strconv.Itoa(r.Roles) }},
	// In a table only with --skip-existing; CSV and JSON always carry it.
	{Header: "Skipped", Field: "skipped", Get: func(r store.ImportUsersResult) string { return strconv.Itoa(r.Skipped) }},
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
	s, err := f.Store()
	if err != nil {
		return err
	}
	ctx, err := f.Context()
	if err != nil {
		return err
	}
	if opts.SkipExisting {
		ctx = store.WithSkipExisting(ctx)
	}
	// A typed file name is confirmed with what it will do, all or nothing:
	// the file is imported once in a transaction rolled back, and a file
	// with bad lines is refused below as it would be unasked.
	if err := cmdutil.PlanAsked(f, ctx, func(ctx context.Context) (string, error) {
		return importQuestion(f, ctx, s, opts.File, in)
	}); err != nil {
		return err
	}
	in, done := cmdutil.WatchInput(f, in, "Reading "+opts.File)
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
		if more := bad.Total - len(bad.Lines); more > 0 {
			fmt.Fprintf(f.IOStreams.ErrOut, "%s: %d more bad line(s) not shown\n", name, more)
		}
	}
	if err != nil {
		return err
	}
	defer f.DryRunNote()
	f.Note("Imported %d user(s) from %s", res.Users, opts.File)
	cols := importColumns
	if !opts.SkipExisting && p.Format == output.FormatTable {
		cols = cols[:3]
	}
	return output.One(p, *res, cols)
}

// importQuestion rehearses the import of in, the file named file, and
// asks with its counts, then rewinds in for the import itself. It asks
// nothing of a file the import would refuse (the import says why), and
// only names stdin, which can be read once.
func importQuestion(f *cmdutil.Factory, ctx context.Context, s store.Service, file string, in io.ReadCloser) (string, error) {
	rewind, ok := in.(io.Seeker)
	if !ok {
		return fmt.Sprintf("Import the users of %s into the tenant?", file), nil
	}
	r, clear := cmdutil.CheckInput(f, in, "Checking "+file)
	res, err := s.ImportUsers(ctx, file, r)
	clear()
	if _, serr := rewind.Seek(0, io.SeekStart); serr != nil {
		return "", serr
	}
	var bad *store.ImportError
	if errors.As(err, &bad) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	q := fmt.Sprintf("Import %s from %s", store.Plural(res.Users, "user"), file)
	if res.Roles > 0 {
		q += " and give them " + store.Plural(res.Roles, "role")
	}
	if res.Skipped > 0 {
		q += fmt.Sprintf(" (%d already in the tenant, left as they are)", res.Skipped)
	}
	return q + "?", nil
}
