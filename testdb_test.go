package main

import (
	"database/sql"
	"fmt"
	"strings"
	"testing"
)

// checkDB fails the test unless PRAGMA integrity_check says ok and
// foreign_key_check finds nothing.
func checkDB(t *testing.T, path string) {
	t.Helper()
	db := openTestDB(t, path)
	defer db.Close()
	integrity, fkeys := sqliteChecks(t, db)
	if integrity != "ok" {
		t.Fatalf("%s: integrity_check: %s", path, integrity)
	}
	if fkeys != "" {
		t.Fatalf("%s: foreign_key_check: %s", path, fkeys)
	}
}

// openTestDB opens a tenant database as commercectl would (WAL, so that a
// log a killed process left is recovered, and foreign keys on).
func openTestDB(t *testing.T, path string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=foreign_keys(1)&_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	return db
}

// sqliteChecks returns PRAGMA integrity_check's lines ("ok" when intact)
// and PRAGMA foreign_key_check's rows ("" when none).
func sqliteChecks(t *testing.T, db *sql.DB) (integrity, fkeys string) {
	t.Helper()
	var checks []string
	rows, err := db.Query(`PRAGMA integrity_check`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			t.Fatal(err)
		}
		checks = append(checks, line)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	rows, err = db.Query(`PRAGMA foreign_key_check`)
	if err != nil {
		t.Fatal(err)
	}
	cols, _ := rows.Columns()
	var bad []string
	for rows.Next() {
		v := make([]any, len(cols))
		p := make([]any, len(cols))
		for i := range v {
			p[i] = &v[i]
		}
		if err := rows.Scan(p...); err != nil {
			t.Fatal(err)
		}
		bad = append(bad, fmt.Sprint(v...))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return strings.Join(checks, "; "), strings.Join(bad, "; ")
}
