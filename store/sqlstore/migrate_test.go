package sqlstore

import (
	"context"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/commercectl/commercectl/store"
)

// Two commercectl processes can open one old tenant at the same moment:
// both see the old version, both want to migrate. The second must find the
// work done, even for a migration that fails when run twice.
func TestTwoOpenersMigrateOnce(t *testing.T) {
	path := filepath.Join(t.TempDir(), "tenant.db")
	ctx := store.WithNow(context.Background(), time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC))
	if _, err := Init(ctx, path, store.InitOptions{Tenant: "Contoso", Admin: "admin@contoso.com"}, false); err != nil {
		t.Fatal(err)
	}
	ms, err := migrationsIn(sqliteEngine{}.migrationDir())
	if err != nil {
		t.Fatal(err)
	}
	next := SchemaVersion() + 1
	ms = append(ms, migration{version: next, name: "9999_nickname.sql",
		sql: "ALTER TABLE users ADD COLUMN nickname TEXT NOT NULL DEFAULT ''"})

	var dbs [2]*DB
	for i := range dbs {
		d, err := Open(path)
		if err != nil {
			t.Fatal(err)
		}
		defer d.Close()
		dbs[i] = d
	}
	var wg sync.WaitGroup
	errs := make([]error, len(dbs))
	start := make(chan struct{})
	for i, d := range dbs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			errs[i] = d.applyMigrations(ms, false)
		}()
	}
	close(start)
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("opener %d: %v", i+1, err)
		}
	}
	// And a third, once they are done, finds nothing left to do.
	if err := dbs[0].applyMigrations(ms, false); err != nil {
		t.Errorf("a third migration of a migrated tenant: %v", err)
	}
	var v int
	if err := dbs[1].db.QueryRow("PRAGMA user_version").Scan(&v); err != nil {
		t.Fatal(err)
	}
	if v != next {
		t.Errorf("user_version %d, want %d", v, next)
	}
}

// import-catalog looks every SKU of the file up: through an index, not a
// scan of every product (a catalog of 5,000 SKUs took 8 s with scans).
func TestSKULookupUsesIndexes(t *testing.T) {
	path := filepath.Join(t.TempDir(), "tenant.db")
	ctx := store.WithNow(context.Background(), time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC))
	if _, err := Init(ctx, path, store.InitOptions{Tenant: "Contoso", Admin: "admin@contoso.com"}, false); err != nil {
		t.Fatal(err)
	}
	d, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	rows, err := d.db.Query("EXPLAIN QUERY PLAN "+findProductBySKU, "POWER_BI_PRO", "f8a1db68-be16-40ed-86d5-cb42ce701560")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var id, parent, notused int
		var detail string
		if err := rows.Scan(&id, &parent, &notused, &detail); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, detail)
	}
	got := strings.Join(plan, "\n")
	for _, index := range []string{"products_sku_part_number_upper", "products_sku_id_lower"} {
		if !strings.Contains(got, "USING INDEX "+index) {
			t.Errorf("the SKU lookup does not use %s:\n%s", index, got)
		}
	}
}
