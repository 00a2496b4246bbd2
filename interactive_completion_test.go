//go:build !windows

package main

import (
	"fmt"
	"os"
	"os/exec"
	"testing"
)

// Completion as people use it: bash (with the bash-completion package) and
// zsh in a real terminal complete subscription ids, request ids and UPNs
// from the tenant (issue 15). make test installs zsh and bash-completion.
func TestCompletionInShells(t *testing.T) {
	bin, env, db := demoTenant(t)
	env = withBinOnPath(env, bin)
	env = append(env, "COMMERCECTL_DB="+db, "PS1=$ ", "PROMPT=$ ")

	shells := []struct {
		name, path string
		args       []string
		setup      string
		need       string
	}{
		{"bash", "bash", []string{"--norc", "--noprofile", "-i"},
			"source /usr/share/bash-completion/bash_completion; source <(commercectl completion bash)", "/usr/share/bash-completion/bash_completion"},
		{"zsh", "zsh", []string{"-f", "-i"},
			"autoload -U compinit; compinit -u; source <(commercectl completion zsh)", ""},
	}
	for _, sh := range shells {
		t.Run(sh.name, func(t *testing.T) {
			_, err := exec.LookPath(sh.path)
			if err == nil && sh.need != "" {
				_, err = os.Stat(sh.need)
			}
			if err != nil {
				if os.Getenv("CI") == "true" {
					t.Fatalf("%s: %v (make test installs zsh and bash-completion)", sh.name, err)
				}
				t.Skipf("*** no %s here: SKIPPED (make test installs it) ***", sh.name)
			}
			cmd := exec.Command(sh.path, sh.args...)
			cmd.Env = env
			term := inTerminal(t, cmd)
			// ready waits until the shell has run all it was sent: the
			// marker shows whole only as echo's output.
			step := 0
			ready := func() {
				step++
				term.send(fmt.Sprintf("echo RE''ADY%d\r", step))
				term.expect(fmt.Sprintf("READY%d\r\n", step))
			}
			term.send(sh.setup + "\r")
			ready()
			// One candidate: the UPN is completed on the line.
			term.send("commercectl set-role patti\t")
			term.expect("fernandez@contoso.com")
			term.send("\x15") // the line is thrown away
			ready()
			// Several: the subscription ids are listed.
			term.send("commercectl get-subscription SUB-0000\t\t")
			term.expect("SUB-00009") // the last, whatever the shell's columns
			term.expect("trial")     // with descriptions
			term.send("\x15")        // the line is thrown away
			ready()
			// A UPN of a flag; zsh completes the last of a list too (bash
			// splits words at "@", its COMP_WORDBREAKS, so there only the
			// first item completes).
			line := "commercectl approve-request 3 --exclude lynne\t"
			if sh.name == "zsh" {
				line = "commercectl approve-request 3 --exclude joni.sherman@contoso.com,lynne\t"
			}
			term.send(line)
			term.expect("robbins@contoso.com")
			term.send("\x15") // the line is thrown away
			ready()
			term.send("exit\r")
			term.wait("the shell")
		})
	}
}
