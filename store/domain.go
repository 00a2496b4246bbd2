// Package store holds the domain of commercectl: its types, the rules every
// backend must keep, the service interface and the error codes. It has no SQL.
package store

import (
	"slices"
	"strings"
	"time"
)

// Roles a user can hold. A user without any is a member.
const (
	RoleGlobalAdmin  = "GlobalAdmin"
	RoleBillingAdmin = "BillingAdmin"
	RoleLicenseAdmin = "LicenseAdmin"
	RoleUserAdmin    = "UserAdmin"
	RoleGlobalReader = "GlobalReader"
)

// Roles lists every role in the order they are shown.
var Roles = []string{RoleGlobalAdmin, RoleBillingAdmin, RoleLicenseAdmin, RoleUserAdmin, RoleGlobalReader}

// CanonicalRole returns the role spelled as the service spells it, matching
// case-insensitively, and false when there is no such role.
func CanonicalRole(s string) (string, bool) {
	for _, r := range Roles {
		if strings.EqualFold(r, s) {
			return r, true
		}
	}
	return "", false
}

// User is a person of the tenant.
type User struct {
	UPN         string    `json:"upn"`
	DisplayName string    `json:"displayName"`
	Department  string    `json:"department"`
	Roles       []string  `json:"roles"`
	CreatedAt   time.Time `json:"createdAt"`
}

// LoginBinding is a user and the server login bound to it (set-login).
type LoginBinding struct {
	UPN   string   `json:"upn"`
	Login string   `json:"login"` // "" once unbound
	Roles []string `json:"roles"`
}

// Session is who runs a command. On a server, Login is the session's
// login, and ByLogin tells that the identity is the user bound to it
// rather than one named with --as (which only an operator may do).
type Session struct {
	User    User
	Login   string
	ByLogin bool
}

// HasAnyRole reports whether the user holds one of roles.
func (u *User) HasAnyRole(roles ...string) bool {
	for _, r := range roles {
		if slices.Contains(u.Roles, r) {
			return true
		}
	}
	return false
}

// Product is an offer of the catalog.
type Product struct {
	ID                  string   `json:"productId"`
	Name                string   `json:"productName"`
	Publisher           string   `json:"publisher"`
	SkuPartNumber       string   `json:"skuPartNumber"`
	SkuID               string   `json:"skuId"`
	MonthlyPrice        Cents    `json:"monthlyPrice"`
	TrialWithoutPayment bool     `json:"trialWithoutPayment"`
	Aliases             []string `json:"aliases"`
	ServicePlans        []string `json:"servicePlans"`
}

// Subscription kinds.
const (
	KindCentral     = "central"
	KindSelfService = "selfService"
	KindTrial       = "trial"
)

// Subscription statuses.
const (
	StatusActive   = "Active"
	StatusExpired  = "Expired"
	StatusDisabled = "Disabled"
	StatusDeleted  = "Deleted"
)

// Grace periods after expiry: Expired for 30 days, then Disabled for 90.
const (
	ExpiredFor  = 30 * 24 * time.Hour
	DisabledFor = 90 * 24 * time.Hour
)

// SubscriptionStatus derives the status from the dates, as the service does.
func SubscriptionStatus(now, expiresAt time.Time, canceledAt *time.Time) string {
	switch {
	case canceledAt != nil && !canceledAt.After(now):
		return StatusDeleted
	case now.Before(expiresAt):
		return StatusActive
	case now.Before(expiresAt.Add(ExpiredFor)):
		return StatusExpired
	case now.Before(expiresAt.Add(ExpiredFor + DisabledFor)):
		return StatusDisabled
	default:
		return StatusDeleted
	}
}

// Subscription is a purchase of licenses of one product.
type Subscription struct {
	ID           string             `json:"id"`
	ProductID    string             `json:"productId"`
	ProductName  string             `json:"productName"`
	Kind         string             `json:"kind"`
	Purchaser    string             `json:"purchaser"`
	Quantity     int                `json:"quantity"`
	Assigned     int                `json:"assigned"`
	Available    int                `json:"available"`
	MonthlyPrice Cents              `json:"monthlyPrice"`
	MonthlyCost  Cents              `json:"monthlyCost"`
	Status       string             `json:"status"`
	CreatedAt    time.Time          `json:"createdAt"`
	ExpiresAt    time.Time          `json:"expiresAt"`
	CanceledAt   *time.Time         `json:"canceledAt"`
	CancelReason string             `json:"cancelReason"`
	Users        []SubscriptionUser `json:"users,omitempty"`
}

// SubscriptionUser is one licensed user of a subscription.
type SubscriptionUser struct {
	UPN           string    `json:"upn"`
	AssignedAt    time.Time `json:"assignedAt"`
	DisabledPlans []string  `json:"disabledPlans"`
}

// AuditEntry is one recorded change.
type AuditEntry struct {
	ID     int64     `json:"id"`
	At     time.Time `json:"at"`
	Actor  string    `json:"actor"`
	Action string    `json:"action"`
	Target string    `json:"target"`
	Before any       `json:"before"`
	After  any       `json:"after"`
}

// Notification is an e-mail the service would send, kept in the outbox.
type Notification struct {
	ID        int64     `json:"id"`
	To        string    `json:"to"`
	Kind      string    `json:"kind"`
	Subject   string    `json:"subject"`
	Body      string    `json:"body"`
	CreatedAt time.Time `json:"createdAt"`
	// Delivery over SMTP (SPEC §12): pending (never tried, or a temporary
	// failure waiting for NextAttemptAt), sent, or failed for good.
	Status        string     `json:"status"`
	Attempts      int        `json:"attempts"`
	SentAt        *time.Time `json:"sentAt"`
	LastError     string     `json:"lastError"`
	MessageID     string     `json:"messageId"`
	NextAttemptAt *time.Time `json:"nextAttemptAt"`
}

// Delivery statuses of a notification.
const (
	DeliveryPending = "pending"
	DeliverySent    = "sent"
	DeliveryFailed  = "failed"
)

// DeliveryStatuses are the statuses list-notifications --status takes.
var DeliveryStatuses = []string{DeliveryPending, DeliverySent, DeliveryFailed}

// DeliveryOutcome is how one attempt to send a notification ended.
type DeliveryOutcome struct {
	Sent      bool
	Temporary bool   // a 4xx reply, a timeout, a lost connection: try again later
	Error     string // the server's reply, or what went wrong
}

// SendSummary is what one send-notifications run did.
type SendSummary struct {
	Sent    int `json:"sent"`
	Pending int `json:"pending"` // temporary failures, to be tried again
	Failed  int `json:"failed"`  // refused for good
	// Due counts what was due when the run started (the --limit first).
	Due int `json:"due"`
}
