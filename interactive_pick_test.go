//go:build !windows

package main

import (
	"errors"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"

	expect "github.com/Netflix/go-expect"
)

const keyEscape = "\x1b"

// exitCode waits for the command to end and returns its exit code.
func (term *terminal) exitCode() int {
	term.t.Helper()
	select {
	case err := <-term.exited:
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			return exit.ExitCode()
		}
		if err != nil {
			term.t.Fatalf("commercectl: %v", err)
		}
		return 0
	case <-time.After(interactiveWait):
		term.cmd.Process.Kill()
		term.t.Fatalf("commercectl did not exit\nscreen:\n%s", term.screen)
		return -1
	}
}

// escape presses Escape on a typed question until it says it was
// canceled: survey draws the question before it reads keys, and shows
// nothing when it starts to, so a key sent in between may be lost.
func (term *terminal) escape(question string) {
	term.t.Helper()
	for range 20 {
		term.send(keyEscape)
		if _, err := term.c.Expect(expect.String("? "+question+" canceled"), expect.WithTimeout(500*time.Millisecond)); err == nil {
			return
		}
	}
	term.cmd.Process.Kill()
	term.t.Fatalf("Escape did not cancel %q\nscreen:\n%s", question, term.screen)
}

// demoOnEachEngine runs fn on a demo tenant of each engine (the pickers below
// rehearse changes in the store, whose rules each engine enforces).
func demoOnEachEngine(t *testing.T, fn func(t *testing.T, bin string, env []string, db string)) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	forEachEngine(t, func(t *testing.T, newDB func(dir, name string) string) {
		bin := commercectlBin(t)
		dir := t.TempDir()
		env := interactiveEnv(dir)
		db := newDB(dir, "tenant.db")
		run(t, bin, env, "init", "--tenant", "Contoso", "--admin", interactiveAdmin, "--demo", "--db", db)
		fn(t, bin, env, db)
	})
}

// optionsOf is what the screen shows under question: its options, up to
// the first empty line.
func (term *terminal) optionsOf(question string) []string {
	lines := strings.Split(term.screen.String(), "\n")
	for i, l := range lines {
		if strings.Contains(l, "? "+question) {
			var options []string
			for _, o := range lines[i+1:] {
				if strings.TrimSpace(o) == "" {
					break
				}
				options = append(options, strings.TrimSpace(o))
			}
			return options
		}
	}
	term.t.Fatalf("no question %q on screen:\n%s", question, term.screen)
	return nil
}

// auditCount is how many changes the tenant has recorded.
func auditCount(t *testing.T, bin string, env []string, db string) string {
	t.Helper()
	return strings.TrimSpace(string(run(t, bin, env, "get-audit-log", "-o", "json", "--jq", "length", "--db", db, "--as", interactiveAdmin)))
}

