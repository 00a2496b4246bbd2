package cmdutil_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/commercectl/commercectl/cmd/cmdutil"
	"github.com/commercectl/commercectl/internal/clitest"
	"github.com/commercectl/commercectl/output"
)

// Above a picker the choices left out are named with their reason, up to
// 8; of hundreds (a catalog with most products blocked) the first three
// and a count, so that the list to pick from stays in view.
func TestNotOfferedStaysShort(t *testing.T) {
	for _, c := range []struct{ off, lines int }{{2, 3}, {8, 9}, {9, 5}, {405, 5}} {
		choices := []cmdutil.Choice{{Value: "ok", Label: "OK  the one that works"}}
		for i := range c.off {
			choices = append(choices, cmdutil.Choice{Value: fmt.Sprint(i), Label: fmt.Sprintf("P%03d  Product %d", i, i), Why: "blocked", Fix: "ask an admin"})
		}
		pr := &output.FakePrompter{Answers: []output.FakeAnswer{{Match: "Which product?", Options: []string{"OK"}}}}
		f, _, stderr := clitest.Factory(t, "", "admin@contoso.com", true, pr)
		got, err := cmdutil.Choose(f, "Which product?", choices)
		if err != nil || got != "ok" {
			t.Fatalf("%d left out: picked %q, %v", c.off, got, err)
		}
		lines := strings.Split(strings.TrimSuffix(stderr.String(), "\n"), "\n")
		if len(lines) != c.lines || !strings.HasPrefix(lines[1], "  P000  Product 0: blocked (ask an admin)") {
			t.Errorf("%d left out: %d lines above the list, want %d:\n%s", c.off, len(lines), c.lines, stderr)
		}
		if more := fmt.Sprintf("  and %d more", c.off-3); c.off > 8 && lines[len(lines)-1] != more {
			t.Errorf("%d left out: the last line is %q, want %q", c.off, lines[len(lines)-1], more)
		}
	}
}
