package notification

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/mail"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/commercectl/commercectl/cmd/cmdutil"
	"github.com/commercectl/commercectl/output"
	"github.com/commercectl/commercectl/store"
	"github.com/spf13/cobra"
	gomail "github.com/wneessen/go-mail"
)

// SendNotificationsOptions are the inputs of send-notifications.
type SendNotificationsOptions struct {
	Factory *cmdutil.Factory
	SMTP    string
	From    string
	Limit   int
}

// NewCmdSendNotifications builds send-notifications.
func NewCmdSendNotifications(f *cmdutil.Factory, runF func(*SendNotificationsOptions) error) *cobra.Command {
	opts := &SendNotificationsOptions{Factory: f}
	cmd := &cobra.Command{
		Use:   "send-notifications [--smtp URL] [--from ADDR] [--limit N]",
		Short: "Deliver the pending e-mails of the outbox over SMTP, oldest first",
		Long: `Deliver the outbox: every pending notification that is due, oldest first,
to its user's UPN, through your SMTP relay. smtp://host:port uses STARTTLS
when the server offers it, smtps://host:port implicit TLS; user:password@
in the URL authenticates (the password is never shown). The relay and the
sender also come from COMMERCECTL_SMTP_URL and COMMERCECTL_SMTP_FROM, or
smtp.url and smtp.from in the config file.

Each message carries a Message-ID of its own notification, the same on
every attempt. A temporary failure (a 4xx reply, a lost connection) leaves
the notification pending, tried again after a backoff (1 min, doubling, at
most 6 h); a permanent one (5xx) marks it failed with the server's reply.
Two runs at once never send one notification twice. Exit 0 when everything
due was sent, 1 when some stay pending, 5 when any was refused for good.
GlobalAdmin only.`,
		Example: `  commercectl send-notifications --smtp smtp://mail.contoso.com:587 --from commerce@contoso.com
  commercectl send-notifications --limit 100 --dry-run`,
		Args: cmdutil.MaxArgs(0),
		RunE: func(cmd *cobra.Command, args []string) error {
			if opts.Limit < 0 {
				return cmdutil.Usagef("--limit must be 0 (everything due) or more, not %d", opts.Limit)
			}
			if runF != nil {
				return runF(opts)
			}
			return sendNotificationsRun(opts)
		},
	}
	cmd.Flags().StringVar(&opts.SMTP, "smtp", "", "the SMTP relay: smtp://[user:password@]host:port or smtps://...")
	cmd.Flags().StringVar(&opts.From, "from", "", "the sender address of every message")
	cmd.Flags().IntVar(&opts.Limit, "limit", 0, "send at most N notifications (0: all that are due)")
	return cmd
}

// relay is the parsed --smtp URL.
type relay struct {
	host     string
	port     int
	implicit bool // smtps://
	user     string
	password string
	shown    string // host:port, for messages
}

func parseRelay(raw string) (*relay, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || (u.Scheme != "smtp" && u.Scheme != "smtps") {
		shown := raw
		if err == nil {
			shown = u.Redacted()
		} else {
			shown = "the --smtp value"
		}
		return nil, store.Errorf(store.EINVALID, "%s is not an SMTP relay URL", store.QuoteShort(shown)).
			WithHint("use smtp://host:port (STARTTLS when offered) or smtps://host:port (implicit TLS), with user:password@ to authenticate")
	}
	r := &relay{host: u.Hostname(), implicit: u.Scheme == "smtps", port: 25}
	if r.implicit {
		r.port = 465
	}
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			return nil, store.Errorf(store.EINVALID, "%s has no valid port", store.QuoteShort(u.Redacted()))
		}
		r.port = n
	}
	if u.User != nil {
		r.user = u.User.Username()
		r.password, _ = u.User.Password()
	}
	r.shown = net.JoinHostPort(r.host, strconv.Itoa(r.port))
	return r, nil
}

func (r *relay) client() (*gomail.Client, error) {
	opts := []gomail.Option{gomail.WithPort(r.port), gomail.WithTimeout(30 * time.Second), gomail.WithHELO("commercectl")}
	if r.implicit {
		opts = append(opts, gomail.WithSSL())
	} else {
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSOpportunistic))
	}
	if r.user != "" {
		opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthAutoDiscover), gomail.WithUsername(r.user), gomail.WithPassword(r.password))
	}
	return gomail.NewClient(r.host, opts...)
}

