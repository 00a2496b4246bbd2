package sqlstore_test

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/commercectl/commercectl/store"
)

// usersFile writes n users (lines 2..n+1), a tenth of them quoted as a
// spreadsheet would, every hundredth with roles; CRLF line ends.
func usersFile(n int, prefix string) *bytes.Buffer {
	var b bytes.Buffer
	b.WriteString("upn,displayName,department,roles\r\n")
	for i := 1; i <= n; i++ {
		name := fmt.Sprintf("User %d", i)
		if i%10 == 0 {
			name = fmt.Sprintf(`"Doe, ""User"" %d"`, i)
		}
		roles := ""
		if i%100 == 0 {
			roles = "GlobalReader;licenseadmin"
		}
		fmt.Fprintf(&b, "%s%06d@contoso.com,%s,Dept %d,%s\r\n", prefix, i, name, i%7, roles)
	}
	return &b
}

func importErrorLines(t *testing.T, err error) []store.ImportLineError {
	t.Helper()
	var ie *store.ImportError
	if !errors.As(err, &ie) {
		t.Fatalf("error %v (%T), want a *store.ImportError", err, err)
	}
	if store.ErrorCode(err) != store.EINVALID {
		t.Fatalf("code %q, want %q", store.ErrorCode(err), store.EINVALID)
	}
	return ie.Lines
}

func TestImportUsersTensOfThousands(t *testing.T) {
	const n = 30000
	d, path := newTenant(t, false)
	res, err := d.ImportUsers(as(admin), "many.csv", usersFile(n, "u"))
	if err != nil {
		t.Fatal(err)
	}
	if *res != (store.ImportUsersResult{File: "many.csv", Users: n, Roles: 2 * n / 100}) {
		t.Errorf("result %+v", *res)
	}
	if got := count(t, path, `SELECT count(*) FROM users`); got != n+1 {
		t.Errorf("%d users, want %d and the admin", got, n)
	}
	if got := count(t, path, `SELECT count(*) FROM user_roles WHERE role = 'LicenseAdmin'`); got != n/100 {
		t.Errorf("%d LicenseAdmins, want %d", got, n/100)
	}
	users, err := d.ListUsers(as(admin), store.UserFilter{Role: store.RoleGlobalReader})
	if err != nil {
		t.Fatal(err)
	}
	if len(users) != n/100 || users[0].UPN != "u000100@contoso.com" || !slices.Equal(users[0].Roles, []string{"LicenseAdmin", "GlobalReader"}) {
		t.Errorf("%d GlobalReaders, first %+v", len(users), users[0])
	}
	var name, dept string
	if err := rawq(t, path).QueryRow(`SELECT display_name, department FROM users WHERE upn = 'u029990@contoso.com'`).Scan(&name, &dept); err != nil {
		t.Fatal(err)
	}
	if name != `Doe, "User" 29990` || dept != "Dept 2" {
		t.Errorf("quoted row read as %q, %q", name, dept)
	}
	log := auditLog(t, d)
	last := log[len(log)-1]
	if last.Action != "import-users" || last.Target != "many.csv" || fmt.Sprintf("%s", last.After) != `{"roles":600,"users":30000}` {
		t.Errorf("audit entry %+v %s", last, last.After)
	}
}

