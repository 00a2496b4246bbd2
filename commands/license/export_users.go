package license

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/commercectl/commercectl/cmd/cmdutil"
	"github.com/commercectl/commercectl/output"
	"github.com/commercectl/commercectl/store"
	"github.com/commercectl/commercectl/store/sqlstore"
	"github.com/spf13/cobra"
)

// ExportUsersOptions are the inputs of export-users.
type ExportUsersOptions struct {
	Factory         *cmdutil.Factory
	SubscriptionIDs []string
	ProductID       string
	SelfService     bool
	Out             string
	JSON            bool
}

// NewCmdExportUsers builds export-users.
func NewCmdExportUsers(f *cmdutil.Factory, runF func(*ExportUsersOptions) error) *cobra.Command {
	opts := &ExportUsersOptions{Factory: f}
	cmd := &cobra.Command{
		Use:   "export-users [--subscription ID,...] [--product ID] [--self-service] [--out FILE] [-o csv|json]",
		Short: "Export licensed users as CSV (or JSON), streamed",
		Long: `Export one row per license: upn, displayName, department, productId,
productName, subscriptionId, purchaser, assignedAt, disabledPlans. CSV unless
-o json is given on the command line, whatever the configured output. Rows
stream from the database, so memory does not grow with the tenant. A cell
that starts with =, +, -, @, a tab or a carriage return is prefixed with '
so that spreadsheets do not run it. --out writes FILE under a temporary
name beside it, .FILE.<random>.tmp, and renames it to FILE once complete and
synced: FILE is never half-written, and an older FILE stays as it was until
then. An export that is killed may leave its .FILE.<random>.tmp behind, to
delete. --out shows progress when stderr is a terminal.`,
		Example: `  commercectl export-users --self-service --out self-service-users.csv
  commercectl export-users --subscription SUB-00005,SUB-00006 -o json`,
		Args: cmdutil.MaxArgs(0),
		RunE: func(cmd *cobra.Command, args []string) error {
			if cmd.Flags().Changed("output") {
				switch strings.ToLower(f.Flags.Output) {
				case output.FormatJSON:
					opts.JSON = true
				case output.FormatCSV:
				default:
					return cmdutil.Usagef("export-users writes csv or json, not %s", f.Flags.Output)
				}
			}
			if f.Flags.JQ != "" {
				return cmdutil.Usagef("export-users streams its rows: pipe -o json to jq instead of --jq")
			}
			opts.SubscriptionIDs = cmdutil.SplitList(opts.SubscriptionIDs)
			if runF != nil {
				return runF(opts)
			}
			return exportUsersRun(opts)
		},
	}
	fl := cmd.Flags()
	fl.StringSliceVar(&opts.SubscriptionIDs, "subscription", nil, "only these subscriptions, comma-separated")
	_ = cmd.RegisterFlagCompletionFunc("subscription", cmdutil.Complete(f, store.CompleteSubscriptions))
	fl.StringVar(&opts.ProductID, "product", "", "only this product")
	fl.BoolVar(&opts.SelfService, "self-service", false, "only self-service and trial subscriptions")
	fl.StringVar(&opts.Out, "out", "", "write to FILE instead of stdout")
	_ = cmd.RegisterFlagCompletionFunc("product", cmdutil.CompleteProductIDs(f))
	return cmd
}

