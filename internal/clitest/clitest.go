// Package clitest is what the verbs' tests share: a demo tenant at a fixed
// time, and a Factory on buffers that no config file or environment of the
// person running the tests gets into.
package clitest

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/commercectl/commercectl/cmd/cmdutil"
	"github.com/commercectl/commercectl/output"
	"github.com/commercectl/commercectl/store"
	"github.com/commercectl/commercectl/store/sqlstore"
)

// Admin is the first GlobalAdmin of the tenants made here; NowText is "now".
const (
	Admin   = "admin@contoso.com"
	NowText = "2026-11-21T09:00:00Z"
)

// Now is NowText as a time.
func Now() time.Time {
	t, _ := time.Parse(time.RFC3339, NowText)
	return t
}

// DemoTenant creates the demo tenant (store/sqlite/demo.go) in a temporary file.
func DemoTenant(t testing.TB) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "tenant.db")
	if _, err := sqlstore.Init(store.WithNow(context.Background(), Now()), path,
		store.InitOptions{Tenant: "Contoso", Admin: Admin, Demo: true}, false); err != nil {
		t.Fatal(err)
	}
	return path
}

// Factory is a Factory on buffers, on the tenant at path as the user as,
// whose streams are a terminal when tty is true, with the prompter pr
// (when not nil). It returns stdout and stderr.
func Factory(t testing.TB, path, as string, tty bool, pr output.Prompter) (*cmdutil.Factory, *bytes.Buffer, *bytes.Buffer) {
	t.Helper()
	ios, _, stdout, stderr := output.Test()
	ios.SetTTY(tty, tty, tty)
	f := cmdutil.New(ios)
	env := map[string]string{"XDG_CONFIG_HOME": t.TempDir(), "XDG_DATA_HOME": t.TempDir(), "COMMERCECTL_NOW": NowText}
	f.Getenv = func(k string) string { return env[k] }
	f.Flags.DB, f.Flags.As = path, as
	if pr != nil {
		f.SetPrompter(pr)
	}
	t.Cleanup(f.Close)
	return f, stdout, stderr
}

// Offered returns the options of the prompt whose message starts with
// prefix, failing the test when no such prompt was asked.
func Offered(t testing.TB, pr *output.FakePrompter, prefix string) []string {
	t.Helper()
	for m, o := range pr.Offered {
		if strings.HasPrefix(m, prefix) {
			return o
		}
	}
	t.Fatalf("no prompt %q was asked (asked %q)", prefix, pr.Asked)
	return nil
}

// AllAnswered fails the test when a scripted answer was not used.
func AllAnswered(t testing.TB, pr *output.FakePrompter) {
	t.Helper()
	if len(pr.Answers) != 0 {
		t.Errorf("prompts not asked: %+v (asked %q)", pr.Answers, pr.Asked)
	}
}
