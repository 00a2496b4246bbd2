//go:build !windows

package main

import (
	"bytes"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// copy-tenant shows its progress in a terminal, ending with the rows it
// copied, and nothing of it on a pipe (SPEC §11, issue 11).
func TestCopyTenantProgress(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := commercectlBin(t)
	forEachEngine(t, func(t *testing.T, newDB func(dir, name string) string) {
		dir := t.TempDir()
		env := interactiveEnv(dir)
		src := filepath.Join(dir, "source.db")
		run(t, bin, env, "init", "--tenant", "Contoso", "--admin", interactiveAdmin, "--demo", "--db", src)

		cmd := exec.Command(bin, "copy-tenant", "--db", src, "--to", newDB(dir, "terminal.db"), "--as", interactiveAdmin)
		cmd.Env = env
		term := inTerminal(t, cmd)
		term.expect("Copying the tenant: 183 rows in")
		term.wait("the copy")

		var stdout, stderr bytes.Buffer
		cmd = exec.Command(bin, "copy-tenant", "--db", src, "--to", newDB(dir, "pipe.db"), "--as", interactiveAdmin)
		cmd.Env, cmd.Stdout, cmd.Stderr = env, &stdout, &stderr
		if err := cmd.Run(); err != nil {
			t.Fatalf("copy-tenant on a pipe: %v: %s", err, stderr.String())
		}
		if stderr.Len() != 0 || strings.Contains(stdout.String(), "Copying") {
			t.Errorf("progress on a pipe:\nstdout %q\nstderr %q", stdout.String(), stderr.String())
		}
		if !strings.Contains(stdout.String(), "Rows:") {
			t.Errorf("no summary on stdout: %q", stdout.String())
		}
	})
}
