package sqlstore_test

import (
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/commercectl/commercectl/internal/pgtest"
	"github.com/commercectl/commercectl/store"
)

// A file has no logins: set-login is refused, whatever the role, and the
// file is unchanged.
func TestSetLoginOnAFile(t *testing.T) {
	sqliteOnly(t)
	d, path := tenantWithStaff(t)
	before := snapshot(t, path)
	_, err := d.SetLogin(as(admin), billing, "megan", false)
	wantCode(t, err, store.EINVALID)
	unchanged(t, path, before)
}

// On a server: only a GlobalAdmin binds; one login is one person; binding
// again is no change; a new login replaces the old one; --remove unbinds;
// each change is audited and the login's groups follow.
func TestSetLoginRules(t *testing.T) {
	if !onPostgres {
		t.Skip("logins are a server's")
	}
	d, path := tenantWithStaff(t)
	login := func(name string) string {
		name = fmt.Sprintf("%s_%s", pgDatabase(t, path), name)
		pgtest.Login(t, path, name, "")
		return name
	}
	megan, megan2, lee := login("megan"), login("megan2"), login("lee")

	before := snapshot(t, path)
	for _, who := range []string{billing, licAdm, reader, member} {
		_, err := d.SetLogin(as(who), billing, megan, false)
		wantCode(t, err, store.EFORBIDDEN)
	}
	_, err := d.SetLogin(as(admin), billing, "no_such_login_at_all", false)
	wantCode(t, err, store.ENOTFOUND)
	_, err = d.SetLogin(as(admin), "ghost@contoso.com", megan, false)
	wantCode(t, err, store.ENOTFOUND)
	unchanged(t, path, before)

	b, err := d.SetLogin(as(admin), billing, megan, false)
	if err != nil || b.Login != megan || len(b.Roles) != 1 || b.Roles[0] != store.RoleBillingAdmin {
		t.Fatalf("SetLogin = %+v, %v", b, err)
	}
	if n := count(t, path, `SELECT count(*) FROM audit_log WHERE action = 'set-login'`); n != 1 {
		t.Errorf("%d set-login audit entries, want 1", n)
	}
	if !memberOf(t, path, megan, "BillingAdmin") || !memberOf(t, path, megan, "member") || memberOf(t, path, megan, "GlobalAdmin") {
		t.Errorf("%s is not in exactly the groups of a BillingAdmin", megan)
	}
	// Binding again changes nothing and audits nothing.
	if _, err := d.SetLogin(as(admin), billing, megan, false); err != nil {
		t.Fatal(err)
	}
	if n := count(t, path, `SELECT count(*) FROM audit_log WHERE action = 'set-login'`); n != 1 {
		t.Errorf("%d set-login audit entries after a repeat, want 1", n)
	}
	// One login is one person.
	_, err = d.SetLogin(as(admin), licAdm, megan, false)
	wantCode(t, err, store.ECONFLICT)
	// A new login replaces the old, which leaves every group.
	if _, err := d.SetLogin(as(admin), billing, megan2, false); err != nil {
		t.Fatal(err)
	}
	if memberOf(t, path, megan, "member") || !memberOf(t, path, megan2, "BillingAdmin") {
		t.Errorf("the old login kept its groups, or the new one has not got them")
	}
	// set-role moves the groups along.
	if _, err := d.SetLogin(as(admin), licAdm, lee, false); err != nil {
		t.Fatal(err)
	}
	if _, err := d.SetRole(as(admin), licAdm, store.RoleGlobalAdmin, false); err != nil {
		t.Fatal(err)
	}
	if !memberOf(t, path, lee, "GlobalAdmin") {
		t.Errorf("set-role GlobalAdmin left %s out of the group", lee)
	}
	if _, err := d.SetRole(as(admin), licAdm, store.RoleGlobalAdmin, true); err != nil {
		t.Fatal(err)
	}
	if memberOf(t, path, lee, "GlobalAdmin") || !memberOf(t, path, lee, "LicenseAdmin") {
		t.Errorf("set-role --remove GlobalAdmin left %s in the group", lee)
	}
	// --remove unbinds; naming another login than the bound one is refused.
	_, err = d.SetLogin(as(admin), billing, megan, true)
	wantCode(t, err, store.ENOTFOUND)
	if b, err := d.SetLogin(as(admin), billing, "", true); err != nil || b.Login != "" {
		t.Fatalf("SetLogin --remove = %+v, %v", b, err)
	}
	if memberOf(t, path, megan2, "member") {
		t.Errorf("an unbound login is still a member")
	}
}

// memberOf reports whether login is a member of the tenant's group role.
func memberOf(t *testing.T, path, login, group string) bool {
	t.Helper()
	var yes bool
	err := rawq(t, path).QueryRow(`SELECT pg_has_role(?, (SELECT pg_role FROM commercectl_roles WHERE role = ?), 'MEMBER')`, login, group).Scan(&yes)
	if err != nil {
		t.Fatal(err)
	}
	return yes
}

// pgDatabase is the database of a URL the tests were given.
func pgDatabase(t *testing.T, dsn string) string {
	t.Helper()
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimPrefix(u.Path, "/")
}
