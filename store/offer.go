package store

// Offer is a product of the catalog as the store front shows it to anyone
// in the tenant, member or admin: its price and what
// AllowSelfServicePurchase lets a person do with it (buy it, try it, or
// ask for it). The rules below are the ones purchase, start-trial and
// new-request apply, written once.
type Offer struct {
	ProductID    string `json:"productId"`
	ProductName  string `json:"productName"`
	MonthlyPrice Cents  `json:"monthlyPrice"`
	// PolicyValue is the product's AllowSelfServicePurchase.
	PolicyValue string `json:"policyValue"`
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
	if o.PolicyValue != ValueEnabled && o.PolicyValue != ValueOnlyTrials {
		return o.blocked("trials")
	}
	return nil
}

// RequestRefusal is why a person may not ask for it (nil: they may): what
// can be bought without asking is not asked for.
func (o Offer) RequestRefusal() *Error {
	if o.PolicyValue == ValueEnabled {
		return Errorf(ECONFLICT, "%s can be bought without asking: %s is Enabled for it", o.ProductName, PolicySelfServicePurchase).
			WithHint("buy it: commercectl purchase --product %s --quantity N", o.ProductID)
	}
	return nil
}

func (o Offer) blocked(what string) *Error {
	return Errorf(ECONFLICT, "your organization does not allow %s of %s (%s is %s)", what, o.ProductName, PolicySelfServicePurchase, o.PolicyValue).
		WithHint("send a license request instead: commercectl new-request --product %s", o.ProductID)
}
