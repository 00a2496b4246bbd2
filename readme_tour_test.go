//go:build !windows

package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// The README's tour runs as written (issue 15): every command of its
// "A tour" block, in order, on a fresh demo tenant in an empty directory
// (testdata/ beside it, as in a clone), exits 0. Lines with -o interactive
// need a terminal and are skipped here: the pty tests drive the pickers.
func TestReadmeTour(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := commercectlBin(t)
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, tour, ok := strings.Cut(string(readme), "\n## A tour\n")
	if !ok {
		t.Fatal("README.md has no \"## A tour\" section")
	}
	_, tour, _ = strings.Cut(tour, "```sh\n")
	tour, _, _ = strings.Cut(tour, "\n```")
	var lines []string
	for _, l := range strings.Split(strings.ReplaceAll(tour, "\\\n", " "), "\n") {
		l = strings.TrimSpace(l)
		if l == "" || strings.HasPrefix(l, "#") || strings.Contains(l, "-o interactive") || strings.HasPrefix(l, "source <(") {
			continue
		}
		lines = append(lines, l)
	}
	if len(lines) < 50 {
		t.Fatalf("only %d commands in the tour", len(lines))
	}
	dir := t.TempDir()
	testdata, err := filepath.Abs("testdata")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(testdata, filepath.Join(dir, "testdata")); err != nil {
		t.Fatal(err)
	}
	env := interactiveEnv(dir)
	env = withBinOnPath(env, bin)
	for n, l := range lines {
		cmd := exec.Command("bash", "-c", l)
		cmd.Dir, cmd.Env = dir, env
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("README tour, command %d of %d: %s\n%v\n%s", n+1, len(lines), l, err, out)
		}
	}
}