func exportUsersRun(opts *ExportUsersOptions) error {
	f := opts.Factory
	if opts.Out != "" {
		if err := refuseOutOverTenant(f, opts.Out); err != nil {
			return err
		}
	}
	s, err := f.Store()
	if err != nil {
		return err
	}
	ctx, err := f.Context()
	if err != nil {
		return err
	}
	var (
		dst  io.Writer = f.IOStreams.Out
		file *os.File
		// mode is FILE's: an ordinary file's, or the one FILE had already.
		mode os.FileMode = 0o644
	)
	if opts.Out != "" {
		// Written under a temporary name and renamed when complete: a
		// killed export never leaves a half-written file under FILE.
		if st, err := os.Stat(opts.Out); err == nil {
			if st.IsDir() {
				return store.Errorf(store.EINVALID, "cannot write %s: it is a directory", opts.Out)
			}
			mode = st.Mode().Perm() // a FILE made private stays private
		}
		file, err = os.CreateTemp(filepath.Dir(opts.Out), "."+filepath.Base(opts.Out)+".*.tmp")
		if err != nil {
			// The temporary name is ours, not the user's: say why FILE cannot be written.
			var pe *os.PathError
			if errors.As(err, &pe) {
				err = pe.Err
			}
			return store.Errorf(store.EINVALID, "cannot write %s: %v", opts.Out, err)
		}
		defer os.Remove(file.Name())
		defer file.Close()
		dst = file
	}
	w := bufio.NewWriterSize(dst, 256<<10)
	enc := output.NewExportEncoder(w, opts.JSON)
	var progress *output.Progress
	if file != nil && f.IOStreams.IsStderrTTY() {
		progress = output.NewProgress(f.IOStreams.ErrOut, "Exporting users to "+opts.Out)
		ctx = store.WithProgress(ctx, progress.SetOf)
	}
	n := 0
	err = s.ExportUsers(ctx, store.ExportFilter{SubscriptionIDs: opts.SubscriptionIDs, ProductID: opts.ProductID, SelfService: opts.SelfService},
		func(r *store.ExportRow) error {
			n++
			return enc.Row(r)
		})
	if err == nil {
		err = enc.Close()
	}
	if err == nil {
		err = w.Flush()
	}
	if progress != nil {
		progress.Done(n)
	}
	var pe *os.PathError
	if file != nil && errors.As(err, &pe) && pe.Path == file.Name() {
		// The temporary name is ours: say which FILE could not be written.
		return store.Errorf(store.EINTERNAL, "cannot write %s: %v", opts.Out, pe.Err)
	}
	if err != nil {
		return err
	}
	if file != nil {
		// CreateTemp makes the file private (0600).
		if err := file.Chmod(mode); err != nil {
			return store.Errorf(store.EINTERNAL, "cannot write %s: %v", opts.Out, err)
		}
		if err := file.Sync(); err != nil {
			return store.Errorf(store.EINTERNAL, "cannot write %s: %v", opts.Out, err)
		}
		if err := file.Close(); err != nil {
			return store.Errorf(store.EINTERNAL, "cannot write %s: %v", opts.Out, err)
		}
		if f.Flags.DryRun {
			// The whole export ran, into the temporary file, which goes:
			// FILE stays as it was, or absent.
			fmt.Fprintf(f.IOStreams.ErrOut, "Would export %d license(s) to %s\n", n, opts.Out)
			f.DryRunNote()
			return nil
		}
		if err := os.Rename(file.Name(), opts.Out); err != nil {
			var le *os.LinkError
			if errors.As(err, &le) {
				err = le.Err
			}
			return store.Errorf(store.EINVALID, "cannot write %s: %v", opts.Out, err)
		}
		syncDir(filepath.Dir(opts.Out))
		f.Note("Exported %d license(s) to %s", n, opts.Out)
	}
	return nil
}

// syncDir makes a rename in dir durable across a power loss, not only a
// crash of the process. It is best effort: some file systems refuse to
// sync a directory, and FILE is complete either way.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}

// refuseOutOverTenant stops --out FILE from naming the tenant database the
// export reads, or one of its journal files, by name or through a link:
// the rename would replace the tenant with a CSV. Both sides are compared
// with every link resolved, since SQLite puts the journal files beside the
// database a link points at, and they need not exist yet.
func refuseOutOverTenant(f *cmdutil.Factory, out string) error {
	db, err := f.DBPath()
	if err != nil || sqlstore.IsURL(db) {
		return nil // the verb reports it when it opens the tenant; a server holds no file
	}
	dbReal, outReal := realPath(db), realPath(out)
	for _, suffix := range []string{"", "-wal", "-shm", "-journal"} {
		if outReal == dbReal+suffix {
			return &cmdutil.UsageError{Msg: "--out " + store.QuoteShort(out) + " is a file of the tenant database " + store.QuoteShort(db) + ": it would be overwritten",
				Hint: "write the export to another file"}
		}
	}
	return nil
}

// realPath is path made absolute with every link resolved: of the file
// itself when it exists, else of its directory.
func realPath(path string) string {
	abs, err := filepath.Abs(path)
	if err != nil {
		return path
	}
	if p, err := filepath.EvalSymlinks(abs); err == nil {
		return p
	}
	if dir, err := filepath.EvalSymlinks(filepath.Dir(abs)); err == nil {
		return filepath.Join(dir, filepath.Base(abs))
	}
	return abs
}
