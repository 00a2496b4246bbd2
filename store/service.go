package store

import (
	"context"
	"io"
	"time"
)

// InitOptions describe a new tenant.
type InitOptions struct {
	Tenant string
	Admin  string // UPN of the first GlobalAdmin
	Demo   bool   // fill it with a realistic demo tenant
}

// InitResult summarises a new tenant.
type InitResult struct {
	Tenant        string `json:"tenant"`
	Admin         string `json:"admin"`
	DB            string `json:"db"`
	Products      int    `json:"products"`
	Users         int    `json:"users"`
	Subscriptions int    `json:"subscriptions"`
	Requests      int    `json:"requests"`
	// Backup is where init --force kept the tenant it replaced (a file).
	Backup string `json:"backup,omitempty"`
}

// CopyTenantResult summarises copy-tenant: the rows of each table copied.
type CopyTenantResult struct {
	From   string         `json:"from"`
	To     string         `json:"to"`
	Rows   int            `json:"rows"`
	Tables map[string]int `json:"tables"`
}

// NewUser is the input of AddUser.
type NewUser struct {
	UPN         string
	DisplayName string
	Department  string
	Roles       []string
}

// UserFilter narrows ListUsers.
type UserFilter struct {
	Role       string
	Department string
}

// AuditFilter narrows ListAudit.
type AuditFilter struct {
	Since time.Time
	Actor string
}

