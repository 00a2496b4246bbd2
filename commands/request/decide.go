package request

import (
	"context"
	"fmt"
	"strings"

	"github.com/commercectl/commercectl/cmd/cmdutil"
	"github.com/commercectl/commercectl/output"
	"github.com/commercectl/commercectl/store"
)

// decide is the interactive review of the admin center's Requests page: pick
// a pending request, see its users, then approve it (untick users, pick the
// product, turn apps off, write a message) or decline it.
func decide(f *cmdutil.Factory, reqs []store.Request) error {
	pr := f.Prompter()
	var pending []store.Request
	for _, r := range reqs {
		if r.Status == store.RequestPending {
			pending = append(pending, r)
		}
	}
	if len(pending) == 0 {
		fmt.Fprintln(f.IOStreams.ErrOut, "No pending requests.")
		return nil
	}
	labels := make([]string, len(pending))
	for i, r := range pending {
		labels[i] = cmdutil.RequestLabel(r)
	}
	i, err := pr.Select("Which request?", labels, 0)
	if err != nil {
		return err
	}
	r := pending[i]
	fmt.Fprintf(f.IOStreams.ErrOut, "Request %d: %s for %s\n", r.ID, r.ProductName, usersOf(r))
	action, err := pr.Select("Approve or decline?", []string{"Approve", "Decline"}, 0)
	if err != nil {
		return err
	}
	if action == 1 {
		msg, err := pr.Input("Message to everyone in the request (optional)", "")
		if err != nil {
			return err
		}
		if err := cmdutil.Confirm(f, fmt.Sprintf("Decline request %d for %d %s?", r.ID, len(r.Users), people(len(r.Users)))); err != nil {
			return err
		}
		return deny(f, r.ID, msg, true)
	}
	a, err := askApproval(f, pr, r)
	if err != nil {
		return err
	}
	return approve(f, a)
}

// people is the noun for n users.
func people(n int) string {
	if n == 1 {
		return "person"
	}
	return "people"
}

func askApproval(f *cmdutil.Factory, pr output.Prompter, r store.Request) (store.Approval, error) {
	a := store.Approval{RequestID: r.ID}
	upns := make([]string, len(r.Users))
	all := make([]int, len(r.Users))
	for i, u := range r.Users {
		upns[i], all[i] = u.UPN, i
	}
	kept, err := pr.MultiSelect("Who gets a license? (untick to leave someone out)", upns, all)
	if err != nil {
		return a, err
	}
	keep := map[int]bool{}
	for _, i := range kept {
		keep[i] = true
	}
	for i, u := range upns {
		if !keep[i] {
			a.Exclude = append(a.Exclude, u)
		}
	}
	s, err := f.Store()
	if err != nil {
		return a, err
	}
	ctx, err := f.Context()
	if err != nil {
		return a, err
	}
	// The requested product first, then the others with central seats: an
	// approval licenses from the organization's own subscriptions only.
	// Each is rehearsed for the users kept, so one without enough free
	// seats is shown with the shortfall and the buy-licenses that fixes it.
	pools, err := cmdutil.CentralPools(ctx, s)
	if err != nil {
		return a, err
	}
	free := map[string]int{}
	var choices []cmdutil.Choice
	offer := func(id, label string) error {
		try := a
		try.ProductID = id
		why, fix, err := cmdutil.Refusal(ctx, func(ctx context.Context) error {
			_, err := s.ApproveRequest(ctx, try)
			return err
		})
		choices = append(choices, cmdutil.Choice{Value: id, Label: label, Why: why, Fix: fix})
		return err
	}
	requested := fmt.Sprintf("%s  %s (requested)", r.ProductID, r.ProductName)
	for _, p := range pools {
		free[p.ProductID] = p.Available
		if p.ProductID == r.ProductID {
			requested = fmt.Sprintf("%s  %s (requested, %d available)", r.ProductID, r.ProductName, p.Available)
		}
	}
	if err := offer(r.ProductID, requested); err != nil {
		return a, err
	}
	for _, p := range pools {
		if p.ProductID != r.ProductID && p.Quantity > 0 {
			if err := offer(p.ProductID, fmt.Sprintf("%s  %s (%d available)", p.ProductID, p.ProductName, p.Available)); err != nil {
				return a, err
			}
		}
	}
	picked, err := cmdutil.Choose(f, "Assign which product?", choices)
	if err != nil {
		return a, err
	}
	if picked != r.ProductID {
		a.ProductID = picked
	}
	prod, err := s.GetProduct(ctx, picked)
	if err != nil {
		return a, err
	}
	if len(prod.ServicePlans) > 0 {
		on := make([]int, len(prod.ServicePlans))
		for i := range on {
			on[i] = i
		}
		keptPlans, err := pr.MultiSelect("Apps and services (untick to turn off)", prod.ServicePlans, on)
		if err != nil {
			return a, err
		}
		keepPlan := map[int]bool{}
		for _, i := range keptPlans {
			keepPlan[i] = true
		}
		for i, name := range prod.ServicePlans {
			if !keepPlan[i] {
				a.DisabledPlans = append(a.DisabledPlans, name)
			}
		}
	}
	if a.Message, err = pr.Input("Message to everyone in the request (optional)", ""); err != nil {
		return a, err
	}
	plan := fmt.Sprintf("Approve request %d: %s for %d of %d %s", r.ID, prod.Name, len(upns)-len(a.Exclude), len(upns), people(len(upns)))
	// Those who hold the product already keep the license they have.
	groups, err := s.ListLicenseUsers(ctx, prod.ID, false)
	if err != nil {
		return a, err
	}
	holds := map[string]bool{}
	for _, g := range groups {
		for _, u := range g.Users {
			holds[strings.ToLower(u.UPN)] = true
		}
	}
	already := 0
	for i, u := range upns {
		if keep[i] && holds[strings.ToLower(u)] {
			already++
		}
	}
	if already > 0 {
		plan += fmt.Sprintf(" (%d already %s it)", already, map[bool]string{true: "has", false: "have"}[already == 1])
	}
	plan += fmt.Sprintf(", from its central pool (%d free)", free[prod.ID])
	if len(a.DisabledPlans) > 0 {
		plan += ", with " + strings.Join(a.DisabledPlans, ", ") + " off"
	}
	fmt.Fprintln(f.IOStreams.ErrOut, plan)
	return a, cmdutil.Confirm(f, "Approve?")
}
