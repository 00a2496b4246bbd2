package cmdutil

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/commercectl/commercectl/output"
	"github.com/commercectl/commercectl/store"
	"github.com/spf13/cobra"
)

// MaxArgs refuses more than n positional arguments as bad usage.
func MaxArgs(n int) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) > n {
			return &UsageError{Msg: fmt.Sprintf("%s takes at most %d argument(s), got %d", cmd.CommandPath(), n, len(args)),
				Hint: "see: " + cmd.CommandPath() + " --help"}
		}
		return nil
	}
}

// ExactArgs wants exactly n positional arguments, named in the message.
func ExactArgs(n int, names string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) != n {
			return &UsageError{Msg: fmt.Sprintf("%s needs %s", cmd.CommandPath(), names), Hint: "usage: " + cmd.UseLine()}
		}
		return nil
	}
}

// PolicyArg is the policy id argument, AllowSelfServicePurchase when omitted
// (it is the only policy, as in MSCommerce).
func PolicyArg(args []string) string {
	if len(args) > 0 {
		return args[0]
	}
	return store.PolicySelfServicePurchase
}

// Missing handles a required flag that was not given: in a terminal it
// asks with ask; elsewhere it fails with exit 2 naming the flag.
func Missing(f *Factory, flag string, ask func(output.Prompter) (string, error)) (string, error) {
	if !f.IOStreams.CanPrompt() || ask == nil {
		return "", Usagef("missing --%s", flag)
	}
	return ask(f.Prompter())
}

// Confirm asks before a destructive change. --yes and --dry-run skip it;
// without a terminal --yes is required.
// Rehearse asks before a change that takes something away. plan runs the
// change in a rehearsal that is rolled back, so a refusal keeps its own
// exit code, and words the question ("" when nothing would change); then
// Confirm. With --yes or --dry-run nothing is rehearsed: the change runs
// once (on PostgreSQL a rehearsal also spends ids of the outbox).
func Rehearse(f *Factory, ctx context.Context, plan func(context.Context) (string, error)) error {
	if f.Flags.Yes || f.Flags.DryRun {
		return nil
	}
	q, err := plan(store.WithDryRun(ctx))
	if err != nil || q == "" {
		return err
	}
	return Confirm(f, q)
}

func Confirm(f *Factory, question string) error {
	if f.Flags.Yes || f.Flags.DryRun {
		return nil
	}
	if !f.IOStreams.CanPrompt() {
		return &UsageError{Msg: "this change needs confirmation and stdin is not a terminal", Hint: "pass --yes to confirm"}
	}
	ok, err := f.Prompter().Confirm(question, false)
	if err != nil {
		return err
	}
	if !ok {
		return output.ErrCanceled
	}
	return nil
}

// Note writes a human message on stderr when it is a terminal.
func (f *Factory) Note(format string, args ...any) {
	// A preview changed nothing: no ✓ may say it did.
	if f.IOStreams.IsStderrTTY() && !f.Flags.DryRun {
		fmt.Fprintln(f.IOStreams.ErrOut, f.IOStreams.Success(fmt.Sprintf(format, args...)))
	}
}

// DryRunNote tells, always on stderr, that a dry run changed nothing.
func (f *Factory) DryRunNote() {
	// A verb whose output failed reports only that error, on one line.
	if w, ok := f.IOStreams.Out.(interface{ Err() error }); ok && w.Err() != nil {
		return
	}
	if f.Flags.DryRun {
		fmt.Fprintln(f.IOStreams.ErrOut, "dry run: nothing was changed")
	}
}

// SplitList splits comma-separated flag values, dropping empty items.
func SplitList(values []string) []string {
	var out []string
	for _, v := range values {
		for _, s := range strings.Split(v, ",") {
			if s = strings.TrimSpace(s); s != "" {
				out = append(out, s)
			}
		}
	}
	return out
}

// CompleteProductIDs completes product ids from the tenant database.
func CompleteProductIDs(f *Factory) cobra.CompletionFunc { return Complete(f, store.CompleteProducts) }

// CompletePolicyIDs completes the first argument with policy ids.
func CompletePolicyIDs(f *Factory) cobra.CompletionFunc {
	return CompleteArg(f, store.CompletePolicies)
}

// Complete completes a flag from the tenant: ids of kind (products,
// subscriptions, requests, UPNs, service plans). In a comma-separated list
// (--users a@contoso.com,b) it completes the last item.
func Complete(f *Factory, kind store.CompletionKind) cobra.CompletionFunc {
	return completeFrom(f, func(ctx context.Context, s store.Service, _ *cobra.Command, _ []string, prefix string) ([]string, error) {
		return s.Completions(ctx, kind, prefix)
	})
}

