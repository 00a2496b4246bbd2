//go:build !windows

package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	expect "github.com/Netflix/go-expect"
	"github.com/creack/pty"
	"github.com/hinshun/vt10x"
)

const (
	keyDown  = "\x1b[B"
	keyEnter = "\r"
	keySpace = " "

	interactiveAdmin = "admin@contoso.com"
	interactiveWait  = 10 * time.Second
)

// TestInteractive drives the real binary in a pseudo-terminal: the policy
// picker of get-product-policies -o interactive, keys and all, as a person
// uses it; and the same command without a terminal.
func TestInteractive(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	dir := t.TempDir()
	bin := commercectlBin(t)
	env := interactiveEnv(dir)
	db := filepath.Join(dir, "tenant.db")
	run(t, bin, env, "init", "--tenant", "Contoso", "--admin", interactiveAdmin, "--demo", "--db", db)

	t.Run("picker", func(t *testing.T) { testPicker(t, bin, env, db) })
	t.Run("no terminal", func(t *testing.T) { testNoTerminal(t, bin, env, db) })
}

type productPolicy struct {
	PolicyID    string `json:"policyId"`
	ProductID   string `json:"productId"`
	ProductName string `json:"productName"`
	PolicyValue string `json:"policyValue"`
}

func testPicker(t *testing.T, bin string, env []string, db string) {
	// The picker lists products in the order get-product-policies does.
	var before []productPolicy
	decode(t, run(t, bin, env, "get-product-policies", "AllowSelfServicePurchase", "-o", "json", "--db", db, "--as", interactiveAdmin), &before)
	if len(before) < 2 {
		t.Fatalf("the demo tenant lists %d products", len(before))
	}
	// Arrow down to the second product and pick it with space.
	target, untouched := before[1], before[0]
	// The value prompt starts on Enabled; Disabled is one down.
	valueKeys, want := keyEnter, "Enabled"
	if target.PolicyValue == "Enabled" {
		valueKeys, want = keyDown+keyEnter, "Disabled"
	}

	cmd := exec.Command(bin, "get-product-policies", "AllowSelfServicePurchase", "-o", "interactive", "--db", db, "--as", interactiveAdmin)
	cmd.Env = env
	term := inTerminal(t, cmd)
	expectOn, send := term.expect, term.send

	expectOn("Which products?")
	expectOn(target.ProductName) // the list is drawn
	send(keyDown + keySpace + keyEnter)
	expectOn("Set AllowSelfServicePurchase to")
	expectOn("Disabled") // the values are drawn
	send(valueKeys)
	expectOn(target.ProductID + "  " + target.ProductName + ": " + target.PolicyValue + " → " + want)
	expectOn("Apply 1 change(s)?")
	send("y" + keyEnter)
	expectOn("Applied 1 change(s)")

	rest := term.wait("the change")
	if !strings.Contains(rest, "changed from "+target.PolicyValue) {
		t.Errorf("the result table does not show the change:\n%s", rest)
	}

	var after productPolicy
	decode(t, run(t, bin, env, "get-product-policy", "AllowSelfServicePurchase", "--product", target.ProductID, "-o", "json", "--db", db, "--as", interactiveAdmin), &after)
	if after.ProductID != target.ProductID || after.PolicyValue != want {
		t.Errorf("after the picker %s is %s, want %s", target.ProductID, after.PolicyValue, want)
	}
	var other productPolicy
	decode(t, run(t, bin, env, "get-product-policy", "AllowSelfServicePurchase", "--product", untouched.ProductID, "-o", "json", "--db", db, "--as", interactiveAdmin), &other)
	if other.PolicyValue != untouched.PolicyValue {
		t.Errorf("%s was not picked but changed from %s to %s", untouched.ProductID, untouched.PolicyValue, other.PolicyValue)
	}
}

func testNoTerminal(t *testing.T, bin string, env []string, db string) {
	cmd := exec.Command(bin, "get-product-policies", "AllowSelfServicePurchase", "-o", "interactive", "--db", db, "--as", interactiveAdmin)
	cmd.Env = env
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr // stdin is /dev/null
	err := cmd.Run()
	var exitErr *exec.ExitError
	if !errors.As(err, &exitErr) || exitErr.ExitCode() != 2 {
		t.Fatalf("-o interactive without a terminal: %v, want exit 2\nstderr: %s", err, stderr.String())
	}
	if !strings.Contains(stderr.String(), "terminal") {
		t.Errorf("stderr does not say a terminal is needed: %q", stderr.String())
	}
	if stdout.Len() != 0 {
		t.Errorf("stdout is not empty: %q", stdout.String())
	}
}

// newConsole opens a pseudo-terminal with a VT100 emulator behind it, which
// answers the cursor position queries survey sends.
func newConsole(t *testing.T) (*expect.Console, vt10x.Terminal) {
	t.Helper()
	return newConsoleOf(t, 120)
}

