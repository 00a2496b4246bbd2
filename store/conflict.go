package store

// Conflict is a pool whose assigned licenses exceed its seats (SPEC §7).
type Conflict struct {
	ProductID   string `json:"productId"`
	ProductName string `json:"productName"`
	// Pool is "central" for a product's central subscriptions, or the id of
	// the selfService or trial subscription that is a pool of its own.
	Pool            string   `json:"pool"`
	SubscriptionIDs []string `json:"subscriptionIds"`
	Seats           int      `json:"seats"`
	Assigned        int      `json:"assigned"`
	Shortfall       int      `json:"shortfall"`
	// Users need a valid license: the licenses past the seats, those of
	// subscriptions no longer Active last, newest last.
	Users []string `json:"users"`
}

// PoolCentral names the central pool of a product.
const PoolCentral = "central"

// Resolve is the input of resolve-conflicts.
type Resolve struct {
	ProductID      string
	All            bool // every product whose central pool is in conflict
	Buy            bool
	SubscriptionID string // the subscription --buy raises
	Unassign       []string
	UnassignNewest bool
	Partial        bool // allow removing fewer licenses than the shortfall
}

// Resolution is what resolve-conflicts did for one product.
type Resolution struct {
	ProductID      string   `json:"productId"`
	ProductName    string   `json:"productName"`
	Action         string   `json:"action"` // "buy" or "unassign"
	SubscriptionID string   `json:"subscriptionId"`
	Quantity       int      `json:"quantity"`
	MonthlyCost    Cents    `json:"monthlyCost"`
	Unassigned     []string `json:"unassigned"`
	Shortfall      int      `json:"shortfall"` // before
	Remaining      int      `json:"remaining"` // after: 0 unless --partial
}
