// Package license holds the license verbs: assign, unassign, list, export.
package license

import (
	"bufio"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/commercectl/commercectl/cmd/cmdutil"
	"github.com/commercectl/commercectl/output"
	"github.com/commercectl/commercectl/store"
)

var summaryColumns = []output.Column[store.LicenseSummary]{
	{Header: "Product ID", Whole: true, Field: "productId", Get: func(s store.LicenseSummary) string { return s.ProductID }},
	{Header: "Product", Field: "productName", Get: func(s store.LicenseSummary) string { return s.ProductName }},
	{Header: "Quantity", Field: "quantity", Get: func(s store.LicenseSummary) string { return strconv.Itoa(s.Quantity) }},
	// Where the seats come from, as the admin center's Licenses page splits
	// them; JSON keeps selfService (the --self-service view) as well.
	{Header: "Central", Field: "centralSeats", Spare: 4, Get: func(s store.LicenseSummary) string { return strconv.Itoa(s.CentralSeats) }},
	{Header: "Self-service", Field: "selfServiceSeats", Spare: 2, Get: func(s store.LicenseSummary) string { return strconv.Itoa(s.SelfServiceSeats) }},
	{Header: "Trial", Field: "trialSeats", Spare: 3, Get: func(s store.LicenseSummary) string { return strconv.Itoa(s.TrialSeats) }},
	{Header: "Assigned", Field: "assigned", Get: func(s store.LicenseSummary) string { return strconv.Itoa(s.Assigned) }},
	{Header: "Available", Field: "available", Spare: 1, Get: func(s store.LicenseSummary) string { return strconv.Itoa(s.Available) }},
	{Header: "Status", Field: "status", Whole: true, Get: func(s store.LicenseSummary) string { return s.Status }},
}

// licensedUserRow is one user of list-licenses --product, with its purchaser.
type licensedUserRow struct {
	Purchaser string
	store.LicensedUser
}

// licensedUserColumns: the table (the Summary columns) names the central
// subscriptions "(organization)"; CSV keeps the purchaser as data, "" for
// them, as JSON does.
var licensedUserColumns = []output.Column[licensedUserRow]{
	{Header: "Purchaser", Field: "purchaser", Get: func(r licensedUserRow) string { return r.Purchaser }},
	{Header: "Purchaser", Summary: true, Get: func(r licensedUserRow) string { return orCentral(r.Purchaser) }},
	{Header: "UPN", Field: "upn", Summary: true, Whole: true, Get: func(r licensedUserRow) string { return r.UPN }},
	{Header: "Name", Field: "displayName", Summary: true, Spare: 3, Get: func(r licensedUserRow) string { return r.DisplayName }},
	{Header: "Subscription", Field: "subscriptionId", Summary: true, Get: func(r licensedUserRow) string { return r.SubscriptionID }},
	{Header: "Assigned", Field: "assignedAt", Summary: true, Whole: true, Spare: 1, Get: func(r licensedUserRow) string { return r.AssignedAt.Format(time.RFC3339) }},
	{Header: "Apps turned off", Field: "disabledPlans", Summary: true, Spare: 2, Get: func(r licensedUserRow) string { return strings.Join(r.DisabledPlans, ";") }},
}

func orCentral(purchaser string) string {
	if purchaser == "" {
		return "(organization)"
	}
	return purchaser
}

var assignColumns = []output.Column[store.AssignResult]{
	{Header: "Product ID", Whole: true, Field: "productId", Get: func(r store.AssignResult) string { return r.ProductID }},
	{Header: "Product", Field: "productName", Get: func(r store.AssignResult) string { return r.ProductName }},
	{Header: "Subscription", Field: "subscriptionId", Get: func(r store.AssignResult) string { return r.SubscriptionID }},
	{Header: "Changed", Field: "changed", Get: func(r store.AssignResult) string { return strconv.Itoa(r.Changed) }},
	{Header: "Unchanged", Field: "unchanged", Get: func(r store.AssignResult) string { return strconv.Itoa(r.Unchanged) }},
	{Header: "Available", Field: "available", Get: func(r store.AssignResult) string { return strconv.Itoa(r.Available) }},
}

// maxUsersFile bounds --users-file: a UPN per line, a million of them is ~40 MB.
const maxUsersFile = 256 << 20

// readUsers gathers UPNs from --users (comma-separated) and --users-file (one
// per line; blank lines, # comments and an "upn" header are skipped; in a
// CSV line the first field is the UPN). "-" reads stdin.
//
// Each must look like a UPN (exit 2 otherwise): a name with a NUL byte or a
// right-to-left override in it is not "a user not in this tenant", and
// reported as one it would read like the real user it imitates.
func readUsers(f *cmdutil.Factory, users []string, file string) ([]string, error) {
	upns := cmdutil.SplitList(users)
	for i, u := range upns {
		upn, err := store.ValidateUPN(u)
		if err != nil {
			return nil, err
		}
		upns[i] = upn
	}
	if file == "" {
		return upns, nil
	}
	in, err := cmdutil.OpenInput(f, file)
	if err != nil {
		return nil, err
	}
	defer in.Close()
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	read, lineNo := 0, 0
	for sc.Scan() {
		lineNo++
		read += len(sc.Bytes()) + 1
		if read > maxUsersFile {
			return nil, store.Errorf(store.EINVALID, "%s is larger than %d MB", file, maxUsersFile>>20)
		}
		line := strings.TrimSpace(strings.TrimPrefix(sc.Text(), "\ufeff"))
		if i := strings.IndexByte(line, ','); i >= 0 {
			line = strings.TrimSpace(strings.Trim(line[:i], `"`))
		}
		if line == "" || strings.HasPrefix(line, "#") || strings.EqualFold(line, "upn") {
			continue
		}
		upn, err := store.ValidateUPN(line)
		if err != nil {
			return nil, store.Errorf(store.EINVALID, "%s:%d: %s", file, lineNo, store.ErrorMessage(err)).WithHint("%s", store.ErrorHint(err))
		}
		upns = append(upns, upn)
	}
	if err := sc.Err(); errors.Is(err, bufio.ErrTooLong) {
		return nil, store.Errorf(store.EINVALID, "%s:%d: the line is longer than 1 MB: not a UPN", file, lineNo+1)
	} else if err != nil {
		return nil, store.Errorf(store.EINVALID, "cannot read %s: %v", file, err)
	}
	return upns, nil
}
