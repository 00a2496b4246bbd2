package subscription

import (
	"strings"
	"testing"

	"github.com/commercectl/commercectl/internal/clitest"
)

// In an 80-column terminal list-subscriptions leaves out what does not
// fit, and says which columns only to a person: with stderr captured by a
// script (not a terminal), the table is the same and stderr stays empty.
func TestLeftOutColumnsAreSaidOnlyToATerminal(t *testing.T) {
	path := newDemoTenant(t)
	for _, stderrTTY := range []bool{true, false} {
		f, stdout, stderr := clitest.Factory(t, path, testAdmin, true, nil)
		f.IOStreams.SetTTY(false, true, stderrTTY)
		getenv := f.Getenv
		f.Getenv = func(k string) string {
			if k == "COLUMNS" {
				return "80"
			}
			return getenv(k)
		}
		cmd := NewCmdListSubscriptions(f, nil)
		cmd.SetArgs(nil)
		if err := cmd.Execute(); err != nil {
			t.Fatal(err)
		}
		head, _, _ := strings.Cut(stdout.String(), "\n")
		if head != "ID         PRODUCT       PURCHASER     QUANTITY  ASSIGNED  MONTHLY COST  STATUS" {
			t.Errorf("stderr a terminal %v: the header is %q", stderrTTY, head)
		}
		want := map[bool]string{true: "(no room for KIND, AVAILABLE, EXPIRES; -o json has them)\n", false: ""}[stderrTTY]
		if stderr.String() != want {
			t.Errorf("stderr a terminal %v: stderr %q, want %q", stderrTTY, stderr, want)
		}
	}
}
