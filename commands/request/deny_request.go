package request

import (
	"context"
	"fmt"

	"github.com/commercectl/commercectl/cmd/cmdutil"
	"github.com/commercectl/commercectl/store"
	"github.com/spf13/cobra"
)

// DenyRequestOptions are the inputs of deny-request.
type DenyRequestOptions struct {
	Factory *cmdutil.Factory
	ID      int64
	Message string
}

// NewCmdDenyRequest builds deny-request.
func NewCmdDenyRequest(f *cmdutil.Factory, runF func(*DenyRequestOptions) error) *cobra.Command {
	opts := &DenyRequestOptions{Factory: f}
	cmd := &cobra.Command{
		Use:               "deny-request ID [--message TEXT]",
		Example:           `  commercectl deny-request 3 --message "Copilot pilots start next quarter"`,
		ValidArgsFunction: cmdutil.CompleteArg(f, store.CompleteRequests),
		Short:             "Decline a license request; everyone in it is told",
		Args:              cmdutil.MaxArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := pickRequest(f, cmd, args, "Decline which request?", store.RequestPending)
			if err != nil {
				return err
			}
			opts.ID = id
			if len(args) == 0 && !cmd.Flags().Changed("message") {
				// The request was picked: its message is asked too, as the review does.
				if opts.Message, err = f.Prompter().Input("Message to everyone in the request (optional)", ""); err != nil {
					return err
				}
			}
			if runF != nil {
				return runF(opts)
			}
			return deny(f, opts.ID, opts.Message, false)
		},
	}
	addMessageFlag(cmd, &opts.Message)
	return cmd
}

// deny declines request id. Unless the picker has asked already, a
// rehearsal rolled back checks the refusals first (their exit codes stay),
// then the decline is confirmed with how many people are told (issue 15).
func deny(f *cmdutil.Factory, id int64, message string, asked bool) error {
	p, s, ctx, err := f.Setup()
	if err != nil {
		return err
	}
	if !asked {
		err := cmdutil.Rehearse(f, ctx, func(ctx context.Context) (string, error) {
			r, err := s.DenyRequest(ctx, id, message)
			if err != nil {
				return "", err
			}
			told := "are"
			if len(r.Users) == 1 {
				told = "is"
			}
			return fmt.Sprintf("Decline request %d (%s)? Its %d %s %s told.", r.ID, r.ProductName, len(r.Users), people(len(r.Users)), told), nil
		})
		if err != nil {
			return err
		}
	}
	r, err := s.DenyRequest(ctx, id, message)
	if err != nil {
		return err
	}
	defer f.DryRunNote()
	f.Note("Declined request %d", r.ID)
	return printRequest(f, p, r)
}
