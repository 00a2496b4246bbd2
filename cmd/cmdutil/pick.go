package cmdutil

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/commercectl/commercectl/store"
	"github.com/spf13/cobra"
)

// Choice is one answer a picker can offer: Value is what the verb is given
// (an id), Label what the person reads. Why, when set, says why the verb
// would refuse it, and Fix the command that would make it work: such a
// choice is not offered but listed under the question with its reason, so
// a picker only offers what can work (issue 15).
type Choice struct {
	Value string
	Label string
	Why   string
	Fix   string
}

// Picking is one question of a picker: the flag or argument it stands for
// (named in the exit 2 outside a terminal), the question, and what to say
// when the tenant has nothing to pick from.
type Picking struct {
	Missing  string // the flag, as in "missing --product"
	Question string
	None     string // "the tenant has no subscriptions"
	NoneFix  string // a command that would make one, or ""
}

// Pick asks, in a terminal, for an argument that was not given, among
// choices from the tenant; outside a terminal it fails with exit 2 naming
// the argument (SPEC §2). Choices that cannot work are listed with their
// reason and way out, not offered; when nothing can work, Pick fails as
// the verb would (exit 5, see Choose); when there is nothing at all,
// exit 3 with p.None.
func Pick(f *Factory, p Picking, load func(context.Context, store.Service) ([]Choice, error)) (string, error) {
	if !f.IOStreams.CanPrompt() {
		return "", Usagef("missing %s", p.Missing)
	}
	s, err := f.Store()
	if err != nil {
		return "", err
	}
	ctx, err := f.Context()
	if err != nil {
		return "", err
	}
	choices, err := load(ctx, s)
	if err != nil {
		return "", err
	}
	if len(choices) == 0 {
		err := store.Errorf(store.ENOTFOUND, "%s", p.None)
		if p.NoneFix != "" {
			err = err.WithHint("%s", p.NoneFix)
		}
		return "", err
	}
	return Choose(f, p.Question, choices)
}

// Choose asks which of choices (at least one), offering only those that
// can work and listing the others with their reason; when none can work,
// it fails as the verb would, exit 5: the one reason and its fix, or the
// list of them.
func Choose(f *Factory, question string, choices []Choice) (string, error) {
	if len(choices) == 0 {
		return "", store.Errorf(store.ENOTFOUND, "nothing to pick from")
	}
	var labels, values []string
	var off []Choice
	for _, c := range choices {
		if c.Why != "" {
			off = append(off, c)
			continue
		}
		labels, values = append(labels, c.Label), append(values, c.Value)
	}
	if len(values) == 0 {
		if len(off) == 1 {
			c := off[0]
			err := store.Errorf(store.ECONFLICT, "%s: %s", c.Label, c.Why)
			if c.Fix != "" {
				err = err.WithHint("%s", c.Fix)
			}
			return "", err
		}
		listNotOffered(f, off)
		return "", store.Errorf(store.ECONFLICT, "none of the %d can be chosen now: each would be refused, as listed above", len(off))
	}
	f.asked = true
	listNotOffered(f, off)
	i, err := f.Prompter().Select(question, labels, 0)
	if err != nil {
		return "", err
	}
	return values[i], nil
}

// maxNotOffered bounds the choices left out that a picker lists whole;
// of more (a catalog may block hundreds of products) it names the first
// fewNotOffered, so that the list stays in view.
const (
	maxNotOffered = 8
	fewNotOffered = 3
)

// listNotOffered prints, above a picker, the choices it leaves out.
func listNotOffered(f *Factory, off []Choice) {
	if len(off) == 0 {
		return
	}
	w := f.IOStreams.ErrOut
	fmt.Fprintln(w, notOffered)
	named := len(off)
	if named > maxNotOffered {
		named = fewNotOffered
	}
	for i, c := range off {
		if i == named {
			fmt.Fprintf(w, "  and %d more\n", len(off)-i)
			break
		}
		line := "  " + c.Label + ": " + c.Why
		if c.Fix != "" {
			line += " (" + c.Fix + ")"
		}
		fmt.Fprintln(w, line)
	}
}

