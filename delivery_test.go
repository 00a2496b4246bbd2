//go:build !windows

package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// outboxSize is what seedOutbox leaves pending: one e-mail to the admins
// for a request naming 300 users, then one to each of them and to the
// requester when it is declined.
const outboxSize = 302

// seedOutbox makes a demo tenant at db whose outbox holds outboxSize
// pending notifications.
func seedOutbox(t *testing.T, bin string, env []string, dir, db string) {
	t.Helper()
	run(t, bin, env, "init", "--tenant", "Contoso", "--admin", interactiveAdmin, "--demo", "--db", db)
	csv := filepath.Join(dir, "users.csv")
	var b strings.Builder
	var upns []string
	b.WriteString("upn,displayName,department\n")
	for i := 1; i <= 300; i++ {
		fmt.Fprintf(&b, "user%d@contoso.com,User %d,Sales\n", i, i)
		upns = append(upns, fmt.Sprintf("user%d@contoso.com", i))
	}
	if err := os.WriteFile(csv, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	run(t, bin, env, "import-users", csv, "--db", db, "--as", interactiveAdmin)
	run(t, bin, env, "new-request", "--product", "CFQ7TTC0MM8R", "--for", strings.Join(upns, ","), "--db", db, "--as", "alex.wilber@contoso.com")
	run(t, bin, env, "deny-request", "4", "--message", "Not this quarter", "--yes", "--db", db, "--as", interactiveAdmin)
}

// outbox is every notification of the tenant, as list-notifications says.
type outboxEntry struct {
	ID        int64  `json:"id"`
	To        string `json:"to"`
	Subject   string `json:"subject"`
	Body      string `json:"body"`
	Status    string `json:"status"`
	Attempts  int    `json:"attempts"`
	MessageID string `json:"messageId"`
}

func outbox(t *testing.T, bin string, env []string, db string) []outboxEntry {
	t.Helper()
	var out []outboxEntry
	decode(t, run(t, bin, env, "list-notifications", "-o", "json", "--db", db, "--as", interactiveAdmin), &out)
	return out
}

func sendCmd(bin string, env []string, db, smtpURL string) *exec.Cmd {
	cmd := exec.Command(bin, "send-notifications", "--smtp", smtpURL, "--from", "commerce@contoso.com", "--db", db, "--as", interactiveAdmin)
	cmd.Env = env
	return cmd
}

// countIDs counts each Message-ID the server received.
func countIDs(got []received) map[string]int {
	n := map[string]int{}
	for _, m := range got {
		n[m.MessageID]++
	}
	return n
}

// Two runs at once share the outbox: each notification is sent once.
func TestSendConcurrently(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := commercectlBin(t)
	forEachEngine(t, func(t *testing.T, newDB func(dir, name string) string) {
		dir := t.TempDir()
		env := interactiveEnv(dir)
		db := newDB(dir, "tenant.db")
		seedOutbox(t, bin, env, dir, db)
		srv := startFakeSMTP(t)
		srv.delay = 3 * time.Millisecond // about a second each alone: the runs overlap
		a, b := sendCmd(bin, env, db, srv.url()), sendCmd(bin, env, db, srv.url())
		var aErr, bErr, aOut, bOut strings.Builder
		a.Stderr, b.Stderr = &aErr, &bErr
		a.Stdout, b.Stdout = &aOut, &bOut
		if err := a.Start(); err != nil {
			t.Fatal(err)
		}
		if err := b.Start(); err != nil {
			t.Fatal(err)
		}
		if err := a.Wait(); err != nil {
			t.Errorf("first run: %v\n%s", err, aErr.String())
		}
		if err := b.Wait(); err != nil {
			t.Errorf("second run: %v\n%s", err, bErr.String())
		}
		got := srv.messages()
		ids := countIDs(got)
		dups := 0
		for id, n := range ids {
			if n > 1 {
				dups++
				t.Errorf("%s was sent %d times", id, n)
			}
		}
		if len(got) != outboxSize || len(ids) != outboxSize {
			t.Errorf("the server received %d messages, %d Message-IDs; want %d", len(got), len(ids), outboxSize)
		}
		for _, n := range outbox(t, bin, env, db) {
			if n.Status != "sent" || ids[n.MessageID] != 1 {
				t.Errorf("notification %d: %s, its Message-ID %s received %d times", n.ID, n.Status, n.MessageID, ids[n.MessageID])
			}
		}
		sentBy := func(s string) string {
			for _, l := range strings.Split(s, "\n") {
				if strings.HasPrefix(l, "Sent:") {
					return strings.TrimSpace(strings.TrimPrefix(l, "Sent:"))
				}
			}
			return "?"
		}
		t.Logf("two runs at once: %d notifications, %d messages received (%s by one run, %s by the other), %d duplicates",
			outboxSize, len(got), sentBy(aOut.String()), sentBy(bOut.String()), dups)
	})
}

// A run killed (SIGKILL) in mid-send loses nothing: once its claims lapse,
// the next run sends the rest, and at most the one message in flight goes
// twice, with the same Message-ID.
func TestSendKilled(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := commercectlBin(t)
	forEachEngine(t, func(t *testing.T, newDB func(dir, name string) string) {
		dir := t.TempDir()
		env := interactiveEnv(dir)
		db := newDB(dir, "tenant.db")
		seedOutbox(t, bin, env, dir, db)
		for _, at := range []int{1, outboxSize / 3, outboxSize * 9 / 10} {
			t.Run(fmt.Sprintf("after-%d", at), func(t *testing.T) { killedAt(t, bin, env, newDB(dir, fmt.Sprintf("killed-%d.db", at)), dir, at) })
		}
	})
}

// killedAt kills a run once the server has accepted at messages, then
// checks that the next run delivers everything, at most one twice.
func killedAt(t *testing.T, bin string, env []string, db, dir string, at int) {
	{
		seedOutbox(t, bin, env, dir, db)
		srv := startFakeSMTP(t)
		srv.delay = 3 * time.Millisecond
		first := sendCmd(bin, env, db, srv.url())
		if err := first.Start(); err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(30 * time.Second)
		for len(srv.messages()) < at && time.Now().Before(deadline) {
			time.Sleep(time.Millisecond)
		}
		if err := first.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		_ = first.Wait()
		atKill := len(srv.messages())
		if atKill >= outboxSize {
			t.Fatalf("the run had sent everything (%d) before the kill: it proves nothing", atKill)
		}
		// Eleven minutes on, the killed run's claims (a 10-minute lease)
		// have lapsed: the next run takes them over.
		later := append(env, "COMMERCECTL_NOW=2026-11-21T09:11:00Z")
		second := sendCmd(bin, later, db, srv.url())
		if out, err := second.CombinedOutput(); err != nil {
			t.Fatalf("the run after the kill: %v\n%s", err, out)
		}
		got := srv.messages()
		ids := countIDs(got)
		dups := 0
		for id, n := range ids {
			if n > 1 {
				dups += n - 1
				t.Logf("%s sent %d times (in flight at the kill)", id, n)
			}
		}
		var lost int
		for _, n := range outbox(t, bin, env, db) {
			if n.Status != "sent" || ids[n.MessageID] == 0 {
				lost++
				t.Errorf("notification %d: %s, received %d times", n.ID, n.Status, ids[n.MessageID])
			}
		}
		if dups > 1 {
			t.Errorf("%d messages were sent twice; at most the one in flight may be", dups)
		}
		if len(ids) != outboxSize {
			t.Errorf("%d Message-IDs received for %d notifications: a message sent again must keep its Message-ID", len(ids), outboxSize)
		}
		t.Logf("SIGKILL after %d of %d messages; the next run sent the rest: %d received, %d duplicate(s), %d lost",
			atKill, outboxSize, len(got), dups, lost)
	}
}

// Faults all along: the server answers 451 to every seventh recipient, and
// runs go on (each a backoff later) until nothing is pending. Every
// notification arrives exactly once.
func TestSendThroughFaults(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := commercectlBin(t)
	forEachEngine(t, func(t *testing.T, newDB func(dir, name string) string) {
		dir := t.TempDir()
		env := interactiveEnv(dir)
		db := newDB(dir, "tenant.db")
		seedOutbox(t, bin, env, dir, db)
		srv := startFakeSMTP(t)
		srv.tempEvery = 7
		now := time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC)
		runs := 0
		for ; runs < 20; runs++ {
			cmd := sendCmd(bin, append(env, "COMMERCECTL_NOW="+now.Format(time.RFC3339)), db, srv.url())
			out, err := cmd.CombinedOutput()
			var exit *exec.ExitError
			if err == nil {
				break
			}
			if !errors.As(err, &exit) || exit.ExitCode() != 1 {
				t.Fatalf("run %d: %v\n%s", runs+1, err, out)
			}
			now = now.Add(7 * time.Hour) // past the longest backoff
		}
		got := srv.messages()
		ids := countIDs(got)
		for id, n := range ids {
			if n != 1 {
				t.Errorf("%s received %d times", id, n)
			}
		}
		for _, n := range outbox(t, bin, env, db) {
			if n.Status != "sent" || ids[n.MessageID] != 1 {
				t.Errorf("notification %d: %s, received %d times", n.ID, n.Status, ids[n.MessageID])
			}
		}
		srv.mu.Lock()
		faults := srv.faults
		srv.mu.Unlock()
		t.Logf("451 to every 7th recipient: %d notifications, %d faults injected, %d runs, %d messages received, 0 duplicates, 0 lost",
			outboxSize, faults, runs+1, len(got))
	})
}