func TestImportUsersAllOrNothingWhenTheLastLineIsBad(t *testing.T) {
	const n = 30000
	for _, tt := range []struct {
		name, last string
		want       store.ImportLineError
	}{
		{"bad UPN", "not-a-upn,Last,Dept,\r\n", store.ImportLineError{Line: n + 2,
			Error: `invalid UPN "not-a-upn": needs exactly one @ between a name and a domain`}},
		// Far from its first occurrence: another batch, already inserted.
		{"duplicate of line 2 in another case", "V000001@CONTOSO.COM,Again,Dept,\r\n", store.ImportLineError{Line: n + 2,
			Error: "duplicate UPN V000001@CONTOSO.COM (earlier in the file, whatever the case)"}},
		{"duplicate of a user of the tenant", "ADMIN@contoso.com,Again,Dept,\r\n", store.ImportLineError{Line: n + 2,
			Error: "duplicate UPN ADMIN@contoso.com (the tenant already has it, whatever the case)"}},
		{"unknown role", "last@contoso.com,Last,Dept,GlobalReader;Owner\r\n", store.ImportLineError{Line: n + 2,
			Error: `unknown role "Owner" (roles are GlobalAdmin, BillingAdmin, LicenseAdmin, UserAdmin, GlobalReader)`}},
		{"one column too many", "last@contoso.com,Last,Dept,,x\r\n", store.ImportLineError{Line: n + 2,
			Error: "expected 4 columns, found 5"}},
		{"unterminated quote", "last@contoso.com,\"Last,Dept,\r\n", store.ImportLineError{Line: n + 2,
			Error: `not valid CSV: extraneous or missing " in quoted-field`}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			d, path := newTenant(t, false)
			before := snapshot(t, path)
			in := usersFile(n, "v")
			in.WriteString(tt.last)
			res, err := d.ImportUsers(as(admin), "many.csv", in)
			if res != nil {
				t.Errorf("a refused import returned %+v", res)
			}
			lines := importErrorLines(t, err)
			if len(lines) != 1 || lines[0] != tt.want {
				t.Errorf("bad lines %+v, want [%+v]", lines, tt.want)
			}
			if err.Error() != "1 bad line in many.csv: nothing was imported" {
				t.Errorf("error %q", err)
			}
			unchanged(t, path, before)
		})
	}
}

func TestImportUsersReportsEveryBadLineInOrder(t *testing.T) {
	d, path := newTenant(t, false)
	before := snapshot(t, path)
	var b strings.Builder
	b.WriteString("\xef\xbb\xbfUPN, DisplayName ,department\r\n")
	for i := 2; i <= 600; i++ {
		switch i {
		case 3:
			b.WriteString("\"first, quote\r\nd@contoso.com\",x,y\r\n") // lines 3-4, a bad UPN
			i++
		case 400: // in the second batch of 256: found when that batch is written
			b.WriteString("U000005@contoso.com,again,x\r\n")
		case 401:
			b.WriteString("x@\"contoso.com,a,b\r\n") // a bare quote in the first field
		case 402:
			b.WriteString("u000402@contoso.com,\"Tab\tName\",x\r\n")
		case 403:
			b.WriteString("u000403@contoso.com," + strings.Repeat("n", 257) + ",x\r\n")
		case 404:
			b.WriteString("u000404@contoso.com,a\r\n")
		case 405:
			b.WriteString(strings.Repeat("a", 200) + "@contoso.com,a,b\r\n")
		case 406:
			b.WriteString("u000406@contoso.com,\xff\xfe,b\r\n")
		case 407:
			b.WriteString("U000406@contoso.com,again,b\r\n") // a duplicate of a bad line is no duplicate
		default:
			fmt.Fprintf(&b, "u%06d@contoso.com,User %d,x\r\n", i, i)
		}
	}
	_, err := d.ImportUsers(as(admin), "f.csv", strings.NewReader(b.String()))
	lines := importErrorLines(t, err)
	want := []store.ImportLineError{
		{Line: 3, Error: `invalid UPN "first, quote\nd@contoso.com": contains a character UPNs may not hold`},
		{Line: 400, Error: "duplicate UPN U000005@contoso.com (earlier in the file, whatever the case)"},
		{Line: 401, Error: `not valid CSV: bare " in non-quoted-field`},
		{Line: 402, Error: "displayName holds a control character"},
		{Line: 403, Error: "displayName is longer than 256 characters"},
		{Line: 404, Error: "expected 3 columns, found 2"},
		{Line: 405, Error: `invalid UPN "` + strings.Repeat("a", 40) + `"…: longer than 113 characters`},
		{Line: 406, Error: "displayName is not valid UTF-8"},
	}
	if !slices.Equal(lines, want) {
		t.Errorf("bad lines\n%+v\nwant\n%+v", lines, want)
	}
	unchanged(t, path, before)
}