// sendBatch notifications are claimed at a time: a run that dies holds no
// more than these until their claims lapse.
const sendBatch = 50

func sendNotificationsRun(opts *SendNotificationsOptions) error {
	f := opts.Factory
	p, s, ctx, err := f.Setup()
	if err != nil {
		return err
	}
	rawURL, err := f.VerbSetting(cmdutil.SettingSMTPURL, opts.SMTP)
	if err != nil {
		return err
	}
	fromAddr, err := f.VerbSetting(cmdutil.SettingSMTPFrom, opts.From)
	if err != nil {
		return err
	}
	if rawURL == "" {
		return cmdutil.Usagef("missing --smtp URL (or COMMERCECTL_SMTP_URL, or smtp.url in the config file)")
	}
	if fromAddr == "" {
		return cmdutil.Usagef("missing --from ADDR (or COMMERCECTL_SMTP_FROM, or smtp.from in the config file)")
	}
	r, err := parseRelay(rawURL)
	if err != nil {
		return err
	}
	from, err := mail.ParseAddress(fromAddr)
	if err != nil {
		return store.Errorf(store.EINVALID, "--from %s is not an e-mail address", store.QuoteShort(fromAddr))
	}
	due, total, err := s.DueNotifications(ctx, opts.Limit)
	if err != nil {
		return err
	}
	if f.Flags.DryRun {
		// The heading says it is a plan, on stderr: stdout is the list.
		fmt.Fprintf(f.IOStreams.ErrOut, "Would send %d of the %d notification(s) due, through %s, from %s:\n", len(due), total, r.shown, from.Address)
		defer f.DryRunNote()
		return output.List(p, due, columns)
	}
	want := total
	if opts.Limit > 0 {
		want = min(total, opts.Limit)
	}
	sum := store.SendSummary{Due: want}
	if want > 0 {
		if err := deliver(ctx, f, s, r, from, want, &sum); err != nil {
			return err
		}
	}
	if err := output.One(p, sum, summaryColumns); err != nil {
		return err
	}
	switch {
	case sum.Failed > 0:
		return store.Errorf(store.ECONFLICT, "%d notification(s) were refused for good by %s", sum.Failed, r.shown).
			WithHint("see why: commercectl list-notifications --status failed")
	case sum.Pending > 0:
		return store.Errorf(store.EINTERNAL, "%d notification(s) stay pending after temporary failures at %s", sum.Pending, r.shown).
			WithHint("they are tried again by the next run once due: commercectl list-notifications --status pending")
	}
	return nil
}

var summaryColumns = []output.Column[store.SendSummary]{
	{Header: "Due", Field: "due", Get: func(s store.SendSummary) string { return strconv.Itoa(s.Due) }},
	{Header: "Sent", Field: "sent", Get: func(s store.SendSummary) string { return strconv.Itoa(s.Sent) }},
	{Header: "Pending", Field: "pending", Get: func(s store.SendSummary) string { return strconv.Itoa(s.Pending) }},
	{Header: "Failed", Field: "failed", Get: func(s store.SendSummary) string { return strconv.Itoa(s.Failed) }},
}

