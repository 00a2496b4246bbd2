package license

import (
	"context"
	"fmt"
	"strings"

	"github.com/commercectl/commercectl/cmd/cmdutil"
	"github.com/commercectl/commercectl/store"
)

// centralPools offers the products with a central pool for assign-license
// (or, with unassign, those whose central licenses someone holds). A pool
// with no free license is shown with the buy-licenses that makes room.
// With the users given (upns), each pool is rehearsed for them, so one the
// verb would refuse (too few seats) or where nothing would change (none
// of them holds it) shows why.
func centralPools(unassign bool, upns []string) func(context.Context, store.Service) ([]cmdutil.Choice, error) {
	return func(ctx context.Context, s store.Service) ([]cmdutil.Choice, error) {
		pools, err := cmdutil.CentralPools(ctx, s)
		if err != nil {
			return nil, err
		}
		var out []cmdutil.Choice
		for _, p := range pools {
			c := cmdutil.Choice{Value: p.ProductID, Label: poolLabel(p)}
			switch {
			case unassign && p.Assigned == 0, !unassign && p.Quantity == 0:
				continue
			case !unassign && p.Available <= 0:
				c.Why = "no free central license"
				c.Fix, err = buyFix(ctx, s, p)
				if err != nil {
					return nil, err
				}
			case len(upns) > 0:
				a := store.LicenseAssignment{ProductID: p.ProductID, UPNs: upns}
				if c.Why, c.Fix, err = cmdutil.Refusal(ctx, func(ctx context.Context) error {
					var res *store.AssignResult
					var err error
					if unassign {
						res, err = s.UnassignLicenses(ctx, a)
					} else {
						res, err = s.AssignLicenses(ctx, a)
					}
					if err == nil && res.Changed == 0 {
						return store.Errorf(store.ECONFLICT, "nothing would change: %s", nothingFor(unassign, len(upns)))
					}
					return err
				}); err != nil {
					return nil, err
				}
			}
			out = append(out, c)
		}
		return out, nil
	}
}

// buyFix is the command that adds a seat to a full central pool: raise
// its Active central subscription that lasts longest.
func buyFix(ctx context.Context, s store.Service, p store.LicenseSummary) (string, error) {
	subs, err := s.ListSubscriptions(ctx, store.SubscriptionFilter{ProductID: p.ProductID, Status: store.StatusActive})
	if err != nil {
		return "", err
	}
	var last *store.Subscription
	for i, sub := range subs {
		if sub.Kind == store.KindCentral && (last == nil || sub.ExpiresAt.After(last.ExpiresAt)) {
			last = &subs[i]
		}
	}
	if last == nil {
		return fmt.Sprintf("buy some: commercectl add-subscription --product %s --quantity N", p.ProductID), nil
	}
	return fmt.Sprintf("buy more: commercectl buy-licenses --subscription %s --total %d", last.ID, last.Quantity+1), nil
}

// pickCap bounds the users offered in a list; past it the prompt asks for UPNs.
const pickCap = 500

// pickUsers asks whom to license (users without the product) or whose
// central license goes (its holders): a list to tick, or past pickCap
// candidates the UPNs typed. None picked (or none to pick) is nil, and
// said on stderr: nothing changes.
func pickUsers(f *cmdutil.Factory, ctx context.Context, s store.Service, productID string, unassign bool) ([]string, error) {
	pr := f.Prompter()
	groups, err := s.ListLicenseUsers(ctx, productID, false)
	if err != nil {
		return nil, err
	}
	holders := map[string]bool{}
	var central []string
	for _, g := range groups {
		for _, u := range g.Users {
			holders[strings.ToLower(u.UPN)] = true
			if g.Purchaser == "" {
				central = append(central, u.UPN)
			}
		}
	}
	var candidates []string
	if unassign {
		candidates = central
	} else {
		users, err := s.ListUsers(ctx, store.UserFilter{})
		if err != nil {
			return nil, err
		}
		for _, u := range users {
			if !holders[strings.ToLower(u.UPN)] {
				candidates = append(candidates, u.UPN)
			}
		}
	}
	if len(candidates) == 0 {
		fmt.Fprintln(f.IOStreams.ErrOut, "No users to pick from: nothing changed.")
		return nil, nil
	}
	if len(candidates) > pickCap {
		text, err := pr.Input(fmt.Sprintf("%d users could be picked: type UPNs, comma-separated", len(candidates)), "")
		if err != nil {
			return nil, err
		}
		upns := cmdutil.SplitList([]string{text})
		if len(upns) == 0 {
			fmt.Fprintln(f.IOStreams.ErrOut, "Nothing picked: nothing changed.")
		}
		return upns, nil
	}
	question := "Which users?"
	if !unassign {
		// The seats there are to give, so that no more are ticked.
		pools, err := cmdutil.CentralPools(ctx, s)
		if err != nil {
			return nil, err
		}
		for _, p := range pools {
			if p.ProductID == productID {
				question += fmt.Sprintf(" (%s free)", store.Plural(p.Available, "license"))
			}
		}
	}
	picked, err := pr.MultiSelect(question, candidates, nil)
	if err != nil {
		return nil, err
	}
	var upns []string
	for _, i := range picked {
		upns = append(upns, candidates[i])
	}
	if len(upns) == 0 {
		fmt.Fprintln(f.IOStreams.ErrOut, "Nothing picked: nothing changed.")
	}
	return upns, nil
}

// poolLabel is how a picker shows a product's central pool (p's figures
// are the pool's).
func poolLabel(p store.LicenseSummary) string {
	if p.Quantity == 0 {
		return fmt.Sprintf("%s  %s (central: %d assigned, no seats)", p.ProductID, p.ProductName, p.Assigned)
	}
	return fmt.Sprintf("%s  %s (central: %d of %d assigned, %d available)", p.ProductID, p.ProductName, p.Assigned, p.Quantity, max(p.Available, 0))
}

// nothingFor says why a pool would change nothing for n users.
func nothingFor(unassign bool, n int) string {
	switch {
	case unassign && n == 1:
		return "they hold no central license of it"
	case unassign:
		return "none of them holds a central license of it"
	case n == 1:
		return "they hold it already"
	}
	return "all of them hold it already"
}
