package request

import (
	"github.com/commercectl/commercectl/cmd/cmdutil"
	"github.com/commercectl/commercectl/store"
	"github.com/spf13/cobra"
)

// GetRequestOptions are the inputs of get-request.
type GetRequestOptions struct {
	Factory *cmdutil.Factory
	ID      int64
}

// NewCmdGetRequest builds get-request.
func NewCmdGetRequest(f *cmdutil.Factory, runF func(*GetRequestOptions) error) *cobra.Command {
	opts := &GetRequestOptions{Factory: f}
	return &cobra.Command{
		Use:               "get-request ID",
		Example:           `  commercectl get-request 3`,
		ValidArgsFunction: cmdutil.CompleteArg(f, store.CompleteRequests),
		Short:             "Show a license request with each of its users and their decision",
		Args:              cmdutil.MaxArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := pickRequest(f, cmd, args, "Which request?", "")
			if err != nil {
				return err
			}
			opts.ID = id
			if runF != nil {
				return runF(opts)
			}
			return getRequestRun(opts)
		},
	}
}

func getRequestRun(opts *GetRequestOptions) error {
	f := opts.Factory
	p, s, ctx, err := f.Setup()
	if err != nil {
		return err
	}
	r, err := s.GetRequest(ctx, opts.ID)
	if err != nil {
		return err
	}
	return printRequest(f, p, r)
}
