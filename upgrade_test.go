//go:build !windows

package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/commercectl/commercectl/store/sqlstore"
)

// TestUpgradeFromSchema1 opens testdata/upgrade/schema1.db, a tenant written
// by the commercectl of the first schema (scripts/schema1-fixture.sh), with
// the newest binary: the first command migrates it, every row is kept,
// doctor finds nothing, and the tenant works for reads and writes.
func TestUpgradeFromSchema1(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := commercectlBin(t)
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

	// doctor is the first command: it migrates, then checks.
	cmd := exec.Command(bin, "--db", db, "--as", "admin@contoso.com", "doctor")
	cmd.Env = env
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("doctor on the upgraded tenant: %v\n%s", err, out)
	}
	if v, want := userVersion(t, db), sqlstore.SchemaVersion(); v != want {
		t.Fatalf("after the upgrade: schema version %d, want %d", v, want)
	}
	after, err := dumpDB(db)
	if err != nil {
		t.Fatal(err)
	}
	if rows(before) != rows(after) {
		t.Fatalf("the upgrade changed rows:\nbefore:\n%s\nafter:\n%s", before, after)
	}
	for index, want := range map[string]int{
		"users_department":               0, // dropped by 0002
		"products_sku":                   0, // replaced by 0003
		"products_sku_part_number_upper": 1,
		"products_sku_id_lower":          1,
	} {
		if n := countRows(t, db, `SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name = ?`, index); n != want {
			t.Errorf("after the upgrade: %d index(es) %s, want %d", n, index, want)
		}
	}

	// What the old binary wrote reads back through the new one.
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

	// And the new binary writes to it: a role the old one gave is honoured.
	run(t, bin, env, "--db", db, "--as", "new.hire@contoso.com", "assign-license", "--product", "CFQ7TTC0HD32", "--users", "nestor.wilke@contoso.com")
	cmd = exec.Command(bin, "--db", db, "--as", "admin@contoso.com", "doctor")
	cmd.Env = env
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("doctor after a write on the upgraded tenant: %v\n%s", err, out)
	}
}

// rows is a dumpDB dump without its first line, the schema version.
func rows(dump string) string {
	_, rest, _ := strings.Cut(dump, "\n")
	return rest
}

func userVersion(t *testing.T, path string) int {
	t.Helper()
	return countRows(t, path, `PRAGMA user_version`)
}

func countRows(t *testing.T, path, query string, args ...any) int {
	t.Helper()
	if _, err := os.Stat(path); err != nil {
		t.Fatal(err)
	}
	db := openTestDB(t, path)
	defer db.Close()
	var n int
	if err := db.QueryRow(query, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}