// SPEC §2 for every verb (issue 15): in a terminal, a missing argument is
// asked for, picked from the tenant when it comes from there and typed
// otherwise. Escape leaves the question as Ctrl-C does: exit 2, the
// options drawn are gone, the question says it was canceled, the tenant
// is as it was.
func TestEveryVerbAsksForWhatIsMissing(t *testing.T) {
	bin, env, db := demoTenant(t)
	const alex = "alex.wilber@contoso.com"
	for _, tt := range []struct {
		args     []string
		as       string
		question string
		shown    string // an option the picker draws ("" for typed input)
	}{
		{[]string{"get-subscription"}, "", "Which subscription?", "SUB-00002  Visio Plan 2, central (3 of 5 assigned, 75.00 a month, Active)"},
		{[]string{"takeover-subscription", "--cancel", "--reason", "other"}, "", "Take over which subscription?", "SUB-00005  Power BI Pro, self-service, bought by alex.wilber@contoso.com"},
		{[]string{"cancel-subscription"}, alex, "Cancel which of your subscriptions?", "SUB-00005  Power BI Pro, self-service, bought by alex.wilber@contoso.com"},
		{[]string{"buy-licenses"}, "", "Which central subscription?", "SUB-00003  Microsoft 365 Copilot, central"},
		{[]string{"centralize", "--buy"}, "", "Centralize which product?", "CFQ7TTC0H9MP  Power BI Pro (6 self-service or trial license(s))"},
		{[]string{"add-subscription", "--quantity", "2"}, "", "Buy which product for the organization?", "CFQ7TTC0HD33  Visio Plan 1"},
		{[]string{"purchase", "--quantity", "1"}, alex, "Buy which product?", "CFQ7TTC0HD32  Visio Plan 2"},
		{[]string{"start-trial"}, alex, "Try which product?", "CFQ7TTC0HD33  Visio Plan 1"},
		{[]string{"new-request"}, alex, "Ask for which product?", "CFQ7TTC0HDB0  Project Plan 3"},
		{[]string{"get-request"}, "", "Which request?", "2  Power BI Premium, asked by johanna.lorenz@contoso.com"},
		{[]string{"deny-request"}, "", "Decline which request?", "1  Project Plan 3, asked by diego.siciliani@contoso.com"},
		{[]string{"approve-request"}, "", "Which request?", "3  Microsoft 365 Copilot, asked by joni.sherman@contoso.com"},
		{[]string{"resolve-conflicts", "--unassign-newest"}, "", "Which product?", "CFQ7TTC0HDB0  Project Plan 3: 2 assigned, 0 seats"},
		{[]string{"resolve-conflicts"}, "", "Which product?", "CFQ7TTC0HDB0  Project Plan 3: 2 assigned, 0 seats"},
		{[]string{"assign-license"}, "", "Assign licenses of which product? (from its central pool)", "CFQ7TTC0HD32  Visio Plan 2 (central: 3 of 5 assigned, 2 available)"},
		{[]string{"unassign-license", "--users", "megan.bowen@contoso.com"}, "", "Take licenses of which product away? (its central pool)", "CFQ7TTC0H9MP  Power BI Pro (central: 7 of 10 assigned, 3 available)"},
		{[]string{"get-product-policy"}, "", "Which product?", "CFQ7TTC0H9MP  Power BI Pro"},
		{[]string{"update-policy", "--value", "Disabled"}, "", "Which product?", "Power BI Pro"},
		{[]string{"set-role"}, "", "Give a role to whom?", "adele.vance@contoso.com  Adele Vance"},
		{[]string{"set-role", "--remove"}, "", "Take a role away from whom?", "megan.bowen@contoso.com  Megan Bowen"},
		{[]string{"add-user"}, "", "UPN of the new user?", ""},
		{[]string{"import-users"}, "", "Which CSV file?", ""},
		{[]string{"import-catalog"}, "", "Which CSV file (Microsoft's licensing catalog)?", ""},
		{[]string{"apply-policies"}, "", "Which policy file (YAML from export-policies)?", ""},
		{[]string{"diff-policies"}, "", "Which policy file (YAML from export-policies)?", ""},
		{[]string{"copy-tenant"}, "", "Copy the tenant into which empty database (a file, or a postgres:// URL)?", ""},
	} {
		name := strings.Join(tt.args, " ")
		t.Run(name, func(t *testing.T) {
			before := auditCount(t, bin, env, db)
			as := tt.as
			if as == "" {
				as = interactiveAdmin
			}
			cmd := exec.Command(bin, append(tt.args, "--db", db, "--as", as)...)
			cmd.Env = env
			term := inTerminal(t, cmd)
			term.expect(tt.question)
			if tt.shown != "" {
				// The options are drawn: the picker reads keys, one Escape leaves it.
				term.expect(tt.shown)
				term.send(keyEscape)
				term.expect("? " + tt.question + " canceled")
			} else {
				term.escape(tt.question)
			}
			if code := term.exitCode(); code != 2 {
				t.Errorf("Escape: exit %d, want 2\nscreen:\n%s", code, term.screen)
			}
			if tt.shown != "" && strings.Contains(term.screen.String(), tt.shown) {
				t.Errorf("the options stay on screen after Escape:\n%s", term.screen)
			}
			if after := auditCount(t, bin, env, db); after != before {
				t.Errorf("the tenant has %s audit entries after a canceled %s, %s before", after, name, before)
			}
		})
	}
}