// MarkAsked records that the verb asked for an argument itself.
func (f *Factory) MarkAsked() { f.asked = true }

// notOffered heads the choices a picker leaves out.
const notOffered = "Not offered now (why, and what to do first):"

// PlanAsked is Rehearse for a verb that asked for its arguments: before
// anything changes the person reads the plan, with its cost, in the
// question, and says yes. A verb given every argument goes on unasked.
func PlanAsked(f *Factory, ctx context.Context, plan func(context.Context) (string, error)) error {
	if !f.asked {
		return nil
	}
	return Rehearse(f, ctx, plan)
}

// ConfirmAsked is Confirm for a verb that asked for its arguments: the
// person sees the plan, with its cost, and says yes before anything
// changes. A verb given every argument is not asked again.
func ConfirmAsked(f *Factory, question string) error {
	if !f.asked {
		return nil
	}
	return Confirm(f, question)
}

// SubscriptionLabel is how a picker shows a subscription.
func SubscriptionLabel(s store.Subscription) string {
	kind, cost := s.Kind, s.MonthlyCost.String()+" a month"
	switch s.Kind {
	case store.KindSelfService:
		kind = "self-service, bought by " + s.Purchaser
	case store.KindTrial:
		kind, cost = "trial of "+s.Purchaser, "no cost"
	}
	return fmt.Sprintf("%s  %s, %s (%d of %d assigned, %s, %s)",
		s.ID, s.ProductName, kind, s.Assigned, s.Quantity, cost, s.Status)
}

// RequestLabel is how a picker shows a license request.
func RequestLabel(r store.Request) string {
	people := "people"
	if len(r.Users) == 1 {
		people = "person"
	}
	return fmt.Sprintf("%d  %s, asked by %s on %s for %d %s (%s)",
		r.ID, r.ProductName, r.Requester, r.RequestedAt.Format("2 Jan 2006"), len(r.Users), people, strings.ToLower(r.Status))
}

// PickProduct asks for a missing --product among the catalog's products
// as the store front offers them (a member may pick too); refusal, when
// not nil, is the verb's own rule on an offer (store.Offer.PurchaseRefusal,
// say): a product it refuses is listed with the reason and the way out.
func PickProduct(f *Factory, question string, refusal func(store.Offer) *store.Error) (string, error) {
	return Pick(f, Picking{Missing: "--product", Question: question, None: "the catalog has no products",
		NoneFix: "commercectl import-catalog FILE"}, func(ctx context.Context, s store.Service) ([]Choice, error) {
		offers, err := s.Offers(ctx)
		if err != nil {
			return nil, err
		}
		out := make([]Choice, len(offers))
		for i, o := range offers {
			out[i] = Choice{Value: o.ProductID, Label: fmt.Sprintf("%s  %s (%s a license a month)", o.ProductID, o.ProductName, o.MonthlyPrice)}
			if refusal != nil {
				if err := refusal(o); err != nil {
					out[i].Why, out[i].Fix = err.Message, err.Hint
				}
			}
		}
		return out, nil
	})
}

// Subscriptions lists, for a picker, the subscriptions the actor may see
// that keep says are candidates.
func Subscriptions(keep func(store.Subscription) bool) func(context.Context, store.Service) ([]Choice, error) {
	return func(ctx context.Context, s store.Service) ([]Choice, error) {
		subs, err := s.ListSubscriptions(ctx, store.SubscriptionFilter{})
		if err != nil {
			return nil, err
		}
		var out []Choice
		for _, sub := range subs {
			if keep(sub) {
				out = append(out, Choice{Value: sub.ID, Label: SubscriptionLabel(sub)})
			}
		}
		return out, nil
	}
}

