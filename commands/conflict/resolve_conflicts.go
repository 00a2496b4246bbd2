package conflict

import (
	"fmt"
	"strings"

	"github.com/commercectl/commercectl/cmd/cmdutil"
	"github.com/commercectl/commercectl/output"
	"github.com/commercectl/commercectl/store"
	"github.com/spf13/cobra"
)

// ResolveConflictsOptions are the inputs of resolve-conflicts.
type ResolveConflictsOptions struct {
	Factory *cmdutil.Factory
	Resolve store.Resolve
}

// NewCmdResolveConflicts builds resolve-conflicts.
func NewCmdResolveConflicts(f *cmdutil.Factory, runF func(*ResolveConflictsOptions) error) *cobra.Command {
	opts := &ResolveConflictsOptions{Factory: f}
	r := &opts.Resolve
	cmd := &cobra.Command{
		Use:   "resolve-conflicts (--product ID | --all) (--buy [--subscription ID] | --unassign UPN,... [--partial] | --unassign-newest)",
		Short: "Make a central pool whole: buy the shortfall, or unassign licenses",
		Long: `--buy raises one Active central subscription's quantity by the shortfall
and prints the new total and monthly cost; with several, it asks which in a
terminal (or takes --subscription). --unassign removes the named users'
licenses: fewer than the shortfall is refused unless --partial.
--unassign-newest removes the licenses that need a seat (list-conflicts
shows them). --all does it for every product whose central pool is in
conflict. --dry-run prints the plan; a terminal asks for confirmation,
--yes answers it otherwise. Self-service pools are their purchasers' (or
take them over first).`,
		Example: `  commercectl resolve-conflicts --product CFQ7TTC0HDB0 --buy
  commercectl resolve-conflicts --product CFQ7TTC0H9MP --unassign ada@contoso.com --yes
  commercectl resolve-conflicts --all --unassign-newest --dry-run`,
		Args: cmdutil.MaxArgs(0),
		RunE: func(cmd *cobra.Command, args []string) error {
			r.Unassign = cmdutil.SplitList(r.Unassign)
			unassign := len(r.Unassign) > 0 || r.UnassignNewest
			// The flags alone first: a wrong mix is refused before any question.
			switch {
			case r.All && r.ProductID != "":
				return cmdutil.Usagef("give --product ID or --all")
			case r.Buy && unassign:
				return cmdutil.Usagef("give --buy or --unassign/--unassign-newest, not both")
			case len(r.Unassign) > 0 && r.UnassignNewest:
				return cmdutil.Usagef("give --unassign UPN,... or --unassign-newest, not both")
			case r.All && len(r.Unassign) > 0:
				return cmdutil.Usagef("--all resolves with --buy or --unassign-newest")
			case r.SubscriptionID != "" && !r.Buy:
				return cmdutil.Usagef("--subscription goes with --buy")
			case r.SubscriptionID != "" && r.All:
				return cmdutil.Usagef("--subscription goes with --product, not --all")
			case r.Partial && len(r.Unassign) == 0:
				return cmdutil.Usagef("--partial goes with --unassign UPN,...")
			}
			if !r.All && f.IOStreams.CanPrompt() && runF == nil {
				switch {
				case !r.Buy && !unassign:
					// No action: the resolution is asked, as list-conflicts -o interactive does.
					return askResolution(f, r.ProductID)
				case r.ProductID == "":
					return askProduct(f, *r)
				}
			}
			switch {
			case !r.All && r.ProductID == "":
				return cmdutil.Usagef("give --product ID or --all")
			case !r.Buy && !unassign:
				return cmdutil.Usagef("missing --buy, --unassign UPN,... or --unassign-newest")
			}
			if runF != nil {
				return runF(opts)
			}
			return resolve(f, *r)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&r.ProductID, "product", "", "product id: its central pool")
	fl.BoolVar(&r.All, "all", false, "every product whose central pool is in conflict")
	fl.BoolVar(&r.Buy, "buy", false, "buy the shortfall")
	fl.StringVar(&r.SubscriptionID, "subscription", "", "the Active central subscription --buy raises")
	fl.StringSliceVar(&r.Unassign, "unassign", nil, "users whose licenses are removed, comma-separated")
	_ = cmd.RegisterFlagCompletionFunc("subscription", cmdutil.Complete(f, store.CompleteSubscriptions))
	_ = cmd.RegisterFlagCompletionFunc("unassign", cmdutil.Complete(f, store.CompleteUsers))
	fl.BoolVar(&r.UnassignNewest, "unassign-newest", false, "remove the licenses that need a seat")
	fl.BoolVar(&r.Partial, "partial", false, "with --unassign: allow fewer than the shortfall")
	_ = cmd.RegisterFlagCompletionFunc("product", cmdutil.CompleteProductIDs(f))
	return cmd
}

// resolve rehearses the resolution (a dry run), asks to confirm it with
// the plan in view, then makes it.
func resolve(f *cmdutil.Factory, r store.Resolve) error {
	p, s, ctx, err := f.Setup()
	if err != nil {
		return err
	}
	// Ask which subscription only when the plan needs it (several Active
	// central ones, the one invalid-input error of --buy without
	// --subscription): a refusal comes before any question.
	if r.Buy && r.SubscriptionID == "" && !r.All && f.IOStreams.CanPrompt() &&
		store.ErrorCode(planErr(s.ResolveConflicts(store.WithDryRun(ctx), r))) == store.EINVALID {
		subs, err := s.ListSubscriptions(ctx, store.SubscriptionFilter{ProductID: r.ProductID, Status: store.StatusActive})
		if err != nil {
			return err
		}
		var central []store.Subscription
		for _, sub := range subs {
			if sub.Kind == store.KindCentral {
				central = append(central, sub)
			}
		}
		if len(central) > 1 {
			labels := make([]string, len(central))
			for i, sub := range central {
				labels[i] = fmt.Sprintf("%s  %d licenses, %s a month, until %s", sub.ID, sub.Quantity, sub.MonthlyCost, sub.ExpiresAt.Format("2006-01-02"))
			}
			i, err := f.Prompter().Select("Buy on which subscription?", labels, 0)
			if err != nil {
				return err
			}
			r.SubscriptionID = central[i].ID
		}
	}
	if !f.Flags.DryRun && !f.Flags.Yes {
		plan, err := s.ResolveConflicts(store.WithDryRun(ctx), r)
		if err != nil {
			return err
		}
		if err := cmdutil.Confirm(f, describe(plan)); err != nil {
			return err
		}
	}
	res, err := s.ResolveConflicts(ctx, r)
	if err != nil {
		return err
	}
	defer f.DryRunNote()
	for _, x := range res {
		if x.Action == "buy" {
			fmt.Fprintf(f.IOStreams.ErrOut, "%s: %d licenses in all; new monthly cost %s\n", x.SubscriptionID, x.Quantity, x.MonthlyCost)
		}
	}
	return output.List(p, res, resolutionColumns)
}

func planErr(_ []store.Resolution, err error) error { return err }

// describe is the question that confirms a plan.
func describe(plan []store.Resolution) string {
	var parts []string
	for _, x := range plan {
		if x.Action == "buy" {
			parts = append(parts, fmt.Sprintf("buy %d license(s) of %s on %s (new total %s a month)", x.Shortfall, x.ProductName, x.SubscriptionID, x.MonthlyCost))
		} else {
			parts = append(parts, fmt.Sprintf("unassign %s from %s", x.ProductName, strings.Join(x.Unassigned, ", ")))
		}
	}
	return "Resolve: " + strings.Join(parts, "; ") + "?"
}
