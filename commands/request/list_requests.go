package request

import (
	"fmt"

	"github.com/commercectl/commercectl/cmd/cmdutil"
	"github.com/commercectl/commercectl/output"
	"github.com/commercectl/commercectl/store"
	"github.com/spf13/cobra"
)

// ListRequestsOptions are the inputs of list-requests.
type ListRequestsOptions struct {
	Factory *cmdutil.Factory
	Status  string
}

// NewCmdListRequests builds list-requests.
func NewCmdListRequests(f *cmdutil.Factory, runF func(*ListRequestsOptions) error) *cobra.Command {
	opts := &ListRequestsOptions{Factory: f}
	cmd := &cobra.Command{
		Use:   "list-requests [--status pending|completed|all]",
		Short: "List license requests: product, requester, date, status, users",
		Long: `List the license requests still kept (30 days after they are made unless
set-request-process --retention-days says otherwise), newest first; pending
ones unless --status says otherwise. While the organization uses its own
request process, "You're using your own license request process" is
written on stderr and only the requests made before it was turned on that
are still pending are listed.

With -o interactive: pick a request, then approve it (untick users, pick
the product, turn apps off, add a message) or decline it.`,
		Example: `  commercectl list-requests --status pending`,
		Args:    cmdutil.MaxArgs(0),
		RunE: func(cmd *cobra.Command, args []string) error {
			switch opts.Status {
			case "pending", "completed", "all":
			default:
				return cmdutil.Usagef("--status is pending, completed or all, not %s", store.QuoteShort(opts.Status))
			}
			if runF != nil {
				return runF(opts)
			}
			return listRequestsRun(opts)
		},
	}
	cmd.Flags().StringVar(&opts.Status, "status", "pending", "pending, completed or all")
	_ = cmd.RegisterFlagCompletionFunc("status", cobra.FixedCompletions([]string{"pending", "completed", "all"}, cobra.ShellCompDirectiveNoFileComp))
	return cmd
}

func listRequestsRun(opts *ListRequestsOptions) error {
	f := opts.Factory
	interactive, err := f.Interactive()
	if err != nil {
		return err
	}
	p, s, ctx, err := f.Setup()
	if err != nil {
		return err
	}
	reqs, proc, err := s.ListRequests(ctx, store.RequestFilter{Status: opts.Status})
	if err != nil {
		return err
	}
	if proc.On {
		// On stderr, in every mode: the JSON on stdout stays an array of requests.
		fmt.Fprintln(f.IOStreams.ErrOut, store.OwnProcessBanner)
	}
	if interactive {
		return decide(f, reqs)
	}
	return output.List(p, reqs, requestColumns)
}
