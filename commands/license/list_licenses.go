package license

import (
	"context"
	"fmt"

	"github.com/commercectl/commercectl/cmd/cmdutil"
	"github.com/commercectl/commercectl/output"
	"github.com/commercectl/commercectl/store"
	"github.com/spf13/cobra"
)

// ListLicensesOptions are the inputs of list-licenses.
type ListLicensesOptions struct {
	Factory     *cmdutil.Factory
	SelfService bool
	ProductID   string
}

// NewCmdListLicenses builds list-licenses.
func NewCmdListLicenses(f *cmdutil.Factory, runF func(*ListLicensesOptions) error) *cobra.Command {
	opts := &ListLicensesOptions{Factory: f}
	cmd := &cobra.Command{
		Use:   "list-licenses [--self-service] [--product ID]",
		Short: "One row per product with its license totals, or a product's users grouped by purchaser",
		Long: `List one row per product with the totals of all its subscriptions (a
product bought several times is listed once): licenses of Active
subscriptions, assigned, available. --self-service counts only self-service
and trial subscriptions. The Status column appears only while a pool has
more licenses assigned than it has seats ("N users need a valid license").

--product ID lists that product's licensed users grouped by purchaser; the
organization's own (central) subscriptions come first.

With -o interactive: pick a product (or name it with --product), then users
to assign or unassign.`,
		Example: `  commercectl list-licenses
  commercectl list-licenses --product CFQ7TTC0H9MP`,
		Args: cmdutil.MaxArgs(0),
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(opts)
			}
			return listLicensesRun(opts)
		},
	}
	cmd.Flags().BoolVar(&opts.SelfService, "self-service", false, "only self-service and trial subscriptions")
	cmd.Flags().StringVar(&opts.ProductID, "product", "", "list this product's users, grouped by purchaser")
	_ = cmd.RegisterFlagCompletionFunc("product", cmdutil.CompleteProductIDs(f))
	return cmd
}

func listLicensesRun(opts *ListLicensesOptions) error {
	f := opts.Factory
	interactive, err := f.Interactive()
	if err != nil {
		return err
	}
	p, s, ctx, err := f.Setup()
	if err != nil {
		return err
	}
	if opts.ProductID != "" && !interactive {
		return listLicenseUsers(opts, p, s, ctx)
	}
	sums, err := s.ListLicenses(ctx, opts.SelfService)
	if err != nil {
		return err
	}
	if interactive {
		return pickAndAssign(opts, sums)
	}
	cols := summaryColumns
	if p.Format == output.FormatTable && !anyConflict(sums) {
		cols = cols[:len(cols)-1] // the Status column shows only while a conflict exists
	}
	return output.List(p, sums, cols)
}

// purchaserGroup opens a group of list-licenses --product's JSON; its
// users follow as they are read.
type purchaserGroup struct {
	Purchaser string `json:"purchaser"`
}

// listLicenseUsers streams a product's licensed users: in JSON and YAML
// as groups by purchaser, each with its users (SPEC §10); as one row per
// user otherwise.
func listLicenseUsers(opts *ListLicensesOptions, p *output.Printer, s store.Service, ctx context.Context) error {
	if p.Format == output.FormatJSON || p.Format == output.FormatYAML {
		d := p.Doc()
		d.Array()
		open, last := false, ""
		err := s.EachLicenseUser(ctx, opts.ProductID, opts.SelfService, func(purchaser string, u *store.LicensedUser) error {
			if !open || purchaser != last {
				if open {
					d.End() // its users
					d.End() // the group
				}
				if err := d.Open(purchaserGroup{Purchaser: purchaser}); err != nil {
					return err
				}
				d.Key("users")
				d.Array()
				open, last = true, purchaser
			}
			return d.Value(u)
		})
		if err != nil {
			return err
		}
		return d.Close()
	}
	rows := output.Stream(p, licensedUserColumns)
	err := s.EachLicenseUser(ctx, opts.ProductID, opts.SelfService, func(purchaser string, u *store.LicensedUser) error {
		return rows.Add(licensedUserRow{Purchaser: purchaser, LicensedUser: *u})
	})
	if err != nil {
		return err
	}
	return rows.Close()
}