// deliver sends up to want due notifications over one connection, claiming
// a batch at a time and recording each attempt as soon as it ends.
func deliver(ctx context.Context, f *cmdutil.Factory, s store.Service, r *relay, from *mail.Address, want int, sum *store.SendSummary) error {
	c, err := r.client()
	if err != nil {
		return store.Errorf(store.EINVALID, "the SMTP relay %s cannot be used: %v", r.shown, err)
	}
	if err := c.DialWithContext(ctx); err != nil {
		// Nothing is claimed yet: the outbox is as it was.
		return store.Errorf(store.EINTERNAL, "cannot send through the SMTP server at %s: %s", r.shown, smtpReason(err, r)).
			WithHint("check --smtp (host, port, smtp:// or smtps://, user and password); nothing was sent")
	}
	defer c.Close()
	var progress *output.Progress
	if f.IOStreams.IsStderrTTY() {
		progress = output.NewProgressOf(f.IOStreams.ErrOut, "Sending notifications", "messages")
	}
	claim := newClaim()
	tried := 0
	var stop error
	for tried < want && stop == nil {
		batch, err := s.ClaimNotifications(ctx, claim, min(sendBatch, want-tried))
		if err != nil {
			stop = err
			break
		}
		if len(batch) == 0 {
			break // another run took the rest
		}
		for _, n := range batch {
			o := sendOne(c, from, n, r)
			if err := s.FinishDelivery(ctx, claim, n.ID, o); err != nil {
				stop = err
				break
			}
			tried++
			switch {
			case o.Sent:
				sum.Sent++
			case o.Temporary:
				sum.Pending++
			default:
				sum.Failed++
			}
			if progress != nil {
				progress.SetOf(tried, want)
			}
			if o.Temporary && !o.Sent && lostConnection(o) {
				// The connection is gone: the rest of the batch goes back.
				stop = errConnectionLost
				break
			}
		}
	}
	if progress != nil {
		progress.Done(tried)
	}
	if err := s.EndSendRun(ctx, claim, *sum); err != nil && stop == nil {
		stop = err
	}
	if errors.Is(stop, errConnectionLost) {
		return nil // reported as pending by the summary
	}
	return stop
}

var errConnectionLost = errors.New("connection lost")

// lostPrefix marks an outcome whose error was not a reply of the server.
const lostPrefix = "no reply: "

func lostConnection(o store.DeliveryOutcome) bool { return strings.HasPrefix(o.Error, lostPrefix) }

// sendOne sends one notification and tells how it went. A reply of the
// server is kept as it came (code and text); an error without one is a
// lost connection or a timeout, temporary by nature.
func sendOne(c *gomail.Client, from *mail.Address, n store.Notification, r *relay) store.DeliveryOutcome {
	m := gomail.NewMsg(gomail.WithNoDefaultUserAgent())
	name := from.Name
	if name == "" {
		name = "Microsoft 365 commerce"
	}
	if err := m.FromFormat(name, from.Address); err != nil {
		return store.DeliveryOutcome{Error: "from: " + err.Error()}
	}
	if err := m.To(n.To); err != nil {
		return store.DeliveryOutcome{Error: "the recipient " + n.To + " is no address: " + err.Error()}
	}
	m.SetMessageIDWithValue(strings.Trim(n.MessageID, "<>"))
	m.SetDate()
	m.Subject(n.Subject)
	m.SetGenHeader("X-Commercectl-Notification", strconv.FormatInt(n.ID, 10))
	m.SetGenHeader("X-Commercectl-Kind", n.Kind)
	m.SetBodyString(gomail.TypeTextPlain, n.Body+"\n")
	err := c.Send(m)
	if err == nil {
		return store.DeliveryOutcome{Sent: true}
	}
	var se *gomail.SendError
	if errors.As(err, &se) && se.ErrorCode() != 0 {
		return store.DeliveryOutcome{Temporary: se.IsTemp(), Error: serverReply(se, smtpReason(err, r))}
	}
	return store.DeliveryOutcome{Temporary: true, Error: lostPrefix + smtpReason(err, r)}
}

// replyText finds the server's own words in go-mail's message about them:
// the code, then the reply quoted.
var replyText = regexp.MustCompile(`\b([245]\d\d) "([^"]*)"`)

// serverReply is the reply of the server as it gave it ("550 5.1.1 No
// such mailbox"), or what go-mail said of it when it cannot be found.
func serverReply(se *gomail.SendError, said string) string {
	if m := replyText.FindStringSubmatch(said); m != nil && m[1] == strconv.Itoa(se.ErrorCode()) {
		return m[1] + " " + m[2]
	}
	return said
}

// smtpReason is an error of the relay in one line, without its password.
func smtpReason(err error, r *relay) string {
	msg := strings.Join(strings.Fields(err.Error()), " ")
	if r.password != "" {
		msg = strings.ReplaceAll(msg, r.password, "xxxxx")
	}
	return msg
}

func newClaim() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