func TestImportUsersFileLevelErrors(t *testing.T) {
	d, path := newTenant(t, true)
	before := snapshot(t, path)
	for _, tt := range []struct {
		name, as, in string
		code, msg    string
		lines        []store.ImportLineError
	}{
		{"empty", admin, "", store.EINVALID, "1 bad line in f.csv: nothing was imported",
			[]store.ImportLineError{{Line: 1, Error: "the file is empty: it needs the header upn,displayName,department[,roles]"}}},
		{"BOM and blank lines", admin, "\xef\xbb\xbf\r\n\r\n", store.EINVALID, "1 bad line in f.csv",
			[]store.ImportLineError{{Line: 1, Error: "the file is empty: it needs the header upn,displayName,department[,roles]"}}},
		{"header only", admin, "upn,displayName,department,roles\r\n", store.EINVALID, "1 bad line in f.csv",
			[]store.ImportLineError{{Line: 2, Error: "no users after the header"}}},
		{"wrong header", admin, "email,name,department\r\nada@contoso.com,Ada,R\r\n", store.EINVALID,
			`f.csv line 1: the header must be upn,displayName,department[,roles], not "email,name,department"`, nil},
		{"header of 6 columns", admin, "upn,displayName,department,roles,createdAt,manager\r\n", store.EINVALID,
			"f.csv line 1: the header must be upn,displayName,department[,roles], not 6 columns", nil},
		{"a fifth column other than createdAt", admin, "upn,displayName,department,roles,manager\r\n", store.EINVALID,
			`f.csv line 1: the header must be upn,displayName,department[,roles], not "upn,displayName,department,roles,manager"`, nil},
		// Once a panic of encoding/csv's FieldPos.
		{"header with a bad quote", admin, "\"upn,displayName,department\r\nada@contoso.com,Ada,R\r\n", store.EINVALID,
			`f.csv line 1: the header is not valid CSV: extraneous or missing " in quoted-field`, nil},
		{"huge header cell", admin, strings.Repeat("h", 1<<20) + ",displayName,department\r\n", store.EINVALID,
			`the header must be upn,displayName,department[,roles], not "hhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhh"…`, nil},
		{"member", "alex.wilber@contoso.com", "upn,displayName,department\r\nx@contoso.com,x,y\r\n", store.EFORBIDDEN,
			"alex.wilber@contoso.com may not import users", nil},
		{"GlobalReader", "patti.fernandez@contoso.com", "upn,displayName,department\r\nx@contoso.com,x,y\r\n", store.EFORBIDDEN,
			"may not import users", nil},
		{"no identity", "", "upn,displayName,department\r\nx@contoso.com,x,y\r\n", store.EFORBIDDEN, "no identity", nil},
		{"UserAdmin giving roles", "isaiah.langer@contoso.com", "upn,displayName,department,roles\r\nx@contoso.com,x,y,\r\nz@contoso.com,x,y,globalreader\r\n",
			store.EFORBIDDEN, "isaiah.langer@contoso.com may not give roles (line 3 gives GlobalReader)", nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ctx := nobody()
			if tt.as != "" {
				ctx = as(tt.as)
			}
			_, err := d.ImportUsers(ctx, "f.csv", strings.NewReader(tt.in))
			wantCode(t, err, tt.code)
			if !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("error %q, want it to say %q", err, tt.msg)
			}
			if len(err.Error()) > 200 {
				t.Errorf("error of %d bytes, want one short line", len(err.Error()))
			}
			var ie *store.ImportError
			if errors.As(err, &ie) != (tt.lines != nil) || tt.lines != nil && !slices.Equal(ie.Lines, tt.lines) {
				t.Errorf("error %#v, want bad lines %+v", err, tt.lines)
			}
			unchanged(t, path, before)
		})
	}
}