// mailpitBin is the Mailpit the Makefile builds (MAILPIT), or none.
func mailpitBin(t *testing.T) string {
	t.Helper()
	bin := os.Getenv("MAILPIT")
	if bin == "" {
		bin = filepath.Join("bin", "mailpit")
	}
	if _, err := os.Stat(bin); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("no Mailpit at %s: make test builds it (go install github.com/axllent/mailpit)", bin)
		}
		t.Skipf("*** no Mailpit at %s: the test against a real SMTP server is SKIPPED (make test builds it) ***", bin)
	}
	abs, err := filepath.Abs(bin)
	if err != nil {
		t.Fatal(err)
	}
	return abs
}

func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// testCA writes a CA and a certificate for 127.0.0.1 signed by it; the
// binary trusts the CA through SSL_CERT_FILE, as it would a company's.
func testCA(t *testing.T, dir string) (caFile, certFile, keyFile string) {
	t.Helper()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	ca := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "commercectl test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign}
	caDER, err := x509.CreateCertificate(rand.Reader, ca, ca, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	leaf := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "127.0.0.1"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), IPAddresses: []net.IP{net.ParseIP("127.0.0.1")},
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	caCert, err := x509.ParseCertificate(caDER)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.CreateCertificate(rand.Reader, leaf, caCert, &key.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	write := func(name, typ string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: b}), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	return write("ca.pem", "CERTIFICATE", caDER), write("cert.pem", "CERTIFICATE", der), write("key.pem", "EC PRIVATE KEY", keyDER)
}

