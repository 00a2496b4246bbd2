package store

import "time"

// Cancel reasons for takeover-subscription --cancel (SPEC §7).
var CancelReasons = []string{"not-needed", "duplicate", "too-expensive", "security-or-compliance", "other"}

// LicenseAssignment is the input of assign-license and unassign-license: a
// pool named by product (its central pool) or by subscription, and users.
type LicenseAssignment struct {
	ProductID      string
	SubscriptionID string
	UPNs           []string
	DisabledPlans  []string // service plan names turned off for these users
}

// AssignResult says what assign-license or unassign-license did.
type AssignResult struct {
	ProductID      string   `json:"productId"`
	ProductName    string   `json:"productName"`
	SubscriptionID string   `json:"subscriptionId"`
	Changed        int      `json:"changed"`   // licenses assigned or removed
	Unchanged      int      `json:"unchanged"` // users who already had (or had no) such license
	Available      int      `json:"available"` // free seats left in the pool
	UPNs           []string `json:"upns"`      // users changed (first 1,000)
}

// LicenseSummary is one product of list-licenses: totals over its subscriptions.
type LicenseSummary struct {
	ProductID   string `json:"productId"`
	ProductName string `json:"productName"`
	SelfService bool   `json:"selfService"`
	Quantity    int    `json:"quantity"`
	Assigned    int    `json:"assigned"`
	Available   int    `json:"available"`
	Status      string `json:"status"` // "" or "N users need a valid license"
	// The seats of Quantity by the kind of subscription they come from:
	// the organization's own, users' self-service purchases, trials.
	CentralSeats     int `json:"centralSeats"`
	SelfServiceSeats int `json:"selfServiceSeats"`
	TrialSeats       int `json:"trialSeats"`
	// The central pool alone, what assigning with --product and approving
	// use: licenses it holds, and seats free in it (0 in a conflict).
	CentralAssigned  int `json:"centralAssigned"`
	CentralAvailable int `json:"centralAvailable"`
}

// Central is the product's central pool as a summary of its own:
// Quantity, Assigned and Available those of the pool alone, as the store
// counts them. ok is false when the product has no central pool (no
// central seats and no central license held).
func (s LicenseSummary) Central() (pool LicenseSummary, ok bool) {
	pool = s
	pool.Quantity, pool.Assigned, pool.Available = s.CentralSeats, s.CentralAssigned, s.CentralAvailable
	return pool, pool.Quantity > 0 || pool.Assigned > 0
}

// LicensedUser is one license as list-licenses --product shows it.
type LicensedUser struct {
	UPN            string    `json:"upn"`
	DisplayName    string    `json:"displayName"`
	SubscriptionID string    `json:"subscriptionId"`
	AssignedAt     time.Time `json:"assignedAt"`
	DisabledPlans  []string  `json:"disabledPlans"`
}

// PurchaserGroup is the users of one purchaser's subscriptions of a product
// ("" is the organization's central subscriptions).
type PurchaserGroup struct {
	Purchaser string         `json:"purchaser"`
	Users     []LicensedUser `json:"users"`
}

// SubscriptionFilter narrows list-subscriptions.
type SubscriptionFilter struct {
	SelfService bool // selfService and trial subscriptions only
	ProductID   string
	Status      string
}

// ExportFilter narrows export-users.
type ExportFilter struct {
	SubscriptionIDs []string
	ProductID       string
	SelfService     bool
}

// ExportRow is one license of export-users. Its byte slices are valid only
// during the callback that receives it, so that a million rows stream
// without a million allocations.
type ExportRow struct {
	UPN, DisplayName, Department, ProductID, ProductName, SubscriptionID, Purchaser, AssignedAt, DisabledPlans []byte
}

// ImportLineError is one bad line of an imported file.
type ImportLineError struct {
	Line  int    `json:"line"`
	Error string `json:"error"`
}

// ImportError refuses a whole import and lists every bad line.
type ImportError struct {
	File  string
	Lines []ImportLineError // the first MaxReportedLines, in file order
	Total int               // every bad line
}

// MaxReportedLines bounds the bad lines an import reports: a file imported
// twice has every line bad, and 300,000 lines of errors help nobody.
const MaxReportedLines = 20

// NewImportError reports bad, sorted by line: the first MaxReportedLines
// and the count.
func NewImportError(file string, bad []ImportLineError) *ImportError {
	e := &ImportError{File: file, Lines: bad, Total: len(bad)}
	if len(bad) > MaxReportedLines {
		e.Lines = bad[:MaxReportedLines:MaxReportedLines]
	}
	return e
}

func (e *ImportError) Error() string {
	return Plural(e.Total, "bad line") + " in " + e.File + ": nothing was imported"
}

// Plural counts what in words: "1 seat", "0 seats", "3 seats".
func Plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return itoa(n) + " " + what + "s"
}

// ImportUsersResult says what import-users did.
type ImportUsersResult struct {
	File  string `json:"file"`
	Users int    `json:"users"`
	Roles int    `json:"roles"`
	// Skipped counts, with --skip-existing, the lines of users the tenant had.
	Skipped int `json:"skipped"`
}

// CatalogImportResult says what import-catalog did.
type CatalogImportResult struct {
	File            string `json:"file"`
	Rows            int    `json:"rows"`
	Products        int    `json:"products"`        // SKUs in the file
	ProductsAdded   int    `json:"productsAdded"`   // with the policy default
	ProductsUpdated int    `json:"productsUpdated"` // whose service plans were replaced
	ServicePlans    int    `json:"servicePlans"`
	Recoded         int    `json:"recodedRows"` // rows read as Windows-1252
	DefaultValue    string `json:"defaultValue"`
}
