//go:build !windows

package main

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/commercectl/commercectl/internal/pgtest"
	"github.com/commercectl/commercectl/store/sqlstore"
)

// TestUpgradeFromSchema1 opens testdata/upgrade/schema1.db, a tenant written
// by the commercectl of the first schema (scripts/schema1-fixture.sh), with
// the newest binary: the first command migrates it, every row is kept,
// doctor finds nothing, and the tenant works for reads and writes.
//
// PostgreSQL has had one schema so far, so nothing there is old enough to
// upgrade. Its half checks what can be: the upgraded tenant, copied to the
// server with copy-tenant, holds the same rows and works there for reads
// and writes; and a database whose schema is newer than the binary knows
// is refused (exit 5) and left as it was.
func TestUpgradeFromSchema1(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := commercectlBin(t)
	t.Run("sqlite", func(t *testing.T) { upgradeSchema1(t, bin) })
	t.Run("postgres", func(t *testing.T) {
		pgtest.URL(t)
		upgradedToPostgres(t, bin)
	})
}

func upgradeSchema1(t *testing.T, bin string) {
	dir := t.TempDir()
	env := interactiveEnv(dir)
	db := filepath.Join(dir, "tenant.db")
	copyDB(t, filepath.Join("testdata", "upgrade", "schema1.db"), db)

	before, err := dumpDB(db)
	if err != nil {
		t.Fatal(err)
	}
	if v := userVersion(t, db); v != 1 {
		t.Fatalf("fixture has schema version %d, want 1", v)
	}

	// A read never writes (issue 14): doctor says the tenant needs an
	// upgrade, and how, and leaves it as it was.
	cmd := exec.Command(bin, "--db", db, "--as", "admin@contoso.com", "doctor")
	cmd.Env = env
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 5 || !strings.Contains(string(out), "has schema version 1, older than this commercectl") ||
		!strings.Contains(string(out), "commercectl migrate --db "+db) {
		t.Fatalf("doctor on an old tenant: %v\n%s", err, out)
	}
	if same, err := dumpDB(db); err != nil || same != before || userVersion(t, db) != 1 {
		t.Fatalf("a read changed the old tenant (%v)", err)
	}
	// migrate upgrades it; doctor then checks it; migrate again has
	// nothing to do.
	run(t, bin, env, "--db", db, "migrate")
	run(t, bin, env, "--db", db, "--as", "admin@contoso.com", "doctor")
	if out := string(run(t, bin, env, "--db", db, "migrate", "-o", "json", "--jq", ".changed")); out != "false\n" {
		t.Errorf("migrate of an up-to-date tenant: changed %q", out)
	}
	// The first change upgrades an old tenant too, and is made.
	changed := filepath.Join(dir, "changed.db")
	copyDB(t, filepath.Join("testdata", "upgrade", "schema1.db"), changed)
	run(t, bin, env, "--db", changed, "--as", "admin@contoso.com", "add-user", "upgrade.check@contoso.com")
	if v := userVersion(t, changed); v != sqlstore.SchemaVersion() {
		t.Errorf("after a change to an old tenant: schema version %d, want %d", v, sqlstore.SchemaVersion())
	}
	if n := countRows(t, changed, `SELECT count(*) FROM users WHERE upn = 'upgrade.check@contoso.com'`); n != 1 {
		t.Errorf("the change to the old tenant was not made")
	}
	if v, want := userVersion(t, db), sqlstore.SchemaVersion(); v != want {
		t.Fatalf("after the upgrade: schema version %d, want %d", v, want)
	}
	after, err := dumpDB(db)
	if err != nil {
		t.Fatal(err)
	}
	// 0004 adds request_users.pos, the order the requester named the users
	// in, from the rowid that held it: the old rows, and the column.
	if n := countRows(t, db, `SELECT count(*) FROM request_users WHERE pos <> rowid`); n != 0 {
		t.Errorf("after the upgrade: %d request_users rows whose pos is not their rowid", n)
	}
	// 0005 adds the deliveries of the outbox: none yet; 0006 the tenant's
	// request_numbers_used, 0 until a purge.
	after = strings.Replace(after, "== deliveries (0 rows)\n\n", "", 1)
	if rows(before) != withoutLastCell(withoutLastCell(rows(after), "request_users"), "tenant") {
		t.Fatalf("the upgrade changed rows:\nbefore:\n%s\nafter:\n%s", before, after)
	}
	for index, want := range map[string]int{
		"users_department":               0, // dropped by 0002
		"products_sku":                   0, // replaced by 0003
		"products_sku_part_number_upper": 1,
		"products_sku_id_lower":          1,
	} {
		if n := countRows(t, db, `SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name = $1`, index); n != want {
			t.Errorf("after the upgrade: %d index(es) %s, want %d", n, index, want)
		}
	}

	// What the old binary wrote reads back through the new one.
	checkSchema1Reads(t, bin, env, db)

	// And the new binary writes to it: a role the old one gave is honoured.
	run(t, bin, env, "--db", db, "--as", "new.hire@contoso.com", "assign-license", "--product", "CFQ7TTC0HD32", "--users", "nestor.wilke@contoso.com")
	cmd = exec.Command(bin, "--db", db, "--as", "admin@contoso.com", "doctor")
	cmd.Env = env
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("doctor after a write on the upgraded tenant: %v\n%s", err, out)
	}
}