// newConsoleOf is a pseudo-terminal cols wide, 40 lines high.
func newConsoleOf(t *testing.T, cols int) (*expect.Console, vt10x.Terminal) {
	t.Helper()
	// Replies of the emulator go to the program's stdin through this pipe.
	replies, replyWriter := io.Pipe()
	term := vt10x.New(vt10x.WithWriter(replyWriter), vt10x.WithSize(cols, 40))
	c, err := expect.NewConsole(expect.WithStdin(replies), expect.WithStdout(term), expect.WithDefaultTimeout(interactiveWait))
	if err != nil {
		t.Skipf("cannot open a pseudo-terminal: %v", err)
	}
	t.Cleanup(func() {
		replyWriter.Close()
		c.Close()
	})
	if err := pty.Setsize(c.Tty(), &pty.Winsize{Cols: uint16(cols), Rows: 40}); err != nil {
		t.Fatal(err)
	}
	return c, term
}

// interactiveEnv keeps the person's config, tenant and identity out of the test.
// terminal is a command running on a pseudo-terminal of its own, stdin,
// stdout and stderr alike.
type terminal struct {
	t      *testing.T
	c      *expect.Console
	screen vt10x.Terminal
	cmd    *exec.Cmd
	exited chan error
}

// inTerminal starts cmd on a new pseudo-terminal; it is killed when the
// test ends.
func inTerminal(t *testing.T, cmd *exec.Cmd) *terminal {
	t.Helper()
	return inTerminalOf(t, cmd, 120)
}

// inTerminalOf is inTerminal on a terminal cols wide.
func inTerminalOf(t *testing.T, cmd *exec.Cmd, cols int) *terminal {
	t.Helper()
	c, screen := newConsoleOf(t, cols)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = c.Tty(), c.Tty(), c.Tty()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	term := &terminal{t: t, c: c, screen: screen, cmd: cmd, exited: make(chan error, 1)}
	go func() { term.exited <- cmd.Wait() }()
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	return term
}

// expect waits until the screen shows s.
func (term *terminal) expect(s string) {
	term.t.Helper()
	if _, err := term.c.ExpectString(s); err != nil {
		term.cmd.Process.Kill()
		term.t.Fatalf("waiting for %q: %v\nscreen:\n%s", s, err, term.screen)
	}
}

// send types keys.
func (term *terminal) send(keys string) {
	term.t.Helper()
	if _, err := term.c.Send(keys); err != nil {
		term.t.Fatalf("sending %q: %v", keys, err)
	}
}

// wait waits for the command to exit 0 after what it was doing, and
// returns what it printed after the last expect.
func (term *terminal) wait(after string) string {
	term.t.Helper()
	select {
	case err := <-term.exited:
		if err != nil {
			term.t.Fatalf("commercectl: %v\nscreen:\n%s", err, term.screen)
		}
	case <-time.After(interactiveWait):
		term.cmd.Process.Kill()
		term.t.Fatalf("commercectl did not exit after %s\nscreen:\n%s", after, term.screen)
	}
	term.c.Tty().Close()
	rest, _ := term.c.ExpectEOF()
	return rest
}

// demoTenant builds commercectl and makes a demo tenant in a directory of
// its own: how most terminal tests start. It skips under -short.
func demoTenant(t *testing.T) (bin string, env []string, db string) {
	t.Helper()
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin = commercectlBin(t)
	dir := t.TempDir()
	env = interactiveEnv(dir)
	db = filepath.Join(dir, "tenant.db")
	run(t, bin, env, "init", "--tenant", "Contoso", "--admin", interactiveAdmin, "--demo", "--db", db)
	return bin, env, db
}

// withBinOnPath puts the directory of bin first on env's PATH, so that a
// shell finds it as "commercectl".
func withBinOnPath(env []string, bin string) []string {
	for i, kv := range env {
		if strings.HasPrefix(kv, "PATH=") {
			env[i] = "PATH=" + filepath.Dir(bin) + ":" + kv[len("PATH="):]
		}
	}
	return env
}

func interactiveEnv(dir string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "COMMERCECTL_") && !strings.HasPrefix(kv, "XDG_") &&
			!strings.HasPrefix(kv, "HOME=") && !strings.HasPrefix(kv, "NO_COLOR=") && !strings.HasPrefix(kv, "TERM=") {
			env = append(env, kv)
		}
	}
	return append(env,
		"HOME="+dir,
		"XDG_CONFIG_HOME="+filepath.Join(dir, ".config"),
		"XDG_DATA_HOME="+filepath.Join(dir, ".local", "share"),
		"COMMERCECTL_NOW=2026-11-21T09:00:00Z",
		"NO_COLOR=1",
		"TERM=xterm",
	)
}

// run runs commercectl without a terminal and returns its stdout.
func run(t *testing.T, bin string, env []string, args ...string) []byte {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = env
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("commercectl %s: %v\nstderr: %s", strings.Join(args, " "), err, stderr.String())
	}
	return stdout.Bytes()
}

func decode(t *testing.T, b []byte, v any) {
	t.Helper()
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, b)
	}
}
