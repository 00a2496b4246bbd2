package sqlstore

import (
	"bytes"
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/commercectl/commercectl/store"
)

const fuzzCatalogHeader = "Product_Display_Name,String_Id,GUID,Service_Plan_Name,Service_Plan_Id,Service_Plans_Included_Friendly_Names\r\n"

// FuzzParseCatalog checks that parseCatalog never panics and that what it
// accepts is grouped sanely: every SKU in order, each with a plan, and only
// valid UTF-8 without control characters.
func FuzzParseCatalog(f *testing.F) {
	for _, s := range []string{
		fuzzCatalogHeader + "Office 365 E3,ENTERPRISEPACK,6fd2c87f-b296-42f0-b197-1e91e994b900,EXCHANGE_S_ENTERPRISE,efb87545-963c-4e0d-99df-69c6916d9eb0,Exchange Online (Plan 2)\r\n" +
			"Office 365 E3,ENTERPRISEPACK,6fd2c87f-b296-42f0-b197-1e91e994b900,TEAMS1,57ff2da0-773e-42df-b2af-ffb7a2317929,Microsoft Teams\r\n",
		"\xef\xbb\xbf" + fuzzCatalogHeader + "Visio \x96 Plan 2,VISIOCLIENT,c5928f49-12ba-48f7-ada3-0d743a3601d5,VISIO_CLIENT_SUBSCRIPTION,663a804f-1c30-4ff0-9915-9db84f0d1cea,Visio\xa0Desktop App\r\n",
		fuzzCatalogHeader + "\"Multi\nline\",SKU,g,\"Virtualization \tRights \tfor \tWindows\",id,\"a  b\"\r\n",
		"service_plan_name , string_id,GUID,Product_Display_Name,Service_Plan_Id,Service_Plans_Included_Friendly_Names,Extra\nP,S,G,N,I,F,X\n",
		fuzzCatalogHeader,
		fuzzCatalogHeader + "a,,g,p,i,f\r\n",
		fuzzCatalogHeader + "a,b,c\r\n",
		fuzzCatalogHeader + "a,\"b,g,p,i,f\r\n",
		fuzzCatalogHeader + "a,sku,g,p\x01,i,f\r\n",
		fuzzCatalogHeader + "a,sku,g,p,i,f\r\nA,SKU,G,q,j,g\r\n",
		"",
		"\"unterminated",
		"String_Id\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		skus, order, rows, recoded, err := parseCatalog("fuzz.csv", bytes.NewReader(b))
		if err != nil {
			if skus != nil || order != nil || rows != 0 || recoded != 0 {
				t.Fatalf("an error (%v) with results", err)
			}
			if strings.ContainsAny(err.Error(), "\n\r") {
				t.Fatalf("error spans lines: %q", err.Error())
			}
			return
		}
		if rows == 0 || len(skus) == 0 || len(order) != len(skus) || recoded > rows {
			t.Fatalf("rows %d, recoded %d, %d SKUs, %d in order", rows, recoded, len(skus), len(order))
		}
		plans := 0
		for _, key := range order {
			sku := skus[key]
			if sku == nil {
				t.Fatalf("SKU %q in order but not in the map", key)
			}
			if len(sku.plans) == 0 {
				t.Fatalf("SKU %q has no plans", key)
			}
			if sku.stringID == "" || strings.ToUpper(sku.stringID) != key {
				t.Fatalf("SKU %q filed under %q", sku.stringID, key)
			}
			plans += len(sku.plans)
			check := func(s string) {
				if !utf8.ValidString(s) {
					t.Fatalf("SKU %q holds invalid UTF-8 %q", key, s)
				}
				if strings.ContainsAny(s, "\t\n\r\v\f") || strings.Contains(s, "  ") || s != strings.TrimSpace(s) {
					t.Fatalf("SKU %q holds uncollapsed space %q", key, s)
				}
			}
			check(sku.name)
			check(sku.stringID)
			check(sku.guid)
			for _, p := range sku.plans {
				if p[0] == "" {
					t.Fatalf("SKU %q has a plan without a name", key)
				}
				for _, s := range p {
					check(s)
				}
			}
		}
		if plans != rows {
			t.Fatalf("%d rows but %d plans", rows, plans)
		}
	})
}