// completeFrom completes the last item of a comma-separated list with
// what ids finds for it in the tenant; a tenant that cannot be read
// completes nothing, so that the shell never fails.
func completeFrom(f *Factory, ids func(ctx context.Context, s store.Service, cmd *cobra.Command, args []string, prefix string) ([]string, error)) cobra.CompletionFunc {
	return func(cmd *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
		before, prefix := "", toComplete
		if i := strings.LastIndexByte(toComplete, ','); i >= 0 {
			before, prefix = toComplete[:i+1], toComplete[i+1:]
		}
		s, err := f.Store()
		if err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		ctx, err := f.Context()
		if err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		found, err := ids(ctx, s, cmd, args, prefix)
		if err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		out := make([]cobra.Completion, len(found))
		for i, id := range found {
			out[i] = before + id
		}
		return out, cobra.ShellCompDirectiveNoFileComp
	}
}

// CompletePlans completes --disable-plan with the service plans of the
// product the command is about: its --product, else what product (when
// not nil) finds in its arguments (a request's product), else any plan of
// the catalog.
func CompletePlans(f *Factory, product func(context.Context, store.Service, []string) string) cobra.CompletionFunc {
	return completeFrom(f, func(ctx context.Context, s store.Service, cmd *cobra.Command, args []string, prefix string) ([]string, error) {
		id, _ := cmd.Flags().GetString("product")
		if id == "" && product != nil {
			id = product(ctx, s, args)
		}
		if id == "" {
			return s.Completions(ctx, store.CompletePlans, prefix)
		}
		p, err := s.GetProduct(ctx, id)
		if err != nil {
			return s.Completions(ctx, store.CompletePlans, prefix)
		}
		var out []string
		for _, plan := range p.ServicePlans {
			if !strings.HasPrefix(strings.ToUpper(plan), strings.ToUpper(prefix)) {
				continue
			}
			c := plan // with its friendly name, as the catalog has it
			named, _ := s.Completions(ctx, store.CompletePlans, plan)
			for _, n := range named {
				if name, _, _ := strings.Cut(n, "\t"); name == plan {
					c = n
				}
			}
			out = append(out, c)
		}
		return out, nil
	})
}

// CompleteArg is Complete for a verb's one argument (an id), and nothing
// after it.
func CompleteArg(f *Factory, kind store.CompletionKind) cobra.CompletionFunc {
	c := Complete(f, kind)
	return func(cmd *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
		if len(args) > 0 {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		return c(cmd, args, toComplete)
	}
}

// AskText asks in a terminal for a required flag that was not given (SPEC
// §2); elsewhere it fails with exit 2 naming the flag.
func AskText(f *Factory, flag, question string) (string, error) {
	return AskFor(f, Usagef("missing --%s", flag), question)
}

// AskFor has what is missing typed in a terminal, when it does not come
// from the tenant (a file, a new UPN, a number); elsewhere, or when nothing
// is typed, it fails with missing, the usage error that names it.
func AskFor(f *Factory, missing error, question string) (string, error) {
	if !f.IOStreams.CanPrompt() {
		return "", missing
	}
	f.asked = true
	v, err := f.Prompter().Input(question, "")
	if err != nil {
		return "", err
	}
	if v = strings.TrimSpace(v); v == "" {
		return "", missing
	}
	return v, nil
}

// TypedArg is a verb's one argument when it is not picked from the tenant:
// typed in a terminal when missing; outside one the usage error names it.
// The verb takes MaxArgs(1).
func TypedArg(f *Factory, cmd *cobra.Command, args []string, name, question string) (string, error) {
	if len(args) == 1 {
		return args[0], nil
	}
	return AskFor(f, ExactArgs(1, name)(cmd, args), question)
}

// AskInt is AskText for a whole number: what is not one is asked again,
// up to three times in all, then refused as the flag would be.
func AskInt(f *Factory, flag, question string) (int, error) {
	for try := 1; ; try++ {
		s, err := AskText(f, flag, question)
		if err != nil {
			return 0, err
		}
		n, err := strconv.Atoi(s)
		if err == nil {
			return n, nil
		}
		if try == 3 {
			return 0, Usagef("--%s takes a whole number, not %s", flag, store.QuoteShort(s))
		}
		fmt.Fprintf(f.IOStreams.ErrOut, "%s is not a whole number.\n", store.QuoteShort(s))
	}
}
