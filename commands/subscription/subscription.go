// Package subscription holds the subscription verbs, and the member verbs
// that create subscriptions (purchase, start-trial).
package subscription

import (
	"strconv"
	"time"

	"github.com/commercectl/commercectl/output"
	"github.com/commercectl/commercectl/store"
)

func timeOrEmpty(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.Format(time.RFC3339)
}

var subscriptionColumns = []output.Column[store.Subscription]{
	{Header: "ID", Field: "id", Summary: true, Get: func(s store.Subscription) string { return s.ID }},
	{Header: "Product ID", Whole: true, Field: "productId", Get: func(s store.Subscription) string { return s.ProductID }},
	{Header: "Product", Field: "productName", Summary: true, Get: func(s store.Subscription) string { return s.ProductName }},
	{Header: "Kind", Field: "kind", Summary: true, Spare: 1, Get: func(s store.Subscription) string { return s.Kind }},
	{Header: "Purchaser", Field: "purchaser", Summary: true, Get: func(s store.Subscription) string { return s.Purchaser }},
	{Header: "Quantity", Field: "quantity", Summary: true, Get: func(s store.Subscription) string { return strconv.Itoa(s.Quantity) }},
	{Header: "Assigned", Field: "assigned", Summary: true, Get: func(s store.Subscription) string { return strconv.Itoa(s.Assigned) }},
	{Header: "Available", Field: "available", Summary: true, Spare: 3, Get: func(s store.Subscription) string { return strconv.Itoa(s.Available) }},
	{Header: "Price", Field: "monthlyPrice", Get: func(s store.Subscription) string { return s.MonthlyPrice.String() }},
	{Header: "Monthly cost", Field: "monthlyCost", Summary: true, Get: func(s store.Subscription) string { return s.MonthlyCost.String() }},
	{Header: "Status", Field: "status", Summary: true, Get: func(s store.Subscription) string { return s.Status }},
	{Header: "Created", Field: "createdAt", Get: func(s store.Subscription) string { return s.CreatedAt.Format(time.RFC3339) }},
	{Header: "Expires", Summary: true, Whole: true, Spare: 2, Get: func(s store.Subscription) string { return s.ExpiresAt.Format("2006-01-02") }},
	{Header: "Expires", Field: "expiresAt", Get: func(s store.Subscription) string { return s.ExpiresAt.Format(time.RFC3339) }},
	{Header: "Canceled", Field: "canceledAt", Get: func(s store.Subscription) string { return timeOrEmpty(s.CanceledAt) }},
	{Header: "Cancel reason", Field: "cancelReason", Get: func(s store.Subscription) string { return s.CancelReason }},
}
