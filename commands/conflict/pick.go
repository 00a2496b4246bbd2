package conflict

import (
	"fmt"

	"github.com/commercectl/commercectl/cmd/cmdutil"
	"github.com/commercectl/commercectl/store"
)

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
		labels[i] = fmt.Sprintf("%s  %s: %d assigned, %d seats, %d need a valid license", c.ProductID, c.ProductName, c.Assigned, c.Seats, c.Shortfall)
	}
	i, err := pr.Select("Which product?", labels, 0)
	if err != nil {
		return err
	}
	c := central[i]
	action, err := pr.Select("Resolve how?", []string{fmt.Sprintf("Buy %d more license(s)", c.Shortfall), "Unassign licenses"}, 0)
	if err != nil {
		return err
	}
	r := store.Resolve{ProductID: c.ProductID}
	if action == 0 {
		r.Buy = true
		return resolve(f, r)
	}
	s, err := f.Store()
	if err != nil {
		return err
	}
	ctx, err := f.Context()
	if err != nil {
		return err
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
