package license

import (
	"context"
	"fmt"
	"github.com/commercectl/commercectl/cmd/cmdutil"
	"github.com/commercectl/commercectl/output"
	"github.com/commercectl/commercectl/store"
	"github.com/spf13/cobra"
	"strings"
)

// AssignOptions are the inputs of assign-license and unassign-license.
type AssignOptions struct {
	Factory        *cmdutil.Factory
	ProductID      string
	SubscriptionID string
	Users          []string
	UsersFile      string
	DisabledPlans  []string
	Unassign       bool
}

func newAssignCmd(f *cmdutil.Factory, unassign bool, runF func(*AssignOptions) error) *cobra.Command {
	opts := &AssignOptions{Factory: f, Unassign: unassign}
	cmd := &cobra.Command{
		Use:   "assign-license (--product ID | --subscription ID) (--users UPN,... | --users-file FILE) [--disable-plan NAME,...]",
		Short: "Give users a license from a product's central pool or from a subscription",
		Long: `Give each user a license, all or nothing. --product takes it from the
product's central subscriptions; --subscription from that subscription. A
user holds at most one license of a product: one who already has this
pool's license is left as is, one who has the product from elsewhere is
refused. Licenses of a self-service or trial subscription are managed by its
purchaser; an admin takes the subscription over first. --disable-plan turns
apps and services (service plans) off for these users. With --users-file,
a terminal shows the progress.`,
		Example: `  commercectl assign-license --product CFQ7TTC0H9MP --users ada@contoso.com,alan@contoso.com
  commercectl assign-license --product CFQ7TTC0HD32 --users-file new-designers.txt --disable-plan VISIO_CLIENT_SUBSCRIPTION`,
		Args: cmdutil.MaxArgs(0),
		RunE: func(cmd *cobra.Command, args []string) error {
			if opts.ProductID == "" && opts.SubscriptionID == "" {
				if !f.IOStreams.CanPrompt() {
					return cmdutil.Usagef("missing --product ID or --subscription ID")
				}
				question := "Assign licenses of which product? (from its central pool)"
				if unassign {
					question = "Take licenses of which product away? (its central pool)"
				}
				var err error
				opts.ProductID, err = cmdutil.Pick(f, cmdutil.Picking{Question: question,
					None: "the organization has no central licenses", NoneFix: "buy some: commercectl add-subscription --product ID --quantity N"},
					centralPools(unassign, cmdutil.SplitList(opts.Users)))
				if store.ErrorCode(err) == store.EFORBIDDEN {
					// A member manages the licenses of what they bought.
					opts.SubscriptionID, err = pickOwnSubscription(f, unassign)
				}
				if err != nil {
					return err
				}
			}
			if opts.ProductID != "" && opts.SubscriptionID != "" {
				return cmdutil.Usagef("give --product or --subscription, not both")
			}
			if len(opts.Users) == 0 && opts.UsersFile == "" {
				if !f.IOStreams.CanPrompt() {
					return cmdutil.Usagef("missing --users UPN,... or --users-file FILE")
				}
				if opts.ProductID == "" {
					upns, err := cmdutil.AskText(f, "users", "Which users (UPNs, comma-separated)?")
					if err != nil {
						return err
					}
					opts.Users = []string{upns}
				} else if err := askUsers(opts); err != nil || len(opts.Users) == 0 {
					return err
				}
			}
			if runF != nil {
				return runF(opts)
			}
			return assignRun(opts)
		},
	}
	if unassign {
		cmd.Use = "unassign-license (--product ID | --subscription ID) (--users UPN,... | --users-file FILE)"
		cmd.Short = "Take licenses of a product's central pool or of a subscription away from users"
		cmd.Long = `Take the license of the pool away from each user, all or nothing. Users
who hold no license of the pool are left as they are.`
		cmd.Example = `  commercectl unassign-license --product CFQ7TTC0H9MP --users ada@contoso.com`
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.ProductID, "product", "", "product id: its central pool")
	fl.StringVar(&opts.SubscriptionID, "subscription", "", "subscription id")
	fl.StringSliceVar(&opts.Users, "users", nil, "UPNs, comma-separated or repeated")
	_ = cmd.RegisterFlagCompletionFunc("subscription", cmdutil.Complete(f, store.CompleteSubscriptions))
	_ = cmd.RegisterFlagCompletionFunc("users", cmdutil.Complete(f, store.CompleteUsers))
	fl.StringVar(&opts.UsersFile, "users-file", "", "file with one UPN per line (- for stdin)")
	if !unassign {
		fl.StringSliceVar(&opts.DisabledPlans, "disable-plan", nil, "service plan names to turn off, comma-separated")
		_ = cmd.RegisterFlagCompletionFunc("disable-plan", cmdutil.CompletePlans(f, nil))
	}
	_ = cmd.RegisterFlagCompletionFunc("product", cmdutil.CompleteProductIDs(f))
	return cmd
}

