package conflict

import (
	"context"
	"fmt"

	"github.com/commercectl/commercectl/cmd/cmdutil"
	"github.com/commercectl/commercectl/store"
)

// askResolution is resolve-conflicts without an action, in a terminal:
// the resolution is asked, for the product given ("" for any).
func askResolution(f *cmdutil.Factory, productID string) error {
	s, err := f.Store()
	if err != nil {
		return err
	}
	ctx, err := f.Context()
	if err != nil {
		return err
	}
	cs, err := s.ListConflicts(ctx, productID)
	if err != nil {
		return err
	}
	return pickResolution(f, cs)
}

// askProduct is resolve-conflicts with an action but no product, in a
// terminal: the product is picked among the central pools in conflict,
// each rehearsed with that action, so one it would refuse (nothing to buy
// on, say) shows why and what to do first. No conflict is no error.
func askProduct(f *cmdutil.Factory, r store.Resolve) error {
	s, err := f.Store()
	if err != nil {
		return err
	}
	ctx, err := f.Context()
	if err != nil {
		return err
	}
	cs, err := s.ListConflicts(ctx, "")
	if err != nil {
		return err
	}
	var choices []cmdutil.Choice
	for _, c := range cs {
		if c.Pool != store.PoolCentral {
			continue
		}
		try := r
		try.ProductID = c.ProductID
		why, fix, err := cmdutil.Refusal(ctx, func(ctx context.Context) error { return rehearse(ctx, s, try) })
		if err != nil {
			return err
		}
		choices = append(choices, cmdutil.Choice{Value: c.ProductID, Label: conflictLabel(c), Why: why, Fix: fix})
	}
	if len(choices) == 0 {
		fmt.Fprintln(f.IOStreams.ErrOut, noConflict)
		return nil
	}
	if r.ProductID, err = cmdutil.Choose(f, "Which product?", choices); err != nil {
		return err
	}
	return resolve(f, r)
}

// noConflict is what a resolution without a conflict to resolve says.
const noConflict = "No central pool has a license conflict."

// rehearse is a resolution's refusal, if any. Buying without
// --subscription where several could be raised is none: resolve asks
// which.
func rehearse(ctx context.Context, s store.Service, r store.Resolve) error {
	_, err := s.ResolveConflicts(ctx, r)
	if r.Buy && r.SubscriptionID == "" && store.ErrorCode(err) == store.EINVALID {
		return nil
	}
	return err
}

func conflictLabel(c store.Conflict) string {
	return fmt.Sprintf("%s  %s: %d assigned, %s, %d need a valid license", c.ProductID, c.ProductName, c.Assigned, store.Plural(c.Seats, "seat"), c.Shortfall)
}

// pickResolution is the interactive resolution: pick a product in conflict,
// then buy the shortfall (the cost is in the confirmation) or pick users to
// unassign (the ones who need a seat come ticked).
func pickResolution(f *cmdutil.Factory, cs []store.Conflict) error {
	var central []store.Conflict
	for _, c := range cs {
		if c.Pool == store.PoolCentral {
			central = append(central, c)
		}
	}
	if len(central) == 0 {
		fmt.Fprintln(f.IOStreams.ErrOut, noConflict)
		return nil
	}
	pr := f.Prompter()
	labels := make([]string, len(central))
	for i, c := range central {
		labels[i] = conflictLabel(c)
	}
	i, err := pr.Select("Which product?", labels, 0)
	if err != nil {
		return err
	}
	c := central[i]
	s, err := f.Store()
	if err != nil {
		return err
	}
	ctx, err := f.Context()
	if err != nil {
		return err
	}
	r := store.Resolve{ProductID: c.ProductID}
	// Buying is rehearsed: without an Active central subscription to raise
	// it is shown with the reason and the add-subscription that fixes it.
	// (Several subscriptions are no refusal: resolve asks which.)
	why, fix, err := cmdutil.Refusal(ctx, func(ctx context.Context) error {
		return rehearse(ctx, s, store.Resolve{ProductID: c.ProductID, Buy: true})
	})
	if err != nil {
		return err
	}
	action, err := cmdutil.Choose(f, "Resolve how?", []cmdutil.Choice{
		{Value: "buy", Label: fmt.Sprintf("Buy %d more license(s)", c.Shortfall), Why: why, Fix: fix},
		{Value: "unassign", Label: "Unassign licenses"},
	})
	if err != nil {
		return err
	}
	if action == "buy" {
		r.Buy = true
		return resolve(f, r)
	}
	groups, err := s.ListLicenseUsers(ctx, c.ProductID, false)
	if err != nil {
		return err
	}
	var holders []string
	for _, g := range groups {
		if g.Purchaser == "" {
			for _, u := range g.Users {
				holders = append(holders, u.UPN)
			}
		}
	}
	need := map[string]bool{}
	for _, u := range c.Users {
		need[u] = true
	}
	var ticked []int
	for i, u := range holders {
		if need[u] {
			ticked = append(ticked, i)
		}
	}
	picked, err := pr.MultiSelect("Whose license goes?", holders, ticked)
	if err != nil {
		return err
	}
	for _, i := range picked {
		r.Unassign = append(r.Unassign, holders[i])
	}
	if len(r.Unassign) == 0 {
		fmt.Fprintln(f.IOStreams.ErrOut, "Nothing picked: nothing changed.")
		return nil
	}
	r.Partial = len(r.Unassign) < c.Shortfall
	return resolve(f, r)
}
