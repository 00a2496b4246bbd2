//go:build !windows

package main

import (
	"bytes"
	"errors"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/commercectl/commercectl/internal/pgtest"
	"github.com/commercectl/commercectl/store/sqlstore"
)

// Roles of the matrix and the demo tenant's user holding each.
const (
	nobody = "nobody" // no --as
	member = "member" // no role
	ga     = "GlobalAdmin"
	ba     = "BillingAdmin"
	la     = "LicenseAdmin"
	ua     = "UserAdmin"
	gr     = "GlobalReader"
	anyone = "anyone" // every role, nobody included (no identity needed)
	user   = "user"   // every user of the tenant, member included
)

var matrixRoles = []struct{ role, upn string }{
	{nobody, ""},
	{member, "alex.wilber@contoso.com"}, // also the purchaser of SUB-00005
	{ga, "admin@contoso.com"},
	{ba, "megan.bowen@contoso.com"},
	{la, "lee.gu@contoso.com"},
	{ua, "isaiah.langer@contoso.com"},
	{gr, "patti.fernandez@contoso.com"},
}

// roleCase is one verb with representative valid arguments and the roles
// that may run it; every other role must get exit 4 (not permitted).
type roleCase struct {
	name    string
	args    []string // after the verb's name; --db, --as and --dry-run are added
	allowed []string
	config  bool // the verb works on the config file: run it with a temp --config
}

var (
	readers        = []string{ga, ba, gr}     // SPEC §3 row 1: reading policies, requests, audit log
	licenseReaders = []string{ga, ba, gr, la} // SPEC §3 row 1: "+ LicenseAdmin for licenses/users"
	billing        = []string{ga, ba}         // SPEC §3 row 2
	licensing      = []string{ga, la, ua}     // SPEC §3 row 3
	globalOnly     = []string{ga}             // SPEC §3 row 4
)