// FuzzParseUserRow checks that usersHeader and parseUserRow never panic and
// that an accepted row holds a valid UPN and acceptable names and roles.
func FuzzParseUserRow(f *testing.F) {
	for _, s := range [][5]string{
		{"upn,displayName,department", "adele@contoso.com", "Adele Vance", "Retail", ""},
		{"UPN , DisplayName,Department,Roles", " Megan@Contoso.com ", "Megan Bowen", "Marketing", "GlobalReader;"},
		{"upn,displayName,department,roles", "admin@contoso.com", "Admin", "IT", "globaladmin; BillingAdmin;GlobalAdmin"},
		{"upn,displayName,department,roles", "x@contoso.com", "X", "", "Nope"},
		{"upn,displayName,department", "not a upn", "", "", ""},
		{"upn,displayName,department", "a@contoso.com", "tab\there", "", ""},
		{"upn,displayName,department", "a@contoso.com", "\xff", "", ""},
		{"upn,displayName,department", strings.Repeat("a", 200) + "@contoso.com", "", "", ""},
		{"upn,displayName", "a@contoso.com", "", "", ""},
		{"upn,displayName,department", "a@contoso.com", strings.Repeat("語", 257), "", ""},
	} {
		f.Add(s[0], s[1], s[2], s[3], s[4])
	}
	f.Fuzz(func(t *testing.T, header, upn, name, dept, roles string) {
		columns, err := usersHeader(strings.Split(header, ","))
		if err != nil {
			if strings.ContainsAny(err.Error(), "\n\r") {
				t.Fatalf("header error spans lines: %q", err.Error())
			}
			columns = 4 // check the row anyway
		}
		if columns != 3 && columns != 4 {
			t.Fatalf("usersHeader(%q) = %d columns", header, columns)
		}
		rec := []string{upn, name, dept, roles}[:columns]
		row, msg := parseUserRow(7, rec, columns == 4)
		if msg != "" {
			if strings.ContainsAny(msg, "\n\r") {
				t.Fatalf("row error spans lines: %q", msg)
			}
			return
		}
		if row.line != 7 {
			t.Fatalf("row line %d", row.line)
		}
		if got, err := store.ValidateUPN(row.upn); err != nil || got != row.upn {
			t.Fatalf("accepted UPN %q: ValidateUPN = %q, %v", row.upn, got, err)
		}
		if row.key != strings.ToLower(row.upn) {
			t.Fatalf("key %q for UPN %q", row.key, row.upn)
		}
		for _, v := range []string{row.name, row.dept} {
			if m := store.CheckName(v); m != "" {
				t.Fatalf("accepted name %q: %s", v, m)
			}
		}
		seen := map[string]bool{}
		for _, r := range row.roles {
			if c, ok := store.CanonicalRole(r); !ok || c != r || seen[r] {
				t.Fatalf("accepted roles %q", row.roles)
			}
			seen[r] = true
		}
	})
}

// FuzzParseUsers runs the whole users CSV parser: it must not panic, and
// every row it passes on must be valid and unique within its chunk.
func FuzzParseUsers(f *testing.F) {
	for _, s := range []string{
		"upn,displayName,department\r\nadele@contoso.com,Adele Vance,Retail\r\n",
		"\xef\xbb\xbfupn,displayName,department,roles\nadmin@contoso.com,Admin,IT,GlobalAdmin;BillingAdmin\nADMIN@contoso.com,Dup,IT,\n",
		"upn,displayName,department\n\"a@contoso.com\",\"Multi\nline\",x\nbad\"quote,b,c\nb@contoso.com,B\n",
		"upn,displayName,department\n",
		"",
		"\"upn,displayName,department\n",
		"name,upn,department\na@contoso.com,A,B\n",
	} {
		f.Add([]byte(s))
	}
	actor := &store.User{UPN: "admin@contoso.com", Roles: []string{store.RoleGlobalAdmin}}
	f.Fuzz(func(t *testing.T, b []byte) {
		out := make(chan importChunk)
		stop := make(chan struct{})
		defer close(stop)
		go parseUsers("fuzz.csv", bytes.NewReader(b), actor, out, stop)
		for c := range out {
			if c.err != nil {
				if strings.ContainsAny(c.err.Error(), "\n\r") {
					t.Fatalf("error spans lines: %q", c.err.Error())
				}
				continue
			}
			keys := map[string]bool{}
			for _, r := range c.rows {
				if got, err := store.ValidateUPN(r.upn); err != nil || got != r.upn {
					t.Fatalf("passed on UPN %q: %v", r.upn, err)
				}
				if keys[r.key] {
					t.Fatalf("UPN %q twice in a chunk", r.upn)
				}
				keys[r.key] = true
				if store.CheckName(r.name) != "" || store.CheckName(r.dept) != "" {
					t.Fatalf("passed on names %q, %q", r.name, r.dept)
				}
				if r.line < 2 {
					t.Fatalf("row on line %d", r.line)
				}
			}
			for _, e := range c.bad {
				if strings.ContainsAny(e.Error, "\n\r") {
					t.Fatalf("line %d error spans lines: %q", e.Line, e.Error)
				}
			}
		}
	})
}

// FuzzValidateLink checks that ValidateLink never panics and accepts only
// absolute https URLs with a host and no spaces.
func FuzzValidateLink(f *testing.F) {
	for _, s := range []string{
		"https://intranet.contoso.com/licenses",
		"https://intranet.contoso.com:8443/a?b=c#d",
		"https://[::1]/x",
		"HTTPS://contoso.com",
		"http://contoso.com",
		"https://",
		"https:///path",
		"https://user:pw@contoso.com/",
		"https:opaque",
		"javascript:alert(1)",
		"//contoso.com/x",
		"https://contoso.com/a b",
		"https://contoso.com/\u2028",
		"https://contoso.com/\x7f",
		"https://%zz/",
		"https://:443/",
		"",
		"https://" + strings.Repeat("a", 2100) + ".com",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		err := ValidateLink(s)
		if err != nil {
			if strings.ContainsAny(err.Error(), "\n\r") {
				t.Fatalf("error spans lines: %q", err.Error())
			}
			return
		}
		u, perr := url.Parse(s)
		if perr != nil {
			t.Fatalf("accepted %q, which url.Parse refuses: %v", s, perr)
		}
		if u.Scheme != "https" || u.Host == "" || u.Hostname() == "" || u.User != nil {
			t.Fatalf("accepted %q: scheme %q, host %q, user %v", s, u.Scheme, u.Host, u.User)
		}
		if strings.ContainsAny(s, " \t\n\r") || len(s) > 2048 {
			t.Fatalf("accepted %q", s)
		}
	})
}
