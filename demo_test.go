//go:build !windows

package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// make demo's tour on a pipe: no escape codes, every command echoed as it
// can be pasted (the binary's real path first), and the next step it ends
// with runs as printed.
func TestDemoTour(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := commercectlBin(t)
	dir := t.TempDir()
	db := filepath.Join(dir, "tenant.db")
	env := interactiveEnv(dir) // no COMMERCECTL_*, no NO_COLOR
	cmd := exec.Command("bash", "scripts/demo.sh", bin, db)
	cmd.Env = env
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("demo: %v\n%s", err, out)
	}
	if strings.Contains(string(out), "\x1b") {
		t.Errorf("escape codes on a pipe:\n%q", out)
	}
	lines := strings.Split(strings.TrimRight(string(out), "\n"), "\n")
	steps := 0
	for _, l := range lines {
		if strings.HasPrefix(l, "$ ") {
			steps++
			if !strings.HasPrefix(l, "$ "+bin+" ") {
				t.Errorf("a step that does not paste: %q", l)
			}
		}
	}
	if steps < 20 {
		t.Errorf("%d steps echoed", steps)
	}
	next := strings.TrimSpace(lines[len(lines)-1])
	if !strings.HasPrefix(next, bin+" ") {
		t.Fatalf("the last line is not a command: %q", next)
	}
	run := exec.Command("bash", "-c", next)
	run.Env = env
	got, err := run.CombinedOutput()
	if err != nil || !strings.Contains(string(got), "SUB-00001") {
		t.Errorf("the next step %q: %v\n%s", next, err, got)
	}
	if _, err := os.Stat(db); err != nil {
		t.Error(err)
	}
}
