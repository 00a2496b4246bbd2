// Command gentenant makes synthetic tenants for the benchmarks of make bench:
// a users CSV for import-users, and a tenant database with a million users
// holding licenses of self-service subscriptions for export-users and the
// license verbs, with license requests for list-requests and approve-request,
// and license conflicts for list-conflicts.
// Data is generated, never committed, and the same for the same flags.
//
//	gentenant users N FILE.csv
//	gentenant tenant [-users N] [-licensed M] [-per-sub K] [-first-sub F] [-central C] [-requests R] [-request-users U] [-expired E] [-short S] DB
//
// The tenant's clock is Now (2026-11-01T09:00:00Z): run commercectl on it
// with COMMERCECTL_NOW set to that time to see the requests as generated.
package main

import (
	"bufio"
	"context"
	"database/sql"
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/commercectl/commercectl/store"
	"github.com/commercectl/commercectl/store/sqlstore"
)

// Now is the time the tenant is generated at; the requests are dated
// relative to it.
var Now = time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)

var departments = []string{"Finance", "Sales", "Marketing", "Engineering", "Research", "Legal", "HR", "Operations", "Retail", "IT"}

func main() {
	if len(os.Args) < 2 {
		usage()
	}
	var err error
	switch os.Args[1] {
	case "users":
		err = usersCSV(os.Args[2:])
	case "tenant":
		err = tenant(os.Args[2:])
	default:
		usage()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "gentenant:", err)
		os.Exit(1)
	}
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: gentenant users N FILE.csv | gentenant tenant [-users N] [-licensed M] [-per-sub K] [-first-sub F] [-central C] [-requests R] [-request-users U] [-expired E] [-short S] DB")
	os.Exit(2)
}

func upn(i int) string { return fmt.Sprintf("user%07d@contoso.com", i) }

// usersCSV writes N users in import-users format; a few cells are quoted,
// as a spreadsheet would write them.
func usersCSV(args []string) error {
	if len(args) != 2 {
		usage()
	}
	var n int
	if _, err := fmt.Sscan(args[0], &n); err != nil {
		return err
	}
	f, err := os.Create(args[1])
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	w.WriteString("upn,displayName,department\r\n")
	for i := 1; i <= n; i++ {
		name := fmt.Sprintf("User %d", i)
		if i%10 == 0 {
			name = fmt.Sprintf("\"Doe, User %d\"", i)
		}
		fmt.Fprintf(w, "%s,%s,%s\r\n", upn(i), name, departments[i%len(departments)])
	}
	if err := w.Flush(); err != nil {
		return err
	}
	return f.Close()
}

