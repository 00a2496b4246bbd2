//go:build !windows

package main

import (
	"bytes"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/commercectl/commercectl/store/sqlstore"
)

// The crash tests kill (SIGKILL) commercectl at points spread over a bulk
// operation, each on a fresh copy of the tenant, and check that the
// database, opened again (WAL recovery), passes the real binary's doctor,
// PRAGMA integrity_check and foreign_key_check, and holds either the whole
// operation or none of it. export-users --out is killed the same way and
// must never leave a half-written FILE under its name.
//
// Each test runs on both engines (subtests sqlite and postgres). On
// PostgreSQL it is the client that is killed: the tenant, prepared as a
// file by gentenant, is copied to the throwaway server with copy-tenant,
// each kill point works on a clone of that copy (pgClone), and the server
// must then hold the whole operation or none of it, as the file must.
//
// make test runs a short variant (28 kill points an engine, well under a
// minute on a quiet 2-core machine for SQLite); COMMERCECTL_STRESS=1 runs
// more kill points on bigger tenants (72 kill points, a few minutes).

// killSub and killTarget are the subscriptions of the takeover under test:
// the one self-service subscription of gentenant's tenant, and its central
// Visio Plan 2 subscription.
const (
	killSub    = "SUB-0000001"
	killTarget = "SUB-CENTRAL"
)

// crashSize is n, or big under COMMERCECTL_STRESS.
func crashSize(n, big int) int {
	if stress() {
		return big
	}
	return n
}

// TestCrashImportUsers kills import-users of a CSV of 200,000 new users
// (500,000 under stress) into a tenant that already has 20,000: afterwards
// the tenant has all of them or none, and one audit row or none.
func TestCrashImportUsers(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and imports 200,000 users at each kill point")
	}
	n := crashSize(200_000, 500_000)
	dir := t.TempDir()
	orig := filepath.Join(dir, "tenant.db")
	runGentenant(t, "tenant", "-users", "20000", "-licensed", "20000", "-per-sub", "200", "-central", "100", orig)
	// gentenant's CSV names user0000001@contoso.com on, as its tenants do:
	// the new hires are of another domain.
	csv := filepath.Join(dir, "users.csv")
	runGentenant(t, "users", strconv.Itoa(n), csv)
	b, err := os.ReadFile(csv)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(csv, bytes.ReplaceAll(b, []byte("@contoso.com"), []byte("@fabrikam.com")), 0o644); err != nil {
		t.Fatal(err)
	}
	onEachEngine(t, orig, func(t *testing.T, tenant string) {
		runCrash(t, crashOp[importState]{
			name:   fmt.Sprintf("import-users %d rows", n),
			dir:    t.TempDir(),
			orig:   tenant,
			args:   []string{"import-users", csv},
			points: crashSize(8, 20),
			state:  readImportState,
			whole: func(t *testing.T, before, after importState) {
				want := before
				want.users += n
				want.imported += n
				want.maxID += n
				want.audit++
				if after != want {
					t.Fatalf("import left to finish: %+v, want %+v", after, want)
				}
			},
		})
	})
}

// importState is what import-users changes.
type importState struct {
	users, imported, maxID int // all users, those of the CSV's domain, the highest id
	roles                  int // user_roles rows
	audit, notifications   int
}

func readImportState(t *testing.T, path string) importState {
	t.Helper()
	db := openTestDB(t, path)
	defer db.Close()
	var s importState
	if err := db.QueryRow(`SELECT
		(SELECT count(*) FROM users),
		(SELECT count(*) FROM users WHERE upn_key LIKE '%@fabrikam.com'),
		(SELECT coalesce(max(id), 0) FROM users),
		(SELECT count(*) FROM user_roles),
		(SELECT count(*) FROM audit_log),
		(SELECT count(*) FROM notifications)`).
		Scan(&s.users, &s.imported, &s.maxID, &s.roles, &s.audit, &s.notifications); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return s
}

// TestCrashTakeover kills takeover-subscription --move-to-subscription of a
// self-service subscription of N licensed users (50,000; 100,000 under
// stress; COMMERCECTL_KILL_USERS sets N). The state is judged by judge:
// every license moved, the subscription canceled, its purchaser told and one
// audit row; or nothing of that.
func TestCrashTakeover(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and a tenant of 50,000 users")
	}
	n := crashSize(50_000, 100_000)
	if s := os.Getenv("COMMERCECTL_KILL_USERS"); s != "" {
		v, err := strconv.Atoi(s)
		if err != nil || v < 1 {
			t.Fatalf("COMMERCECTL_KILL_USERS=%q: want a number of users", s)
		}
		n = v
	}
	dir := t.TempDir()
	orig := filepath.Join(dir, "tenant.db")
	num := strconv.Itoa(n)
	runGentenant(t, "tenant", "-users", num, "-licensed", num, "-per-sub", num, "-central", num, orig)
	onEachEngine(t, orig, func(t *testing.T, tenant string) {
		checkDB(t, tenant)
		before := readKillState(t, tenant)
		if before.sub != n || before.target != 0 || before.canceled || before.told != 0 {
			t.Fatalf("generated tenant: %+v, want %d licenses on %s and none on %s", before, n, killSub, killTarget)
		}
		runCrash(t, crashOp[killState]{
			name:   fmt.Sprintf("takeover-subscription --move-to-subscription, %d users", n),
			dir:    t.TempDir(),
			orig:   tenant,
			args:   []string{"takeover-subscription", killSub, "--move-to-subscription", killTarget},
			points: crashSize(8, 20),
			// runCrash checks integrity and foreign keys itself.
			state: func(t *testing.T, path string) killState { return readKillState(t, path) },
			whole: func(t *testing.T, before, after killState) {
				if got := judge(t, after, before, n); got != "whole" {
					t.Fatalf("a move left to finish left %s of it", got)
				}
			},
		})
	})
}