// Service is everything a verb can ask of the tenant. Each method is one
// transaction, runs as store.ActorFrom(ctx) and checks that actor's roles.
type Service interface {
	Close() error
	// Changed reports whether a change to the tenant (one with an audit
	// entry) has been committed through this Service: a verb whose output
	// then fails has still made its change. A verb that found nothing to
	// change (a value already set) has not.
	Changed() bool

	// Users and roles.
	AddUser(ctx context.Context, u NewUser) (*User, error)
	SetRole(ctx context.Context, upn, role string, remove bool) (*User, error)
	// SetLogin binds a user to a login of the tenant's server, or with
	// remove unbinds it (a PostgreSQL tenant only; a file has no logins).
	SetLogin(ctx context.Context, upn, login string, remove bool) (*LoginBinding, error)
	// Migrate upgrades an older tenant's schema to this binary's, and tells
	// from which version to which (equal: it was up to date). Reads refuse
	// an older schema; the first change upgrades it too.
	Migrate(ctx context.Context) (from, to int, err error)
	// Identity is who runs the commands: the user, and how it is known.
	Identity(ctx context.Context) (*Session, error)
	ListUsers(ctx context.Context, f UserFilter) ([]User, error)
	// EachUser streams ListUsers' users to fn in the same order, in one
	// read transaction, so that memory does not grow with the tenant. The
	// User is overwritten by the next one (its Roles are its own).
	EachUser(ctx context.Context, f UserFilter, fn func(*User) error) error
	// LookupUser finds a user without checking roles (used by connect).
	LookupUser(ctx context.Context, upn string) (*User, error)

	// Policies (MSCommerce parity).
	ListPolicies(ctx context.Context) ([]Policy, error)
	GetPolicy(ctx context.Context, policyID string) (*Policy, error)
	ListProductPolicies(ctx context.Context, policyID string, offerTypes bool) ([]ProductPolicy, error)
	GetProductPolicy(ctx context.Context, policyID, productID string) (*ProductPolicy, error)
	UpdatePolicy(ctx context.Context, u PolicyUpdate) ([]ProductPolicy, *Policy, error)
	ExportPolicies(ctx context.Context, policyID string) (*PolicySet, error)
	DiffPolicies(ctx context.Context, desired PolicySet) ([]PolicyChange, error)
	ApplyPolicies(ctx context.Context, desired PolicySet) ([]PolicyChange, error)

	// Member verbs. Offers is the catalog as the store front shows it to
	// anyone with an identity: what each product's policy lets them do.
	Offers(ctx context.Context) ([]Offer, error)
	Purchase(ctx context.Context, productID string, quantity int) (*Subscription, error)
	StartTrial(ctx context.Context, productID string) (*Subscription, error)

	// Bulk users and the catalog, streamed from files.
	ImportUsers(ctx context.Context, name string, r io.Reader) (*ImportUsersResult, error)
	ImportCatalog(ctx context.Context, name string, r io.Reader) (*CatalogImportResult, error)

	// Subscriptions.
	ListSubscriptions(ctx context.Context, f SubscriptionFilter) ([]Subscription, error)
	GetSubscription(ctx context.Context, id string) (*Subscription, error)
	// EachSubscriptionUser is GetSubscription streamed: head hears the
	// subscription (without Users; Assigned is how many follow), then fn
	// each licensed user, in one read transaction. The SubscriptionUser is
	// overwritten by the next one (its DisabledPlans are its own).
	EachSubscriptionUser(ctx context.Context, id string, head func(*Subscription) error, fn func(*SubscriptionUser) error) error
	AddSubscription(ctx context.Context, productID string, quantity, months int) (*Subscription, error)
	// BuyLicenses sets a quantity; below the assigned count it needs confirmed.
	BuyLicenses(ctx context.Context, id string, total int, confirmed bool) (*Subscription, error)
	CancelSubscription(ctx context.Context, id string) (*Subscription, error)

	// Taking self-service subscriptions over, and centralizing their licenses.
	TakeoverSubscription(ctx context.Context, t Takeover) (*TakeoverResult, error)
	Centralize(ctx context.Context, c Centralize) (*CentralizeResult, error)

	// License conflicts: pools with more licenses than seats.
	ListConflicts(ctx context.Context, productID string) ([]Conflict, error)
	ResolveConflicts(ctx context.Context, r Resolve) ([]Resolution, error)

	// Licenses.
	AssignLicenses(ctx context.Context, a LicenseAssignment) (*AssignResult, error)
	UnassignLicenses(ctx context.Context, a LicenseAssignment) (*AssignResult, error)
	ListLicenses(ctx context.Context, selfService bool) ([]LicenseSummary, error)
	ListLicenseUsers(ctx context.Context, productID string, selfService bool) ([]PurchaserGroup, error)
	// EachLicenseUser streams ListLicenseUsers' users to fn with their
	// purchaser, group after group in the same order, in one read
	// transaction. The LicensedUser is overwritten by the next one (its
	// DisabledPlans are its own).
	EachLicenseUser(ctx context.Context, productID string, selfService bool, fn func(purchaser string, u *LicensedUser) error) error
	// ExportUsers streams licenses to fn; the row is reused between calls.
	ExportUsers(ctx context.Context, f ExportFilter, fn func(*ExportRow) error) error

	// License requests and the tenant's own request process.
	NewRequest(ctx context.Context, productID string, forUPNs []string) (*Request, error)
	ListRequests(ctx context.Context, f RequestFilter) ([]Request, *RequestProcess, error)
	GetRequest(ctx context.Context, id int64) (*Request, error)
	ApproveRequest(ctx context.Context, a Approval) (*Request, error)
	DenyRequest(ctx context.Context, id int64, message string) (*Request, error)
	SetRequestProcess(ctx context.Context, u RequestProcessUpdate) (*RequestProcess, error)
	GetRequestProcess(ctx context.Context) (*RequestProcess, error)
	ListNotifications(ctx context.Context, f NotificationFilter) ([]Notification, error)
	// Delivery of the outbox (SPEC §12), by a GlobalAdmin. DueNotifications
	// counts and lists (up to limit; 0: all) what a run would send now,
	// oldest first. ClaimNotifications claims up to n of them for the run
	// claim, each with its Message-ID, so that no other run sends them;
	// FinishDelivery records one attempt; EndSendRun gives back what the
	// run claimed and did not try, and audits the run.
	DueNotifications(ctx context.Context, limit int) ([]Notification, int, error)
	ClaimNotifications(ctx context.Context, claim string, n int) ([]Notification, error)
	FinishDelivery(ctx context.Context, claim string, id int64, o DeliveryOutcome) error
	EndSendRun(ctx context.Context, claim string, s SendSummary) error

	// Doctor checks the database and the tenant's invariants.
	Doctor(ctx context.Context) ([]Problem, error)
	// CopyTenant copies the whole tenant into the empty database to, of
	// either engine; progress, when not nil, hears the rows copied so far.
	CopyTenant(ctx context.Context, to string, progress func(done, total int)) (*CopyTenantResult, error)

	// Audit log.
	ListAudit(ctx context.Context, f AuditFilter) ([]AuditEntry, error)

	// GetProduct returns a product of the catalog with its old ids and service plans.
	GetProduct(ctx context.Context, productID string) (*Product, error)

	// Completions lists, for shell completion, the ids of a kind that start
	// with prefix (whatever its case), each as "id<TAB>description", at
	// most 200; no role check.
	Completions(ctx context.Context, kind CompletionKind, prefix string) ([]string, error)
}

// CompletionKind is what a shell completes from the tenant.
type CompletionKind int

const (
	CompleteProducts CompletionKind = iota
	CompletePolicies
	CompleteSubscriptions
	CompleteRequests
	CompleteUsers
	CompletePlans
)
