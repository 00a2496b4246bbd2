//go:build !windows

package main

import (
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// bigArg is an argument at the kernel's limit.
func bigArg(suffix string) string { return strings.Repeat("a", maxArgLen-len(suffix)) + suffix }

// fileWith returns a setup that writes one file into the case's directory.
func fileWith(name string, data []byte) func(*testing.T, *hostileEnv) {
	return func(t *testing.T, h *hostileEnv) { h.write(t, name, data) }
}

const usersHeader = "upn,displayName,department\n"
const catalogHeader = "Product_Display_Name,String_Id,GUID,Service_Plan_Name,Service_Plan_Id,Service_Plans_Included_Friendly_Names\r\n"

// catalogRow is one row of Microsoft's licensing CSV for a new SKU.
func catalogRow(name, stringID, plan string) string {
	return fmt.Sprintf("%s,%s,e4654015-5daf-4a48-9b37-4f309dddd88b,%s,604ec28a-ae18-4bc6-91b0-11da94504ba9,Friendly\r\n", name, stringID, plan)
}

// userField returns a verify that the user upn holds field = want.
func userField(upn, field, want string) func(*testing.T, *hostileEnv, string) {
	return func(t *testing.T, h *hostileEnv, _ string) {
		t.Helper()
		for _, u := range h.jsonOf(t, "list-users").([]any) {
			m := u.(map[string]any)
			if m["upn"] == upn {
				if got := m[field]; got != want {
					t.Errorf("%s of %s is %q, want it verbatim: %q", field, upn, got, want)
				}
				return
			}
		}
		t.Errorf("no user %s after the import", upn)
	}
}

// emptyList checks that a filter matched nothing (its stdout is "[]"), and
// that a sane value of the same filter does match: % and _ are not wildcards.
func emptyList(sane ...string) func(*testing.T, *hostileEnv, string) {
	return func(t *testing.T, h *hostileEnv, stdout string) {
		t.Helper()
		if strings.TrimSpace(stdout) != "[]" {
			t.Errorf("the filter matched something, want []:\n%.1000s", stdout)
		}
		if got := h.jsonOf(t, sane...).([]any); len(got) == 0 {
			t.Errorf("the sane filter %q matches nothing either: the case proves nothing", sane)
		}
	}
}

// requestProcessMessage checks that the own process's message is stored
// verbatim, and that its table shows no escape or direction character.
func requestProcessMessage(want string) func(*testing.T, *hostileEnv, string) {
	return func(t *testing.T, h *hostileEnv, _ string) {
		t.Helper()
		got := h.jsonOf(t, "get-request-process").(map[string]any)["message"]
		if got != want {
			t.Errorf("message %q, want it verbatim: %q", got, want)
		}
		table := h.must(t, "get-request-process")
		if strings.ContainsAny(table, "\x1b\u202e") {
			t.Errorf("the table shows an escape or a right-to-left override: %q", table)
		}
	}
}

// roTenant makes the tenant read-only for the user the case runs as.
func roTenant(t *testing.T, h *hostileEnv) {
	if asNobody() {
		if err := os.Chown(h.dir, 65534, 65534); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Chmod(h.db, 0o444); err != nil {
		t.Fatal(err)
	}
}

// roDir makes the tenant's directory read-only (the file itself writable).
// linkTo makes the symbolic link name in the case's directory point at
// target ("$DB" and "$DIR" as in args).
func linkTo(name, target string) func(*testing.T, *hostileEnv) {
	return func(t *testing.T, h *hostileEnv) {
		target := strings.NewReplacer("$DB", h.db, "$DIR", h.dir).Replace(target)
		if err := os.Symlink(target, filepath.Join(h.dir, name)); err != nil {
			t.Fatal(err)
		}
	}
}

func roDir(t *testing.T, h *hostileEnv) {
	if asNobody() {
		if err := os.Chown(h.db, 65534, 65534); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Chmod(h.dir, 0o555); err != nil {
		t.Fatal(err)
	}
}

// roDirWithWAL is roDir with a write-ahead log beside the tenant that
// holds a change not yet checkpointed into it.
func roDirWithWAL(t *testing.T, h *hostileEnv) {
	if err := os.WriteFile(h.db+"-wal", []byte("not yet checkpointed"), 0o644); err != nil {
		t.Fatal(err)
	}
	roDir(t, h)
}

// bigTenant adds 3,000 licensed users, so that an export is about 300 KB.
func bigTenant(t *testing.T, h *hostileEnv) {
	var csv, list strings.Builder
	csv.WriteString(usersHeader)
	for i := range 3000 {
		fmt.Fprintf(&csv, "bulk%d@contoso.com,Bulk User %d,Department %d\n", i, i, i)
		fmt.Fprintf(&list, "bulk%d@contoso.com\n", i)
	}
	h.must(t, "import-users", h.write(t, "bulk.csv", []byte(csv.String())))
	h.must(t, "add-subscription", "--product", "CFQ7TTC0H9MP", "--quantity", "3000")
	h.must(t, "assign-license", "--product", "CFQ7TTC0H9MP", "--users-file", h.write(t, "bulk.txt", []byte(list.String())))
	os.Remove(filepath.Join(h.dir, "bulk.csv"))
	os.Remove(filepath.Join(h.dir, "bulk.txt"))
}

// sqliteNotTenant writes an SQLite database another program made.
func sqliteNotTenant(t *testing.T, h *hostileEnv) {
	db, err := sql.Open("sqlite", filepath.Join(h.dir, "other.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`CREATE TABLE users (upn TEXT); INSERT INTO users VALUES ('admin@contoso.com')`); err != nil {
		t.Fatal(err)
	}
}

// Why a case runs on SQLite only (hostileCase.sqliteOnly).
const (
	ownFile    = "--db names a file of the case's own: the case's tenant, of either engine, plays no part"
	tenantFile = "the tenant is a file only on SQLite"
	tenantWAL  = "the write-ahead log beside the tenant is SQLite's"
	tenantMode = "the mode of the tenant's file and directory"
	tenantDisk = "RLIMIT_FSIZE limits the client's writes: on PostgreSQL the server writes the tenant"
)

func hostileCases() []hostileCase {
	var (
		users1MB    = strings.Repeat("a", 1<<20)
		tenThousand = strings.Repeat(",x", 10000)
		cases       []hostileCase
	)
	add := func(group string, cs ...hostileCase) {
		for _, c := range cs {
			c.group = group
			cases = append(cases, c)
		}
	}

	// SQL metacharacters in every string flag and argument. Identifiers
	// (UPNs, product and subscription ids, roles, statuses, reasons) are
	// looked up exactly: a metacharacter is an unknown one (SPEC §2: 2 for
	// a value that cannot be one, 3 for a well-formed name that does not
	// exist). Free text is accepted verbatim.
	add("sql-metacharacters",
		hostileCase{name: "add-user UPN", args: []string{"add-user", sqlDrop + "@contoso.com"}, code: 2, msg: "invalid UPN",
			sane: []string{"add-user", "new.hire@contoso.com"}},
		hostileCase{name: "add-user --role", args: []string{"add-user", "new.hire@contoso.com", "--role", sqlDrop}, code: 2, msg: "unknown role",
			sane: []string{"add-user", "new.hire@contoso.com", "--role", "GlobalReader"}},
		hostileCase{name: "add-user --display-name accepted verbatim", args: []string{"add-user", "new.hire@contoso.com", "--display-name", sqlDrop},
			changes: []string{"users", "audit_log"}, verify: userField("new.hire@contoso.com", "displayName", sqlDrop)},
		hostileCase{name: "add-user --department accepted verbatim", args: []string{"add-user", "new.hire@contoso.com", "--department", sqlOr + " %_"},
			changes: []string{"users", "audit_log"}, verify: userField("new.hire@contoso.com", "department", sqlOr+" %_")},
		hostileCase{name: "set-role UPN percent", args: []string{"set-role", "%", "GlobalAdmin"}, code: 3, msg: "no user",
			sane: []string{"set-role", "nestor.wilke@contoso.com", "GlobalAdmin"}},
		hostileCase{name: "set-role UPN with _ does not match admin", args: []string{"set-role", "_dmin@contoso.com", "GlobalReader"}, code: 3, msg: "no user",
			sane: []string{"set-role", "nestor.wilke@contoso.com", "GlobalReader"}},
		hostileCase{name: "set-role ROLE", args: []string{"set-role", "nestor.wilke@contoso.com", "' OR 1=1 --"}, code: 2, msg: "unknown role"},
		hostileCase{name: "list-users --role", args: []string{"list-users", "--role", "%"}, code: 2, msg: "unknown role"},
		hostileCase{name: "list-users --department percent matches nothing", args: []string{"list-users", "--department", "%", "-o", "json"},
			verify: emptyList("list-users", "--department", "IT")},
		hostileCase{name: "list-users --department _T matches nothing", args: []string{"list-users", "--department", "_T", "-o", "json"},
			verify: emptyList("list-users", "--department", "IT")},
		hostileCase{name: "get-policy POLICY", args: []string{"get-policy", sqlDrop}, code: 3, msg: "unknown policy"},
		hostileCase{name: "get-product-policy --product", args: []string{"get-product-policy", "--product", "%"}, code: 3, msg: "unknown product"},
		hostileCase{name: "update-policy --product", args: []string{"update-policy", "--product", "CFQ7TTC0H9MP,%", "--value", "Disabled"}, code: 3, msg: "unknown product",
			sane: []string{"update-policy", "--product", "CFQ7TTC0H9MP", "--value", "Disabled"}},
		hostileCase{name: "update-policy --value", args: []string{"update-policy", "--product", "CFQ7TTC0H9MP", "--value", "' OR 1=1"}, code: 2, msg: "unknown policy value"},
		hostileCase{name: "update-policy --offer-type", args: []string{"update-policy", "--offer-type", "%", "--value", "Disabled"}, code: 2, msg: "unknown offer type",
			sane: []string{"update-policy", "--offer-type", "SaaS", "--value", "Disabled"}},
		hostileCase{name: "update-policy --default", args: []string{"update-policy", "--default", sqlOr}, code: 2},
		hostileCase{name: "add-subscription --product", args: []string{"add-subscription", "--product", "'; DROP TABLE subscriptions; --", "--quantity", "1"}, code: 3, msg: "unknown product",
			sane: []string{"add-subscription", "--product", "CFQ7TTC0H9MP", "--quantity", "1"}},
		hostileCase{name: "buy-licenses --subscription", args: []string{"buy-licenses", "--subscription", "SUB-0000_", "--total", "12"}, code: 3, msg: "no subscription",
			sane: []string{"buy-licenses", "--subscription", "SUB-00001", "--total", "12"}},
		hostileCase{name: "takeover-subscription ID", args: []string{"takeover-subscription", "%", "--cancel", "--reason", "duplicate", "--yes"}, code: 3,
			sane: []string{"takeover-subscription", "SUB-00008", "--cancel", "--reason", "duplicate", "--yes"}},
		hostileCase{name: "takeover-subscription --reason", args: []string{"takeover-subscription", "SUB-00008", "--cancel", "--reason", sqlDrop, "--yes"}, code: 2, msg: "unknown reason"},
		hostileCase{name: "takeover-subscription --move-to-subscription", args: []string{"takeover-subscription", "SUB-00006", "--move-to-subscription", "SUB-0000%"}, code: 3,
			sane: []string{"takeover-subscription", "SUB-00006", "--move-to-subscription", "SUB-00001"}},
		hostileCase{name: "takeover-subscription --move-to-product", args: []string{"takeover-subscription", "SUB-00006", "--move-to-product", "%"}, code: 3},
		hostileCase{name: "centralize --product", args: []string{"centralize", "--product", "_FQ7TTC0H9MP"}, code: 3,
			sane: []string{"centralize", "--product", "CFQ7TTC0H9MP", "--buy"}},
		hostileCase{name: "assign-license --users", args: []string{"assign-license", "--product", "CFQ7TTC0H9MP", "--users", "%"}, code: 2, msg: "invalid UPN",
			sane: []string{"assign-license", "--product", "CFQ7TTC0H9MP", "--users", "nestor.wilke@contoso.com"}},
		hostileCase{name: "assign-license --disable-plan", args: []string{"assign-license", "--product", "CFQ7TTC0H9MP", "--users", "nestor.wilke@contoso.com", "--disable-plan", "%"}, code: 2, msg: "no service plan"},
		hostileCase{name: "unassign-license --subscription", args: []string{"unassign-license", "--subscription", "' OR ''='", "--users", "nestor.wilke@contoso.com"}, code: 3},
		hostileCase{name: "export-users --subscription", args: []string{"export-users", "--subscription", "SUB-00005,%"}, code: 3,
			sane: []string{"export-users", "--subscription", "SUB-00005"}},
		hostileCase{name: "export-users --product", args: []string{"export-users", "--product", sqlDrop}, code: 3},
		hostileCase{name: "resolve-conflicts --unassign", args: []string{"resolve-conflicts", "--product", "CFQ7TTC0HDB0", "--unassign", "%", "--yes"}, code: 3},
		hostileCase{name: "approve-request ID", args: []string{"approve-request", "3 OR 1=1", "--exclude", "joni.sherman@contoso.com"}, code: 2, msg: "positive number",
			sane: []string{"approve-request", "3", "--exclude", "joni.sherman@contoso.com"}},
		hostileCase{name: "approve-request --exclude", args: []string{"approve-request", "2", "--exclude", "%"}, code: 3},
		hostileCase{name: "approve-request --product", args: []string{"approve-request", "1", "--product", "%"}, code: 3},
		hostileCase{name: "deny-request ID", args: []string{"deny-request", "1; DROP TABLE requests"}, code: 2},
		hostileCase{name: "deny-request --message accepted verbatim", args: []string{"deny-request", "1", "--yes", "--message", sqlOr + " '; DROP TABLE requests; --"},
			changes: []string{"requests", "request_users", "notifications", "audit_log"},
			verify: func(t *testing.T, h *hostileEnv, _ string) {
				if got := h.jsonOf(t, "get-request", "1").(map[string]any)["message"]; got != sqlOr+" '; DROP TABLE requests; --" {
					t.Errorf("message %q, want it verbatim", got)
				}
			}},
		hostileCase{name: "get-request ID", args: []string{"get-request", "1; DROP TABLE users"}, code: 2},
		hostileCase{name: "init --tenant accepted verbatim", args: []string{"init", "--tenant", "'; DROP TABLE tenant; --", "--admin", interactiveAdmin, "--force", "--yes", "-o", "json", "--jq", ".tenant"},
			msg: "'; DROP TABLE tenant; --\n", changes: []string{"*"},
			verify: func(t *testing.T, h *hostileEnv, _ string) {
				dump, err := dumpDB(h.db)
				if err != nil {
					t.Fatal(err)
				}
				if !strings.Contains(tables(dump)["tenant"], "'; DROP TABLE tenant; --") {
					t.Errorf("the tenant's name is not stored verbatim:\n%s", tables(dump)["tenant"])
				}
			}},
		hostileCase{name: "apply-policies product id", args: []string{"apply-policies", "-f", "policies.yaml"}, code: 3, msg: "unknown product",
			setup: fileWith("policies.yaml", []byte("policy: AllowSelfServicePurchase\nproducts:\n  \"'; DROP TABLE products; --\": Disabled\n"))},
		hostileCase{name: "set-request-process --message accepted verbatim", args: []string{"set-request-process", "--message", sqlDrop + " % _"},
			changes: []string{"tenant", "audit_log"}, verify: requestProcessMessage(sqlDrop + " % _")},
		hostileCase{name: "set-request-process --link", args: []string{"set-request-process", "--message", "Ask IT", "--link", "https://x/'; DROP TABLE users; --"}, code: 2, msg: "https URL",
			sane: []string{"set-request-process", "--message", "Ask IT", "--link", "https://intranet.contoso.com/licenses"}},
		hostileCase{name: "list-subscriptions --status", args: []string{"list-subscriptions", "--status", "%"}, code: 2},
		hostileCase{name: "list-subscriptions --product", args: []string{"list-subscriptions", "--product", "%"}, code: 3},
		hostileCase{name: "list-requests --status", args: []string{"list-requests", "--status", "' OR 1=1 --"}, code: 2},
		hostileCase{name: "get-subscription ID", args: []string{"get-subscription", "SUB-0000%"}, code: 3},
		hostileCase{name: "get-audit-log --actor percent matches nothing", args: []string{"get-audit-log", "--actor", "%", "-o", "json"},
			verify: emptyList("get-audit-log", "--actor", interactiveAdmin)},
		hostileCase{name: "get-audit-log --since", args: []string{"get-audit-log", "--since", "'; DROP TABLE audit_log; --"}, code: 2, msg: "is not a time"},
		hostileCase{name: "list-notifications --to percent matches nothing", args: []string{"list-notifications", "--to", "%", "-o", "json"},
			setup:  func(t *testing.T, h *hostileEnv) { h.must(t, "deny-request", "2", "--yes", "--message", "no") },
			verify: emptyList("list-notifications", "--to", "johanna.lorenz@contoso.com")},
		hostileCase{name: "new-request --product", args: []string{"new-request", "--product", "%"}, as: memberUPN, code: 3,
			sane: []string{"new-request", "--product", "CFQ7TTC0MM8R", "--as", memberUPN}},
		hostileCase{name: "new-request --for", args: []string{"new-request", "--product", "CFQ7TTC0MM8R", "--for", "_%"}, as: memberUPN, code: 3},
		hostileCase{name: "purchase --product", args: []string{"purchase", "--product", "%", "--quantity", "1"}, as: memberUPN, code: 3,
			sane: []string{"purchase", "--product", "CFQ7TTC0HD33", "--quantity", "1", "--as", memberUPN}},
		hostileCase{name: "start-trial --product", args: []string{"start-trial", "--product", "_FQ7TTC0J1FV"}, as: memberUPN, code: 3,
			sane: []string{"start-trial", "--product", "CFQ7TTC0J1FV", "--as", memberUPN}},
		hostileCase{name: "cancel-subscription ID", args: []string{"cancel-subscription", "%", "--yes"}, as: memberUPN, code: 3,
			sane: []string{"cancel-subscription", "SUB-00005", "--yes", "--as", memberUPN}},
		hostileCase{name: "--as percent", args: []string{"list-users", "--as", "%"}, code: 4, msg: "not a user",
			sane: []string{"list-users"}},
		hostileCase{name: "--as DROP TABLE", args: []string{"add-user", "x@contoso.com", "--as", sqlDrop}, code: 4},
		hostileCase{name: "import-users cells accepted verbatim", args: []string{"import-users", "users.csv"},
			setup:   fileWith("users.csv", []byte(usersHeader+`sql@contoso.com,"'; DROP TABLE users; --","`+strings.ReplaceAll(sqlOr, `"`, `""`)+`"`+"\n")),
			changes: []string{"users", "audit_log"}, verify: userField("sql@contoso.com", "department", sqlOr)},
		hostileCase{name: "import-users roles", args: []string{"import-users", "users.csv"}, code: 2, lineReports: true, msg: "1 bad line",
			setup: fileWith("users.csv", []byte("upn,displayName,department,roles\nr@contoso.com,R,IT,GlobalAdmin;%\n"))},
		hostileCase{name: "import-catalog names accepted verbatim", args: []string{"import-catalog", "catalog.csv"},
			setup:   fileWith("catalog.csv", []byte(catalogHeader+catalogRow(`"'; DROP TABLE products; --"`, "SQL_SKU", "SQL_PLAN"))),
			changes: []string{"products", "service_plans", "product_policies", "audit_log"},
			verify: func(t *testing.T, h *hostileEnv, _ string) {
				got := h.jsonOf(t, "get-product-policy", "--product", "SQL_SKU").(map[string]any)["productName"]
				if got != "'; DROP TABLE products; --" {
					t.Errorf("productName %q, want it verbatim", got)
				}
			}},
	)

	// NUL bytes: through files and stdin, since no argument can hold one.
	// Names hold no control characters (DESIGN "Bulk input"); a UPN is
	// ASCII without them (DESIGN "Identity and roles").
	add("nul-bytes",
		hostileCase{name: "import-users name", args: []string{"import-users", "users.csv"}, code: 2, lineReports: true, msg: "1 bad line",
			setup: fileWith("users.csv", []byte(usersHeader+"nul@contoso.com,Nul\x00Name,IT\n"))},
		hostileCase{name: "import-users UPN", args: []string{"import-users", "users.csv"}, code: 2, lineReports: true, msg: "1 bad line",
			setup: fileWith("users.csv", []byte(usersHeader+"nestor.wilke\x00@contoso.com,N,IT\n"))},
		hostileCase{name: "import-users from stdin", args: []string{"import-users", "-"}, code: 2, lineReports: true,
			stdin: usersHeader + "nul@contoso.com,\x00,\x00\n"},
		hostileCase{name: "assign-license --users-file", args: []string{"assign-license", "--product", "CFQ7TTC0H9MP", "--users-file", "users.txt"}, code: 2, msg: "invalid UPN",
			setup: fileWith("users.txt", []byte("nestor.wilke@contoso.com\x00\n")),
			sane:  []string{"assign-license", "--product", "CFQ7TTC0H9MP", "--users", "nestor.wilke@contoso.com"}},
		hostileCase{name: "unassign-license --users-file stdin", args: []string{"unassign-license", "--product", "CFQ7TTC0H9MP", "--users-file", "-"}, code: 2,
			stdin: "admin@contoso.com\x00\n"},
		hostileCase{name: "import-catalog", args: []string{"import-catalog", "catalog.csv"}, code: 2, msg: "control character",
			setup: fileWith("catalog.csv", []byte(catalogHeader+catalogRow("Evil\x00Product", "EVIL_SKU", "EVIL_PLAN")))},
		hostileCase{name: "apply-policies -f", args: []string{"apply-policies", "-f", "policies.yaml"}, code: 2,
			setup: fileWith("policies.yaml", []byte("policy: AllowSelfServicePurchase\nproducts:\n  CFQ7TTC0H9MP: Disabled\x00\n"))},
		hostileCase{name: "diff-policies -f stdin", args: []string{"diff-policies", "-f", "-"}, code: 2, stdin: "\x00\x00\x00"},
		hostileCase{name: "config file", args: []string{"list-users"}, code: 2, msg: "not valid YAML",
			setup: fileWith(".config/commercectl/config.yaml", []byte("as: admin@contoso.com\x00\n"))},
	)

	// Arguments at the kernel's limit (128 KiB each) and 1 MB in files. The
	// bounds are DESIGN's: names 256 characters, messages 1,000 (--help),
	// UPNs 113; the error line stays short (SPEC §2 "one line").
	big := bigArg("")
	add("huge-input",
		hostileCase{name: "add-user UPN", args: []string{"add-user", bigArg("@contoso.com")}, code: 2, msg: "longer than 113"},
		hostileCase{name: "add-user --display-name", args: []string{"add-user", "new.hire@contoso.com", "--display-name", big}, code: 2, msg: "longer than 256",
			sane: []string{"add-user", "new.hire@contoso.com", "--display-name", "New Hire"}},
		hostileCase{name: "add-user --department", args: []string{"add-user", "new.hire@contoso.com", "--department", big}, code: 2, msg: "longer than 256"},
		hostileCase{name: "init --tenant", args: []string{"init", "--tenant", big, "--admin", interactiveAdmin, "--force"}, code: 2, msg: "longer than 256",
			sane: []string{"init", "--tenant", "Fabrikam", "--admin", interactiveAdmin, "--force", "--yes"}},
		hostileCase{name: "set-request-process --message", args: []string{"set-request-process", "--message", big}, code: 2, msg: "longer than 1000"},
		hostileCase{name: "deny-request --message", args: []string{"deny-request", "1", "--message", big}, code: 2, msg: "longer than 1000"},
		hostileCase{name: "purchase --product", args: []string{"purchase", "--product", big, "--quantity", "1"}, as: memberUPN, code: 3},
		hostileCase{name: "update-policy --product", args: []string{"update-policy", "--product", big, "--value", "Disabled"}, code: 3},
		hostileCase{name: "approve-request --disable-plan", args: []string{"approve-request", "1", "--disable-plan", big}, code: 2},
		hostileCase{name: "get-audit-log --since", args: []string{"get-audit-log", "--since", big}, code: 2},
		hostileCase{name: "--as", args: []string{"list-users", "--as", big}, code: 4},
		hostileCase{name: "--db", args: []string{"list-users", "--db", big}, code: 2},
		hostileCase{name: "--config", args: []string{"list-users", "--config", big}, code: 3},
		hostileCase{name: "-o", args: []string{"list-users", "-o", big}, code: 2, msg: "unknown output format"},
		hostileCase{name: "--jq", args: []string{"list-users", "--jq", big}, code: 2},
		hostileCase{name: "verb", args: []string{big}, code: 2, msg: "unknown command"},
		hostileCase{name: "flag", args: []string{"list-users", "--" + big[2:]}, code: 2, msg: "unknown flag"},
		hostileCase{name: "COMMERCECTL_NOW", args: []string{"list-users"}, env: []string{"COMMERCECTL_NOW=" + bigArg("")[len("COMMERCECTL_NOW="):]}, code: 2, msg: "COMMERCECTL_NOW"},
		hostileCase{name: "1.1 MB in 9 --users", args: append([]string{"assign-license", "--product", "CFQ7TTC0H9MP"}, repeatFlag("--users", bigArg("@contoso.com"), 9)...),
			code: 2, msg: "invalid UPN", skip: notLinux()},
		hostileCase{name: "1 MB line in --users-file", args: []string{"assign-license", "--product", "CFQ7TTC0H9MP", "--users-file", "users.txt"}, code: 2, msg: "longer than 1 MB",
			setup: fileWith("users.txt", []byte(users1MB+"\n"))},
		hostileCase{name: "1 MB cell in import-users", args: []string{"import-users", "users.csv"}, code: 2, lineReports: true, msg: "1 bad line",
			setup: fileWith("users.csv", []byte(usersHeader+"big@contoso.com,"+users1MB+",IT\n"))},
		hostileCase{name: "10,000 columns in the import-users header", args: []string{"import-users", "users.csv"}, code: 2, msg: "header",
			setup: fileWith("users.csv", []byte("upn,displayName,department"+tenThousand+"\n"))},
		hostileCase{name: "10,000 columns in an import-users row", args: []string{"import-users", "users.csv"}, code: 2, lineReports: true, msg: "1 bad line",
			setup: fileWith("users.csv", []byte(usersHeader+"wide@contoso.com,W,IT"+tenThousand+"\n"))},
		hostileCase{name: "10,000 columns in import-catalog", args: []string{"import-catalog", "catalog.csv"}, code: 2,
			setup: fileWith("catalog.csv", []byte(strings.TrimSuffix(catalogHeader, "\r\n")+tenThousand+"\r\n"))},
		hostileCase{name: "1 MB cell in import-catalog", args: []string{"import-catalog", "catalog.csv"}, code: 2,
			setup: fileWith("catalog.csv", []byte(catalogHeader+catalogRow("Big", "BIG_SKU", users1MB)))},
	)

	// Invalid UTF-8: refused as a UPN or a name (DESIGN), shown escaped when
	// an error quotes it (SPEC §2 "one line").
	add("invalid-utf8",
		hostileCase{name: "add-user UPN", args: []string{"add-user", "a" + invalidUTF8 + "@contoso.com"}, code: 2, msg: "UTF-8"},
		hostileCase{name: "add-user --display-name", args: []string{"add-user", "new.hire@contoso.com", "--display-name", "Bad " + invalidUTF8}, code: 2, msg: "UTF-8"},
		hostileCase{name: "add-user --department", args: []string{"add-user", "new.hire@contoso.com", "--department", invalidUTF8}, code: 2, msg: "UTF-8"},
		hostileCase{name: "init --tenant", args: []string{"init", "--tenant", "T" + invalidUTF8, "--admin", interactiveAdmin, "--force"}, code: 2, msg: "UTF-8"},
		hostileCase{name: "set-request-process --message", args: []string{"set-request-process", "--message", invalidUTF8}, code: 2, msg: "UTF-8"},
		hostileCase{name: "approve-request --message", args: []string{"approve-request", "1", "--message", invalidUTF8}, code: 2, msg: "UTF-8"},
		hostileCase{name: "purchase --product", args: []string{"purchase", "--product", invalidUTF8, "--quantity", "1"}, as: memberUPN, code: 3, msg: `\xff`},
		hostileCase{name: "-o", args: []string{"list-users", "-o", invalidUTF8}, code: 2},
		hostileCase{name: "--as", args: []string{"list-users", "--as", invalidUTF8}, code: 4},
		hostileCase{name: "list-requests --status -o json", args: []string{"list-requests", "--status", invalidUTF8, "-o", "json"}, code: 2},
		hostileCase{name: "import-users name", args: []string{"import-users", "users.csv"}, code: 2, lineReports: true, msg: "1 bad line",
			setup: fileWith("users.csv", []byte(usersHeader+"u@contoso.com,Bad "+invalidUTF8+",IT\n"))},
		hostileCase{name: "import-users UPN", args: []string{"import-users", "users.csv"}, code: 2, lineReports: true, msg: "1 bad line",
			setup: fileWith("users.csv", []byte(usersHeader+invalidUTF8+"@contoso.com,Bad,IT\n"))},
		hostileCase{name: "--users-file", args: []string{"assign-license", "--product", "CFQ7TTC0H9MP", "--users-file", "users.txt"}, code: 2, msg: "UTF-8",
			setup: fileWith("users.txt", []byte(invalidUTF8+"@contoso.com\n"))},
		hostileCase{name: "config file", args: []string{"list-users"}, code: 2, msg: "not valid YAML",
			setup: fileWith(".config/commercectl/config.yaml", []byte("as: "+invalidUTF8+"\n"))},
	)

	// Right-to-left overrides and homoglyphs in UPNs. DESIGN "Identity and
	// roles": UPNs are ASCII, which refuses both (2); a look-alike that is
	// not a user never acts as the real one (--as: 4, a lookup: 3); names
	// hold no direction override (DESIGN "Bulk input", store.CheckName).
	add("rtl-and-homoglyphs",
		hostileCase{name: "add-user RLO UPN", args: []string{"add-user", rloAdmin}, code: 2, msg: "invisible character"},
		hostileCase{name: "add-user Cyrillic a", args: []string{"add-user", cyrAdmin}, code: 2, msg: "ASCII"},
		hostileCase{name: "add-user Cyrillic o in the domain", args: []string{"add-user", "admin@c\u043entoso.com"}, code: 2, msg: "ASCII"},
		hostileCase{name: "add-user fullwidth @", args: []string{"add-user", "admin\uff20contoso.com"}, code: 2},
		hostileCase{name: "add-user zero-width space", args: []string{"add-user", "ad\u200bmin@contoso.com"}, code: 2},
		hostileCase{name: "--as Cyrillic admin is not the admin", args: []string{"update-policy", "--product", "CFQ7TTC0H9MP", "--value", "Disabled", "--as", cyrAdmin}, code: 4,
			sane: []string{"update-policy", "--product", "CFQ7TTC0H9MP", "--value", "Disabled"}},
		hostileCase{name: "--as RLO admin is not the admin", args: []string{"add-user", "x@contoso.com", "--as", "\u202eadmin@contoso.com"}, code: 4},
		hostileCase{name: "COMMERCECTL_AS Cyrillic admin", args: []string{"set-role", "nestor.wilke@contoso.com", "GlobalAdmin"}, as: "-",
			env: []string{"COMMERCECTL_AS=" + cyrAdmin}, code: 4},
		hostileCase{name: "config as: RLO admin", args: []string{"set-role", "nestor.wilke@contoso.com", "GlobalAdmin"}, as: "-", code: 4,
			setup: fileWith(".config/commercectl/config.yaml", []byte("as: \"\\u202eadmin@contoso.com\"\n"))},
		hostileCase{name: "set-role Cyrillic admin", args: []string{"set-role", cyrAdmin, "GlobalReader"}, code: 3, msg: "no user"},
		hostileCase{name: "set-role Cyrillic admin --remove", args: []string{"set-role", cyrAdmin, "GlobalAdmin", "--remove"}, code: 3},
		hostileCase{name: "connect --as Cyrillic admin", args: []string{"connect", "--as", cyrAdmin}, code: 3},
		hostileCase{name: "init --admin Cyrillic admin", args: []string{"init", "--tenant", "Contoso", "--admin", cyrAdmin, "--force"}, code: 2, msg: "invalid UPN",
			sane: []string{"init", "--tenant", "Contoso", "--admin", interactiveAdmin, "--force", "--yes"}},
		hostileCase{name: "assign-license --users RLO", args: []string{"assign-license", "--product", "CFQ7TTC0H9MP", "--users", "\u202enestor.wilke@contoso.com"}, code: 2, msg: `\u202e`},
		hostileCase{name: "assign-license --users Cyrillic", args: []string{"assign-license", "--product", "CFQ7TTC0H9MP", "--users", cyrAdmin}, code: 2},
		hostileCase{name: "unassign-license --users-file homoglyph", args: []string{"unassign-license", "--product", "CFQ7TTC0H9MP", "--users-file", "users.txt"}, code: 2, msg: "users.txt:2:",
			setup: fileWith("users.txt", []byte("upn\n"+cyrAdmin+"\n"))},
		hostileCase{name: "approve-request --exclude RLO", args: []string{"approve-request", "3", "--exclude", "\u202ejoni.sherman@contoso.com"}, code: 3, msg: `\u202e`},
		hostileCase{name: "new-request --for Cyrillic", args: []string{"new-request", "--product", "CFQ7TTC0MM8R", "--for", cyrAdmin}, as: memberUPN, code: 3},
		hostileCase{name: "resolve-conflicts --unassign RLO", args: []string{"resolve-conflicts", "--product", "CFQ7TTC0HDB0", "--unassign", "\u202ex@contoso.com", "--yes"}, code: 3, msg: `\u202e`},
		hostileCase{name: "get-audit-log --actor Cyrillic admin matches nothing", args: []string{"get-audit-log", "--actor", cyrAdmin, "-o", "json"},
			verify: emptyList("get-audit-log", "--actor", interactiveAdmin)},
		hostileCase{name: "import-users RLO and Cyrillic UPNs", args: []string{"import-users", "users.csv"}, code: 2, lineReports: true, msg: "2 bad lines",
			setup: fileWith("users.csv", []byte(usersHeader+"\u202emoc.osotnoc@nimda,R,IT\n"+cyrAdmin+",H,IT\n"))},
		hostileCase{name: "add-user --display-name RLO", args: []string{"add-user", "new.hire@contoso.com", "--display-name", "Adele \u202eecnaV"}, code: 2, msg: "reverses text"},
		hostileCase{name: "import-users display name RLO", args: []string{"import-users", "users.csv"}, code: 2, lineReports: true,
			setup: fileWith("users.csv", []byte(usersHeader+"rlo@contoso.com,a\u202eb,IT\n"))},
		hostileCase{name: "init --tenant RLO", args: []string{"init", "--tenant", "Contoso \u202elive", "--admin", interactiveAdmin, "--force"}, code: 2, msg: "reverses text"},
		hostileCase{name: "set-request-process --message RLO accepted verbatim", args: []string{"set-request-process", "--message", "Ask \u202eTI"},
			changes: []string{"tenant", "audit_log"}, verify: requestProcessMessage("Ask \u202eTI")},
		hostileCase{name: "import-catalog RLO product name accepted verbatim", args: []string{"import-catalog", "catalog.csv"},
			setup:   fileWith("catalog.csv", []byte(catalogHeader+catalogRow("Power BI \u202eorP", "RLO_SKU", "RLO_PLAN"))),
			changes: []string{"products", "service_plans", "product_policies", "audit_log"},
			verify: func(t *testing.T, h *hostileEnv, _ string) {
				if table := h.must(t, "get-product-policies"); strings.Contains(table, "\u202e") {
					t.Errorf("the table shows a right-to-left override")
				}
			}},
	)

	// Numbers: whole decimal numbers within the documented bounds, else 2.
	add("numbers",
		hostileCase{name: "add-subscription --quantity -1", args: []string{"add-subscription", "--product", "CFQ7TTC0H9MP", "--quantity", "-1"}, code: 2, msg: "between 1 and",
			sane: []string{"add-subscription", "--product", "CFQ7TTC0H9MP", "--quantity", "1"}},
		hostileCase{name: "add-subscription --quantity 0", args: []string{"add-subscription", "--product", "CFQ7TTC0H9MP", "--quantity", "0"}, code: 2},
		hostileCase{name: "add-subscription --quantity 2^64", args: []string{"add-subscription", "--product", "CFQ7TTC0H9MP", "--quantity", "99999999999999999999"}, code: 2, msg: "out of range"},
		hostileCase{name: "add-subscription --quantity max int64", args: []string{"add-subscription", "--product", "CFQ7TTC0H9MP", "--quantity", "9223372036854775807"}, code: 2},
		hostileCase{name: "add-subscription --quantity 1e9", args: []string{"add-subscription", "--product", "CFQ7TTC0H9MP", "--quantity", "1e9"}, code: 2, msg: "not a whole number"},
		hostileCase{name: "add-subscription --quantity 0x10", args: []string{"add-subscription", "--product", "CFQ7TTC0H9MP", "--quantity", "0x10"}, code: 2, msg: "not a whole number"},
		hostileCase{name: "add-subscription --quantity 1_000", args: []string{"add-subscription", "--product", "CFQ7TTC0H9MP", "--quantity", "1_000"}, code: 2},
		hostileCase{name: "add-subscription --quantity 010 is ten", args: []string{"add-subscription", "--product", "CFQ7TTC0H9MP", "--quantity", "010", "--jq", ".quantity"},
			msg: "10\n", changes: []string{"subscriptions", "audit_log"}},
		hostileCase{name: "add-subscription --months 0", args: []string{"add-subscription", "--product", "CFQ7TTC0H9MP", "--quantity", "1", "--months", "0"}, code: 2, msg: "--months"},
		hostileCase{name: "add-subscription --months -12", args: []string{"add-subscription", "--product", "CFQ7TTC0H9MP", "--quantity", "1", "--months", "-12"}, code: 2},
		hostileCase{name: "add-subscription --months max int64", args: []string{"add-subscription", "--product", "CFQ7TTC0H9MP", "--quantity", "1", "--months", "9223372036854775807"}, code: 2},
		hostileCase{name: "buy-licenses --total -5", args: []string{"buy-licenses", "--subscription", "SUB-00001", "--total", "-5"}, code: 2, msg: "--total",
			sane: []string{"buy-licenses", "--subscription", "SUB-00001", "--total", "12"}},
		hostileCase{name: "buy-licenses --total max int64", args: []string{"buy-licenses", "--subscription", "SUB-00001", "--total", "9223372036854775807"}, code: 2},
		hostileCase{name: "buy-licenses --total 2^64", args: []string{"buy-licenses", "--subscription", "SUB-00001", "--total", "18446744073709551616"}, code: 2},
		hostileCase{name: "buy-licenses --total 1.5", args: []string{"buy-licenses", "--subscription", "SUB-00001", "--total", "1.5"}, code: 2},
		hostileCase{name: "purchase --quantity -1", args: []string{"purchase", "--product", "CFQ7TTC0HD33", "--quantity", "-1"}, as: memberUPN, code: 2,
			sane: []string{"purchase", "--product", "CFQ7TTC0HD33", "--quantity", "1", "--as", memberUPN}},
		hostileCase{name: "purchase --quantity 2^62", args: []string{"purchase", "--product", "CFQ7TTC0HD33", "--quantity", "4611686018427387904"}, as: memberUPN, code: 2},
		hostileCase{name: "set-request-process --retention-days 0", args: []string{"set-request-process", "--retention-days", "0"}, code: 2, msg: "between 1 and 365",
			sane: []string{"set-request-process", "--retention-days", "90"}},
		hostileCase{name: "set-request-process --retention-days 366", args: []string{"set-request-process", "--retention-days", "366"}, code: 2},
		hostileCase{name: "set-request-process --retention-days -1", args: []string{"set-request-process", "--retention-days", "-1"}, code: 2},
		hostileCase{name: "approve-request 2^64", args: []string{"approve-request", "99999999999999999999"}, code: 2},
		hostileCase{name: "get-request 0", args: []string{"get-request", "0"}, code: 2},
	)

	// Impossible dates and garbage in COMMERCECTL_NOW (SPEC §2: an RFC 3339
	// time; the product's bounds keep every computed date a four-digit year).
	add("dates",
		hostileCase{name: "--since 2026-02-30", args: []string{"get-audit-log", "--since", "2026-02-30"}, code: 2, msg: "is not a time",
			sane: []string{"get-audit-log", "--since", "2026-02-28"}},
		hostileCase{name: "--since 2026-13-01T00:00:00Z", args: []string{"get-audit-log", "--since", "2026-13-01T00:00:00Z"}, code: 2},
		hostileCase{name: "--since 25:61", args: []string{"get-audit-log", "--since", "2026-02-28T25:61:00Z"}, code: 2},
		hostileCase{name: "--since 2026-02-29 (not a leap year)", args: []string{"list-notifications", "--since", "2026-02-29"}, code: 2},
		hostileCase{name: "--since -7d", args: []string{"get-audit-log", "--since", "-7d"}, code: 2},
		hostileCase{name: "--since 9999999h", args: []string{"get-audit-log", "--since", "9999999h"}, code: 2},
		hostileCase{name: "--since year 10000", args: []string{"get-audit-log", "--since", "10000-01-01"}, code: 2},
		hostileCase{name: "NOW yesterday", args: []string{"add-user", "new.hire@contoso.com"}, env: []string{"COMMERCECTL_NOW=yesterday"}, code: 2, msg: "RFC 3339",
			sane: []string{"add-user", "new.hire@contoso.com"}},
		hostileCase{name: "NOW 2026-02-30", args: []string{"purchase", "--product", "CFQ7TTC0HD33", "--quantity", "1"}, as: memberUPN, env: []string{"COMMERCECTL_NOW=2026-02-30T00:00:00Z"}, code: 2},
		hostileCase{name: "NOW empty is unset: the clock", args: []string{"add-user", "new.hire@contoso.com"}, env: []string{"COMMERCECTL_NOW="},
			changes: []string{"users", "audit_log"}},
		hostileCase{name: "NOW blank", args: []string{"add-user", "new.hire@contoso.com"}, env: []string{"COMMERCECTL_NOW= "}, code: 2},
		hostileCase{name: "NOW without a zone", args: []string{"add-user", "new.hire@contoso.com"}, env: []string{"COMMERCECTL_NOW=2026-11-21T09:00:00"}, code: 2},
		hostileCase{name: "NOW offset +25:00", args: []string{"add-user", "new.hire@contoso.com"}, env: []string{"COMMERCECTL_NOW=2026-11-21T09:00:00+25:00"}, code: 2},
		hostileCase{name: "NOW control character", args: []string{"add-user", "new.hire@contoso.com"}, env: []string{"COMMERCECTL_NOW=2026\x1b[2J"}, code: 2, msg: `\x1b`},
		hostileCase{name: "NOW 9999-12-31 (expiry past year 9999)", args: []string{"purchase", "--product", "CFQ7TTC0H9MP", "--quantity", "1"}, as: memberUPN,
			env: []string{"COMMERCECTL_NOW=9999-12-31T23:59:59Z"}, code: 2, msg: "between",
			sane: []string{"purchase", "--product", "CFQ7TTC0H9MP", "--quantity", "1", "--as", memberUPN}},
		hostileCase{name: "NOW year 1", args: []string{"add-subscription", "--product", "CFQ7TTC0H9MP", "--quantity", "1"}, env: []string{"COMMERCECTL_NOW=0001-01-01T00:00:00Z"}, code: 2},
	)

	// Config files that are not YAML, or not the config's shape (SPEC §2:
	// config db/as/output; a file named with --config must exist: 3).
	cfg := func(data string) func(*testing.T, *hostileEnv) {
		return fileWith(".config/commercectl/config.yaml", []byte(data))
	}
	add("config",
		hostileCase{name: "binary garbage", args: []string{"list-users"}, code: 2, msg: "not valid YAML",
			setup: cfg("\x89PNG\r\n\x1a\n\xff\xfe\x00\x00garbage"), sane: []string{"list-users"}},
		hostileCase{name: ": : :", args: []string{"list-users"}, code: 2, msg: "not valid YAML", setup: cfg(": : :\n")},
		hostileCase{name: "UTF-16 bytes", args: []string{"list-users"}, code: 2, setup: cfg("\xff\xfe\x00")},
		hostileCase{name: "db is a list", args: []string{"list-users"}, noDB: true, code: 2, msg: "db must be a single value", setup: cfg("db: [a.db, b.db]\n")},
		hostileCase{name: "as is a map", args: []string{"list-users"}, as: "-", code: 2, msg: "as must be a single value", setup: cfg("as: {upn: admin@contoso.com}\n")},
		hostileCase{name: "output is a number", args: []string{"list-users"}, code: 2, msg: "unknown output format", setup: cfg("output: 7\n")},
		hostileCase{name: "billion laughs", args: []string{"list-users"}, code: 2, setup: cfg(billionLaughs())},
		hostileCase{name: "a directory", args: []string{"list-users", "--config", "$DIR/cfgdir"}, code: 2, msg: "is a directory",
			setup: func(t *testing.T, h *hostileEnv) { os.Mkdir(filepath.Join(h.dir, "cfgdir"), 0o755) }},
		hostileCase{name: "--config missing", args: []string{"list-users", "--config", "$DIR/nosuch/config.yaml"}, code: 3, msg: "does not exist"},
		hostileCase{name: "--config the tenant database", sqliteOnly: tenantFile, args: []string{"list-users", "--config", "$DB"}, code: 2, msg: "not valid YAML"},
		hostileCase{name: "connect --config not YAML is not overwritten", args: []string{"connect", "--as", interactiveAdmin, "--config", "$DIR/cfg.yaml"}, code: 2,
			setup: fileWith("cfg.yaml", []byte(": : :\n"))},
	)

	// --db pointing at what is not a tenant (SPEC §2; testdata/script
	// tenant_baddb.txtar has the messages): invalid input 2, a damaged tenant
	// an unexpected failure 1, a missing one 3.
	add("database",
		hostileCase{name: "--db a directory", sqliteOnly: ownFile, args: []string{"list-users", "--db", "$DIR/dir.db"}, code: 2, msg: "is a directory",
			setup: func(t *testing.T, h *hostileEnv) { os.Mkdir(filepath.Join(h.dir, "dir.db"), 0o755) }, sane: []string{"list-users"}},
		hostileCase{name: "init --db a directory", sqliteOnly: ownFile, args: []string{"init", "--tenant", "X", "--admin", interactiveAdmin, "--force", "--db", "$DIR/dir.db"}, code: 2,
			setup: func(t *testing.T, h *hostileEnv) { os.Mkdir(filepath.Join(h.dir, "dir.db"), 0o755) }},
		hostileCase{name: "--db a text file", sqliteOnly: ownFile, args: []string{"add-user", "x@contoso.com", "--db", "$DIR/notes.db"}, code: 2, msg: "not a tenant database",
			setup: fileWith("notes.db", []byte("this is not a database\n"))},
		hostileCase{name: "--db an empty file", sqliteOnly: ownFile, args: []string{"add-user", "x@contoso.com", "--db", "$DIR/empty.db"}, code: 2, msg: "empty",
			setup: fileWith("empty.db", nil)},
		hostileCase{name: "--db /dev/null", sqliteOnly: ownFile, args: []string{"list-users", "--db", "/dev/null"}, code: 2},
		hostileCase{name: "--db another program's SQLite", sqliteOnly: ownFile, args: []string{"add-user", "x@contoso.com", "--db", "$DIR/other.db"}, code: 2, msg: "not a commercectl tenant",
			setup: sqliteNotTenant},
		hostileCase{name: "--db truncated SQLite, read", sqliteOnly: ownFile, args: []string{"list-users", "--db", "$DIR/cut.db"}, code: 1, msg: "damaged",
			setup: func(t *testing.T, h *hostileEnv) {
				b, _ := os.ReadFile(h.db)
				h.write(t, "cut.db", b[:len(b)/2])
			}},
		hostileCase{name: "--db truncated SQLite, write", sqliteOnly: ownFile, args: []string{"add-user", "x@contoso.com", "--db", "$DIR/cut.db"}, code: 1, msg: "damaged",
			setup: func(t *testing.T, h *hostileEnv) {
				b, _ := os.ReadFile(h.db)
				h.write(t, "cut.db", b[:4096])
			}},
		hostileCase{name: "--db with URI parameters is a file name", sqliteOnly: tenantFile, args: []string{"add-user", "x@contoso.com", "--db", "$DB?_pragma=foreign_keys(0)&mode=memory"}, code: 3, msg: "no tenant database"},
		hostileCase{name: "export-users --out the tenant", sqliteOnly: tenantFile, args: []string{"export-users", "--out", "$DB"}, code: 2, msg: "would be overwritten",
			sane: []string{"export-users", "--out", "$DIR/export.csv"}},
		hostileCase{name: "export-users --out the tenant's WAL", sqliteOnly: tenantWAL, args: []string{"export-users", "--out", "$DB-wal"}, code: 2, msg: "would be overwritten"},
		hostileCase{name: "export-users --out the WAL of a linked --db", sqliteOnly: tenantWAL, args: []string{"export-users", "--db", "$DIR/link.db", "--out", "$DB-wal"}, code: 2, msg: "would be overwritten",
			setup: linkTo("link.db", "$DB"), sane: []string{"export-users", "--db", "$DIR/link.db", "--out", "$DIR/export.csv"}, saneSetup: true},
		hostileCase{name: "export-users --out the WAL through a linked directory", sqliteOnly: tenantWAL, args: []string{"export-users", "--out", "$DIR/here/tenant.db-wal"}, code: 2, msg: "would be overwritten",
			setup: linkTo("here", "$DIR")},
		hostileCase{name: "export-users --out a directory", args: []string{"export-users", "--out", "$DIR"}, code: 2, msg: "directory"},
		hostileCase{name: "export-users --out in a missing directory", args: []string{"export-users", "--out", "$DIR/nosuch/x.csv"}, code: 2},
		hostileCase{name: "read-only tenant, write", sqliteOnly: tenantMode, args: []string{"add-user", "x@contoso.com"}, wrap: "nobody", setup: roTenant, code: 1, msg: "read-only",
			sane: []string{"add-user", "x@contoso.com"}},
		hostileCase{name: "read-only tenant, update-policy", sqliteOnly: tenantMode, args: []string{"update-policy", "--all", "--value", "Disabled"}, wrap: "nobody", setup: roTenant, code: 1, msg: "read-only"},
		hostileCase{name: "read-only tenant, read works", sqliteOnly: tenantMode, args: []string{"list-users", "--role", "GlobalAdmin", "-o", "json", "--jq", ".[0].upn"},
			wrap: "nobody", setup: roTenant, msg: interactiveAdmin},
		hostileCase{name: "read-only directory, write", sqliteOnly: tenantMode, args: []string{"add-user", "x@contoso.com"}, wrap: "nobody", setup: roDir, code: 1},
		hostileCase{name: "read-only directory, read works", sqliteOnly: tenantMode, args: []string{"list-users", "--role", "GlobalAdmin", "-o", "json", "--jq", ".[0].upn"},
			wrap: "nobody", setup: roDir, msg: interactiveAdmin},
		// ... unless a write-ahead log holds changes not yet in the file:
		// read as it is, it would be wrong. One clear line instead.
		hostileCase{name: "read-only directory with a write-ahead log, read", sqliteOnly: tenantMode, args: []string{"list-users"},
			wrap: "nobody", setup: roDirWithWAL, code: 1, msg: "cannot be read here"},
	)

	// A full disk: RLIMIT_FSIZE (works as root, unlike a full tmpfs that
	// needs a mount) and /dev/full for stdout. SPEC §2: an unexpected
	// failure, 1, in one line; the transaction rolls back.
	add("full-disk",
		hostileCase{name: "import-users past RLIMIT_FSIZE", sqliteOnly: tenantDisk, args: []string{"import-users", "users.csv"}, wrap: "fsize=128", code: 1, msg: "disk I/O error",
			setup: func(t *testing.T, h *hostileEnv) {
				var b strings.Builder
				b.WriteString(usersHeader)
				for i := range 3000 {
					fmt.Fprintf(&b, "bulk%d@contoso.com,Bulk User %d,Department %d\n", i, i, i)
				}
				h.write(t, "users.csv", []byte(b.String()))
			},
			sane: []string{"import-users", "users.csv"}, saneSetup: true},
		hostileCase{name: "add-user with no room at all", sqliteOnly: tenantDisk, args: []string{"add-user", "x@contoso.com"}, wrap: "fsize=1", code: 1,
			sane: []string{"add-user", "x@contoso.com"}},
		hostileCase{name: "export-users --out past RLIMIT_FSIZE", args: []string{"export-users", "--out", "$DIR/export.csv"}, wrap: "fsize=100", code: 1, msg: "export.csv: file too large",
			setup: bigTenant},
		hostileCase{name: "list-users to /dev/full", args: []string{"list-users"}, wrap: "devfull", code: 1, msg: "cannot write the output"},
		hostileCase{name: "export-users to /dev/full", args: []string{"export-users", "-o", "json"}, wrap: "devfull", code: 1, msg: "no space left"},
		// The documented exception: a verb prints after its transaction
		// committed, so when stdout fails the change is made. The error says
		// so rather than invite a second purchase.
		hostileCase{name: "purchase to /dev/full says the change was made", args: []string{"purchase", "--product", "CFQ7TTC0HD33", "--quantity", "1"}, as: memberUPN,
			wrap: "devfull", code: 1, msg: "the change itself was made",
			changes: []string{"subscriptions", "licenses", "notifications", "audit_log"}},
		hostileCase{name: "purchase --dry-run to /dev/full made no change", args: []string{"purchase", "--product", "CFQ7TTC0HD33", "--quantity", "1", "--dry-run"}, as: memberUPN,
			wrap: "devfull", code: 1, msg: "cannot write the output", notMsg: "the change itself was made"},
		hostileCase{name: "set-role of a role held, to /dev/full, made no change", args: []string{"set-role", interactiveAdmin, "GlobalAdmin"},
			wrap: "devfull", code: 1, msg: "cannot write the output", notMsg: "the change itself was made"},
		hostileCase{name: "--help to /dev/full", args: []string{"--help"}, noDB: true, as: "-",
			wrap: "devfull", code: 1, msg: "cannot write the output"},
		hostileCase{name: "list-users to /dev/full made no change", args: []string{"list-users"},
			wrap: "devfull", code: 1, msg: "cannot write the output", notMsg: "the change itself was made"},
	)

	// Hostile CSV beyond the cases above (DESIGN "Bulk input"; SPEC §7 for
	// formula neutralising in exports).
	add("csv",
		hostileCase{name: "formula injection accepted verbatim, neutralised in CSV", args: []string{"import-users", "users.csv"},
			setup:   fileWith("users.csv", []byte(usersHeader+"f1@contoso.com,=cmd|' /C calc'!A0,+SUM(1)\nf2@contoso.com,@x,-2\n")),
			changes: []string{"users", "audit_log"},
			verify: func(t *testing.T, h *hostileEnv, _ string) {
				userField("f1@contoso.com", "displayName", "=cmd|' /C calc'!A0")(t, h, "")
				out := h.must(t, "list-users", "-o", "csv")
				if !strings.Contains(out, "f1@contoso.com,'=cmd|' /C calc'!A0,'+SUM(1)") || !strings.Contains(out, "f2@contoso.com,'@x,'-2") {
					t.Errorf("the CSV does not neutralise the formulas:\n%s", out)
				}
			}},
		hostileCase{name: "unbalanced quotes", args: []string{"import-users", "users.csv"}, code: 2, lineReports: true,
			setup: fileWith("users.csv", []byte(usersHeader+"q@contoso.com,\"unbalanced,IT\nr@contoso.com,R,IT\n"))},
		hostileCase{name: "BOM and CRLF accepted", args: []string{"import-users", "users.csv"},
			setup:   fileWith("users.csv", []byte("\ufeffupn,displayName,department\r\nbom@contoso.com,Bom User,IT\r\n")),
			changes: []string{"users", "audit_log"}, verify: userField("bom@contoso.com", "displayName", "Bom User")},
		hostileCase{name: "a line break in a quoted name", args: []string{"import-users", "users.csv"}, code: 2, lineReports: true,
			setup: fileWith("users.csv", []byte(usersHeader+"lb@contoso.com,\"evil\r\nerror: fake\",IT\n"))},
		hostileCase{name: "an empty file", args: []string{"import-users", "users.csv"}, code: 2, lineReports: true, setup: fileWith("users.csv", nil)},
		hostileCase{name: "random bytes", args: []string{"import-users", "users.csv"}, code: 2, lineReports: true,
			setup: fileWith("users.csv", randomish(4096))},
		hostileCase{name: "a file name with a line break", args: []string{"import-users", "bad\nname.csv"}, code: 2, lineReports: true,
			setup: fileWith("bad\nname.csv", []byte(usersHeader+"not-a-upn,X,IT\n"))},
		hostileCase{name: "import-catalog formula accepted verbatim", args: []string{"import-catalog", "catalog.csv"},
			setup:   fileWith("catalog.csv", []byte(catalogHeader+catalogRow(`"=HYPERLINK(""http://evil"")"`, "FORMULA_SKU", "FORMULA_PLAN"))),
			changes: []string{"products", "service_plans", "product_policies", "audit_log"}},
		hostileCase{name: "import-catalog unbalanced quotes", args: []string{"import-catalog", "catalog.csv"}, code: 2, msg: "not valid CSV",
			setup: fileWith("catalog.csv", []byte(catalogHeader+"\"Evil,EVIL,x,y,z,w\r\n"))},
		hostileCase{name: "import-catalog a SKU id that is not one", args: []string{"import-catalog", "catalog.csv"}, code: 2, msg: "String_Id \"%\" may hold only",
			setup: fileWith("catalog.csv", []byte(catalogHeader+"%,%,%,%,%,%\r\n"))},
		hostileCase{name: "import-catalog a path as SKU id", args: []string{"import-catalog", "catalog.csv"}, code: 2, msg: "may hold only",
			setup: fileWith("catalog.csv", []byte(catalogHeader+"x,../../etc/passwd,,PLAN,,x\r\n"))},
	)

	// Global flags and usage (SPEC §2): bad usage is 2, one line, no usage dump.
	add("flags-and-output",
		hostileCase{name: "--jq that does not parse", args: []string{"list-users", "--jq", ".["}, code: 2},
		hostileCase{name: "--jq that fails at run time", args: []string{"list-users", "--jq", `error("boom\nsecond line")`}, code: 2},
		hostileCase{name: "--jq input", args: []string{"list-users", "--jq", "input"}, code: 2},
		hostileCase{name: "--jq with -o table", args: []string{"list-users", "--jq", ".", "-o", "table"}, code: 2, msg: "--jq works with -o json"},
		hostileCase{name: "-o garbage", args: []string{"list-users", "-o", "'; DROP TABLE users; --"}, code: 2, msg: "unknown output format"},
		hostileCase{name: "COMMERCECTL_OUTPUT garbage", args: []string{"list-users"}, env: []string{"COMMERCECTL_OUTPUT=\x1b[31mjson"}, code: 2},
		hostileCase{name: "-o interactive without a terminal", args: []string{"update-policy", "-o", "interactive"}, code: 2, msg: "needs a terminal"},
		hostileCase{name: "unknown flag", args: []string{"add-user", "x@contoso.com", "--frobnicate"}, code: 2, msg: "unknown flag"},
		hostileCase{name: "unknown flag -o json", args: []string{"add-user", "x@contoso.com", "--frobnicate", "-o", "json"}, code: 2},
		hostileCase{name: "unknown verb", args: []string{"drop-table"}, code: 2, msg: "unknown command"},
		hostileCase{name: "misspelt verb: suggestions on the one line", args: []string{"list-user"}, code: 2, msg: "(hint: did you mean list-users?)"},
		hostileCase{name: "a flag without its value", args: []string{"purchase", "--db", "$DB", "--as", memberUPN, "--quantity", "1", "--product"}, code: 2, msg: "needs an argument"},
		hostileCase{name: "too many arguments", args: []string{"get-subscription", "SUB-00001", "SUB-00002"}, code: 2},
		hostileCase{name: "-- then a negative id", args: []string{"approve-request", "--", "-1"}, code: 2},
		hostileCase{name: "a destructive verb without --yes", args: []string{"cancel-subscription", "SUB-00005"}, as: memberUPN, code: 2, msg: "--yes",
			sane: []string{"cancel-subscription", "SUB-00005", "--yes", "--as", memberUPN}},
		hostileCase{name: "JSON error with a hostile UPN", args: []string{"add-user", "\u202e\x1b[2J@contoso.com", "-o", "json"}, code: 2},
	)
	return cases
}

// billionLaughs is YAML whose aliases expand to 9^9 nodes.
func billionLaughs() string {
	var b strings.Builder
	b.WriteString(`a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]` + "\n")
	prev := "a"
	for _, n := range []string{"b", "c", "d", "e", "f", "g", "h", "i"} {
		b.WriteString(n + ": &" + n + " [" + strings.TrimSuffix(strings.Repeat("*"+prev+",", 9), ",") + "]\n")
		prev = n
	}
	return b.String()
}

// randomish is n bytes of deterministic noise, NUL and control bytes included.
func randomish(n int) []byte {
	b := make([]byte, n)
	x := uint32(2463534242)
	for i := range b {
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		b[i] = byte(x)
	}
	return b
}

// notLinux is why a case needs Linux's limits (128 KiB an argument, 2 MiB
// in all), or "" on Linux.
func notLinux() string {
	if runtime.GOOS == "linux" {
		return ""
	}
	return "more than 1 MiB of arguments needs Linux's ARG_MAX"
}

// repeatFlag is flag value, n times.
func repeatFlag(flag, value string, n int) []string {
	var out []string
	for range n {
		out = append(out, flag, value)
	}
	return out
}