// Against a real SMTP server, Mailpit, over STARTTLS with AUTH: every
// message arrives once, to its user, with its subject, its body and its
// notification's Message-ID.
func TestSendThroughMailpit(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := commercectlBin(t)
	mailpit := mailpitBin(t)
	forEachEngine(t, func(t *testing.T, newDB func(dir, name string) string) {
		dir := t.TempDir()
		env := interactiveEnv(dir)
		db := newDB(dir, "tenant.db")
		seedOutbox(t, bin, env, dir, db)
		caFile, certFile, keyFile := testCA(t, dir)
		api, smtpAddr := freePort(t), freePort(t)
		mp := exec.Command(mailpit, "--listen", api, "--smtp", smtpAddr, "--smtp-tls-cert", certFile, "--smtp-tls-key", keyFile,
			"--smtp-require-starttls", "--smtp-auth-accept-any", "--database", filepath.Join(dir, "mailpit.db"), "--quiet", "--disable-version-check")
		mp.Stdout, mp.Stderr = os.Stderr, os.Stderr
		if err := mp.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = mp.Process.Kill(); _ = mp.Wait() })
		for i := 0; ; i++ {
			if c, err := net.Dial("tcp", smtpAddr); err == nil {
				c.Close()
				break
			}
			if i == 200 {
				t.Fatal("Mailpit did not start")
			}
			time.Sleep(25 * time.Millisecond)
		}
		// A certificate that does not verify: no fallback to a clear
		// connection, nothing claimed.
		untrusted := sendCmd(bin, env, db, "smtp://relay:S3cret-relay@"+smtpAddr)
		if out, err := untrusted.CombinedOutput(); err == nil || !strings.Contains(string(out), "cannot send through the SMTP server") {
			t.Fatalf("STARTTLS with a certificate nobody trusts: %v\n%s", err, out)
		}
		for _, n := range outbox(t, bin, env, db) {
			if n.Status != "pending" || n.Attempts != 0 {
				t.Fatalf("after a refused STARTTLS, notification %d is %s after %d attempt(s)", n.ID, n.Status, n.Attempts)
			}
		}
		send := sendCmd(bin, append(env, "SSL_CERT_FILE="+caFile), db, "smtp://relay:S3cret-relay@"+smtpAddr)
		out, err := send.CombinedOutput()
		if err != nil {
			t.Fatalf("send-notifications through Mailpit: %v\n%s", err, out)
		}
		if strings.Contains(string(out), "S3cret-relay") {
			t.Errorf("the password shows in the output:\n%s", out)
		}

		var list struct {
			Total    int `json:"total"`
			Messages []struct {
				ID        string `json:"ID"`
				MessageID string `json:"MessageID"`
				Subject   string `json:"Subject"`
				To        []struct {
					Address string `json:"Address"`
				} `json:"To"`
			} `json:"messages"`
		}
		getJSON(t, "http://"+api+"/api/v1/messages?limit=1000", &list)
		want := map[string]outboxEntry{}
		for _, n := range outbox(t, bin, env, db) {
			if n.Status != "sent" || n.Attempts != 1 {
				t.Errorf("notification %d: %s after %d attempt(s)", n.ID, n.Status, n.Attempts)
			}
			want[strings.Trim(n.MessageID, "<>")] = n
		}
		if list.Total != outboxSize || len(list.Messages) != outboxSize {
			t.Fatalf("Mailpit holds %d messages (listed %d), want %d", list.Total, len(list.Messages), outboxSize)
		}
		seen := map[string]bool{}
		for i, m := range list.Messages {
			n, ok := want[m.MessageID]
			switch {
			case !ok:
				t.Errorf("Mailpit got Message-ID %q, of no notification", m.MessageID)
				continue
			case seen[m.MessageID]:
				t.Errorf("Mailpit got %q twice", m.MessageID)
			}
			seen[m.MessageID] = true
			if len(m.To) != 1 || !strings.EqualFold(m.To[0].Address, n.To) || m.Subject != n.Subject {
				t.Errorf("message %s: to %v, subject %q; want %s, %q", m.MessageID, m.To, m.Subject, n.To, n.Subject)
			}
			if i < 5 { // the bodies of a few, in full
				var full struct {
					Text string `json:"Text"`
				}
				getJSON(t, "http://"+api+"/api/v1/message/"+m.ID, &full)
				if strings.TrimSpace(full.Text) != n.Body {
					t.Errorf("message %s: body %q, want %q", m.MessageID, full.Text, n.Body)
				}
			}
		}
		t.Logf("Mailpit over STARTTLS with AUTH: %d messages, each once, to its user with its subject and Message-ID", len(seen))
	})
}

