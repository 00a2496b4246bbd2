package sqlstore_test

import (
	"context"
	"strings"
	"testing"

	"github.com/commercectl/commercectl/internal/pgtest"
	"github.com/commercectl/commercectl/store"
	"github.com/commercectl/commercectl/store/sqlstore"
)

// What only a server has: its refusals name the server, never the password.

func TestPostgresInitRefusesADatabaseWithATenant(t *testing.T) {
	url := pgtest.NewDatabase(t)
	ctx := store.WithNow(context.Background(), now)
	opts := store.InitOptions{Tenant: "Contoso", Admin: admin}
	if _, err := sqlstore.Init(ctx, url, opts, false); err != nil {
		t.Fatal(err)
	}
	before := snapshot(t, url)
	_, err := sqlstore.Init(ctx, url, store.InitOptions{Tenant: "Fabrikam", Admin: "boss@fabrikam.com"}, false)
	wantCode(t, err, store.ECONFLICT)
	unchanged(t, url, before)
	// A dry run of --force replaces nothing either; --force does.
	_, err = sqlstore.Init(store.WithDryRun(ctx), url, store.InitOptions{Tenant: "Fabrikam", Admin: "boss@fabrikam.com"}, true)
	if err != nil {
		t.Fatal(err)
	}
	unchanged(t, url, before)
	if _, err := sqlstore.Init(ctx, url, store.InitOptions{Tenant: "Fabrikam", Admin: "boss@fabrikam.com"}, true); err != nil {
		t.Fatal(err)
	}
	if n := count(t, url, `SELECT count(*) FROM users WHERE upn_key = ?`, admin); n != 0 {
		t.Errorf("the replaced tenant's admin is still there")
	}
}

func TestPostgresRefusesANewerSchema(t *testing.T) {
	_, url := newPostgresTenant(t)
	if _, err := rawDB(t, url).Exec(`UPDATE commercectl_schema SET version = 99`); err != nil {
		t.Fatal(err)
	}
	before := snapshot(t, url)
	_, err := sqlstore.Open(url)
	wantCode(t, err, store.ECONFLICT)
	if !strings.Contains(err.Error(), "schema version 99") {
		t.Errorf("err = %v", err)
	}
	unchanged(t, url, before)
}

func TestPostgresEmptyDatabaseHoldsNoTenant(t *testing.T) {
	url := pgtest.NewDatabase(t)
	_, err := sqlstore.Open(url)
	wantCode(t, err, store.ENOTFOUND)
	if !strings.Contains(store.ErrorHint(err), "commercectl init") {
		t.Errorf("hint %q does not say how to make one", store.ErrorHint(err))
	}
}

// An unreachable server and a missing database: one line that names the
// host and port, and the password shown as xxxxx.
func TestPostgresConnectionErrorsNameTheServer(t *testing.T) {
	pgtest.URL(t)
	d, err := sqlstore.Open("postgres://ada:s3cret-pw@127.0.0.1:1/tenant?connect_timeout=5")
	if err == nil {
		d.Close()
		t.Fatal("a server on port 1 answered")
	}
	wantCode(t, err, store.EINTERNAL)
	if msg := err.Error() + store.ErrorHint(err); !strings.Contains(msg, "127.0.0.1:1") || strings.Contains(msg, "s3cret") {
		t.Errorf("err = %q", msg)
	}
	missing := pgtest.WithDatabase(pgtest.URL(t), "no_such_database")
	_, err = sqlstore.Open(missing)
	wantCode(t, err, store.ENOTFOUND)
	if !strings.Contains(err.Error(), `no database "no_such_database"`) {
		t.Errorf("err = %v", err)
	}
}

func TestRedactURL(t *testing.T) {
	for in, want := range map[string]string{
		"postgres://ada:s3cret@db.contoso.com:5432/commerce?sslmode=verify-full": "postgres://ada:xxxxx@db.contoso.com:5432/commerce?sslmode=verify-full",
		"postgresql://db/commerce?user=ada&password=s3cret":                      "postgresql://db/commerce?password=xxxxx&user=ada",
		"postgres://ada@db/commerce":                                             "postgres://ada@db/commerce",
		"postgres://ada:s3cret@db:5432:bad/x":                                    "postgres://xxxxx",
	} {
		if got := sqlstore.RedactURL(in); got != want {
			t.Errorf("RedactURL(%q) = %q, want %q", in, got, want)
		}
	}
}

func newPostgresTenant(t *testing.T) (*sqlstore.DB, string) {
	t.Helper()
	url := pgtest.NewDatabase(t)
	if _, err := sqlstore.Init(store.WithNow(context.Background(), now), url, store.InitOptions{Tenant: "Contoso", Admin: admin}, false); err != nil {
		t.Fatal(err)
	}
	d, err := sqlstore.Open(url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return d, url
}