func roleMatrix(files map[string]string) []roleCase {
	return []roleCase{
		// SPEC §3 prose: init/connect/disconnect need no identity (README: "anyone").
		{name: "connect", args: nil, allowed: []string{anyone}, config: true},
		{name: "disconnect", allowed: []string{anyone}, config: true},

		// SPEC §3 row 6: import-users, set-role: GlobalAdmin (UserAdmin for users without roles);
		// README: add-user GlobalAdmin, UserAdmin for users without roles.
		{name: "add-user", args: []string{"new.hire@contoso.com", "--display-name", "New Hire"}, allowed: []string{ga, ua}},
		{name: "set-role", args: []string{"nestor.wilke@contoso.com", "LicenseAdmin"}, allowed: globalOnly},
		{name: "import-users", args: []string{files["users"]}, allowed: []string{ga, ua}},
		// SPEC §3 row 1 (+ LicenseAdmin for users).
		{name: "list-users", allowed: licenseReaders},

		// SPEC §3 row 1: reading policies.
		{name: "get-policies", allowed: readers},
		{name: "get-policy", args: []string{"AllowSelfServicePurchase"}, allowed: readers},
		{name: "get-product-policies", args: []string{"AllowSelfServicePurchase"}, allowed: readers},
		{name: "get-product-policy", args: []string{"AllowSelfServicePurchase", "--product", "CFQ7TTC0H9MP"}, allowed: readers},
		{name: "export-policies", allowed: readers},
		{name: "diff-policies", args: []string{"-f", files["policies"]}, allowed: readers},
		// SPEC §3 row 2: update-policy (apply-policies is update-policy in bulk, README).
		{name: "update-policy", args: []string{"AllowSelfServicePurchase", "--product", "CFQ7TTC0H9MP", "--value", "Disabled"}, allowed: billing},
		{name: "apply-policies", args: []string{"-f", files["policies"]}, allowed: billing},

		// Not in SPEC §3; README: import-catalog GlobalAdmin, BillingAdmin.
		{name: "import-catalog", args: []string{files["catalog"]}, allowed: billing},

		// SPEC §3 row 1 reading subscriptions; README adds LicenseAdmin and
		// "a purchaser sees their own" (DESIGN: a user without a reading role
		// sees the subscriptions they bought). Alex bought SUB-00005.
		// list-subscriptions: any user (a non-reader gets the list of what they bought, maybe empty).
		{name: "list-subscriptions", allowed: []string{user}},
		// SPEC §3 row 1 gives LicenseAdmin licenses and users, not subscriptions: exit 4.
		{name: "get-subscription", args: []string{"SUB-00005"}, allowed: append([]string{member}, readers...)},
		// SPEC §3 row 2 (README adds centralize).
		{name: "add-subscription", args: []string{"--product", "CFQ7TTC0H9MP", "--quantity", "2"}, allowed: billing},
		{name: "buy-licenses", args: []string{"--subscription", "SUB-00001", "--total", "12"}, allowed: billing},
		{name: "takeover-subscription", args: []string{"SUB-00006", "--move-to-product", "CFQ7TTC0H9MP"}, allowed: billing},
		{name: "centralize", args: []string{"--product", "CFQ7TTC0H9MP"}, allowed: billing},
		// Not in SPEC §3; README/DESIGN: cancel-subscription is the purchaser's. The
		// billing admins are refused by a rule instead (exit 5, with the
		// takeover-subscription --cancel hint): ending it is theirs, by a takeover.
		{name: "cancel-subscription", args: []string{"SUB-00005", "--yes"}, allowed: []string{member, ga, ba}},
		// SPEC §3 row 3, on a central pool.
		{name: "assign-license", args: []string{"--subscription", "SUB-00001", "--users", "nestor.wilke@contoso.com"}, allowed: licensing},
		{name: "unassign-license", args: []string{"--product", "CFQ7TTC0H9MP", "--users", "nestor.wilke@contoso.com", "--yes"}, allowed: licensing},
		// SPEC §3 row 1 reading licenses, conflicts; export-users (+ LicenseAdmin).
		{name: "list-licenses", allowed: licenseReaders},
		{name: "export-users", allowed: licenseReaders},
		{name: "list-conflicts", allowed: licenseReaders},
		// SPEC §3 row 5: GlobalAdmin; or BillingAdmin for --buy, LicenseAdmin for --unassign.
		{name: "resolve-conflicts --buy", args: []string{"--product", "CFQ7TTC0HDB0", "--buy"}, allowed: billing},
		{name: "resolve-conflicts --unassign", args: []string{"--product", "CFQ7TTC0HDB0", "--unassign", "nestor.wilke@contoso.com"}, allowed: []string{ga, la}},
		{name: "resolve-conflicts --unassign-newest", args: []string{"--product", "CFQ7TTC0HDB0", "--unassign-newest"}, allowed: []string{ga, la}},

		// SPEC §3 row 1: reading requests.
		{name: "list-requests", allowed: readers},
		{name: "get-request", args: []string{"1"}, allowed: readers},
		// SPEC §3 row 4.
		{name: "approve-request", args: []string{"1"}, allowed: globalOnly},
		{name: "deny-request", args: []string{"1", "--message", "no", "--yes"}, allowed: globalOnly},
		{name: "set-request-process", args: []string{"--message", "Ask IT"}, allowed: globalOnly},
		// SPEC §8 / README: any user of the tenant.
		{name: "get-request-process", allowed: []string{user}},
		// SPEC §3 row 1 reading notifications; README: anyone else sees their own.
		{name: "list-notifications", allowed: []string{user}},

		// SPEC §3: member verbs (§8), any user of the tenant.
		{name: "purchase", args: []string{"--product", "CFQ7TTC0HD33", "--quantity", "1"}, allowed: []string{user}},
		{name: "start-trial", args: []string{"--product", "CFQ7TTC0J1FV"}, allowed: []string{user}},
		{name: "new-request", args: []string{"--product", "CFQ7TTC0MM8R"}, allowed: []string{user}},

		// SPEC §12: send-notifications is the GlobalAdmin's (dry run: the due list).
		{name: "send-notifications", args: []string{"--smtp", "smtp://127.0.0.1:9", "--from", "commerce@contoso.com"}, allowed: globalOnly},

		// SPEC §3 row 1: reading the audit log.
		{name: "get-audit-log", allowed: readers},
		// Not in SPEC §3; README: doctor is for GlobalAdmin and GlobalReader.
		{name: "doctor", allowed: []string{ga, gr}},
	}
}

// permits tells whether role may run c. On a server, nobody is a login
// bound to no user: the server lets it into no tenant, so of the verbs
// anyone may run it keeps only those that do not open one (disconnect).
func (c roleCase) permits(role string, onServer bool) bool {
	if onServer && role == nobody && c.name == "connect" {
		return false
	}
	for _, a := range c.allowed {
		if a == anyone || a == role || (a == user && role != nobody) {
			return true
		}
	}
	return false
}

