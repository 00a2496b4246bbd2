package cmd

import (
	"strings"

	"github.com/commercectl/commercectl/cmd/cmdutil"
	"github.com/commercectl/commercectl/commands/audit"
	"github.com/commercectl/commercectl/commands/catalog"
	"github.com/commercectl/commercectl/commands/conflict"
	"github.com/commercectl/commercectl/commands/doctor"
	"github.com/commercectl/commercectl/commands/license"
	"github.com/commercectl/commercectl/commands/notification"
	"github.com/commercectl/commercectl/commands/policy"
	"github.com/commercectl/commercectl/commands/request"
	"github.com/commercectl/commercectl/commands/subscription"
	"github.com/commercectl/commercectl/commands/tenant"
	"github.com/commercectl/commercectl/commands/user"
	"github.com/spf13/cobra"
)

// verb is one verb of the tree: its name, its help group, and how to build it.
type verb struct {
	name, group string
	build       func(*cmdutil.Factory) *cobra.Command
}

// v adapts a NewCmdX(f, runF) constructor.
func v[O any](name, group string, newCmd func(*cmdutil.Factory, func(*O) error) *cobra.Command) verb {
	return verb{name: name, group: group, build: func(f *cmdutil.Factory) *cobra.Command { return newCmd(f, nil) }}
}

// verbs lists every verb, in the order help shows them.
var verbs = []verb{
	v("init", "tenant", tenant.NewCmdInit),
	v("connect", "tenant", tenant.NewCmdConnect),
	v("disconnect", "tenant", tenant.NewCmdDisconnect),
	v("copy-tenant", "tenant", tenant.NewCmdCopyTenant),
	v("migrate", "tenant", tenant.NewCmdMigrate),
	v("whoami", "tenant", tenant.NewCmdWhoami),
	v("add-user", "tenant", user.NewCmdAddUser),
	v("set-role", "tenant", user.NewCmdSetRole),
	v("set-login", "tenant", user.NewCmdSetLogin),
	v("list-users", "tenant", user.NewCmdListUsers),

	v("get-policies", "policy", policy.NewCmdGetPolicies),
	v("get-policy", "policy", policy.NewCmdGetPolicy),
	v("get-product-policies", "policy", policy.NewCmdGetProductPolicies),
	v("get-product-policy", "policy", policy.NewCmdGetProductPolicy),
	v("update-policy", "policy", policy.NewCmdUpdatePolicy),
	v("export-policies", "policy", policy.NewCmdExportPolicies),
	v("apply-policies", "policy", policy.NewCmdApplyPolicies),
	v("diff-policies", "policy", policy.NewCmdDiffPolicies),

	v("import-users", "catalog", user.NewCmdImportUsers),
	v("import-catalog", "catalog", catalog.NewCmdImportCatalog),

	v("list-subscriptions", "billing", subscription.NewCmdListSubscriptions),
	v("get-subscription", "billing", subscription.NewCmdGetSubscription),
	v("add-subscription", "billing", subscription.NewCmdAddSubscription),
	v("buy-licenses", "billing", subscription.NewCmdBuyLicenses),
	v("cancel-subscription", "billing", subscription.NewCmdCancelSubscription),
	v("takeover-subscription", "billing", subscription.NewCmdTakeoverSubscription),
	v("centralize", "billing", subscription.NewCmdCentralize),
	v("assign-license", "billing", license.NewCmdAssignLicense),
	v("unassign-license", "billing", license.NewCmdUnassignLicense),
	v("list-licenses", "billing", license.NewCmdListLicenses),
	v("export-users", "billing", license.NewCmdExportUsers),
	v("list-conflicts", "billing", conflict.NewCmdListConflicts),
	v("resolve-conflicts", "billing", conflict.NewCmdResolveConflicts),

	v("list-requests", "request", request.NewCmdListRequests),
	v("get-request", "request", request.NewCmdGetRequest),
	v("approve-request", "request", request.NewCmdApproveRequest),
	v("deny-request", "request", request.NewCmdDenyRequest),
	v("set-request-process", "request", request.NewCmdSetRequestProcess),
	v("get-request-process", "request", request.NewCmdGetRequestProcess),
	v("list-notifications", "audit", notification.NewCmdListNotifications),
	v("send-notifications", "audit", notification.NewCmdSendNotifications),

	v("purchase", "member", subscription.NewCmdPurchase),
	v("start-trial", "member", subscription.NewCmdStartTrial),
	v("new-request", "member", request.NewCmdNewRequest),

	v("get-audit-log", "audit", audit.NewCmdGetAuditLog),
	v("doctor", "audit", doctor.NewCmdDoctor),
	{name: "version", build: newCmdVersion},
}

// addVerbs adds to root the verb args run, or every verb when args name
// none of them (help, completion, a mistyped verb): a verb's flags and
// closures are built only when it can run, so a read verb does not pay for
// thirty others.
func addVerbs(root *cobra.Command, f *cmdutil.Factory, args []string) {
	name := verbIn(args)
	for _, vb := range verbs {
		if vb.name == name {
			add(root, vb, f)
			return
		}
	}
	for _, vb := range verbs {
		add(root, vb, f)
	}
}

func add(root *cobra.Command, vb verb, f *cmdutil.Factory) {
	c := vb.build(f)
	c.GroupID = vb.group
	root.AddCommand(c)
}

// globalValueFlags are the root's flags that take a value as the next argument.
var globalValueFlags = map[string]bool{"--db": true, "--as": true, "-o": true, "--output": true, "--jq": true, "--config": true}

// verbIn returns the first argument that is not a global flag or its value.
func verbIn(args []string) string {
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--":
			return ""
		case strings.HasPrefix(a, "-"):
			if globalValueFlags[a] {
				i++
			}
		default:
			return a
		}
	}
	return ""
}