func getJSON(t *testing.T, url string, v any) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s", url, resp.Status)
	}
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
}

// A run in a terminal shows its progress, ending with the messages it
// sent; on a pipe, none of it.
func TestSendProgress(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := commercectlBin(t)
	dir := t.TempDir()
	env := interactiveEnv(dir)
	db := filepath.Join(dir, "tenant.db")
	seedOutbox(t, bin, env, dir, db)
	srv := startFakeSMTP(t)
	srv.delay = 2 * time.Millisecond // the line shows after a quarter of a second
	term := inTerminal(t, sendCmd(bin, env, db, srv.url()))
	term.expect("/302, ") // the line with the total
	term.expect("Sending notifications: 302 messages in")
	term.wait("the sending")

	run(t, bin, env, "new-request", "--product", "CFQ7TTC0HDB0", "--db", db, "--as", "alex.wilber@contoso.com")
	piped := sendCmd(bin, env, db, srv.url())
	var stdout, stderr strings.Builder
	piped.Stdout, piped.Stderr = &stdout, &stderr
	if err := piped.Run(); err != nil {
		t.Fatalf("send-notifications on a pipe: %v: %s", err, stderr.String())
	}
	if stderr.Len() != 0 || strings.Contains(stdout.String(), "Sending") {
		t.Errorf("progress on a pipe:\nstdout %q\nstderr %q", stdout.String(), stderr.String())
	}
}

// smtps:// is implicit TLS: the server's certificate must verify (here
// through SSL_CERT_FILE); one that does not is refused before anything is
// claimed, and the outbox stays as it was.
func TestSendImplicitTLS(t *testing.T) {
	bin, env, db := demoTenant(t)
	run(t, bin, env, "new-request", "--product", "CFQ7TTC0HDB0", "--db", db, "--as", "alex.wilber@contoso.com")
	caFile, certFile, keyFile := testCA(t, filepath.Dir(db))
	srv := startFakeSMTPS(t, certFile, keyFile)
	url := "smtps://relay:S3cret-relay@" + srv.addr

	untrusted := sendCmd(bin, env, db, url)
	out, err := untrusted.CombinedOutput()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 1 || !strings.Contains(string(out), "cannot send through the SMTP server at "+srv.addr) {
		t.Fatalf("a certificate nobody trusts: %v\n%s", err, out)
	}
	if strings.Contains(string(out), "S3cret-relay") {
		t.Errorf("the password shows:\n%s", out)
	}
	if n := outbox(t, bin, env, db); len(n) != 1 || n[0].Status != "pending" || n[0].Attempts != 0 {
		t.Fatalf("after a refused connection the outbox changed: %+v", n)
	}

	trusted := sendCmd(bin, append(env, "SSL_CERT_FILE="+caFile), db, "smtps://"+srv.addr)
	if out, err := trusted.CombinedOutput(); err != nil {
		t.Fatalf("smtps:// with the CA trusted: %v\n%s", err, out)
	}
	if got := srv.messages(); len(got) != 1 || got[0].To != interactiveAdmin {
		t.Fatalf("the server received %+v", got)
	}
}
