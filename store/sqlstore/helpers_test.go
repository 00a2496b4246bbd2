package sqlstore_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/commercectl/commercectl/internal/pgtest"
	"github.com/commercectl/commercectl/store"
	"github.com/commercectl/commercectl/store/sqlstore"
)

const (
	admin  = "admin@contoso.com"
	policy = store.PolicySelfServicePurchase

	powerBIPro      = "CFQ7TTC0H9MP"
	powerBIProOldID = "CFQ7TTC0L3PB"
	powerBIPremium  = "CFQ7TTC0H6RP"
	plannerPlan1    = "CFQ7TTC0HDB1" // offers a trial without a payment method
	visioPlan1      = "CFQ7TTC0HD33" // offers a trial without a payment method
	visioPlan2      = "CFQ7TTC0HD32"
)

// now is the fixed "now" every test runs at.
var now = time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC)

// onPostgres is set when the tests run on PostgreSQL: make test runs this
// package twice, the second time with COMMERCECTL_TEST_ENGINE=postgres, so
// that every rule is pinned on both engines.
var onPostgres = os.Getenv("COMMERCECTL_TEST_ENGINE") == "postgres"

// sqliteOnly skips a test of what only a file has (its header, its journal,
// its permissions) on the PostgreSQL run.
func sqliteOnly(t *testing.T) {
	t.Helper()
	if onPostgres {
		t.Skip("about SQLite files")
	}
}

// newTenant creates a tenant in a temporary file (never :memory:), or on
// the PostgreSQL run in a fresh database, and opens it.
func newTenant(t *testing.T, demo bool) (*sqlstore.DB, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "tenant.db")
	if onPostgres {
		path = pgtest.NewDatabase(t)
	}
	if _, err := sqlstore.Init(store.WithNow(context.Background(), now), path,
		store.InitOptions{Tenant: "Contoso", Admin: admin, Demo: demo}, false); err != nil {
		t.Fatalf("Init: %v", err)
	}
	if onPostgres {
		// Init bound the admin to the login that ran it; the tests act
		// as each user in turn (and as nobody), as an operator bound to
		// nobody may: a superuser of its own.
		path = pgtest.Login(t, path, "commercectl_test_nobody", "SUPERUSER")
	}
	d, err := sqlstore.Open(path)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { d.Close() })
	return d, path
}

// as is a context in which upn runs operations at now.
func as(upn string) context.Context {
	return store.WithNow(store.WithActor(context.Background(), upn), now)
}

// nobody is a context without an identity.
func nobody() context.Context {
	return store.WithNow(context.Background(), now)
}

// addUser adds a user as the admin.
func addUser(t *testing.T, d *sqlstore.DB, upn string, roles ...string) {
	t.Helper()
	if _, err := d.AddUser(as(admin), store.NewUser{UPN: upn, Roles: roles}); err != nil {
		t.Fatalf("AddUser(%s): %v", upn, err)
	}
}

func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	if err == nil {
		t.Fatalf("got no error, want one with code %q", code)
	}
	if got := store.ErrorCode(err); got != code {
		t.Fatalf("error %q has code %q, want %q", err, got, code)
	}
}

func valueOf(t *testing.T, d *sqlstore.DB, productID string) string {
	t.Helper()
	pp, err := d.GetProductPolicy(as(admin), policy, productID)
	if err != nil {
		t.Fatalf("GetProductPolicy(%s): %v", productID, err)
	}
	return pp.PolicyValue
}

func setValue(t *testing.T, d *sqlstore.DB, value string, productIDs ...string) {
	t.Helper()
	if _, _, err := d.UpdatePolicy(as(admin), store.PolicyUpdate{PolicyID: policy, ProductIDs: productIDs, Value: value}); err != nil {
		t.Fatalf("UpdatePolicy(%v = %s): %v", productIDs, value, err)
	}
}

func auditLog(t *testing.T, d *sqlstore.DB) []store.AuditEntry {
	t.Helper()
	entries, err := d.ListAudit(as(admin), store.AuditFilter{})
	if err != nil {
		t.Fatalf("ListAudit: %v", err)
	}
	return entries
}

