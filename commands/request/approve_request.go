package request

import (
	"context"
	"strconv"

	"github.com/commercectl/commercectl/cmd/cmdutil"
	"github.com/commercectl/commercectl/store"
	"github.com/spf13/cobra"
)

// ApproveRequestOptions are the inputs of approve-request.
type ApproveRequestOptions struct {
	Factory  *cmdutil.Factory
	Approval store.Approval
	HasID    bool
}

// NewCmdApproveRequest builds approve-request.
func NewCmdApproveRequest(f *cmdutil.Factory, runF func(*ApproveRequestOptions) error) *cobra.Command {
	opts := &ApproveRequestOptions{Factory: f}
	a := &opts.Approval
	cmd := &cobra.Command{
		Use:               "approve-request ID [--exclude UPN,...] [--product ID] [--disable-plan NAME,...] [--message TEXT]",
		ValidArgsFunction: cmdutil.CompleteArg(f, store.CompleteRequests),
		Short:             "Approve a license request for all or some of its users",
		Long: `License every user of the request from the central subscriptions of the
requested product (or of --product), all or nothing. --exclude leaves users
out (they are "notAssigned" and the request PartiallyApproved); a user who
already has the product keeps the one license they have. --disable-plan
turns apps and services off. Not enough licenses: exit 5 with the shortfall
and the buy-licenses command that fixes it. Everyone in the request is
told, with the message. Without an ID, in a terminal, it asks.`,
		Example: `  commercectl approve-request 12
  commercectl approve-request 12 --exclude alan@contoso.com --product CFQ7TTC0HDB1 --disable-plan PROJECT_P1 --message "Plan 1 covers it"`,
		Args: cmdutil.MaxArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 {
				id, err := requestID(args[0])
				if err != nil {
					return err
				}
				a.RequestID, opts.HasID = id, true
			} else if !f.IOStreams.CanPrompt() {
				return cmdutil.Usagef("missing the request ID (approve-request ID)")
			} else {
				for _, name := range []string{"exclude", "product", "disable-plan", "message"} {
					if cmd.Flags().Changed(name) {
						// The review asks for all of these; a flag it would drop is refused.
						return cmdutil.Usagef("--%s needs the request ID: approve-request ID --%s ...", name, name)
					}
				}
			}
			a.Exclude = cmdutil.SplitList(a.Exclude)
			a.DisabledPlans = cmdutil.SplitList(a.DisabledPlans)
			if runF != nil {
				return runF(opts)
			}
			return approveRequestRun(opts)
		},
	}
	fl := cmd.Flags()
	fl.StringSliceVar(&a.Exclude, "exclude", nil, "users of the request not to license, comma-separated")
	fl.StringVar(&a.ProductID, "product", "", "license this product instead of the one requested")
	fl.StringSliceVar(&a.DisabledPlans, "disable-plan", nil, "service plans to turn off, comma-separated")
	_ = cmd.RegisterFlagCompletionFunc("exclude", cmdutil.Complete(f, store.CompleteUsers))
	_ = cmd.RegisterFlagCompletionFunc("disable-plan", cmdutil.CompletePlans(f, requestedProduct))
	addMessageFlag(cmd, &a.Message)
	_ = cmd.RegisterFlagCompletionFunc("product", cmdutil.CompleteProductIDs(f))
	return cmd
}

func approveRequestRun(opts *ApproveRequestOptions) error {
	f := opts.Factory
	if !opts.HasID {
		s, err := f.Store()
		if err != nil {
			return err
		}
		ctx, err := f.Context()
		if err != nil {
			return err
		}
		reqs, _, err := s.ListRequests(ctx, store.RequestFilter{Status: "pending"})
		if err != nil {
			return err
		}
		return decide(f, reqs)
	}
	return approve(f, opts.Approval)
}

// approve runs one approval and prints the request after it.
func approve(f *cmdutil.Factory, a store.Approval) error {
	p, s, ctx, err := f.Setup()
	if err != nil {
		return err
	}
	r, err := s.ApproveRequest(ctx, a)
	if err != nil {
		return err
	}
	defer f.DryRunNote()
	if r.Status == store.RequestPartiallyApproved {
		f.Note("Approved request %d for some of its users", r.ID)
	} else {
		f.Note("Approved request %d", r.ID)
	}
	return printRequest(f, p, r)
}

// requestedProduct is the product of the request args name, for completion.
func requestedProduct(ctx context.Context, s store.Service, args []string) string {
	if len(args) != 1 {
		return ""
	}
	id, err := strconv.ParseInt(args[0], 10, 64)
	if err != nil {
		return ""
	}
	r, err := s.GetRequest(ctx, id)
	if err != nil {
		return ""
	}
	return r.ProductID
}
