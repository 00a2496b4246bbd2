package store

import "time"

// Request statuses, and the decision for each user of a request (SPEC §6).
const (
	RequestPending           = "Pending"
	RequestApproved          = "Approved"
	RequestPartiallyApproved = "PartiallyApproved"
	RequestDenied            = "Denied"

	DecisionApproved    = "approved"
	DecisionNotAssigned = "notAssigned"
	DecisionDenied      = "denied"
)

// Request is a license request: someone asked for a product for themselves
// and, optionally, colleagues.
type Request struct {
	ID          int64         `json:"id"`
	ProductID   string        `json:"productId"`
	ProductName string        `json:"productName"`
	Requester   string        `json:"requester"`
	RequestedAt time.Time     `json:"requestedAt"`
	Status      string        `json:"status"`
	Users       []RequestUser `json:"users"`
	DecidedAt   *time.Time    `json:"decidedAt"`
	DecidedBy   string        `json:"decidedBy"`
	Message     string        `json:"message"`
	// AssignedProductID is the product licensed on approval, when another
	// than the one requested was chosen.
	AssignedProductID string   `json:"assignedProductId,omitempty"`
	DisabledPlans     []string `json:"disabledPlans,omitempty"`
}

// RequestUser is one person of a request and what was decided for them.
type RequestUser struct {
	UPN      string `json:"upn"`
	Decision string `json:"decision"`
}

// RequestFilter narrows list-requests: "pending", "completed" or "all".
type RequestFilter struct {
	Status string
}

// Approval is the input of approve-request.
type Approval struct {
	RequestID     int64
	Exclude       []string // users of the request not given a license
	ProductID     string   // the product to license; default the requested one
	DisabledPlans []string
	Message       string
}

// MaxMessageLength bounds an admin's message and the own process's text.
const MaxMessageLength = 1000

// RequestProcess is the tenant's own license request process and how long
// requests are kept.
type RequestProcess struct {
	On            bool       `json:"on"`
	Message       string     `json:"message"`
	Link          string     `json:"link"`
	Since         *time.Time `json:"since"`
	RetentionDays int        `json:"retentionDays"`
}

// RequestProcessUpdate is the input of set-request-process; nil fields stay.
type RequestProcessUpdate struct {
	Off           bool
	Message       *string
	Link          *string
	RetentionDays *int
}

// OwnProcessBanner is what list-requests says while the own process is on.
const OwnProcessBanner = "You're using your own license request process"

// NotificationFilter narrows list-notifications.
type NotificationFilter struct {
	To     string
	Since  time.Time
	Status string // pending, sent or failed; "": all
}
