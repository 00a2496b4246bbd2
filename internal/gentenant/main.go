// Command gentenant makes synthetic tenants for the benchmarks of make bench:
// a users CSV for import-users, and a tenant database with a million users
// holding licenses of self-service subscriptions for export-users and the
// license verbs. Data is generated, never committed.
//
//	gentenant users N FILE.csv
//	gentenant tenant [-users N] [-licensed M] [-per-sub K] [-central C] DB
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
	"github.com/commercectl/commercectl/store/sqlite"
)

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
	fmt.Fprintln(os.Stderr, "usage: gentenant users N FILE.csv | gentenant tenant [-users N] [-licensed M] [-per-sub K] [-central C] DB")
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
// bought by some of them with perSub licenses each, all licenses assigned,
// and central subscriptions with free seats.
func tenant(args []string) error {
	fs := flag.NewFlagSet("tenant", flag.ExitOnError)
	users := fs.Int("users", 1_000_000, "users")
	licensed := fs.Int("licensed", 1_000_000, "users holding a self-service license")
	perSub := fs.Int("per-sub", 200, "licenses per self-service subscription")
	central := fs.Int("central", 200_000, "free seats of a central Power BI Pro subscription")
	fs.Parse(args)
	if fs.NArg() != 1 || *licensed > *users {
		usage()
	}
	path := fs.Arg(0)
	for _, s := range []string{"", "-wal", "-shm"} {
		os.Remove(path + s)
	}
	ctx := store.WithNow(context.Background(), time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC))
	if _, err := sqlite.Init(ctx, path, store.InitOptions{Tenant: "Synthetic", Admin: "admin@contoso.com"}, false); err != nil {
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
	subs := (*licensed + *perSub - 1) / *perSub
	if err := batchInsert(tx, "INSERT INTO subscriptions (id, product_id, kind, purchaser_id, quantity, monthly_price_cents, created_at, expires_at) VALUES ", 8, subs,
		func(i int, a []any) {
			a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7] = fmt.Sprintf("SUB-%07d", i+1), "CFQ7TTC0H9MP", store.KindSelfService,
				i**perSub+2, *perSub, 1400, created, "2027-10-01T09:00:00Z"
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
			a[0], a[1], a[2], a[3], a[4] = i+2, "CFQ7TTC0H9MP", fmt.Sprintf("SUB-%07d", i / *perSub + 1), plans, created
		}); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	if _, err := db.Exec(`PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "gentenant: %s: %d users, %d self-service subscriptions, %d licenses, %d free central seats in %s\n",
		path, *users+1, subs, *licensed, *central, time.Since(start).Round(time.Millisecond))
	return nil
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
