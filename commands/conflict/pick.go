package conflict

import (
	"context"
	"fmt"

	"github.com/commercectl/commercectl/cmd/cmdutil"
	"github.com/commercectl/commercectl/store"
)

// askResolution is resolve-conflicts given nothing, in a terminal.
func askResolution(f *cmdutil.Factory) error {
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
	return pickResolution(f, cs)
}

// centralConflicts offers the products whose central pool is in conflict.
func centralConflicts(ctx context.Context, s store.Service) ([]cmdutil.Choice, error) {
	cs, err := s.ListConflicts(ctx, "")
	if err != nil {
		return nil, err
	}
	var out []cmdutil.Choice
	for _, c := range cs {
		if c.Pool == store.PoolCentral {
			out = append(out, cmdutil.Choice{Value: c.ProductID, Label: conflictLabel(c)})
		}
	}
	return out, nil
}

func conflictLabel(c store.Conflict) string {
	return fmt.Sprintf("%s  %s: %d assigned, %d seats, %d need a valid license", c.ProductID, c.ProductName, c.Assigned, c.Seats, c.Shortfall)
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
		fmt.Fprintln(f.IOStreams.ErrOut, "No central pool has a license conflict.")
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
		_, err := s.ResolveConflicts(ctx, store.Resolve{ProductID: c.ProductID, Buy: true})
		if store.ErrorCode(err) == store.EINVALID {
			return nil
		}
		return err
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
