package sqlstore_test

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/commercectl/commercectl/store"
	"github.com/commercectl/commercectl/store/sqlstore"
)

// refuseOpen checks that Open refuses path with code and leaves the file as it was.
func refuseOpen(t *testing.T, path, code string) error {
	t.Helper()
	before, readErr := os.ReadFile(path)
	d, err := sqlstore.Open(path)
	if err == nil {
		d.Close()
		t.Fatalf("Open(%s) succeeded, want code %q", path, code)
	}
	wantCode(t, err, code)
	if readErr == nil {
		after, _ := os.ReadFile(path)
		if !bytes.Equal(before, after) {
			t.Errorf("Open changed %s although it refused it", path)
		}
	}
	return err
}

func TestOpenMissingFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "nope.db")
	err := refuseOpen(t, path, store.ENOTFOUND)
	if !strings.Contains(store.ErrorHint(err), "init") {
		t.Errorf("hint %q does not say how to create a tenant", store.ErrorHint(err))
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Errorf("Open created %s: %v", path, err)
	}
}

func TestOpenRefusesWhatIsNotATenant(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	t.Run("text file", func(t *testing.T) {
		refuseOpen(t, write("notes.txt", []byte("these are my notes, not a database at all\n")), store.EINVALID)
	})
	t.Run("short file", func(t *testing.T) {
		refuseOpen(t, write("short.db", []byte("SQL")), store.EINVALID)
	})
	t.Run("empty file", func(t *testing.T) {
		refuseOpen(t, write("empty.db", nil), store.EINVALID)
	})
	t.Run("directory", func(t *testing.T) {
		p := filepath.Join(dir, "adir")
		if err := os.Mkdir(p, 0o755); err != nil {
			t.Fatal(err)
		}
		refuseOpen(t, p, store.EINVALID)
	})
	t.Run("SQLite file without our schema", func(t *testing.T) {
		p := filepath.Join(dir, "other.db")
		db, err := sql.Open("sqlite", p)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.Exec(`CREATE TABLE recipes (name TEXT); INSERT INTO recipes VALUES ('soup')`); err != nil {
			t.Fatal(err)
		}
		db.Close()
		refuseOpen(t, p, store.EINVALID)
		// It stays someone else's database: no table of ours was added.
		if n := count(t, p, `SELECT count(*) FROM sqlite_master WHERE type = 'table'`); n != 1 {
			t.Errorf("%d tables after a refused open, want the 1 it had", n)
		}
	})
}

func TestOpenRefusesANewerSchema(t *testing.T) {
	sqliteOnly(t)
	_, path := newTenant(t, false)
	newer := sqlstore.SchemaVersion() + 1
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(fmt.Sprintf("PRAGMA user_version = %d", newer)); err != nil {
		t.Fatal(err)
	}
	db.Close()

	err = refuseOpen(t, path, store.ECONFLICT)
	if !strings.Contains(err.Error(), fmt.Sprint(newer)) {
		t.Errorf("message %q does not name the database's version %d", err, newer)
	}
	// The newer database is left for the newer binary, not downgraded.
	if v := count(t, path, `PRAGMA user_version`); v != newer {
		t.Errorf("user_version is %d after a refused open, want %d", v, newer)
	}
}

func TestOpenAcceptsItsOwnTenant(t *testing.T) {
	sqliteOnly(t)
	_, path := newTenant(t, false)
	if v := count(t, path, `PRAGMA user_version`); v != sqlstore.SchemaVersion() || v < 1 {
		t.Errorf("a new tenant has user_version %d, want SchemaVersion() = %d", v, sqlstore.SchemaVersion())
	}
	// A second store on the same file reads what the first one wrote.
	d2, err := sqlstore.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer d2.Close()
	if _, err := d2.GetPolicy(as(admin), policy); err != nil {
		t.Error(err)
	}
}

