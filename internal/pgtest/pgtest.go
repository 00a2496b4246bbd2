// Package pgtest hands tests fresh PostgreSQL databases on the throwaway
// server that make test starts (scripts/with-postgres.sh): its URL, to a
// database the server's superuser may create databases from, is
// COMMERCECTL_TEST_PG. Without it the PostgreSQL tests skip, loudly, and
// with CI=true they fail: CI must prove both engines.
package pgtest

import (
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
)

// EnvURL names the variable that holds the server's URL.
const EnvURL = "COMMERCECTL_TEST_PG"

var (
	warnOnce sync.Once
	seq      atomic.Int64
	adminMu  sync.Mutex
	admin    *sql.DB
)

// URL is the server's URL, or skips t (fails it under CI=true) when no
// server was started.
func URL(t testing.TB) string {
	t.Helper()
	u := os.Getenv(EnvURL)
	if u != "" {
		return u
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("CI=true and no PostgreSQL server: %s is not set (run the tests with make test)", EnvURL)
	}
	warnOnce.Do(func() {
		fmt.Fprintf(os.Stderr, "\n*** SKIPPING EVERY POSTGRESQL TEST: %s is not set; make test starts a server ***\n\n", EnvURL)
	})
	t.Skipf("no PostgreSQL server (%s is not set)", EnvURL)
	return ""
}

// Available reports whether a server was started.
func Available() bool { return os.Getenv(EnvURL) != "" }

func adminDB(t testing.TB) *sql.DB {
	adminMu.Lock()
	defer adminMu.Unlock()
	if admin == nil {
		db, err := sql.Open("pgx", URL(t))
		if err != nil {
			t.Fatal(err)
		}
		db.SetMaxOpenConns(2)
		admin = db
	}
	return admin
}

// NewDatabase creates an empty database, dropped when t ends, and returns
// its URL.
func NewDatabase(t testing.TB) string {
	t.Helper()
	base := URL(t)
	name := fmt.Sprintf("cc_%d_%d", os.Getpid(), seq.Add(1))
	db := adminDB(t)
	if _, err := db.Exec(`CREATE DATABASE ` + name + ` STRATEGY FILE_COPY`); err != nil {
		t.Fatalf("create database %s: %v", name, err)
	}
	t.Cleanup(func() {
		if _, err := db.Exec(`DROP DATABASE IF EXISTS ` + name + ` WITH (FORCE)`); err != nil {
			t.Errorf("drop database %s: %v", name, err)
		}
	})
	return WithDatabase(base, name)
}

// WithDatabase is base with its database replaced by name.
func WithDatabase(base, name string) string {
	u, err := url.Parse(base)
	if err != nil {
		panic(err)
	}
	u.Path = "/" + name
	return u.String()
}

// Login creates, once per server, the login role name with attrs (e.g.
// "SUPERUSER"), and returns base's URL logging in as it. The test server
// trusts local logins: no password.
func Login(t testing.TB, base, name, attrs string) string {
	t.Helper()
	db := adminDB(t)
	_, err := db.Exec(`DO $$ BEGIN
		IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = ` + quoteLiteral(name) + `) THEN
			CREATE ROLE ` + quoteIdent(name) + ` LOGIN ` + attrs + `;
		END IF; END $$`)
	// Two tests may create one name at once: the loser finds it there.
	if err != nil && !strings.Contains(err.Error(), "already exists") && !strings.Contains(err.Error(), "duplicate key") {
		t.Fatalf("create login %s: %v", name, err)
	}
	return WithUser(base, name)
}

// WithUser is base logging in as user.
func WithUser(base, user string) string {
	u, err := url.Parse(base)
	if err != nil {
		panic(err)
	}
	u.User = url.User(user)
	return u.String()
}

func quoteIdent(s string) string   { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }
func quoteLiteral(s string) string { return `'` + strings.ReplaceAll(s, `'`, `''`) + `'` }