// With nothing that can work, the picker is not shown: the verb fails as
// it would, exit 5, each reason listed (Visio Plan 1 has self-service
// seats only: nothing to assign from, no central license to take).
func TestNothingToPickFailsAsTheVerbWould(t *testing.T) {
	bin, env, db := demoTenant(t)
	cmd := exec.Command(bin, "list-licenses", "-o", "interactive", "--product", "CFQ7TTC0HD33", "--db", db, "--as", interactiveAdmin)
	cmd.Env = env
	term := inTerminal(t, cmd)
	term.expect("Assign licenses: no central subscription (buy some: commercectl add-subscription --product CFQ7TTC0HD33 --quantity N)")
	term.expect("Unassign licenses: nobody holds a central license of Visio Plan 1")
	term.expect("error: none of the 2 can be chosen now")
	if code := term.exitCode(); code != 5 {
		t.Errorf("exit %d, want 5", code)
	}
	if strings.Contains(term.screen.String(), "What do you want to do?") {
		t.Errorf("a question was asked with nothing to offer:\n%s", term.screen)
	}
}

// A question the verb would refuse whatever the answer is not asked:
// set-login on a file says at once that a file has no logins.
func TestRefusalComesBeforeTheQuestion(t *testing.T) {
	bin, env, db := demoTenant(t)
	cmd := exec.Command(bin, "set-login", "--db", db, "--as", interactiveAdmin)
	cmd.Env = env
	term := inTerminal(t, cmd)
	term.expect("is a SQLite file, which has no logins")
	if code := term.exitCode(); code != 2 {
		t.Errorf("set-login on a file: exit %d, want 2\nscreen:\n%s", code, term.screen)
	}
	if strings.Contains(term.screen.String(), "?") {
		t.Errorf("set-login on a file asked something:\n%s", term.screen)
	}
}

// Ctrl-C leaves a picker as Escape does: the options go, exit 2.
func TestCtrlCLeavesNoOptions(t *testing.T) {
	bin, env, db := demoTenant(t)
	cmd := exec.Command(bin, "get-request", "--db", db, "--as", interactiveAdmin)
	cmd.Env = env
	term := inTerminal(t, cmd)
	term.expect("2  Power BI Premium")
	// A key the picker answers first: it reads keys now, so Ctrl-C reaches
	// it as a key, not as a signal to a terminal not yet raw.
	term.send(keyDown)
	term.expect("> 1  Project Plan 3")
	term.send("\x03")
	term.expect("? Which request? canceled")
	if code := term.exitCode(); code != 2 {
		t.Errorf("Ctrl-C: exit %d, want 2", code)
	}
	if screen := term.screen.String(); strings.Contains(screen, "Power BI Premium") {
		t.Errorf("the options stay on screen after Ctrl-C:\n%s", screen)
	}
}

// A picked argument runs the verb as if it had been given: the second
// subscription of the list is shown.
func TestPickedArgumentRuns(t *testing.T) {
	bin, env, db := demoTenant(t)
	cmd := exec.Command(bin, "get-subscription", "--db", db, "--as", interactiveAdmin)
	cmd.Env = env
	term := inTerminal(t, cmd)
	term.expect("SUB-00002  Visio Plan 2")
	term.send(keyDown + keyEnter)
	term.expect("ID:")
	rest := term.wait("the subscription")
	if !strings.Contains(rest, "SUB-00002") || !strings.Contains(rest, "Visio Plan 2") {
		t.Errorf("get-subscription after picking SUB-00002 printed:\n%s", rest)
	}
}

// A verb that asked for its arguments shows the plan with its cost before
// it changes anything: "n" leaves the tenant, "y" buys.
func TestAskedVerbShowsItsCostFirst(t *testing.T) {
	demoOnEachEngine(t, testAskedVerbShowsItsCostFirst)
}

func testAskedVerbShowsItsCostFirst(t *testing.T, bin string, env []string, db string) {
	for _, answer := range []string{"n", "y"} {
		cmd := exec.Command(bin, "buy-licenses", "--db", db, "--as", interactiveAdmin)
		cmd.Env = env
		term := inTerminal(t, cmd)
		// The Expired Project Plan 3 subscription cannot be bought on: not
		// offered, with the reason and the way out.
		term.expect("Not offered now (why, and what to do first):")
		term.expect("SUB-00004  Project Plan 3, central (2 of 2 assigned, 0.00 a month, Expired): SUB-00004 is Expired: licenses can be bought only for an Active subscription (buy a new one: commercectl add-subscription --product CFQ7TTC0HDB0 --quantity 3)")
		term.expect("Which central subscription?")
		term.expect("SUB-00001  Power BI Pro")
		term.send(keyEnter)
		term.expect("How many licenses in all?")
		term.send("12" + keyEnter)
		term.expect("Set SUB-00001 (Power BI Pro) from 10 to 12 licenses: 140.00 → 168.00 a month?")
		term.send(answer + keyEnter)
		if answer == "n" {
			term.expect("canceled")
			if code := term.exitCode(); code != 2 {
				t.Errorf("answering no: exit %d, want 2", code)
			}
		} else {
			term.expect("SUB-00001: 10 → 12 licenses; new monthly cost 168.00 (was 140.00)")
			term.wait("the purchase")
		}
		got := strings.TrimSpace(string(run(t, bin, env, "get-subscription", "SUB-00001", "-o", "json", "--jq", ".quantity", "--db", db, "--as", interactiveAdmin)))
		if want := map[string]string{"n": "10", "y": "12"}[answer]; got != want {
			t.Errorf("after %q SUB-00001 has %s licenses, want %s", answer, got, want)
		}
	}
}

