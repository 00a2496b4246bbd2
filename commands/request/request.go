// Package request holds the license request verbs (SPEC §6).
package request

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/commercectl/commercectl/cmd/cmdutil"
	"github.com/commercectl/commercectl/output"
	"github.com/commercectl/commercectl/store"
	"github.com/spf13/cobra"
)

func decidedAt(r store.Request) string {
	if r.DecidedAt == nil {
		return ""
	}
	return r.DecidedAt.Format(time.RFC3339)
}

func usersOf(r store.Request) string {
	parts := make([]string, len(r.Users))
	for i, u := range r.Users {
		parts[i] = u.UPN + " (" + u.Decision + ")"
	}
	return strings.Join(parts, "; ")
}

var requestColumns = []output.Column[store.Request]{
	{Header: "ID", Field: "id", Summary: true, Get: func(r store.Request) string { return strconv.FormatInt(r.ID, 10) }},
	{Header: "Product ID", Whole: true, Field: "productId", Get: func(r store.Request) string { return r.ProductID }},
	{Header: "Product", Field: "productName", Summary: true, Get: func(r store.Request) string { return r.ProductName }},
	{Header: "Requester", Field: "requester", Summary: true, Get: func(r store.Request) string { return r.Requester }},
	{Header: "Requested", Field: "requestedAt", Summary: true, Whole: true, Get: func(r store.Request) string { return r.RequestedAt.Format(time.RFC3339) }},
	{Header: "Status", Field: "status", Summary: true, Get: func(r store.Request) string { return r.Status }},
	{Header: "Users", Summary: true, Get: func(r store.Request) string { return strconv.Itoa(len(r.Users)) }},
	{Header: "Users", Field: "users", Get: usersOf},
	{Header: "Decided", Field: "decidedAt", Get: decidedAt},
	{Header: "Decided by", Field: "decidedBy", Get: func(r store.Request) string { return r.DecidedBy }},
	{Header: "Product assigned", Field: "assignedProductId", Get: func(r store.Request) string { return r.AssignedProductID }},
	{Header: "Apps turned off", Field: "disabledPlans", Get: func(r store.Request) string { return strings.Join(r.DisabledPlans, ";") }},
	{Header: "Message", Field: "message", Get: func(r store.Request) string { return r.Message }},
}

var decisionColumns = []output.Column[store.RequestUser]{
	{Header: "UPN", Field: "upn", Get: func(u store.RequestUser) string { return u.UPN }},
	{Header: "Decision", Field: "decision", Get: func(u store.RequestUser) string { return u.Decision }},
}

// printRequest prints one request; for people, its users below it.
func printRequest(f *cmdutil.Factory, p *output.Printer, r *store.Request) error {
	// For people the users come below, as a table: the "Users" text column
	// is left out of the fields because its header repeats the count's.
	if err := output.One(p, *r, requestColumns); err != nil || p.Format != output.FormatTable {
		return err
	}
	fmt.Fprintln(f.IOStreams.Out)
	return output.List(p, r.Users, decisionColumns)
}

// requestID reads a request id argument.
func requestID(s string) (int64, error) {
	id, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil || id < 1 {
		return 0, cmdutil.Usagef("a request id is a positive number, not %s", store.QuoteShort(s))
	}
	return id, nil
}

// pickRequest is the request ID argument, or in a terminal the one picked
// among the requests of status ("" for all).
func pickRequest(f *cmdutil.Factory, cmd *cobra.Command, args []string, question, status string) (int64, error) {
	none := "the tenant has no license requests"
	if status != "" {
		none = "no license request is " + strings.ToLower(status)
	}
	s, err := cmdutil.Arg(f, cmd, args, "a request id", cmdutil.Picking{Question: question, None: none,
		NoneFix: "see them all with: commercectl list-requests"}, cmdutil.Requests(strings.ToLower(status)))
	if err != nil {
		return 0, err
	}
	return requestID(s)
}

func addMessageFlag(cmd *cobra.Command, message *string) {
	cmd.Flags().StringVar(message, "message", "", "a message for everyone in the request (at most 1,000 characters)")
}