// checkSchema1Reads reads back, through the newest binary, what the
// schema-1 binary wrote into the fixture.
func checkSchema1Reads(t *testing.T, bin string, env []string, db string) {
	t.Helper()
	var sub struct {
		Purchaser string `json:"purchaser"`
		Quantity  int    `json:"quantity"`
		Assigned  int    `json:"assigned"`
	}
	decode(t, run(t, bin, env, "--db", db, "--as", "admin@contoso.com", "-o", "json", "get-subscription", "SUB-00010"), &sub)
	if sub.Purchaser != "new.hire@contoso.com" || sub.Quantity != 3 || sub.Assigned != 1 {
		t.Fatalf("SUB-00010 after the upgrade: %+v", sub)
	}
	var pol struct {
		PolicyValue string `json:"policyValue"`
	}
	decode(t, run(t, bin, env, "--db", db, "--as", "admin@contoso.com", "-o", "json", "get-product-policy", "AllowSelfServicePurchase", "--product", "CFQ7TTC0L3PB"), &pol)
	if pol.PolicyValue != "Disabled" {
		t.Fatalf("Power BI Pro's policy after the upgrade: %q, want Disabled", pol.PolicyValue)
	}
}

// upgradedToPostgres upgrades the fixture, copies it to the server and
// checks the copy; then makes the copy's schema newer than the binary's.
func upgradedToPostgres(t *testing.T, bin string) {
	dir := t.TempDir()
	env := interactiveEnv(dir)
	db := filepath.Join(dir, "tenant.db")
	copyDB(t, filepath.Join("testdata", "upgrade", "schema1.db"), db)
	run(t, bin, env, "--db", db, "migrate")
	run(t, bin, env, "--db", db, "--as", "admin@contoso.com", "doctor")

	pg := pgTenant(t, db)
	lite, err := dumpDB(db)
	if err != nil {
		t.Fatal(err)
	}
	copied, err := dumpDB(pg)
	if err != nil {
		t.Fatal(err)
	}
	if rows(copied) != rows(lite) {
		t.Fatalf("the upgraded tenant copied to PostgreSQL holds other rows:\nsqlite:\n%s\npostgres:\n%s", lite, copied)
	}
	want := pgSchemaVersion(t)
	if v := countRows(t, pg, `SELECT version FROM commercectl_schema`); v != want {
		t.Fatalf("the copy has schema version %d, want %d", v, want)
	}
	run(t, bin, env, "--db", pg, "--as", "admin@contoso.com", "doctor")
	checkSchema1Reads(t, bin, env, pg)
	run(t, bin, env, "--db", pg, "--as", "new.hire@contoso.com", "assign-license", "--product", "CFQ7TTC0HD32", "--users", "nestor.wilke@contoso.com")
	run(t, bin, env, "--db", pg, "--as", "admin@contoso.com", "doctor")

	// A tenant a newer commercectl wrote: refused, every verb, and untouched.
	newer := openTestDB(t, pg)
	if _, err := newer.Exec(`UPDATE commercectl_schema SET version = 99`); err != nil {
		t.Fatal(err)
	}
	newer.Close()
	before, err := dumpDB(pg)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(before, "user_version 99\n") {
		t.Fatalf("the schema version is not 99:\n%.200s", before)
	}
	refusal := regexp.MustCompile(`\Aerror: .* has schema version 99, newer than this commercectl knows \(` + strconv.Itoa(want) + `\) \(hint: upgrade commercectl to open it\)\n\z`)
	back := filepath.Join(dir, "back.db")
	for _, args := range [][]string{
		{"doctor"},
		{"list-users"},
		{"add-user", "late.hire@contoso.com"},
		{"assign-license", "--product", "CFQ7TTC0HD32", "--users", "alex.wilber@contoso.com"},
		{"copy-tenant", "--to", back},
	} {
		code, stderr := exitCode(t, bin, env, append([]string{"--db", pg, "--as", "admin@contoso.com"}, args...)...)
		if code != 5 || !refusal.MatchString(stderr) {
			t.Errorf("%s on a tenant of schema version 99: exit %d, want 5 and %q\nstderr: %s", args[0], code, refusal, stderr)
		}
	}
	after, err := dumpDB(pg)
	if err != nil {
		t.Fatal(err)
	}
	if after != before {
		t.Errorf("the refused commands changed the tenant:\n%s", firstDiff(before, after))
	}
	if _, err := os.Stat(back); err == nil {
		t.Errorf("a refused copy-tenant wrote %s", back)
	}
}

// pgSchemaVersion is the PostgreSQL schema version this tree's binary
// knows: its newest migration's number.
func pgSchemaVersion(t *testing.T) int {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("store", "sqlstore", "migrations", "postgres", "[0-9]*.sql"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no PostgreSQL migrations: %v", err)
	}
	v := 0
	for _, f := range files {
		n, err := strconv.Atoi(strings.SplitN(filepath.Base(f), "_", 2)[0])
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		v = max(v, n)
	}
	return v
}

// rows is a dumpDB dump without its first line, the schema version.
func rows(dump string) string { return tenantRows(dump) }

// withoutLastCell is a dump with the last column of table's rows cut off.
func withoutLastCell(dump, table string) string {
	lines := strings.Split(dump, "\n")
	in := false
	for i, l := range lines {
		if strings.HasPrefix(l, "== ") {
			in = strings.HasPrefix(l, "== "+table+" ")
			continue
		}
		if in {
			if j := strings.LastIndex(l, "|"); j >= 0 {
				lines[i] = l[:j]
			}
		}
	}
	return strings.Join(lines, "\n")
}

func userVersion(t *testing.T, path string) int {
	t.Helper()
	return countRows(t, path, `PRAGMA user_version`)
}

func countRows(t *testing.T, path, query string, args ...any) int {
	t.Helper()
	if !sqlstore.IsURL(path) {
		if _, err := os.Stat(path); err != nil {
			t.Fatal(err)
		}
	}
	db := openTestDB(t, path)
	defer db.Close()
	var n int
	if err := db.QueryRow(query, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}