// tenant builds a tenant: users, self-service subscriptions of Power BI Pro
// bought by some of them with perSub licenses each (the first one firstSub
// when set, for the takeover benchmark), all licenses assigned,
// a central subscription of Visio Plan 2 with free seats, and license
// requests (see requests). With -expired and -short, some self-service
// subscriptions are in conflict (see conflictOf).
func tenant(args []string) error {
	fs := flag.NewFlagSet("tenant", flag.ExitOnError)
	users := fs.Int("users", 1_000_000, "users")
	licensed := fs.Int("licensed", 1_000_000, "users holding a self-service license")
	perSub := fs.Int("per-sub", 200, "licenses per self-service subscription")
	firstSub := fs.Int("first-sub", 0, "licenses of the first self-service subscription SUB-0000001 (0: -per-sub), the rest -per-sub each")
	central := fs.Int("central", 200_000, "free seats of the central Visio Plan 2 subscription SUB-CENTRAL")
	nreq := fs.Int("requests", 0, "license requests stored, over the year before Now; the last is pending and names -request-users users")
	bigReq := fs.Int("request-users", 5000, "users named by the last request (Visio Plan 2, pending, made a day before Now)")
	nexp := fs.Int("expired", 0, "self-service subscriptions expired 10 days before Now (Expired: no seats, all their licenses in conflict)")
	nshort := fs.Int("short", 0, "self-service subscriptions with 1 to 3 seats fewer than licenses assigned")
	fs.Parse(args)
	if fs.NArg() != 1 || *licensed > *users || *perSub < 1 || *firstSub < 0 || *firstSub > *licensed || *nexp < 0 || *nshort < 0 {
		usage()
	}
	first := *firstSub
	if first == 0 {
		first = min(*perSub, *licensed)
	}
	// subOf is the index (0-based) of the subscription holding license i,
	// startOf the index of the first license of subscription j.
	subOf := func(i int) int {
		if i < first {
			return 0
		}
		return 1 + (i-first) / *perSub
	}
	startOf := func(j int) int {
		if j == 0 {
			return 0
		}
		return first + (j-1)**perSub
	}
	if *nreq > 0 && (*bigReq < 1 || *bigReq > *users || *bigReq > *central || *users < 8) {
		return fmt.Errorf("-request-users %d must be between 1 and the users (%d) and the free central seats (%d)", *bigReq, *users, *central)
	}
	path := fs.Arg(0)
	for _, s := range []string{"", "-wal", "-shm"} {
		os.Remove(path + s)
	}
	ctx := store.WithNow(context.Background(), Now)
	if _, err := sqlstore.Init(ctx, path, store.InitOptions{Tenant: "Synthetic", Admin: "admin@contoso.com"}, false); err != nil {
		return err
	}
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=journal_mode(WAL)&_pragma=synchronous(OFF)&_pragma=foreign_keys(0)")
	if err != nil {
		return err
	}
	defer db.Close()
	tx, err := db.Begin()
	if err != nil {
		return err
	}
	defer tx.Rollback()
	start := time.Now()
	created := "2026-10-01T09:00:00Z"
	if err := batchInsert(tx, "INSERT INTO users (id, upn, upn_key, display_name, department, created_at) VALUES ", 6, *users,
		func(i int, a []any) {
			id := i + 2 // the admin is user 1
			a[0], a[1], a[2], a[3], a[4], a[5] = id, upn(id), upn(id), fmt.Sprintf("User %d", id), departments[id%len(departments)], created
		}); err != nil {
		return err
	}
	subs := 0
	if *licensed > 0 {
		subs = subOf(*licensed-1) + 1
	}
	if *nexp+*nshort > subs {
		return fmt.Errorf("-expired %d and -short %d: more than the %d self-service subscriptions", *nexp, *nshort, subs)
	}
	conflict := conflictOf(subs, *nexp, *nshort)
	expired := Now.AddDate(0, 0, -10).Format("2006-01-02T15:04:05Z")
	shortfall := 0
	if err := batchInsert(tx, "INSERT INTO subscriptions (id, product_id, kind, purchaser_id, quantity, monthly_price_cents, created_at, expires_at) VALUES ", 8, subs,
		func(i int, a []any) {
			quantity := *perSub
			if i == 0 {
				quantity = first
			}
			// The licenses of subscription i (the last one may hold fewer).
			held := min(startOf(i+1), *licensed) - startOf(i)
			expires := "2027-10-01T09:00:00Z"
			switch k := conflict(i); {
			case k < 0:
			case k < *nexp:
				expires = expired
				shortfall += held
			default:
				quantity = max(0, held-1-k%3)
				shortfall += held - quantity
			}
			a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7] = fmt.Sprintf("SUB-%07d", i+1), "CFQ7TTC0H9MP", store.KindSelfService,
				startOf(i)+2, quantity, 1400, created, expires
		}); err != nil {
		return err
	}
	if _, err := tx.Exec(`INSERT INTO subscriptions (id, product_id, kind, quantity, monthly_price_cents, created_at, expires_at)
		VALUES ('SUB-CENTRAL', 'CFQ7TTC0HD32', 'central', ?, 1500, ?, '2027-10-01T09:00:00Z')`, *central, created); err != nil {
		return err
	}
	if err := batchInsert(tx, "INSERT INTO licenses (user_id, product_id, subscription_id, disabled_plans, assigned_at) VALUES ", 5, *licensed,
		func(i int, a []any) {
			plans := ""
			if i%7 == 0 {
				plans = "EXCHANGE_S_FOUNDATION"
			}
			a[0], a[1], a[2], a[3], a[4] = i+2, "CFQ7TTC0H9MP", fmt.Sprintf("SUB-%07d", subOf(i)+1), plans, created
		}); err != nil {
		return err
	}
	var reqUsers int
	if *nreq > 0 {
		if reqUsers, err = requests(tx, *users, *nreq, *bigReq); err != nil {
			return err
		}
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	if _, err := db.Exec(`PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "gentenant: %s: %d users, %d self-service subscriptions, %d licenses, %d free central seats, %d requests naming %d users, %d conflicts (%d expired, %d short) of %d users in %s\n",
		path, *users+1, subs, *licensed, *central, *nreq, reqUsers, *nexp+*nshort, *nexp, *nshort, shortfall, time.Since(start).Round(time.Millisecond))
	return nil
}

// conflictOf spreads the exp+short subscriptions in conflict evenly over the
// subs self-service ones, the first at index 0: it returns -1 for a
// subscription without conflict, else k, the conflict's rank in id order.
// The ranks below exp are expired (every license needs a valid one), the
// others are short of 1 to 3 seats (1 + k%3) below the licenses they hold.
func conflictOf(subs, exp, short int) func(i int) int {
	n := exp + short
	return func(i int) int {
		if n == 0 {
			return -1
		}
		// Subscription i is the k-th in conflict when it is the first index
		// at or after k*subs/n.
		k := (i*n + subs - 1) / subs // ceil(i*n/subs)
		if k >= n || k*subs/n != i {
			return -1
		}
		return k
	}
}

// requestProducts are the products people ask for (their policy would not
// let them buy them).
var requestProducts = []string{"CFQ7TTC0HD32", "CFQ7TTC0H6RP", "CFQ7TTC0LH2H", "CFQ7TTC0LH3L", "CFQ7TTC0HDB0", "CFQ7TTC0MM8R", "CFQ7TTC0H9MP"}

// mix is splitmix64: a fixed pseudo-random number for each i, so that the
// same flags always make the same tenant.
func mix(i uint64) uint64 {
	z := i + 0x9e3779b97f4a7c15
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// requests stores n license requests (ids 1..n) and returns how many users
// they name. Requests 1..n-1 are spread evenly over the 365 days before Now,
// oldest first, so that about 30/365 of them (8%) are within the default
// retention of 30 days. Each names 1 to 4 users of one team (the requester
// and the next users). Within retention a fifth is still pending, older ones
// one in fifty (they were never handled and have expired); the rest were
// decided a few hours to three days later: Approved, PartiallyApproved (the
// requester licensed, the colleagues not) or Denied. The users of decided
// requests are not given licenses here: only the requests are under test.
// Request n is pending, made a day before Now, for Visio Plan 2, and names
// big users spread over the whole tenant, none of whom holds Visio, so that
// approving it takes big seats of SUB-CENTRAL.
func requests(tx *sql.Tx, users, n, big int) (int, error) {
	const span = 365 * 24 * 3600
	kept := Now.AddDate(0, 0, -30)
	type req struct {
		at, decided     time.Time
		product, status string
		requester, n    int
	}
	rs := make([]req, n-1)
	total := 0
	for i := range rs {
		h := mix(uint64(i))
		r := &rs[i]
		r.at = Now.Add(-time.Duration(span-int64(i+1)*span/int64(n)) * time.Second)
		r.product = requestProducts[h%uint64(len(requestProducts))]
		r.n = 1 + int(h>>8%4)
		r.requester = 2 + int(h>>16%uint64(users-r.n))
		pendingPct := uint64(2)
		if !r.at.Before(kept) {
			pendingPct = 20
		}
		switch d := h >> 32 % 100; {
		case d < pendingPct:
			r.status = store.RequestPending
		case d < 70:
			r.status = store.RequestApproved
		case d < 82 && r.n > 1:
			r.status = store.RequestPartiallyApproved
		default:
			r.status = store.RequestDenied
		}
		if r.status != store.RequestPending {
			r.decided = r.at.Add(time.Duration(1+h>>40%72) * time.Hour)
			if r.decided.After(Now) {
				r.decided = Now
			}
		}
		total += r.n
	}
	const layout = "2006-01-02T15:04:05Z"
	if err := batchInsert(tx, "INSERT INTO requests (id, product_id, requester_id, requested_at, status, decided_at, decided_by_id, assigned_product_id, message) VALUES ", 9, n-1,
		func(i int, a []any) {
			r := &rs[i]
			a[0], a[1], a[2], a[3], a[4] = i+1, r.product, r.requester, r.at.Format(layout), r.status
			a[5], a[6], a[7], a[8] = nil, nil, nil, ""
			if r.status != store.RequestPending {
				a[5], a[6], a[7] = r.decided.Format(layout), 1, r.product
				if i%3 == 0 {
					a[8] = "Handled in the monthly licensing review."
				}
			}
		}); err != nil {
		return 0, err
	}
	// The users of every request, flattened: request i names its requester
	// and the r.n-1 users after them.
	type ru struct{ req, k int }
	flat := make([]ru, 0, total)
	for i := range rs {
		for k := 0; k < rs[i].n; k++ {
			flat = append(flat, ru{i, k})
		}
	}
	if err := batchInsert(tx, "INSERT INTO request_users (request_id, user_id, decision) VALUES ", 3, len(flat),
		func(j int, a []any) {
			x := flat[j]
			r := &rs[x.req]
			a[0], a[1] = x.req+1, r.requester+x.k
			switch {
			case r.status == store.RequestPending:
				a[2] = nil
			case r.status == store.RequestApproved, r.status == store.RequestPartiallyApproved && x.k == 0:
				a[2] = store.DecisionApproved
			case r.status == store.RequestPartiallyApproved:
				a[2] = store.DecisionNotAssigned
			default:
				a[2] = store.DecisionDenied
			}
		}); err != nil {
		return 0, err
	}
	// The big request, spread over the tenant: user 2 + j*stride.
	stride := users / big
	if _, err := tx.Exec(`INSERT INTO requests (id, product_id, requester_id, requested_at) VALUES (?, 'CFQ7TTC0HD32', 2, ?)`,
		n, Now.AddDate(0, 0, -1).Format(layout)); err != nil {
		return 0, err
	}
	if err := batchInsert(tx, "INSERT INTO request_users (request_id, user_id) VALUES ", 2, big,
		func(j int, a []any) { a[0], a[1] = n, 2+j*stride }); err != nil {
		return 0, err
	}
	return total + big, nil
}

// batchInsert inserts n rows, 100 per statement.
func batchInsert(tx *sql.Tx, prefix string, cols, n int, row func(i int, args []any)) error {
	const per = 100
	one := "(" + strings.TrimSuffix(strings.Repeat("?,", cols), ",") + ")"
	full := prefix + strings.TrimSuffix(strings.Repeat(one+",", per), ",")
	stmt, err := tx.Prepare(full)
	if err != nil {
		return err
	}
	defer stmt.Close()
	args := make([]any, cols*per)
	i := 0
	for ; i+per <= n; i += per {
		for j := 0; j < per; j++ {
			row(i+j, args[j*cols:(j+1)*cols])
		}
		if _, err := stmt.Exec(args...); err != nil {
			return err
		}
	}
	if rest := n - i; rest > 0 {
		q := prefix + strings.TrimSuffix(strings.Repeat(one+",", rest), ",")
		a := args[:rest*cols]
		for j := 0; j < rest; j++ {
			row(i+j, a[j*cols:(j+1)*cols])
		}
		if _, err := tx.Exec(q, a...); err != nil {
			return err
		}
	}
	return nil
}