// The bad lines of a file named like a database error are still bad lines
// (exit 2), not a damaged database (exit 1).
func TestImportUsersFileNamedLikeADatabaseError(t *testing.T) {
	d, path := newTenant(t, false)
	before := snapshot(t, path)
	for _, name := range []string{"malformed.csv", "disk is full.csv", "database is locked.csv"} {
		_, err := d.ImportUsers(as(admin), name, strings.NewReader("upn,displayName,department\r\nbad,x,y\r\n"))
		if lines := importErrorLines(t, err); len(lines) != 1 || lines[0].Line != 2 {
			t.Errorf("%s: bad lines %+v", name, lines)
		}
		if err.Error() != "1 bad line in "+name+": nothing was imported" {
			t.Errorf("error %q", err)
		}
	}
	unchanged(t, path, before)
}

func TestImportUsersRolesAndDryRun(t *testing.T) {
	d, path := newTenant(t, true)
	in := "upn,displayName,department,roles\r\n" +
		"ada@contoso.com,Ada,R,GlobalReader; licenseadmin;GlobalReader;\r\n" +
		"bob@contoso.com,Bob,R,\r\n"
	before := snapshot(t, path)
	res, err := d.ImportUsers(store.WithDryRun(as(admin)), "f.csv", strings.NewReader(in))
	if err != nil || *res != (store.ImportUsersResult{File: "f.csv", Users: 2, Roles: 2}) {
		t.Fatalf("dry run: %+v, %v", res, err)
	}
	unchanged(t, path, before)

	// A UserAdmin imports members, even from a file with an empty roles column.
	res, err = d.ImportUsers(as("isaiah.langer@contoso.com"), "f.csv", strings.NewReader("upn,displayName,department,roles\r\ncarl@contoso.com,Carl,R,\r\n"))
	if err != nil || res.Users != 1 || res.Roles != 0 {
		t.Fatalf("UserAdmin: %+v, %v", res, err)
	}
	res, err = d.ImportUsers(as(admin), "f.csv", strings.NewReader(in))
	if err != nil || *res != (store.ImportUsersResult{File: "f.csv", Users: 2, Roles: 2}) {
		t.Fatalf("import: %+v, %v", res, err)
	}
	users, err := d.ListUsers(as(admin), store.UserFilter{Department: "R"})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, u := range users {
		got = append(got, u.UPN+"="+strings.Join(u.Roles, ";"))
	}
	if !slices.Equal(got, []string{"ada@contoso.com=LicenseAdmin;GlobalReader", "bob@contoso.com=", "carl@contoso.com="}) {
		t.Errorf("users %q", got)
	}
}

// Names are bounded in characters, as Entra ID bounds them, not in bytes.
func TestImportUsersNameLengthInCharacters(t *testing.T) {
	d, path := newTenant(t, false)
	before := snapshot(t, path)
	long := strings.Repeat("é", 257)
	_, err := d.ImportUsers(as(admin), "f.csv", strings.NewReader("upn,displayName,department\r\na@contoso.com,"+long+",x\r\nb@contoso.com,x,"+long+"\r\n"))
	want := []store.ImportLineError{{Line: 2, Error: "displayName is longer than 256 characters"}, {Line: 3, Error: "department is longer than 256 characters"}}
	if lines := importErrorLines(t, err); !slices.Equal(lines, want) {
		t.Errorf("bad lines %+v, want %+v", lines, want)
	}
	unchanged(t, path, before)

	name := strings.Repeat("名", 256) // 768 bytes
	res, err := d.ImportUsers(as(admin), "f.csv", strings.NewReader("upn,displayName,department\r\na@contoso.com,"+name+",研究\r\n"))
	if err != nil || res.Users != 1 {
		t.Fatalf("a name of 256 CJK characters: %+v, %v", res, err)
	}
	users, err := d.ListUsers(as(admin), store.UserFilter{Department: "研究"})
	if err != nil || len(users) != 1 || users[0].DisplayName != name {
		t.Errorf("users %+v, %v", users, err)
	}
}