// Requests lists, for a picker, the license requests of status ("" for all).
func Requests(status string) func(context.Context, store.Service) ([]Choice, error) {
	return func(ctx context.Context, s store.Service) ([]Choice, error) {
		reqs, _, err := s.ListRequests(ctx, store.RequestFilter{Status: status})
		if err != nil {
			return nil, err
		}
		out := make([]Choice, len(reqs))
		for i, r := range reqs {
			out[i] = Choice{Value: strconv.FormatInt(r.ID, 10), Label: RequestLabel(r)}
		}
		return out, nil
	}
}

// CentralPools are the products with a central pool (seats, or licenses
// in a conflict), with Quantity, Assigned and Available those of the
// central pool alone, as the store counts them: what assigning, approving
// and resolving use.
func CentralPools(ctx context.Context, s store.Service) ([]store.LicenseSummary, error) {
	sums, err := s.ListLicenses(ctx, false)
	if err != nil {
		return nil, err
	}
	var out []store.LicenseSummary
	for _, t := range sums {
		if pool, ok := t.Central(); ok {
			out = append(out, pool)
		}
	}
	return out, nil
}

// Arg is a verb's one argument, an id; when it is missing, in a terminal,
// the one picked (SPEC §2). Outside a terminal the usage error names it
// ("needs a subscription id"), as before pickers. The verb takes
// MaxArgs(1).
func Arg(f *Factory, cmd *cobra.Command, args []string, name string, p Picking, load func(context.Context, store.Service) ([]Choice, error)) (string, error) {
	if len(args) == 1 {
		return args[0], nil
	}
	if !f.IOStreams.CanPrompt() {
		return "", ExactArgs(1, name)(cmd, args)
	}
	return Pick(f, p, load)
}

// Refusal rehearses a change (rolled back) to tell, for a picker, why the
// verb would refuse a choice and what to do first ("" when it would not):
// the rule that decides is the store's, written once. Other failures
// (not a refusal of the domain) are returned as they are.
func Refusal(ctx context.Context, try func(context.Context) error) (why, fix string, err error) {
	err = try(store.WithDryRun(ctx))
	if err == nil {
		return "", "", nil
	}
	if store.ErrorCode(err) != store.ECONFLICT {
		return "", "", err
	}
	return store.ErrorMessage(err), store.ErrorHint(err), nil
}

// userCap bounds the users a picker lists; past it the UPN is typed.
const userCap = 500

// Judge says of a user whether a picker offers them (keep) and, when the
// verb would refuse them, why and what to do first.
type Judge func(ctx context.Context, s store.Service, u store.User) (keep bool, why, fix string, err error)

// UserArg is a verb's UPN argument: when it is missing, in a terminal, the
// user picked among the tenant's that judge offers (nil: all; typed past
// userCap of them); outside a terminal the usage error names it. The verb
// takes MaxArgs(n).
func UserArg(f *Factory, cmd *cobra.Command, args []string, name, question string, judge Judge) (string, error) {
	if len(args) > 0 {
		return args[0], nil
	}
	missing := &UsageError{Msg: fmt.Sprintf("%s needs %s", cmd.CommandPath(), name), Hint: "usage: " + cmd.UseLine()}
	if !f.IOStreams.CanPrompt() {
		return "", missing
	}
	s, err := f.Store()
	if err != nil {
		return "", err
	}
	ctx, err := f.Context()
	if err != nil {
		return "", err
	}
	all, err := s.ListUsers(ctx, store.UserFilter{})
	if err != nil {
		return "", err
	}
	var choices []Choice
	offered := 0 // the refused are shown above the list, not in it
	for _, u := range all {
		c := Choice{Value: u.UPN, Label: u.UPN + "  " + u.DisplayName}
		if judge != nil {
			keep, why, fix, err := judge(ctx, s, u)
			if err != nil {
				return "", err
			}
			if !keep {
				continue
			}
			c.Why, c.Fix = why, fix
		}
		if c.Why == "" {
			offered++
		}
		choices = append(choices, c)
	}
	if offered > userCap {
		return AskFor(f, missing, fmt.Sprintf("%s (%d users: type the UPN)", question, offered))
	}
	return Choose(f, question, choices)
}
