package request

import (
	"strconv"

	"github.com/commercectl/commercectl/cmd/cmdutil"
	"github.com/commercectl/commercectl/output"
	"github.com/commercectl/commercectl/store"
	"github.com/spf13/cobra"
)

func sinceText(p store.RequestProcess) string {
	if p.Since == nil {
		return ""
	}
	return p.Since.Format("2006-01-02T15:04:05Z07:00")
}

var processColumns = []output.Column[store.RequestProcess]{
	{Header: "Own process", Field: "on", Get: func(p store.RequestProcess) string { return strconv.FormatBool(p.On) }},
	{Header: "Message", Field: "message", Get: func(p store.RequestProcess) string { return p.Message }},
	{Header: "Link", Field: "link", Get: func(p store.RequestProcess) string { return p.Link }},
	{Header: "Since", Field: "since", Get: sinceText},
	{Header: "Kept (days)", Field: "retentionDays", Get: func(p store.RequestProcess) string { return strconv.Itoa(p.RetentionDays) }},
}

// SetRequestProcessOptions are the inputs of set-request-process.
type SetRequestProcessOptions struct {
	Factory *cmdutil.Factory
	Update  store.RequestProcessUpdate
}

// NewCmdSetRequestProcess builds set-request-process.
func NewCmdSetRequestProcess(f *cmdutil.Factory, runF func(*SetRequestProcessOptions) error) *cobra.Command {
	opts := &SetRequestProcessOptions{Factory: f}
	var (
		message, link string
		retention     int
	)
	cmd := &cobra.Command{
		Use:   "set-request-process (--message TEXT [--link https://...] | --off) [--retention-days N]",
		Short: "Use the organization's own license request process, or stop; set how long requests are kept",
		Long: `--message (and --link, an absolute https URL) turns the organization's own
license request process on: people who try to send a request see the
message and link instead, and no new requests arrive; those already pending
stay until handled. --off turns it off. --retention-days sets how long
requests are kept after they are made (default 30, at most 365).`,
		Example: `  commercectl set-request-process --message "Ask the service desk" --link https://servicedesk.contoso.com/licenses
  commercectl set-request-process --off
  commercectl set-request-process --retention-days 90`,
		Args: cmdutil.MaxArgs(0),
		RunE: func(cmd *cobra.Command, args []string) error {
			u := &opts.Update
			fl := cmd.Flags()
			if fl.Changed("message") {
				u.Message = &message
			}
			if fl.Changed("link") {
				u.Link = &link
			}
			if fl.Changed("retention-days") {
				u.RetentionDays = &retention
			}
			if !u.Off && u.Message == nil && u.Link == nil && u.RetentionDays == nil {
				return cmdutil.Usagef("say what to set: --message TEXT [--link URL], --off, or --retention-days N")
			}
			if runF != nil {
				return runF(opts)
			}
			return setRequestProcessRun(opts)
		},
	}
	cmd.Flags().StringVar(&message, "message", "", "what people see instead of sending a request")
	cmd.Flags().StringVar(&link, "link", "", "documentation link, an absolute https URL")
	cmd.Flags().BoolVar(&opts.Update.Off, "off", false, "stop using the own process")
	cmdutil.IntVar(cmd.Flags(), &retention, "retention-days", 0, "days requests are kept after they are made")
	return cmd
}

func setRequestProcessRun(opts *SetRequestProcessOptions) error {
	f := opts.Factory
	p, s, ctx, err := f.Setup()
	if err != nil {
		return err
	}
	proc, err := s.SetRequestProcess(ctx, opts.Update)
	if err != nil {
		return err
	}
	defer f.DryRunNote()
	return output.One(p, *proc, processColumns)
}

// GetRequestProcessOptions are the inputs of get-request-process.
type GetRequestProcessOptions struct {
	Factory *cmdutil.Factory
}

// NewCmdGetRequestProcess builds get-request-process.
func NewCmdGetRequestProcess(f *cmdutil.Factory, runF func(*GetRequestProcessOptions) error) *cobra.Command {
	opts := &GetRequestProcessOptions{Factory: f}
	return &cobra.Command{
		Use:     "get-request-process",
		Short:   "Show whether the organization uses its own license request process, and how long requests are kept",
		Example: `  commercectl get-request-process`,
		Args:    cmdutil.MaxArgs(0),
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(opts)
			}
			p, s, ctx, err := f.Setup()
			if err != nil {
				return err
			}
			proc, err := s.GetRequestProcess(ctx)
			if err != nil {
				return err
			}
			return output.One(p, *proc, processColumns)
		},
	}
}
