package store

import (
	"strings"
)

// PolicySelfServicePurchase is the one policy MSCommerce knows.
const PolicySelfServicePurchase = "AllowSelfServicePurchase"

// Values of AllowSelfServicePurchase.
const (
	ValueEnabled     = "Enabled"
	ValueDisabled    = "Disabled"
	ValueOnlyTrials  = "OnlyTrialsWithoutPaymentMethod"
	PublisherMSFT    = "Microsoft"
	PublisherThirdPt = "Third party"
)

// PolicyValues lists the values of AllowSelfServicePurchase.
var PolicyValues = []string{ValueEnabled, ValueDisabled, ValueOnlyTrials}

// OfferTypes are the third-party offer types a policy value can be set for.
var OfferTypes = []string{"SaaS", "POWERBIVISUALS", "DYNAMICSCE", "DYNAMICSBC"}

// OfferTypeNames are what the offer types are called in the admin center.
var OfferTypeNames = map[string]string{
	"SaaS":           "Third-party SaaS apps",
	"POWERBIVISUALS": "Third-party Power BI visuals",
	"DYNAMICSCE":     "Third-party Dynamics 365 Customer Engagement apps",
	"DYNAMICSBC":     "Third-party Dynamics 365 Business Central apps",
}

// CanonicalPolicyValue returns the value as the service spells it, matching
// case-insensitively, and false for an unknown value.
func CanonicalPolicyValue(s string) (string, bool) {
	for _, v := range PolicyValues {
		if strings.EqualFold(v, s) {
			return v, true
		}
	}
	return "", false
}

// CanonicalOfferType returns the offer type as the service spells it, and
// false for an unknown one.
func CanonicalOfferType(s string) (string, bool) {
	for _, v := range OfferTypes {
		if strings.EqualFold(v, s) {
			return v, true
		}
	}
	return "", false
}

// ValidatePolicyValue parses a value given by a person (any case).
func ValidatePolicyValue(s string) (string, error) {
	v, ok := CanonicalPolicyValue(s)
	if !ok {
		return "", Errorf(EINVALID, "unknown policy value %q", s).
			WithHint("use one of %s", strings.Join(PolicyValues, ", "))
	}
	return v, nil
}

// Policy describes a policy and the value new products receive.
type Policy struct {
	ID           string `json:"policyId"`
	Description  string `json:"description"`
	DefaultValue string `json:"defaultValue"`
	// Changed is set on the result of update-policy --default.
	Changed *bool `json:"changed,omitempty"`
}

// ProductPolicy is a policy's value for one product or third-party offer type.
type ProductPolicy struct {
	PolicyID    string `json:"policyId"`
	ProductID   string `json:"productId"`
	OfferType   string `json:"offerType,omitempty"`
	ProductName string `json:"productName"`
	Publisher   string `json:"publisher"`
	PolicyValue string `json:"policyValue"`
	// TrialWithoutPayment tells whether OnlyTrialsWithoutPaymentMethod applies.
	TrialWithoutPayment bool `json:"trialWithoutPayment"`
	// Changed and PreviousValue are set on the result of an update; Changed
	// is false when the product already had the value.
	Changed       *bool  `json:"changed,omitempty"`
	PreviousValue string `json:"previousValue,omitempty"`
}

// Target names the product id or offer type of a policy value.
func (p ProductPolicy) Target() string {
	if p.OfferType != "" {
		return p.OfferType
	}
	return p.ProductID
}

// CheckValueFor enforces which values a target takes: third-party offers take
// only Enabled/Disabled, and the trial value only fits Microsoft products that
// offer a trial without a payment method.
func (p ProductPolicy) CheckValueFor(value string) error {
	if value != ValueOnlyTrials {
		return nil
	}
	if p.OfferType != "" || p.Publisher != PublisherMSFT {
		return Errorf(EINVALID, "%s takes only Enabled or Disabled: %s is for Microsoft products", p.Target(), ValueOnlyTrials)
	}
	if !p.TrialWithoutPayment {
		return Errorf(EINVALID, "%s (%s) has no trial without a payment method, so %s does not apply", p.ProductName, p.ProductID, ValueOnlyTrials).
			WithHint("use Enabled or Disabled")
	}
	return nil
}

// PolicyUpdate is one call of update-policy. Exactly one target is set.
type PolicyUpdate struct {
	PolicyID   string
	ProductIDs []string // products by commerce id or old id
	OfferType  string
	OfferTypes []string // several offer types at once, as the interactive flow picks them
	All        bool     // every product of the catalog
	Value      string   // for products/offer type/all
	Default    string   // the value products added later receive
}

// PolicySet is a desired state for one policy, as export-policies writes it
// and apply-policies/diff-policies read it.
type PolicySet struct {
	Policy     string            `yaml:"policy" json:"policy"`
	Default    string            `yaml:"default,omitempty" json:"default,omitempty"`
	Products   map[string]string `yaml:"products,omitempty" json:"products,omitempty"`
	OfferTypes map[string]string `yaml:"offerTypes,omitempty" json:"offerTypes,omitempty"`
}

// PolicyChange is one difference between the tenant and a desired state, or
// one change made by apply-policies.
type PolicyChange struct {
	PolicyID string `json:"policyId"`
	// Scope is "product", "offerType" or "default".
	Scope       string `json:"scope"`
	Target      string `json:"target"`
	ProductName string `json:"productName"`
	Current     string `json:"current"`
	Desired     string `json:"desired"`
}
