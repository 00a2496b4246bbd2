package main

import (
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"net/mail"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
	"github.com/rogpeppe/go-internal/testscript"
)

// fakeSMTP is an SMTP server inside the test, for the faults a real one
// will not make on demand: the first tempFirst recipients get 451, the
// addresses in reject get 550, and each message takes delay to accept. It
// keeps every message it accepted, in order.
type fakeSMTP struct {
	addr string
	srv  *smtp.Server

	mu        sync.Mutex
	tempFirst int
	tempEvery int // every tempEvery-th recipient gets 451 (0: none)
	rcpts     int
	faults    int // 451s given
	reject    map[string]bool
	delay     time.Duration
	got       []received
}

// received is one message a server accepted.
type received struct {
	To, Subject, MessageID, Body string
}

func startFakeSMTP(t testing.TB) *fakeSMTP {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return serveFakeSMTP(t, ln)
}

// startFakeSMTPS is startFakeSMTP with implicit TLS (smtps://).
func startFakeSMTPS(t testing.TB, certFile, keyFile string) *fakeSMTP {
	t.Helper()
	cert, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{cert}})
	if err != nil {
		t.Fatal(err)
	}
	return serveFakeSMTP(t, ln)
}

func serveFakeSMTP(t testing.TB, ln net.Listener) *fakeSMTP {
	f := &fakeSMTP{reject: map[string]bool{}}
	f.addr = ln.Addr().String()
	f.srv = smtp.NewServer(f)
	f.srv.Domain = "localhost"
	f.srv.ReadTimeout = 10 * time.Second
	f.srv.WriteTimeout = 10 * time.Second
	go f.srv.Serve(ln)
	t.Cleanup(func() { f.srv.Close() })
	return f
}

func (f *fakeSMTP) url() string { return "smtp://" + f.addr }

func (f *fakeSMTP) messages() []received {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]received(nil), f.got...)
}

func (f *fakeSMTP) NewSession(*smtp.Conn) (smtp.Session, error) { return &fakeSession{f: f}, nil }

type fakeSession struct {
	f  *fakeSMTP
	to []string
}

func (s *fakeSession) Reset()                               { s.to = nil }
func (s *fakeSession) Logout() error                        { return nil }
func (s *fakeSession) Mail(string, *smtp.MailOptions) error { return nil }
func (s *fakeSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.f.mu.Lock()
	defer s.f.mu.Unlock()
	s.f.rcpts++
	if s.f.tempFirst > 0 || s.f.tempEvery > 0 && s.f.rcpts%s.f.tempEvery == 0 {
		if s.f.tempFirst > 0 {
			s.f.tempFirst--
		}
		s.f.faults++
		return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "Mailbox busy, try again later"}
	}
	if s.f.reject[strings.ToLower(to)] {
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "No such mailbox: " + to}
	}
	s.to = append(s.to, to)
	return nil
}

func (s *fakeSession) Data(r io.Reader) error {
	m, err := mail.ReadMessage(r)
	if err != nil {
		return err
	}
	body, err := io.ReadAll(m.Body)
	if err != nil {
		return err
	}
	s.f.mu.Lock()
	delay := s.f.delay
	s.f.mu.Unlock()
	time.Sleep(delay)
	s.f.mu.Lock()
	defer s.f.mu.Unlock()
	for _, to := range s.to {
		s.f.got = append(s.f.got, received{To: to, Subject: m.Header.Get("Subject"), MessageID: m.Header.Get("Message-Id"),
			Body: strings.TrimSpace(strings.ReplaceAll(string(body), "\r\n", "\n"))})
	}
	return nil
}

// The testscript commands of a script's own fake server.
var (
	scriptSMTPMu sync.Mutex
	scriptSMTP   = map[*testscript.TestScript]*fakeSMTP{}
)

// cmdSMTPD starts (or, run again, changes) the script's fake SMTP server:
// smtpd [-temp N] [-reject ADDR]... and sets SMTP_URL to it.
func cmdSMTPD(ts *testscript.TestScript, neg bool, args []string) {
	if neg {
		ts.Fatalf("usage: smtpd [-temp N] [-reject ADDR]...")
	}
	scriptSMTPMu.Lock()
	f := scriptSMTP[ts]
	scriptSMTPMu.Unlock()
	if f == nil {
		f = startFakeSMTP(ts.Value("testing.T").(testing.TB))
		scriptSMTPMu.Lock()
		scriptSMTP[ts] = f
		scriptSMTPMu.Unlock()
		ts.Defer(func() {
			scriptSMTPMu.Lock()
			delete(scriptSMTP, ts)
			scriptSMTPMu.Unlock()
		})
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	for i := 0; i < len(args); i++ {
		switch {
		case args[i] == "-temp" && i+1 < len(args):
			n, err := strconv.Atoi(args[i+1])
			ts.Check(err)
			f.tempFirst = n
			i++
		case args[i] == "-reject" && i+1 < len(args):
			f.reject[strings.ToLower(args[i+1])] = true
			i++
		default:
			ts.Fatalf("usage: smtpd [-temp N] [-reject ADDR]...")
		}
	}
	ts.Setenv("SMTP_URL", f.url())
}

// cmdSMTPReceived writes what the script's fake server accepted, a line a
// message: to | subject | Message-ID, in the order it came.
func cmdSMTPReceived(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: smtpd-received FILE")
	}
	scriptSMTPMu.Lock()
	f := scriptSMTP[ts]
	scriptSMTPMu.Unlock()
	if f == nil {
		ts.Fatalf("no smtpd running")
	}
	var b strings.Builder
	for _, m := range f.messages() {
		fmt.Fprintf(&b, "%s | %s | %s\n", m.To, m.Subject, m.MessageID)
	}
	ts.Check(os.WriteFile(ts.MkAbs(args[0]), []byte(b.String()), 0o644))
}