// TestRoleMatrix runs every verb as every role (and as nobody) and checks
// that exit 4 happens exactly where SPEC §3 says, on both engines; and
// that every verb ends with the same exit code on both, refusals by a rule
// and all.
func TestRoleMatrix(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := commercectlBin(t)
	summaries := map[string]string{}
	forEachEngine(t, func(t *testing.T, newDB func(dir, name string) string) {
		dir := t.TempDir()
		db := newDB(dir, "tenant.db")
		summaries[strings.TrimPrefix(t.Name(), "TestRoleMatrix/")] = roleMatrixOn(t, bin, dir, db)
	})
	lite, pg := summaries["sqlite"], summaries["postgres"]
	if lite == "" || pg == "" || lite == pg {
		return
	}
	l, p := strings.Split(lite, "\n"), strings.Split(pg, "\n")
	for i := range l {
		if i < len(p) && l[i] != p[i] {
			t.Errorf("the engines differ:\n sqlite   %s\n postgres %s", l[i], p[i])
		}
	}
}

// roleMatrixOn runs the matrix on a demo tenant made at db, and returns
// every exit code, a line a verb.
func roleMatrixOn(t *testing.T, bin, dir, db string) string {
	env := interactiveEnv(dir)
	run(t, bin, env, "init", "--tenant", "Contoso", "--admin", interactiveAdmin, "--demo", "--db", db)

	files := map[string]string{
		"users":    filepath.Join(dir, "users.csv"),
		"policies": filepath.Join(dir, "policies.yaml"),
		"catalog":  filepath.Join("testdata", "catalog", "microsoft-product-service-plans.csv"),
	}
	if err := os.WriteFile(files["users"], []byte("upn,displayName,department\nnew.person@contoso.com,New Person,IT\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(files["policies"], run(t, bin, env, "export-policies", "--db", db, "--as", interactiveAdmin), 0o644); err != nil {
		t.Fatal(err)
	}

	// On a server the identity is the login: each role runs through a
	// login of its own, bound with set-login, and nobody is a login bound
	// to no one. No --as: the server, not a flag, says who runs. On a
	// file, --as.
	dbOf := map[string]string{}
	for _, r := range matrixRoles {
		dbOf[r.role] = db
	}
	onServer := sqlstore.IsURL(db)
	if onServer {
		for _, r := range matrixRoles {
			login := pgDatabase(t, db) + "_as_" + strings.ToLower(r.role)
			dbOf[r.role] = pgtest.Login(t, db, login, "")
			if r.upn != "" {
				run(t, bin, env, "set-login", r.upn, "--pg-role", login, "--db", db, "--as", interactiveAdmin)
			}
		}
	}

	var summary strings.Builder
	for _, c := range roleMatrix(files) {
		verb := strings.Fields(c.name)[0]
		line := c.name + ":"
		for _, r := range matrixRoles {
			args := append([]string{verb}, c.args...)
			if c.config {
				args = append(args, "--config", filepath.Join(t.TempDir(), "config.yaml"))
				if verb == "connect" {
					args = append(args, "--db", dbOf[r.role])
				}
			} else {
				args = append(args, "--db", dbOf[r.role], "--dry-run")
			}
			if r.upn != "" && !onServer {
				args = append(args, "--as", r.upn)
			}
			code, stderr := exitCode(t, bin, env, args...)
			if c.permits(r.role, false) == c.permits(r.role, true) {
				// The engines must agree, where the rule is the same.
				line += " " + r.role + "=" + strconv.Itoa(code)
			}
			if want := c.permits(r.role, onServer); want && code == 4 {
				t.Errorf("%s as %s: exit 4, but SPEC §3 allows %v\nargs: %q\nstderr: %s", c.name, r.role, c.allowed, args, stderr)
			} else if !want && code != 4 {
				t.Errorf("%s as %s: exit %d, want 4 (SPEC §3 allows only %v)\nargs: %q\nstderr: %s", c.name, r.role, code, c.allowed, args, stderr)
			}
		}
		summary.WriteString(line + "\n")
	}
	t.Logf("exit codes:\n%s", summary.String())
	return summary.String()
}

func exitCode(t *testing.T, bin string, env []string, args ...string) (int, string) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = env
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err := cmd.Run()
	var exitErr *exec.ExitError
	switch {
	case err == nil:
		return 0, stderr.String()
	case errors.As(err, &exitErr):
		return exitErr.ExitCode(), stderr.String()
	}
	t.Fatalf("commercectl %q: %v", args, err)
	return 0, ""
}

// pgDatabase is the database name of a PostgreSQL URL.
func pgDatabase(t *testing.T, dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimPrefix(u.Path, "/")
}