// TestCrashApplyPolicies kills apply-policies -f FILE where FILE changes
// every product, every offer type and the default. The tenant has the
// built-in products, Microsoft's catalog (testdata/catalog) and 2,000
// synthetic SKUs (5,000 under stress) so that the one transaction takes
// long enough for kill points to land in it.
func TestCrashApplyPolicies(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and a catalog of thousands of products")
	}
	skus := crashSize(2_000, 5_000)
	dir := t.TempDir()
	bin := commercectlBin(t)
	env := interactiveEnv(dir)
	orig := filepath.Join(dir, "tenant.db")
	runGentenant(t, "tenant", "-users", "1000", "-licensed", "1000", "-per-sub", "100", "-central", "100", orig)
	as := []string{"--db", orig, "--as", interactiveAdmin}
	run(t, bin, env, append(as, "import-catalog", filepath.Join("testdata", "catalog", "microsoft-product-service-plans.csv"))...)
	synthetic := filepath.Join(dir, "synthetic-catalog.csv")
	writeSyntheticCatalog(t, synthetic, skus)
	run(t, bin, env, append(as, "import-catalog", synthetic)...)

	// The desired state: export-policies with every value flipped.
	exported := string(run(t, bin, env, append(as, "export-policies")...))
	flipped, entries := flipPolicies(exported)
	file := filepath.Join(dir, "policies.yaml")
	if err := os.WriteFile(file, []byte(flipped), 0o644); err != nil {
		t.Fatal(err)
	}
	onEachEngine(t, orig, func(t *testing.T, tenant string) {
		if sqlstore.IsURL(tenant) {
			// The copy holds the same policies: it exports the same file.
			if got := string(run(t, bin, env, "--db", tenant, "--as", interactiveAdmin, "export-policies")); got != exported {
				t.Fatalf("export-policies of the PostgreSQL copy differs from the SQLite tenant's:\n%s", firstDiff(exported, got))
			}
		}
		runCrash(t, crashOp[policyState]{
			name:   fmt.Sprintf("apply-policies, %d changes", entries),
			dir:    t.TempDir(),
			orig:   tenant,
			args:   []string{"apply-policies", "-f", file},
			points: crashSize(6, 16),
			state:  readPolicyState,
			whole: func(t *testing.T, before, after policyState) {
				products := before.enabled + before.disabled + before.trials
				if after.enabled != before.disabled+before.trials || after.disabled != before.enabled || after.trials != 0 ||
					after.def == before.def || after.offerTypes == before.offerTypes || after.notifications != before.notifications ||
					after.audit != before.audit+entries {
					t.Fatalf("apply-policies left to finish:\n before %+v\n after  %+v\nwant every value flipped and %d audit rows", before, after, entries)
				}
				if entries < products+2 {
					t.Fatalf("the file changes %d entries, the tenant has %d products", entries, products)
				}
			},
		})
	})
}

// firstDiff shows the first line where two texts differ.
func firstDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < len(w) || i < len(g); i++ {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl != gl {
			return fmt.Sprintf("line %d:\n want %q\n got  %q", i+1, wl, gl)
		}
	}
	return "(no difference)"
}

// policyState is what apply-policies changes.
type policyState struct {
	def                       string // the policy's default value
	enabled, disabled, trials int    // products by value
	offerTypes                string
	digest                    string // of every product's value, in id order
	audit, notifications      int
}

