package store

// Offer is a product of the catalog as the store front shows it to one
// person of the tenant, member or admin: its price, what
// AllowSelfServicePurchase lets them do with it (buy it, try it, or ask
// for it), and what they did with it already. The rules below are the
// ones purchase, start-trial and new-request apply, written once.
type Offer struct {
	ProductID    string `json:"productId"`
	ProductName  string `json:"productName"`
	MonthlyPrice Cents  `json:"monthlyPrice"`
	// PolicyValue is the product's AllowSelfServicePurchase.
	PolicyValue string `json:"policyValue"`
	// For is the person; Holds, whether they hold a license of it;
	// HadTrial, whether they had a trial of it; PendingRequest, the id of
	// their request for it still pending (0: none).
	For            string `json:"for"`
	Holds          bool   `json:"holds"`
	HadTrial       bool   `json:"hadTrial"`
	PendingRequest int64  `json:"pendingRequest"`
}

// PurchaseRefusal is why a person may not buy the product themselves (nil:
// they may): the policy must be Enabled.
func (o Offer) PurchaseRefusal() *Error {
	if o.PolicyValue != ValueEnabled {
		return o.blocked("self-service purchase")
	}
	return nil
}

// TrialRefusal is why a person may not start a trial of it (nil: they
// may): the policy must be Enabled or OnlyTrialsWithoutPaymentMethod.
// (Holding the product, or a trial had before, refuse it too; those
// depend on the person.)
func (o Offer) TrialRefusal() *Error {
	switch {
	case o.PolicyValue != ValueEnabled && o.PolicyValue != ValueOnlyTrials:
		return o.blocked("trials")
	case o.Holds:
		return Errorf(ECONFLICT, "%s already has a license of %s; a trial would be a second one", o.For, o.ProductName)
	case o.HadTrial:
		return Errorf(ECONFLICT, "%s has already had a trial of %s", o.For, o.ProductName).
			WithHint("buy it with: commercectl purchase --product %s --quantity 1", o.ProductID)
	}
	return nil
}

// RequestRefusal is why a person may not ask for it (nil: they may): what
// can be bought without asking is not asked for.
func (o Offer) RequestRefusal() *Error {
	switch {
	case o.PolicyValue == ValueEnabled:
		return Errorf(ECONFLICT, "%s can be bought without asking: %s is Enabled for it", o.ProductName, PolicySelfServicePurchase).
			WithHint("buy it: commercectl purchase --product %s --quantity N", o.ProductID)
	case o.PendingRequest != 0:
		return Errorf(ECONFLICT, "you already asked for %s: request %d is pending", o.ProductName, o.PendingRequest)
	}
	return nil
}

func (o Offer) blocked(what string) *Error {
	e := Errorf(ECONFLICT, "your organization does not allow %s of %s (%s is %s)", what, o.ProductName, PolicySelfServicePurchase, o.PolicyValue)
	if what != "trials" && o.PolicyValue == ValueOnlyTrials {
		return e.WithHint("start a trial: commercectl start-trial --product %s, or send a license request: commercectl new-request --product %s", o.ProductID, o.ProductID)
	}
	return e.WithHint("send a license request instead: commercectl new-request --product %s", o.ProductID)
}
