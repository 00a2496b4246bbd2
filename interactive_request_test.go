//go:build !windows

package main

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

type requestJSON struct {
	ID        int64  `json:"id"`
	ProductID string `json:"productId"`
	Status    string `json:"status"`
	Users     []struct {
		UPN      string `json:"upn"`
		Decision string `json:"decision"`
	} `json:"users"`
	DecidedBy string `json:"decidedBy"`
	Message   string `json:"message"`
}

type notificationJSON struct {
	To      string `json:"to"`
	Kind    string `json:"kind"`
	Subject string `json:"subject"`
	Body    string `json:"body"`
}

// TestInteractiveRequestApproval drives approve-request without an id in a
// pseudo-terminal, as an admin reviewing the Requests page: pick request 2
// (Power BI Premium for three people), keep everyone, the product and every
// app, write a message, confirm.
func TestInteractiveRequestApproval(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	dir := t.TempDir()
	bin := commercectlBin(t)
	env := interactiveEnv(dir)
	db := filepath.Join(dir, "tenant.db")
	as := []string{"--db", db, "--as", interactiveAdmin}
	run(t, bin, env, "init", "--tenant", "Contoso", "--admin", interactiveAdmin, "--demo", "--db", db)
	run(t, bin, env, append([]string{"add-subscription", "--product", "CFQ7TTC0H6RP", "--quantity", "5"}, as...)...)

	var before requestJSON
	decode(t, run(t, bin, env, append([]string{"get-request", "2", "-o", "json"}, as...)...), &before)
	if before.Status != "Pending" || before.ProductID != "CFQ7TTC0H6RP" || len(before.Users) != 3 {
		t.Fatalf("the demo's request 2 is %+v, want Power BI Premium pending for 3 people", before)
	}
	const message = "Enjoy Power BI Premium"

	cmd := exec.Command(bin, append([]string{"approve-request"}, as...)...)
	cmd.Env = env
	term := inTerminal(t, cmd)
	expectOn, send := term.expect, term.send

	// Pending requests newest first: 3 (Copilot), 1 (Project), 2 (Power BI Premium).
	expectOn("Which request?")
	expectOn("2  Power BI Premium, asked by johanna.lorenz@contoso.com") // the list is drawn
	send(keyDown + keyDown + keyEnter)
	expectOn("Request 2: Power BI Premium for johanna.lorenz@contoso.com (pending)")
	expectOn("Approve or decline?")
	expectOn("Decline")
	send(keyEnter) // Approve, the first
	expectOn("Who gets a license?")
	expectOn("enrico.cattaneo@contoso.com")
	send(keyEnter) // everyone is ticked
	expectOn("Assign which product?")
	expectOn("(requested, 5 available)")
	send(keyEnter) // the requested product is first
	expectOn("Apps and services")
	expectOn("EXCHANGE_S_FOUNDATION")
	send(keyEnter) // every app is ticked
	expectOn("Message to everyone in the request")
	send(message + keyEnter)
	expectOn("Approve request 2: Power BI Premium for 3 of 3 people")
	expectOn("Approve?")
	send("y" + keyEnter)
	expectOn("Approved request 2")

	rest := term.wait("the approval")
	if !strings.Contains(rest, "enrico.cattaneo@contoso.com") || !strings.Contains(rest, "approved") {
		t.Errorf("the result does not show the users' decisions:\n%s", rest)
	}

	var after requestJSON
	decode(t, run(t, bin, env, append([]string{"get-request", "2", "-o", "json"}, as...)...), &after)
	if after.Status != "Approved" || after.DecidedBy != interactiveAdmin || after.Message != message || len(after.Users) != 3 {
		t.Errorf("request 2 after the approval: %+v", after)
	}
	for _, u := range after.Users {
		if u.Decision != "approved" {
			t.Errorf("%s is %q, want approved", u.UPN, u.Decision)
		}
	}

	for _, u := range before.Users {
		var mail []notificationJSON
		decode(t, run(t, bin, env, append([]string{"list-notifications", "--to", u.UPN, "-o", "json"}, as...)...), &mail)
		found := false
		for _, n := range mail {
			if n.To == u.UPN && n.Kind == "request-approved" && strings.Contains(n.Body, message) &&
				strings.Contains(n.Body, "You now have a license of Power BI Premium") {
				found = true
			}
		}
		if !found {
			t.Errorf("no approval with the message for %s: %+v", u.UPN, mail)
		}
	}
}