// NewCmdAssignLicense builds assign-license.
func NewCmdAssignLicense(f *cmdutil.Factory, runF func(*AssignOptions) error) *cobra.Command {
	return newAssignCmd(f, false, runF)
}

// NewCmdUnassignLicense builds unassign-license.
func NewCmdUnassignLicense(f *cmdutil.Factory, runF func(*AssignOptions) error) *cobra.Command {
	return newAssignCmd(f, true, runF)
}

func assignRun(opts *AssignOptions) error {
	f := opts.Factory
	p, err := f.Printer()
	if err != nil {
		return err
	}
	upns, err := readUsers(f, opts.Users, opts.UsersFile)
	if err != nil {
		return err
	}
	s, err := f.Store()
	if err != nil {
		return err
	}
	ctx, err := f.Context()
	if err != nil {
		return err
	}
	var progress *output.Progress
	if opts.UsersFile != "" && f.IOStreams.IsStderrTTY() {
		label := "Assigning licenses"
		if opts.Unassign {
			label = "Unassigning licenses"
		}
		progress = output.NewProgressOf(f.IOStreams.ErrOut, label, "users")
		ctx = store.WithProgress(ctx, progress.SetOf)
	}
	a := store.LicenseAssignment{ProductID: opts.ProductID, SubscriptionID: opts.SubscriptionID, UPNs: upns,
		DisabledPlans: cmdutil.SplitList(opts.DisabledPlans)}
	var res *store.AssignResult
	if !opts.Unassign {
		// Users picked in a terminal: the plan, then yes or no.
		err := cmdutil.PlanAsked(f, ctx, func(ctx context.Context) (string, error) {
			plan, err := s.AssignLicenses(ctx, a)
			if err != nil || plan.Changed == 0 {
				return "", err
			}
			return fmt.Sprintf("Give %d license(s) of %s to %s? %d will stay free.", plan.Changed, plan.ProductName, peopleList(plan.UPNs, plan.Changed), plan.Available), nil
		})
		if err != nil {
			return err
		}
	}
	if opts.Unassign {
		err := cmdutil.Rehearse(f, ctx, func(ctx context.Context) (string, error) {
			plan, err := s.UnassignLicenses(ctx, a)
			if err != nil || plan.Changed == 0 {
				return "", err
			}
			return fmt.Sprintf("Take %d license(s) of %s away from %s?", plan.Changed, plan.ProductName, peopleList(plan.UPNs, plan.Changed)), nil
		})
		if err != nil {
			return err
		}
	}
	if opts.Unassign {
		res, err = s.UnassignLicenses(ctx, a)
	} else {
		res, err = s.AssignLicenses(ctx, a)
	}
	if progress != nil {
		progress.Done(len(upns))
	}
	if err != nil {
		return err
	}
	defer f.DryRunNote()
	verb := "Assigned"
	if opts.Unassign {
		verb = "Unassigned"
	}
	f.Note("%s %d license(s) of %s; %d available", verb, res.Changed, res.ProductName, res.Available)
	return output.One(p, *res, assignColumns)
}

// peopleList names up to three of upns, then how many more of n.
func peopleList(upns []string, n int) string {
	if len(upns) > 3 {
		upns = upns[:3]
	}
	s := strings.Join(upns, ", ")
	if n > len(upns) {
		s += fmt.Sprintf(" and %d more", n-len(upns))
	}
	return s
}

// askUsers asks, in a terminal, for the users of a product's central pool
// (SPEC §2): whom to license, or whose license goes.
func askUsers(opts *AssignOptions) error {
	f := opts.Factory
	s, err := f.Store()
	if err != nil {
		return err
	}
	ctx, err := f.Context()
	if err != nil {
		return err
	}
	prod, err := s.GetProduct(ctx, opts.ProductID)
	if err != nil {
		return err
	}
	upns, err := pickUsers(f, ctx, s, prod.ID, opts.Unassign)
	if err != nil {
		return err
	}
	if len(upns) == 0 {
		return nil
	}
	f.MarkAsked()
	opts.Users = upns
	return nil
}

// pickOwnSubscription asks a member who may not manage the central pools
// which of the subscriptions they bought themselves to assign (or take
// away) licenses of.
func pickOwnSubscription(f *cmdutil.Factory, unassign bool) (string, error) {
	actor, err := f.Actor()
	if err != nil {
		return "", err
	}
	question := "Assign licenses of which of your subscriptions?"
	if unassign {
		question = "Take licenses of which of your subscriptions away?"
	}
	return cmdutil.Pick(f, cmdutil.Picking{Question: question,
		None: "you may not manage the central licenses, and have no subscription of your own", NoneFix: "buy one: commercectl purchase --product ID --quantity N"},
		cmdutil.Subscriptions(func(sub store.Subscription) bool {
			return sub.Kind != store.KindCentral && sub.Status == store.StatusActive && strings.EqualFold(sub.Purchaser, actor)
		}))
}
