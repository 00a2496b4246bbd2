package cmd

import (
	"slices"
	"testing"

	"github.com/commercectl/commercectl/cmd/cmdutil"
	"github.com/commercectl/commercectl/output"
)

// The registry builds each verb under the name it is found by: a name that
// drifted from its command's Use would build every verb, or the wrong one.
func TestVerbsAreNamedAsTheyBuild(t *testing.T) {
	ios, _, _, _ := output.Test()
	f := cmdutil.New(ios)
	seen := map[string]bool{}
	for _, vb := range verbs {
		c := vb.build(f)
		if c.Name() != vb.name {
			t.Errorf("verb %q builds a command named %q", vb.name, c.Name())
		}
		if seen[vb.name] {
			t.Errorf("verb %q is listed twice", vb.name)
		}
		seen[vb.name] = true
	}
}

func TestRootBuildsOnlyTheVerbItRuns(t *testing.T) {
	ios, _, _, _ := output.Test()
	names := func(args []string) []string {
		var out []string
		for _, c := range NewRootCmd(cmdutil.New(ios), args).Commands() {
			if c.Name() != "completion" && c.Name() != "help" {
				out = append(out, c.Name())
			}
		}
		return out
	}
	for _, args := range [][]string{
		{"get-product-policy", "--product", "CFQ7TTC0H9MP"},
		{"--db", "get-policies", "get-product-policy"},
		{"-o", "json", "--as", "a@contoso.com", "get-product-policy"},
		{"--dry-run", "get-product-policy", "-o", "json"},
	} {
		if got := names(args); !slices.Equal(got, []string{"get-product-policy"}) {
			t.Errorf("%q built %q, want only get-product-policy", args, got)
		}
	}
	// Help, completion and a mistyped verb need the whole tree.
	for _, args := range [][]string{{}, {"--help"}, {"help"}, {"completion", "bash"}, {"__complete", "get-"}, {"get-product-polcy"}} {
		if got := names(args); len(got) != len(verbs) {
			t.Errorf("%q built %d verbs, want all %d", args, len(got), len(verbs))
		}
	}
}
