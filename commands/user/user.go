// Package user holds the verbs for people and their roles.
package user

import (
	"strings"
	"time"

	"github.com/commercectl/commercectl/output"
	"github.com/commercectl/commercectl/store"
	"github.com/spf13/cobra"
)

var userColumns = []output.Column[store.User]{
	{Header: "UPN", Field: "upn", Summary: true, Get: func(u store.User) string { return u.UPN }},
	{Header: "Name", Field: "displayName", Summary: true, Spare: 1, Get: func(u store.User) string { return u.DisplayName }},
	{Header: "Department", Field: "department", Summary: true, Spare: 2, Get: func(u store.User) string { return u.Department }},
	{Header: "Roles", Field: "roles", Summary: true, Get: func(u store.User) string { return strings.Join(u.Roles, ";") }},
	{Header: "Created", Field: "createdAt", Whole: true, Get: func(u store.User) string { return u.CreatedAt.Format(time.RFC3339) }},
}

func completeRoles(cmd *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
	return store.Roles, cobra.ShellCompDirectiveNoFileComp
}