func TestInitRefusesAnExistingFile(t *testing.T) {
	sqliteOnly(t)
	d, path := newTenant(t, false)
	setValue(t, d, store.ValueDisabled, powerBIPro)
	d.Close()
	before, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	ctx := store.WithNow(context.Background(), now)

	_, err = sqlstore.Init(ctx, path, store.InitOptions{Tenant: "Fabrikam", Admin: "root@fabrikam.com"}, false)
	wantCode(t, err, store.ECONFLICT)
	if !strings.Contains(store.ErrorHint(err), "--force") {
		t.Errorf("hint %q does not mention --force", store.ErrorHint(err))
	}
	after, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(before, after) {
		t.Fatalf("a refused init changed %s", path)
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	for _, e := range entries {
		if strings.Contains(e.Name(), ".init-") {
			t.Errorf("a refused init left %s behind", e.Name())
		}
	}
	d2, err := sqlstore.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if v := valueOf(t, d2, powerBIPro); v != store.ValueDisabled {
		t.Errorf("the old tenant lost its setting: %s", v)
	}
	d2.Close()

	// A file that is not a tenant is not overwritten either.
	notes := filepath.Join(t.TempDir(), "notes.txt")
	if err := os.WriteFile(notes, []byte("precious"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = sqlstore.Init(ctx, notes, store.InitOptions{Tenant: "Fabrikam", Admin: "root@fabrikam.com"}, false)
	wantCode(t, err, store.ECONFLICT)
	if b, _ := os.ReadFile(notes); string(b) != "precious" {
		t.Errorf("init overwrote a file without --force: %q", b)
	}

	// --force replaces the tenant with a new one.
	res, err := sqlstore.Init(ctx, path, store.InitOptions{Tenant: "Fabrikam", Admin: "root@fabrikam.com"}, true)
	if err != nil {
		t.Fatalf("Init --force: %v", err)
	}
	if res.Tenant != "Fabrikam" || res.Admin != "root@fabrikam.com" || res.Products != 12 || res.Users != 1 {
		t.Errorf("Init --force result %+v", res)
	}
	d3, err := sqlstore.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer d3.Close()
	if _, err := d3.GetPolicy(as(admin), policy); store.ErrorCode(err) != store.EFORBIDDEN {
		t.Errorf("the old admin still works after --force: %v", err)
	}
	if pp, err := d3.GetProductPolicy(as("root@fabrikam.com"), policy, powerBIPro); err != nil || pp.PolicyValue != store.ValueEnabled {
		t.Errorf("new tenant: %+v, %v; want Power BI Pro Enabled", pp, err)
	}
}

func TestInitRefusesBadInputAndCreatesNothing(t *testing.T) {
	ctx := store.WithNow(context.Background(), now)
	for _, tt := range []struct {
		name string
		opts store.InitOptions
	}{
		{"no tenant name", store.InitOptions{Tenant: " ", Admin: admin}},
		{"bad admin UPN", store.InitOptions{Tenant: "Contoso", Admin: "admin at contoso"}},
		{"admin with an RTL override", store.InitOptions{Tenant: "Contoso", Admin: "admin\u202e@contoso.com"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "tenant.db")
			_, err := sqlstore.Init(ctx, path, tt.opts, false)
			wantCode(t, err, store.EINVALID)
			if entries, _ := os.ReadDir(dir); len(entries) != 0 {
				t.Errorf("a refused init left files: %v", entries)
			}
		})
	}
}

func TestInitDemo(t *testing.T) {
	path := filepath.Join(t.TempDir(), "demo.db")
	res, err := sqlstore.Init(store.WithNow(context.Background(), now), path, store.InitOptions{Tenant: "Contoso", Admin: admin, Demo: true}, false)
	if err != nil {
		t.Fatal(err)
	}
	if res.Products != 12 || res.Users < 20 || res.Subscriptions == 0 || res.Requests == 0 || res.DB != path {
		t.Errorf("demo init result %+v, want a populated tenant", res)
	}
	if n := count(t, path, `SELECT count(*) FROM users`); n != res.Users {
		t.Errorf("%d users stored, result says %d", n, res.Users)
	}
}

// A tenant file may live anywhere a person keeps files: spaces and URI
// characters in its path name that file, not DSN options.
func TestTenantPathsWithSpecialCharacters(t *testing.T) {
	for _, name := range []string{"My Tenants/contoso 1.db", "t#1.db", "t?mode=ro.db", "t%20.db", "t&_pragma=query_only(1).db", "tenänt.db"} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, name)
			if _, err := sqlstore.Init(store.WithNow(context.Background(), now), path, store.InitOptions{Tenant: "Contoso", Admin: admin}, false); err != nil {
				t.Fatalf("Init: %v", err)
			}
			d, err := sqlstore.Open(path)
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			defer d.Close()
			setValue(t, d, store.ValueDisabled, powerBIPro)
			if v := valueOf(t, d, powerBIPro); v != store.ValueDisabled {
				t.Errorf("value %s, want Disabled", v)
			}
			if _, err := os.Stat(path); err != nil {
				t.Errorf("the tenant is not at %s: %v", path, err)
			}
		})
	}
}