// rawDB opens the tenant beside the store, for what the Service does not
// show. Its queries are written with ? placeholders, rebound for PostgreSQL
// by query.
func rawDB(t *testing.T, path string) *sql.DB {
	t.Helper()
	rawMu.Lock()
	defer rawMu.Unlock()
	key := rawKey{t, path}
	if db, ok := rawDBs[key]; ok {
		return db
	}
	driver := "sqlite"
	if sqlstore.IsURL(path) {
		driver = "pgx"
	}
	db, err := sql.Open(driver, path)
	if err != nil {
		t.Fatal(err)
	}
	rawDBs[key] = db
	t.Cleanup(func() {
		rawMu.Lock()
		delete(rawDBs, key)
		rawMu.Unlock()
		db.Close()
	})
	return db
}

// One handle per test and tenant: a loop of queries must not open a
// connection to a server for each.
type rawKey struct {
	t    *testing.T
	path string
}

var (
	rawMu  sync.Mutex
	rawDBs = map[rawKey]*sql.DB{}
)

// rawConn runs a test's queries, with ? placeholders, on either engine.
type rawConn struct {
	db   *sql.DB
	path string
}

func rawq(t *testing.T, path string) rawConn { return rawConn{rawDB(t, path), path} }

func (r rawConn) Query(q string, args ...any) (*sql.Rows, error) {
	return r.db.Query(sqlstore.RebindFor(r.path, q), args...)
}

func (r rawConn) QueryRow(q string, args ...any) *sql.Row {
	return r.db.QueryRow(sqlstore.RebindFor(r.path, q), args...)
}

func (r rawConn) Exec(q string, args ...any) (sql.Result, error) {
	return r.db.Exec(sqlstore.RebindFor(r.path, q), args...)
}

func count(t *testing.T, path, query string, args ...any) int {
	t.Helper()
	var n int
	if err := rawDB(t, path).QueryRow(sqlstore.RebindFor(path, query), args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

// snapshot renders every row of every table in a stable order, so that
// comparing two snapshots proves an operation changed nothing.
func snapshot(t *testing.T, path string) string {
	t.Helper()
	db := rawDB(t, path)
	var version int
	versionQuery, tableQuery := `PRAGMA user_version`, `SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`
	if sqlstore.IsURL(path) {
		versionQuery = `SELECT version FROM commercectl_schema`
		tableQuery = `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() ORDER BY table_name`
	}
	if err := db.QueryRow(versionQuery).Scan(&version); err != nil {
		t.Fatal(err)
	}
	rows, err := db.Query(tableQuery)
	if err != nil {
		t.Fatal(err)
	}
	var tables []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			t.Fatal(err)
		}
		tables = append(tables, name)
	}
	rows.Close()
	var out strings.Builder
	fmt.Fprintf(&out, "user_version %d\n", version)
	for _, table := range tables {
		rows, err := db.Query(`SELECT * FROM "` + table + `"`)
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rows.Columns()
		var lines []string
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			cells := make([]string, len(vals))
			for i, v := range vals {
				if b, ok := v.([]byte); ok {
					v = string(b)
				}
				cells[i] = fmt.Sprint(v)
			}
			lines = append(lines, strings.Join(cells, "|"))
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		rows.Close()
		sort.Strings(lines)
		fmt.Fprintf(&out, "== %s (%d rows)\n%s\n", table, len(lines), strings.Join(lines, "\n"))
	}
	return out.String()
}

// unchanged fails the test when the tenant differs from before.
func unchanged(t *testing.T, path, before string) {
	t.Helper()
	if after := snapshot(t, path); after != before {
		t.Fatalf("the tenant changed:\n%s", diffLines(before, after))
	}
}

func diffLines(a, b string) string {
	in := map[string]int{}
	for _, l := range strings.Split(a, "\n") {
		in[l]++
	}
	var out []string
	for _, l := range strings.Split(b, "\n") {
		if in[l] > 0 {
			in[l]--
			continue
		}
		out = append(out, "+ "+l)
	}
	for l, n := range in {
		for ; n > 0; n-- {
			out = append(out, "- "+l)
		}
	}
	sort.Strings(out)
	return strings.Join(out, "\n")
}
