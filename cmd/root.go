// Package cmd is the root command: global flags, the verbs, and the one
// place where errors become messages and exit codes.
package cmd

import (
	"io"
	"os"
	"strings"

	"github.com/commercectl/commercectl/cmd/cmdutil"
	"github.com/commercectl/commercectl/output"
	"github.com/commercectl/commercectl/store"
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
	stdout := &watchedWriter{w: f.IOStreams.Out, preview: f.Preview}
	f.IOStreams.Out = stdout
	f.IOStreams.ErrOut = f.Preview.Wrap(f.IOStreams.ErrOut)
	root := NewRootCmd(f, args)
	if args != nil {
		root.SetArgs(args)
	}
	err := root.Execute()
	f.Preview.Disarm() // a refusal stays one line
	f.Close()
	if stdout.err != nil {
		// Output that did not arrive is a failure, even of a verb that
		// otherwise went well (--help > /dev/full).
		err = outputFailed(f, stdout.err)
	}
	if err == nil {
		return cmdutil.ExitOK
	}
	err = tidyUnknownCommand(err)
	code, _ := cmdutil.ExitCode(err)
	if code == cmdutil.ExitUsage && f.Flags.Output == "" {
		// An unknown verb or flag stops cobra before it parses -o: find it
		// in the command line so that -o json still gets a JSON error.
		if args == nil {
			args = os.Args[1:]
		}
		f.Flags.Output = outputFromArgs(args)
	}
	format, ferr := f.OutputFormat()
	cmdutil.PrintError(f.IOStreams.ErrOut, err, ferr == nil && format == output.FormatJSON)
	return code
}

// watchedWriter remembers the first error writing stdout (a full disk, a
// closed pipe), which the verb then returns as its own.
type watchedWriter struct {
	w       io.Writer
	err     error
	preview *cmdutil.Preview
}

// Err is the first error writing stdout, or nil.
func (w *watchedWriter) Err() error { return w.err }

func (w *watchedWriter) Write(p []byte) (int, error) {
	w.preview.FireStdout()
	n, err := w.w.Write(p)
	if err != nil && w.err == nil {
		w.err = err
	}
	return n, err
}

// tidyUnknownCommand moves cobra's "Did you mean this?" list, which cobra
// writes over several lines, into the hint of the one error line.
func tidyUnknownCommand(err error) error {
	first, rest, ok := strings.Cut(err.Error(), "\n\nDid you mean this?\n")
	if !ok || !strings.HasPrefix(first, "unknown command ") {
		return err
	}
	var names []string
	for _, l := range strings.Split(rest, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			names = append(names, l)
		}
	}
	return &cmdutil.UsageError{Msg: first, Hint: "did you mean " + strings.Join(names, " or ") + "?"}
}

// outputFailed is the error of a verb whose output could not be written.
// A verb prints what it did after its transaction committed, so it may
// have changed the tenant already: the message then says so, since running
// it again (add-subscription, purchase) would do it twice.
func outputFailed(f *cmdutil.Factory, werr error) error {
	e := store.Errorf(store.EINTERNAL, "cannot write the output: %v", werr)
	if f.Changed() {
		e = e.WithHint("the change itself was made before the output failed: check the tenant before running it again")
	}
	return e
}

