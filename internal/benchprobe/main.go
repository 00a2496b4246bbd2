// Command benchprobe is the floor that `make bench` shows next to
// commercectl: a bare Go program that opens a tenant database with the same
// driver (modernc.org/sqlite through database/sql, no cgo) and reads one
// product's policy row, with nothing else linked in. The gap between it and
// commercectl is what the CLI itself costs; the gap between it and the
// sqlite3 shell is what Go and the pure-Go SQLite cost.
//
//	benchprobe DB POLICY PRODUCT
package main

import (
	"database/sql"
	"fmt"
	"os"

	_ "modernc.org/sqlite"
)

const query = `SELECT pp.policy_id, p.id, p.name, p.publisher, pp.value
	FROM product_policies pp JOIN products p ON p.id = pp.product_id
	WHERE pp.policy_id = ? AND pp.product_id = ?`

func main() {
	if len(os.Args) != 4 {
		fmt.Fprintln(os.Stderr, "usage: benchprobe DB POLICY PRODUCT")
		os.Exit(2)
	}
	db, err := sql.Open("sqlite", "file:"+os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	defer db.Close()
	var policy, product, name, publisher, value string
	if err := db.QueryRow(query, os.Args[2], os.Args[3]).Scan(&policy, &product, &name, &publisher, &value); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Printf("%s|%s|%s|%s|%s\n", policy, product, name, publisher, value)
}
