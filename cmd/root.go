// Package cmd is the root command: global flags, the verbs, and the one
// place where errors become messages and exit codes.
package cmd

import (
	"github.com/commercectl/commercectl/cmd/cmdutil"
	"github.com/commercectl/commercectl/commands/audit"
	"github.com/commercectl/commercectl/commands/policy"
	"github.com/commercectl/commercectl/commands/subscription"
	"github.com/commercectl/commercectl/commands/tenant"
	"github.com/commercectl/commercectl/commands/user"
	"github.com/commercectl/commercectl/output"
	"github.com/spf13/cobra"
)

// Version is set at build time.
var Version = "dev"

// Main runs commercectl and returns its exit code.
func Main() int {
	f := cmdutil.New(output.System())
	return Run(f, nil)
}

// Run runs the root command with args (nil: the process's) and returns the exit code.
func Run(f *cmdutil.Factory, args []string) int {
	root := NewRootCmd(f)
	if args != nil {
		root.SetArgs(args)
	}
	err := root.Execute()
	f.Close()
	if err == nil {
		return cmdutil.ExitOK
	}
	code, _ := cmdutil.ExitCode(err)
	format, ferr := f.OutputFormat()
	cmdutil.PrintError(f.IOStreams.ErrOut, err, ferr == nil && format == output.FormatJSON)
	return code
}

// NewRootCmd builds the command tree.
func NewRootCmd(f *cmdutil.Factory) *cobra.Command {
	root := &cobra.Command{
		Use:   "commercectl",
		Short: "Administer a tenant's commerce: self-service purchase policies, license requests, subscriptions and licenses",
		Long: `commercectl administers a tenant's commerce from any terminal or pipeline:
who may buy products on their own (AllowSelfServicePurchase), license
requests, self-service subscriptions and taking them over, licenses and
license conflicts. The tenant lives in a local SQLite database.`,
		Version:       Version,
		SilenceErrors: true,
		SilenceUsage:  true,
		PersistentPreRunE: func(cmd *cobra.Command, args []string) error {
			if cmd.Flags().Changed("output") {
				f.MarkOutputSet()
			}
			_, err := f.OutputFormat()
			return err
		},
	}
	root.SetOut(f.IOStreams.Out)
	root.SetErr(f.IOStreams.ErrOut)
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return &cmdutil.UsageError{Msg: err.Error(), Hint: "see: " + c.CommandPath() + " --help"}
	})

	pf := root.PersistentFlags()
	pf.StringVar(&f.Flags.DB, "db", "", "tenant database (env COMMERCECTL_DB, config db)")
	pf.StringVar(&f.Flags.As, "as", "", "UPN of the user who runs the command (env COMMERCECTL_AS, config as)")
	pf.StringVarP(&f.Flags.Output, "output", "o", "", "output: table, json, csv, yaml or interactive (env COMMERCECTL_OUTPUT)")
	pf.StringVar(&f.Flags.JQ, "jq", "", "filter JSON output with a jq expression")
	pf.BoolVar(&f.Flags.DryRun, "dry-run", false, "show what would change, change nothing")
	pf.BoolVarP(&f.Flags.Yes, "yes", "y", false, "answer yes to confirmations")
	pf.StringVar(&f.Flags.Config, "config", "", "config file (default $XDG_CONFIG_HOME/commercectl/config.yaml)")
	_ = root.RegisterFlagCompletionFunc("output", cobra.FixedCompletions(output.Formats, cobra.ShellCompDirectiveNoFileComp))

	root.AddGroup(
		&cobra.Group{ID: "tenant", Title: "Tenant and identity:"},
		&cobra.Group{ID: "policy", Title: "Self-service purchase policies:"},
		&cobra.Group{ID: "member", Title: "Member verbs (what a user does in the store):"},
		&cobra.Group{ID: "audit", Title: "Audit:"},
	)
	add := func(group string, cmds ...*cobra.Command) {
		for _, c := range cmds {
			c.GroupID = group
			root.AddCommand(c)
		}
	}
	add("tenant", tenant.Commands(f)...)
	add("tenant", user.Commands(f)...)
	add("policy", policy.Commands(f)...)
	add("member", subscription.MemberCommands(f)...)
	add("audit", audit.Commands(f)...)
	return root
}