func anyConflict(sums []store.LicenseSummary) bool {
	for _, s := range sums {
		if s.Status != "" {
			return true
		}
	}
	return false
}

// pickProduct is the product --product names (by its id or an old one), or
// the one picked from the list.
func pickProduct(opts *ListLicensesOptions, sums []store.LicenseSummary) (int, error) {
	f := opts.Factory
	if opts.ProductID == "" {
		labels := make([]string, len(sums))
		for i, s := range sums {
			if pool, ok := s.Central(); ok {
				labels[i] = poolLabel(pool)
			} else {
				labels[i] = fmt.Sprintf("%s  %s (no central licenses; %d of %d self-service or trial assigned)", s.ProductID, s.ProductName, s.Assigned, s.Quantity)
			}
		}
		return f.Prompter().Select("Which product?", labels, 0)
	}
	s, err := f.Store()
	if err != nil {
		return 0, err
	}
	ctx, err := f.Context()
	if err != nil {
		return 0, err
	}
	// GetProduct resolves old ids and refuses unknown products.
	prod, err := s.GetProduct(ctx, opts.ProductID)
	if err != nil {
		return 0, err
	}
	for i, sum := range sums {
		if sum.ProductID == prod.ID {
			return i, nil
		}
	}
	return 0, store.Errorf(store.ENOTFOUND, "the tenant has no subscription of %s", opts.ProductID).
		WithHint("buy one with: commercectl add-subscription --product %s --quantity N", opts.ProductID)
}

// pickAndAssign is the interactive flow: a product, assign or unassign, the
// users, a confirmation.
func pickAndAssign(opts *ListLicensesOptions, sums []store.LicenseSummary) error {
	f := opts.Factory
	if len(sums) == 0 {
		return store.Errorf(store.ENOTFOUND, "the tenant has no subscriptions yet").
			WithHint("buy one with: commercectl add-subscription --product ID --quantity N")
	}
	s, err := f.Store()
	if err != nil {
		return err
	}
	ctx, err := f.Context()
	if err != nil {
		return err
	}
	i, err := pickProduct(opts, sums)
	if err != nil {
		return err
	}
	product := sums[i]
	// Assigning uses central seats only: a pool with none free (its
	// "available" ones may be self-service) is shown with the fix.
	choices, err := centralPools(false, nil)(ctx, s)
	if err != nil {
		return err
	}
	assign := cmdutil.Choice{Value: "assign", Label: "Assign licenses", Why: "no central subscription",
		Fix: fmt.Sprintf("buy some: commercectl add-subscription --product %s --quantity N", product.ProductID)}
	for _, c := range choices {
		if c.Value == product.ProductID {
			assign.Why, assign.Fix = c.Why, c.Fix
		}
	}
	// Unassigning takes central licenses only: with none held, it is shown
	// with where the product's licenses come from.
	unassignChoice := cmdutil.Choice{Value: "unassign", Label: "Unassign licenses"}
	if product.CentralAssigned == 0 {
		unassignChoice.Why = "nobody holds a central license of " + product.ProductName
		if product.Assigned > 0 {
			unassignChoice.Fix = "its licenses are self-service or trials: their purchasers manage them, or take them over: commercectl takeover-subscription"
		}
	}
	action, err := cmdutil.Choose(f, "What do you want to do?", []cmdutil.Choice{assign, unassignChoice})
	if err != nil {
		return err
	}
	unassign := action == "unassign"
	upns, err := pickUsers(f, ctx, s, product.ProductID, unassign)
	if err != nil || len(upns) == 0 {
		return err
	}
	// assignRun rehearses it (a refusal comes before the question) and asks
	// with the plan.
	return assignRun(&AssignOptions{Factory: f, ProductID: product.ProductID, Users: upns, Unassign: unassign})
}
