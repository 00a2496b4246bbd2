package main

import (
	"database/sql"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/commercectl/commercectl/internal/pgtest"
	"github.com/commercectl/commercectl/store/sqlstore"
)

// forEachEngine runs fn as the subtests sqlite and postgres; newDB gives
// fn an empty tenant database of the subtest's engine: a file in dir, or a
// fresh database on the throwaway server (internal/pgtest), dropped when
// the test ends. The postgres subtest skips, loudly, without a server, and
// fails under CI=true.
func forEachEngine(t *testing.T, fn func(t *testing.T, newDB func(dir, name string) string)) {
	t.Run("sqlite", func(t *testing.T) {
		fn(t, func(dir, name string) string { return filepath.Join(dir, name) })
	})
	t.Run("postgres", func(t *testing.T) {
		pgtest.URL(t)
		fn(t, func(string, string) string { return pgtest.NewDatabase(t) })
	})
}

// checkDB fails the test unless PRAGMA integrity_check says ok and
// foreign_key_check finds nothing. A PostgreSQL server checks both as it
// writes: there is nothing to ask it.
func checkDB(t *testing.T, path string) {
	t.Helper()
	if sqlstore.IsURL(path) {
		return
	}
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
// log a killed process left is recovered, and foreign keys on), or a
// PostgreSQL one at its URL. Queries on it use $1 placeholders, which both
// engines take.
func openTestDB(t *testing.T, path string) *sql.DB {
	t.Helper()
	if sqlstore.IsURL(path) {
		db, err := sql.Open("pgx", path)
		if err != nil {
			t.Fatal(err)
		}
		return db
	}
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