// Pickers offer only what can work (issue 15): the requested product
// without seats, "Buy" without a central subscription and "Assign" on a
// pool without a central seat are listed with the reason and the fix, not
// offered.
func TestPickersOfferOnlyWhatWorks(t *testing.T) {
	demoOnEachEngine(t, testPickersOfferOnlyWhatWorks)
}

func testPickersOfferOnlyWhatWorks(t *testing.T, bin string, env []string, db string) {
	for _, tt := range []struct {
		name     string
		args     []string
		keys     []string // pairs before the picker of interest: what is drawn, then the keys
		expect   []string
		question string // the picker of interest
		offers   string // the one choice left
		refused  string // a choice it must not offer
	}{
		{
			name: "approve-request, the requested product has no seat",
			args: []string{"approve-request"},
			keys: []string{"2  Power BI Premium, asked", keyDown + keyDown + keyEnter, "Decline", keyEnter, "enrico.cattaneo@contoso.com", keyEnter},
			expect: []string{"Not offered now (why, and what to do first):",
				"CFQ7TTC0H6RP  Power BI Premium (requested): not enough licenses in the central pool of Power BI Premium: 3 needed, 0 available, 3 missing (buy a subscription: commercectl add-subscription --product CFQ7TTC0H6RP --quantity 3)",
				"Assign which product?"},
			question: "Assign which product?",
			offers:   "CFQ7TTC0H9MP  Power BI Pro (3 available)",
			refused:  "CFQ7TTC0H6RP",
		},
		{
			name: "list-conflicts, no central subscription to buy on",
			args: []string{"list-conflicts", "-o", "interactive"},
			keys: []string{"CFQ7TTC0HDB0  Project Plan 3: 2 assigned", keyEnter},
			expect: []string{"Not offered now (why, and what to do first):",
				"Buy 2 more license(s): Project Plan 3 has no Active central subscription to buy licenses on (buy one: commercectl add-subscription --product CFQ7TTC0HDB0 --quantity 2)",
				"Resolve how?"},
			question: "Resolve how?",
			offers:   "Unassign licenses",
			refused:  "Buy",
		},
		{
			name: "list-licenses, a product whose central subscription expired",
			args: []string{"list-licenses", "-o", "interactive", "--product", "CFQ7TTC0HDB0"},
			expect: []string{"Not offered now (why, and what to do first):",
				"Assign licenses: no central subscription (buy some: commercectl add-subscription --product CFQ7TTC0HDB0 --quantity N)",
				"What do you want to do?"},
			question: "What do you want to do?",
			offers:   "Unassign licenses",
			refused:  "Assign licenses",
		},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cmd := exec.Command(bin, append(tt.args, "--db", db, "--as", interactiveAdmin)...)
			cmd.Env = env
			term := inTerminal(t, cmd)
			for i := 0; i < len(tt.keys); i += 2 {
				term.expect(tt.keys[i])
				term.send(tt.keys[i+1])
			}
			for _, want := range tt.expect {
				term.expect(want)
			}
			term.expect(tt.offers)
			if options := term.optionsOf(tt.question); slices.ContainsFunc(options, func(o string) bool { return strings.Contains(o, tt.refused) }) {
				t.Errorf("%q is offered: %q", tt.refused, options)
			}
			term.send(keyEscape)
			term.expect("canceled")
			if code := term.exitCode(); code != 2 {
				t.Errorf("Escape: exit %d, want 2", code)
			}
		})
	}
}