// NewRootCmd builds the command tree for args (nil: the process's).
func NewRootCmd(f *cmdutil.Factory, args []string) *cobra.Command {
	root := &cobra.Command{
		Use:   "commercectl",
		Short: "Administer a tenant's commerce: self-service purchase policies, license requests, subscriptions and licenses",
		Long: `commercectl administers a tenant's commerce from any terminal or pipeline:
who may buy products on their own (AllowSelfServicePurchase), license
requests, subscriptions (self-service ones too), licenses, and the audit
log of every change. The tenant lives in a local SQLite file, or on a
PostgreSQL server that a whole team reaches (--db postgres://...).`,
		Version:       Version,
		SilenceErrors: true,
		SilenceUsage:  true,
		PersistentPreRunE: func(cmd *cobra.Command, args []string) error {
			if _, ok := cmd.Annotations[cmdutil.AnnotationWritesConfig]; ok {
				f.AllowNewConfig()
			}
			if cmd.Flags().Changed("output") {
				f.MarkOutputSet()
			}
			if _, err := f.OutputFormat(); err != nil {
				return err
			}
			// A --jq that does not parse is refused before any verb runs.
			if f.Flags.JQ != "" {
				if err := output.CheckJQ(f.Flags.JQ); err != nil {
					return err
				}
			}
			if cmd.Flags().Changed("config") {
				// A config file named on the command line must be readable,
				// even when every setting it could hold came from flags.
				if _, err := f.Config(); err != nil {
					return err
				}
			}
			if isCompletion(cmd) {
				return nil
			}
			// -o interactive needs a terminal, whatever the verb (SPEC §2).
			_, err := f.Interactive()
			if err == nil && f.Flags.DryRun {
				f.Preview.Arm(f.IOStreams.IsStdoutTTY())
			}
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
	pf.StringVarP(&f.Flags.Output, "output", "o", "", "output: table, json, csv, tsv, yaml or interactive (env COMMERCECTL_OUTPUT)")
	pf.BoolVar(&f.Flags.NoHeaders, "no-headers", false, "leave the header line out of tables, csv and tsv")
	pf.StringVar(&f.Flags.JQ, "jq", "", "filter JSON output with a jq expression")
	pf.BoolVar(&f.Flags.DryRun, "dry-run", false, "show what would change, change nothing")
	pf.BoolVarP(&f.Flags.Yes, "yes", "y", false, "answer yes to confirmations")
	pf.StringVar(&f.Flags.Config, "config", "", "config file (default $XDG_CONFIG_HOME/commercectl/config.yaml)")
	_ = root.RegisterFlagCompletionFunc("output", cobra.FixedCompletions(output.Formats, cobra.ShellCompDirectiveNoFileComp))
	_ = root.RegisterFlagCompletionFunc("as", cmdutil.Complete(f, store.CompleteUsers))

	root.AddGroup(
		&cobra.Group{ID: "tenant", Title: "Tenant and identity:"},
		&cobra.Group{ID: "policy", Title: "Self-service purchase policies:"},
		&cobra.Group{ID: "catalog", Title: "Users and catalog:"},
		&cobra.Group{ID: "billing", Title: "Subscriptions and licenses:"},
		&cobra.Group{ID: "request", Title: "License requests:"},
		&cobra.Group{ID: "member", Title: "Member verbs (what a user does in the store):"},
		&cobra.Group{ID: "audit", Title: "Audit:"},
	)
	if args == nil {
		args = os.Args[1:]
	}
	addVerbs(root, f, args)
	// Suggestions compare the unknown word with every verb, letter by
	// letter: for a 128 KiB word that takes seconds, and no verb is so long.
	if len(verbIn(args)) > 64 {
		root.DisableSuggestions = true
	}

	// cobra's completion command only prints its help, so it exits 0 for a
	// shell it does not know. Made runnable, its NoArgs check turns an unknown
	// shell into bad usage (exit 2).
	root.InitDefaultCompletionCmd()
	root.InitDefaultHelpCmd()
	for _, c := range root.Commands() {
		switch c.Name() {
		case "completion":
			c.RunE = func(c *cobra.Command, args []string) error { return c.Help() }
			c.Example = "  source <(commercectl completion bash)    # bash needs the bash-completion package\n  source <(commercectl completion zsh)"
		case "help":
			c.Example = "  commercectl help takeover-subscription"
		}
	}
	return root
}

// isCompletion reports whether cmd is shell completion (the completion
// scripts or the hidden __complete requests), which never prompts.
func isCompletion(cmd *cobra.Command) bool {
	for c := cmd; c != nil; c = c.Parent() {
		switch c.Name() {
		case "completion", cobra.ShellCompRequestCmd, cobra.ShellCompNoDescRequestCmd:
			return true
		}
	}
	return false
}

// outputFromArgs finds the value of -o/--output in a command line that
// cobra could not parse; "" when there is none.
func outputFromArgs(args []string) string {
	out := ""
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--":
			return out
		case a == "-o" || a == "--output":
			if i+1 < len(args) {
				out = args[i+1]
				i++
			}
		case strings.HasPrefix(a, "--output="):
			out = strings.TrimPrefix(a, "--output=")
		case strings.HasPrefix(a, "-o") && !strings.HasPrefix(a, "--"):
			out = strings.TrimPrefix(strings.TrimPrefix(a, "-o"), "=")
		}
	}
	return out
}