// A listing as list-users -o csv writes it (csvcell's mark before = + - @
// where a cell may start, a createdAt column), here quoted throughout as a
// spreadsheet may save it, imports the names exactly: the marks go,
// createdAt is ignored.
func TestImportUsersReadsAListing(t *testing.T) {
	d, _ := newTenant(t, false)
	in := `"upn","displayName","department","roles","createdAt"` + "\r\n" +
		`"ada@contoso.com","'=HYPERLINK(""http://x"")","'-5;'@x","","2026-11-21T09:00:00Z"` + "\r\n" +
		`"bob@contoso.com","''=kept one quote","Dupont, '+1","","2026-11-21T09:00:00Z"` + "\r\n"
	if _, err := d.ImportUsers(as(admin), "f.csv", strings.NewReader(in)); err != nil {
		t.Fatal(err)
	}
	users, err := d.ListUsers(as(admin), store.UserFilter{})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, u := range users {
		got[u.UPN] = u.DisplayName + "|" + u.Department
	}
	for upn, want := range map[string]string{"ada@contoso.com": `=HYPERLINK("http://x")|-5;@x`, "bob@contoso.com": "'=kept one quote|Dupont, +1"} {
		if got[upn] != want {
			t.Errorf("%s: %q, want %q", upn, got[upn], want)
		}
	}
}

// --skip-existing: the users the tenant has are left as they are and
// counted, new ones go in (with their roles), and a file imported twice is
// then no error. Without it, a file of 30 known users reports the first 20
// lines and the total (issue 15).
func TestImportUsersSkipExisting(t *testing.T) {
	d, _ := newTenant(t, false)
	first := "upn,displayName,department,roles\r\n"
	for i := range 30 {
		first += fmt.Sprintf("user%02d@contoso.com,User %d,R,\r\n", i, i)
	}
	if _, err := d.ImportUsers(as(admin), "f.csv", strings.NewReader(first)); err != nil {
		t.Fatal(err)
	}
	_, err := d.ImportUsers(as(admin), "f.csv", strings.NewReader(first))
	var ie *store.ImportError
	if !errors.As(err, &ie) || ie.Total != 30 || len(ie.Lines) != store.MaxReportedLines || ie.Lines[0].Line != 2 || ie.Lines[19].Line != 21 {
		t.Fatalf("a second import: %v (%+v)", err, ie)
	}
	if err.Error() != "30 bad lines in f.csv: nothing was imported" {
		t.Errorf("message %q", err)
	}

	again := first + "new1@contoso.com,New One,R,GlobalReader\r\nnew2@contoso.com,New Two,R,\r\n"
	again = strings.Replace(again, "user00@contoso.com,User 0,R,", "user00@contoso.com,Renamed,R,GlobalAdmin", 1)
	res, err := d.ImportUsers(store.WithSkipExisting(as(admin)), "f.csv", strings.NewReader(again))
	if err != nil || *res != (store.ImportUsersResult{File: "f.csv", Users: 2, Roles: 1, Skipped: 30}) {
		t.Fatalf("skip existing: %+v, %v", res, err)
	}
	users, err := d.ListUsers(as(admin), store.UserFilter{Department: "R"})
	if err != nil || len(users) != 32 {
		t.Fatalf("%d users, %v", len(users), err)
	}
	for _, u := range users {
		if u.UPN == "user00@contoso.com" && (u.DisplayName != "User 0" || len(u.Roles) != 0) {
			t.Errorf("an existing user changed: %+v", u)
		}
		if u.UPN == "new1@contoso.com" && !slices.Equal(u.Roles, []string{"GlobalReader"}) {
			t.Errorf("a new user's roles: %+v", u)
		}
	}
	// A line repeated in the file is still refused.
	_, err = d.ImportUsers(store.WithSkipExisting(as(admin)), "f.csv", strings.NewReader("upn,displayName,department\r\nnew3@contoso.com,A,R\r\nNEW3@contoso.com,B,R\r\n"))
	if lines := importErrorLines(t, err); len(lines) != 1 || lines[0].Line != 3 {
		t.Errorf("a duplicate within the file: %+v", lines)
	}
}