func readPolicyState(t *testing.T, path string) policyState {
	t.Helper()
	db := openTestDB(t, path)
	defer db.Close()
	var s policyState
	if err := db.QueryRow(`SELECT p.default_value,
		(SELECT count(*) FROM product_policies WHERE policy_id = p.id AND value = 'Enabled'),
		(SELECT count(*) FROM product_policies WHERE policy_id = p.id AND value = 'Disabled'),
		(SELECT count(*) FROM product_policies WHERE policy_id = p.id AND value = 'OnlyTrialsWithoutPaymentMethod'),
		(SELECT count(*) FROM audit_log),
		(SELECT count(*) FROM notifications)
		FROM policies p WHERE p.id = 'AllowSelfServicePurchase'`).
		Scan(&s.def, &s.enabled, &s.disabled, &s.trials, &s.audit, &s.notifications); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	var offers []string
	rows, err := db.Query(`SELECT offer_type || '=' || value FROM offer_type_policies WHERE policy_id = 'AllowSelfServicePurchase' ORDER BY offer_type`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var o string
		if err := rows.Scan(&o); err != nil {
			t.Fatal(err)
		}
		offers = append(offers, o)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	s.offerTypes = strings.Join(offers, ",")
	h := sha256.New()
	rows, err = db.Query(`SELECT product_id, value FROM product_policies WHERE policy_id = 'AllowSelfServicePurchase' ORDER BY product_id`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id, v string
		if err := rows.Scan(&id, &v); err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(h, "%s=%s\n", id, v)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	s.digest = hex.EncodeToString(h.Sum(nil))[:16]
	return s
}

// policyValue is a line of export-policies that sets a value: the default,
// a product or an offer type. Some product ids of Microsoft's catalog hold
// spaces ("DYN365_ ENTERPRISE _RELATIONSHIP_SALES").
var policyValue = regexp.MustCompile(`^(\s*[^\s#][^#:]*: )(Enabled|Disabled|OnlyTrialsWithoutPaymentMethod)\b`)

// flipPolicies turns every value of an export-policies file into another
// one (Enabled to Disabled, the others to Enabled) and counts them.
func flipPolicies(exported string) (string, int) {
	lines := strings.Split(exported, "\n")
	n := 0
	for i, l := range lines {
		m := policyValue.FindStringSubmatchIndex(l)
		if m == nil {
			continue
		}
		to := "Enabled"
		if l[m[4]:m[5]] == "Enabled" {
			to = "Disabled"
		}
		lines[i] = l[:m[4]] + to + l[m[5]:]
		n++
	}
	return strings.Join(lines, "\n"), n
}

// writeSyntheticCatalog writes n SKUs of one service plan each in the
// format of Microsoft's licensing CSV (CRLF, as it is distributed).
func writeSyntheticCatalog(t *testing.T, path string, n int) {
	t.Helper()
	var b strings.Builder
	b.WriteString("Product_Display_Name,String_Id,GUID,Service_Plan_Name,Service_Plan_Id,Service_Plans_Included_Friendly_Names\r\n")
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, "Crash Test Product %d,CRASH_SKU_%05d,%08x-0000-4000-8000-%012x,CRASH_PLAN_%05d,%08x-1111-4000-8000-%012x,Crash Test Plan %d\r\n",
			i, i, i, i, i, i, i, i)
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}

// killState is what a takeover move changes.
type killState struct {
	sub, target       int // licenses of killSub and of killTarget
	canceled          bool
	told              int // takeover notifications to killSub's purchaser
	notifications     int // all notifications
	audit             int // audit_log rows
	purchaser, reason string
}

// readKillState opens the database as commercectl would (WAL, so that a log
// a killed process left is recovered) and reads the state of the move.
func readKillState(t *testing.T, path string) killState {
	t.Helper()
	db := openTestDB(t, path)
	defer db.Close()
	var s killState
	var canceled sql.NullString
	if err := db.QueryRow(`SELECT
		(SELECT count(*) FROM licenses WHERE subscription_id = $1),
		(SELECT count(*) FROM licenses WHERE subscription_id = $2),
		s.canceled_at, coalesce(s.cancel_reason, ''), u.upn,
		(SELECT count(*) FROM notifications WHERE to_upn = u.upn AND kind = 'subscription-taken-over'),
		(SELECT count(*) FROM notifications),
		(SELECT count(*) FROM audit_log)
		FROM subscriptions s JOIN users u ON u.id = s.purchaser_id WHERE s.id = $3`, killSub, killTarget, killSub).
		Scan(&s.sub, &s.target, &canceled, &s.reason, &s.purchaser, &s.told, &s.notifications, &s.audit); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	s.canceled = canceled.Valid && canceled.String != ""
	return s
}

// judge says whether the state holds none of the move or the whole of it,
// and fails the test on anything in between.
func judge(t *testing.T, s, before killState, n int) string {
	t.Helper()
	switch {
	case s.sub == n && s.target == 0 && !s.canceled && s.told == 0 &&
		s.notifications == before.notifications && s.audit == before.audit:
		return "none"
	case s.sub == 0 && s.target == n && s.canceled && s.told == 1 &&
		s.notifications == before.notifications+1 && s.audit == before.audit+1:
		return "whole"
	}
	t.Fatalf("part of the move: %d licenses on %s, %d on %s, canceled %v (%q), %d notification(s) to %s (%d in all, %d before), %d audit rows (%d before)",
		s.sub, killSub, s.target, killTarget, s.canceled, s.reason, s.told, s.purchaser, s.notifications, before.notifications, s.audit, before.audit)
	return ""
}
