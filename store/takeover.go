package store

// Takeover is the input of takeover-subscription: move the users of a
// selfService or trial subscription into a central pool, or cancel it.
type Takeover struct {
	SubscriptionID     string
	MoveToProduct      string
	MoveToSubscription string
	Cancel             bool
	Reason             string
}

// TakeoverResult is what a takeover did, or with --dry-run would do.
type TakeoverResult struct {
	SubscriptionID       string `json:"subscriptionId"`
	ProductID            string `json:"productId"`
	ProductName          string `json:"productName"`
	Action               string `json:"action"` // "move" or "cancel"
	Reason               string `json:"reason,omitempty"`
	TargetProductID      string `json:"targetProductId,omitempty"`
	TargetSubscriptionID string `json:"targetSubscriptionId,omitempty"`
	// UsersMoved got a central license; UsersKept already held the target
	// product and kept that one license; UsersUnassigned lost the license.
	UsersMoved      int `json:"usersMoved"`
	UsersKept       int `json:"usersKept"`
	UsersUnassigned int `json:"usersUnassigned"`
	SeatsNeeded     int `json:"seatsNeeded"`
	// MonthlyCostChange is what the organization's bill changes by
	// (negative: the deleted subscription's cost goes away).
	MonthlyCostChange    Cents    `json:"monthlyCostChange"`
	SubscriptionsDeleted []string `json:"subscriptionsDeleted"`
	Notified             []string `json:"notified"`
}

// Centralize is the input of centralize.
type Centralize struct {
	ProductID      string
	SubscriptionID string // the central subscription to use; default the longest-lasting
	Buy            bool   // raise its quantity first to fit everyone
}

// CentralizeResult is what centralize did, or with --dry-run would do.
type CentralizeResult struct {
	ProductID      string `json:"productId"`
	ProductName    string `json:"productName"`
	SubscriptionID string `json:"subscriptionId"`
	UsersLicensed  int    `json:"usersLicensed"`
	SeatsNeeded    int    `json:"seatsNeeded"`
	SeatsBought    int    `json:"seatsBought"`
	Quantity       int    `json:"quantity"`
	MonthlyCost    Cents  `json:"monthlyCost"`
	// MonthlyCostChange is what buying seats adds to the bill.
	MonthlyCostChange Cents `json:"monthlyCostChange"`
	// Notified are the purchasers asked to cancel their subscriptions.
	Notified []string `json:"notified"`
}

// ValidCancelReason reports whether r is one of CancelReasons.
func ValidCancelReason(r string) bool {
	for _, c := range CancelReasons {
		if c == r {
			return true
		}
	}
	return false
}
