// Package policy holds the self-service purchase policy verbs (MSCommerce parity).
package policy

import (
	"github.com/commercectl/commercectl/output"
	"github.com/commercectl/commercectl/store"
)

var policyColumns = []output.Column[store.Policy]{
	{Header: "Policy", Field: "policyId", Get: func(p store.Policy) string { return p.ID }},
	{Header: "Default", Field: "defaultValue", Whole: true, Get: func(p store.Policy) string { return p.DefaultValue }},
	{Header: "Description", Field: "description", Get: func(p store.Policy) string { return p.Description }},
}

var productPolicyColumns = []output.Column[store.ProductPolicy]{
	{Header: "Policy", Field: "policyId", Get: func(p store.ProductPolicy) string { return p.PolicyID }},
	// The table names a product or an offer type in one column; CSV and JSON
	// keep productId and offerType apart.
	{Header: "Product ID", Whole: true, Summary: true, Get: func(p store.ProductPolicy) string { return p.Target() }},
	{Header: "Product ID", Whole: true, Field: "productId", Get: func(p store.ProductPolicy) string { return p.ProductID }},
	{Header: "Offer type", Field: "offerType", Get: func(p store.ProductPolicy) string { return p.OfferType }},
	{Header: "Product", Field: "productName", Summary: true, Get: func(p store.ProductPolicy) string { return p.ProductName }},
	{Header: "Publisher", Field: "publisher", Summary: true, Get: func(p store.ProductPolicy) string { return p.Publisher }},
	{Header: "Value", Field: "policyValue", Summary: true, Whole: true, Get: func(p store.ProductPolicy) string { return p.PolicyValue }},
}

// updateColumns are productPolicyColumns with what the update did, or
// with --dry-run what it would do.
func updateColumns(dryRun bool) []output.Column[store.ProductPolicy] {
	changed := "changed from "
	if dryRun {
		changed = "would change from "
	}
	return append(append([]output.Column[store.ProductPolicy]{}, productPolicyColumns...),
		output.Column[store.ProductPolicy]{Header: "Result", Field: "result", Summary: true, Get: func(p store.ProductPolicy) string {
			if p.Changed == nil || !*p.Changed {
				return "unchanged"
			}
			return changed + p.PreviousValue
		}})
}

var changeColumns = []output.Column[store.PolicyChange]{
	{Header: "Policy", Field: "policyId", Get: func(c store.PolicyChange) string { return c.PolicyID }},
	{Header: "Scope", Field: "scope", Summary: true, Get: func(c store.PolicyChange) string { return c.Scope }},
	{Header: "Target", Field: "target", Summary: true, Whole: true, Get: func(c store.PolicyChange) string { return c.Target }},
	{Header: "Product", Field: "productName", Summary: true, Get: func(c store.PolicyChange) string { return c.ProductName }},
	{Header: "Current", Field: "current", Summary: true, Whole: true, Get: func(c store.PolicyChange) string { return c.Current }},
	{Header: "Desired", Field: "desired", Summary: true, Whole: true, Get: func(c store.PolicyChange) string { return c.Desired }},
}
