package sqlstore_test

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"io"
	"os"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/commercectl/commercectl/store"
)

// realCatalog is Microsoft's "Product names and service plan identifiers for
// licensing" CSV byte for byte as distributed: CRLF, and 25 rows whose bytes
// are Windows-1252 (0x96, an en dash; 0xA0, a no-break space), not UTF-8.
const realCatalog = "../../testdata/catalog/microsoft-product-service-plans.csv"

const catalogHeader = "Product_Display_Name,String_Id,GUID,Service_Plan_Name,Service_Plan_Id,Service_Plans_Included_Friendly_Names\r\n"

func readRealCatalog(t *testing.T) []byte {
	t.Helper()
	raw, err := os.ReadFile(realCatalog)
	if err != nil {
		t.Fatal(err)
	}
	// The fixture must still be the file as distributed, or this test
	// would pass on a file that no longer has what makes it hard.
	if utf8.Valid(raw) {
		t.Fatalf("%s is valid UTF-8: it is no longer the file as Microsoft distributes it", realCatalog)
	}
	if n := bytes.Count(raw, []byte("\r\n")); n != 3277 || bytes.Count(raw, []byte("\n")) != n {
		t.Fatalf("%s has %d CRLF line ends and %d LF, want 3277 of each", realCatalog, n, bytes.Count(raw, []byte("\n")))
	}
	if n := bytes.Count(raw, []byte{0x96}); n != 23 {
		t.Fatalf("%s has %d bytes 0x96, want 23", realCatalog, n)
	}
	return raw
}

// filePlans reads, independently of the importer, the service plan names
// and ids of every SKU of the file (both are ASCII), by upper-case String_Id.
func filePlans(t *testing.T, raw []byte) map[string][]string {
	t.Helper()
	recs, err := csv.NewReader(bytes.NewReader(raw)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]string{}
	for _, r := range recs[1:] {
		key := strings.ToUpper(r[1])
		plan := strings.Join(strings.Fields(r[3]), " ") + "|" + r[4]
		if !slices.Contains(out[key], plan) {
			out[key] = append(out[key], plan)
		}
	}
	for k := range out {
		slices.Sort(out[k])
	}
	return out
}

func dbPlans(t *testing.T, path, productID string) []string {
	t.Helper()
	rows, err := rawq(t, path).Query(`SELECT name || '|' || plan_id FROM service_plans WHERE product_id = ? ORDER BY 1`, productID)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func queryString(t *testing.T, path, query string, args ...any) string {
	t.Helper()
	var s string
	if err := rawq(t, path).QueryRow(query, args...).Scan(&s); err != nil {
		t.Fatalf("%s %v: %v", query, args, err)
	}
	return s
}

func TestImportCatalogRealFile(t *testing.T) {
	raw := readRealCatalog(t)
	d, path := newTenant(t, true)
	// New products get the policy's default: make it differ from the
	// built-in products' Enabled so that the test can tell them apart.
	if _, _, err := d.UpdatePolicy(as(admin), store.PolicyUpdate{PolicyID: policy, Default: store.ValueDisabled}); err != nil {
		t.Fatal(err)
	}
	// A plan Power BI Pro does not have in the file: replaced, it goes.
	if _, err := rawq(t, path).Exec(`INSERT INTO service_plans (product_id, name, plan_id, friendly_name) VALUES (?, 'OBSOLETE_PLAN', '', 'Gone')`, powerBIPro); err != nil {
		t.Fatal(err)
	}
	productsBefore := count(t, path, `SELECT count(*) FROM products`)
	disabledBefore := count(t, path, `SELECT count(*) FROM product_policies WHERE value = 'Disabled'`)
	known := map[string]string{"POWER_BI_PRO": powerBIPro, "PBI_PREMIUM_PER_USER": powerBIPremium,
		"VISIO_PLAN1_DEPT": visioPlan1, "VISIO_PLAN2_DEPT": visioPlan2, "PROJECT_P1": plannerPlan1,
		"POWERAPPS_PER_USER": "CFQ7TTC0LH2H", "FLOW_PER_USER": "CFQ7TTC0LH3L", "POWERAUTOMATE_ATTENDED_RPA": "CFQ7TTC0LSGZ",
		"PROJECTPROFESSIONAL": "CFQ7TTC0HDB0", "TEAMS_EXPLORATORY": "CFQ7TTC0J1FV"}
	valuesBefore := map[string]string{}
	for _, id := range known {
		valuesBefore[id] = valueOf(t, d, id)
	}

	res, err := d.ImportCatalog(as(admin), "microsoft-product-service-plans.csv", bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("ImportCatalog of the real file: %v", err)
	}
	want := store.CatalogImportResult{File: "microsoft-product-service-plans.csv", Rows: 3276, Products: 413,
		ProductsAdded: 403, ProductsUpdated: 10, ServicePlans: 3275, Recoded: 25, DefaultValue: store.ValueDisabled}
	if *res != want {
		t.Errorf("result %+v,\nwant   %+v", *res, want)
	}

	// The 10 built-in products the file knows (all but Copilot and Purview
	// Discovery, which it does not list), found by SKU, got the file's plans.
	plans := filePlans(t, raw)
	if len(plans) != 413 {
		t.Fatalf("the file has %d SKUs by the test's reading, want 413", len(plans))
	}
	for sku, id := range known {
		if got := dbPlans(t, path, id); !slices.Equal(got, plans[sku]) {
			t.Errorf("%s (%s) has plans %q, want the file's %q", id, sku, got, plans[sku])
		}
		if n := count(t, path, `SELECT count(*) FROM products WHERE upper(sku_part_number) = ?`, sku); n != 1 {
			t.Errorf("%d products with SKU %s, want 1 (updated, not added again)", n, sku)
		}
		if v := valueOf(t, d, id); v != valuesBefore[id] {
			t.Errorf("%s is %s after the import, want its %s kept", id, v, valuesBefore[id])
		}
	}
	if got := dbPlans(t, path, powerBIPro); !slices.Equal(got, []string{
		"BI_AZURE_P2|70d33638-9c74-4d01-bfd3-562de28bd4ba", "EXCHANGE_S_FOUNDATION|113feb6c-3fe4-4440-bddc-54d774bf0318"}) {
		t.Errorf("Power BI Pro has plans %q", got)
	}
	// Products the file does not know keep what they had.
	if got := dbPlans(t, path, "CFQ7TTC0MM8R"); len(got) != 5 {
		t.Errorf("Microsoft 365 Copilot has plans %q, want its 5 built-in ones", got)
	}

	// Every SKU the tenant did not know is a product now, its id the
	// upper-case String_Id, with the policy default and the file's plans.
	if n := count(t, path, `SELECT count(*) FROM products`); n != productsBefore+403 {
		t.Errorf("%d products, want %d", n, productsBefore+403)
	}
	added := 0
	for sku, want := range plans {
		var id string
		if err := rawq(t, path).QueryRow(`SELECT id FROM products WHERE upper(sku_part_number) = ?`, sku).Scan(&id); err != nil {
			t.Fatalf("SKU %s: %v", sku, err)
		}
		if got := dbPlans(t, path, id); !slices.Equal(got, want) {
			t.Errorf("%s has plans %q, want %q", id, got, want)
		}
		if id == sku {
			added++
			if v := valueOf(t, d, id); v != store.ValueDisabled {
				t.Errorf("new product %s is %s, want the default Disabled", id, v)
			}
		}
	}
	if added != 403 {
		t.Errorf("%d products have their String_Id as id, want 403", added)
	}
	if n := count(t, path, `SELECT count(*) FROM product_policies WHERE value = 'Disabled'`); n != disabledBefore+403 {
		t.Errorf("%d products are Disabled, want the %d of before and the 403 new ones", n, disabledBefore)
	}

	// The Windows-1252 rows came out as UTF-8: the en dash (0x96) of a
	// product name, of a friendly name, and the no-break space (0xA0).
	if got := queryString(t, path, `SELECT name FROM products WHERE id = 'PRIVACY_MANAGEMENT_RISK'`); got != "Privacy Management \u2013 risk" {
		t.Errorf("product name %q, want %q", got, "Privacy Management \u2013 risk")
	}
	if pp, err := d.GetProductPolicy(as(admin), policy, "privacy_management_risk"); err != nil || pp.ProductName != "Privacy Management – risk" || pp.PolicyValue != store.ValueDisabled {
		t.Errorf("GetProductPolicy(PRIVACY_MANAGEMENT_RISK) = %+v, %v", pp, err)
	}
	if got := queryString(t, path, `SELECT friendly_name FROM service_plans WHERE product_id = 'CRM_AUTO_ROUTING_ADDON' AND name = 'CRM_AUTO_ROUTING_ENGINE_ADDON'`); got != "Field Service \u2013 Automated Routing Engine Add-On" {
		t.Errorf("friendly name %q", got)
	}
	if got := queryString(t, path, `SELECT friendly_name FROM service_plans WHERE product_id = 'DYN365_CUSTOMER_INSIGHTS_ATTACH' AND name = 'CDS_CUSTOMER_INSIGHTS_BASE'`); got != "Dataverse for Customer Insights\u00a0BASE" {
		t.Errorf("friendly name %q", got)
	}
	// A quoted name with a comma in it.
	if got := queryString(t, path, `SELECT name FROM products WHERE id = 'CRM_AUTO_ROUTING_ADDON'`); got != "Dynamics 365 Field Service, Enterprise Edition - Resource Scheduling Optimization" {
		t.Errorf("product name %q", got)
	}
	// The plan the file spells with tabs is a name one can type.
	if n := count(t, path, `SELECT count(*) FROM service_plans WHERE product_id = 'WIN10_VDA_E3' AND name = 'Virtualization Rights for Windows 10 (E3/E5+VDA)'`); n != 1 {
		t.Errorf("WIN10_VDA_E3 lacks the plan 'Virtualization Rights for Windows 10 (E3/E5+VDA)'")
	}
	if n := count(t, path, `SELECT count(*) FROM service_plans WHERE name LIKE ?`, "%\t%"); n != 0 {
		t.Errorf("%d service plan names hold a tab", n)
	}
	// Nothing that is not UTF-8 went into the database.
	rows, err := rawq(t, path).Query(`SELECT id || name || sku_part_number || sku_id FROM products UNION ALL SELECT product_id || name || plan_id || friendly_name FROM service_plans`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		if !utf8.ValidString(s) || strings.ContainsRune(s, utf8.RuneError) {
			t.Errorf("not valid UTF-8 in the catalog: %q", s)
		}
	}
	rows.Close()

	// One audit entry, by the admin, with what the import did.
	log := auditLog(t, d)
	last := log[len(log)-1]
	if last.Action != "import-catalog" || last.Actor != admin || last.Target != "microsoft-product-service-plans.csv" || last.Before != nil {
		t.Errorf("last audit entry %+v", last)
	}
	var after store.CatalogImportResult
	if err := json.Unmarshal(last.After.(json.RawMessage), &after); err != nil || after != want {
		t.Errorf("audit after = %s (%v), want %+v", last.After, err, want)
	}

	// Importing it again adds nothing and updates every SKU.
	res, err = d.ImportCatalog(as(admin), "again.csv", bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	if res.ProductsAdded != 0 || res.ProductsUpdated != 413 || res.ServicePlans != 3275 {
		t.Errorf("second import %+v, want 0 added, 413 updated, 3275 plans", *res)
	}
	if n := count(t, path, `SELECT count(*) FROM products`); n != productsBefore+403 {
		t.Errorf("%d products after a second import, want %d", n, productsBefore+403)
	}
}

func TestImportCatalogDryRunAndBillingAdmin(t *testing.T) {
	raw := readRealCatalog(t)
	d, path := newTenant(t, true)
	before := snapshot(t, path)
	res, err := d.ImportCatalog(store.WithDryRun(as(admin)), "f.csv", bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	if res.ProductsAdded != 403 {
		t.Errorf("dry run says %d added, want 403", res.ProductsAdded)
	}
	unchanged(t, path, before)

	// A BillingAdmin may import the catalog.
	if _, err := d.ImportCatalog(as("megan.bowen@contoso.com"), "f.csv", bytes.NewReader(raw)); err != nil {
		t.Fatalf("BillingAdmin: %v", err)
	}
	if n := count(t, path, `SELECT count(*) FROM products WHERE id = 'PRIVACY_MANAGEMENT_RISK'`); n != 1 {
		t.Errorf("the BillingAdmin's import added nothing")
	}
}

// blankLines is an endless stream of empty CRLF lines, which CSV skips.
type blankLines struct{ n int }

func (b *blankLines) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = "\r\n"[b.n%2]
		b.n++
	}
	return len(p), nil
}

func TestImportCatalogRefusals(t *testing.T) {
	d, path := newTenant(t, true)
	before := snapshot(t, path)
	row := "Power BI Pro,POWER_BI_PRO,f8a1db68-be16-40ed-86d5-cb42ce701560,BI_AZURE_P2,70d33638-9c74-4d01-bfd3-562de28bd4ba,Power BI Pro\r\n"
	tests := []struct {
		name, as string
		in       io.Reader
		code     string
		msg      string
	}{
		{"member", "alex.wilber@contoso.com", strings.NewReader(catalogHeader + row), store.EFORBIDDEN, "alex.wilber@contoso.com may not import the catalog"},
		{"GlobalReader", "patti.fernandez@contoso.com", strings.NewReader(catalogHeader + row), store.EFORBIDDEN, "may not import the catalog"},
		{"UserAdmin", "isaiah.langer@contoso.com", strings.NewReader(catalogHeader + row), store.EFORBIDDEN, "may not import the catalog"},
		{"LicenseAdmin", "lee.gu@contoso.com", strings.NewReader(catalogHeader + row), store.EFORBIDDEN, "may not import the catalog"},
		{"no identity", "", strings.NewReader(catalogHeader + row), store.EFORBIDDEN, "no identity"},
		// Who may import is checked before the file is read.
		{"member, garbage", "alex.wilber@contoso.com", strings.NewReader("\x00\x01\"garbage"), store.EFORBIDDEN, "may not import the catalog"},
		{"empty", admin, strings.NewReader(""), store.EINVALID, "f.csv is empty"},
		{"BOM only", admin, strings.NewReader("\xef\xbb\xbf"), store.EINVALID, "f.csv is empty"},
		{"header only", admin, strings.NewReader(catalogHeader), store.EINVALID, "f.csv has no product rows"},
		{"missing column", admin, strings.NewReader("Product_Display_Name,String_Id,GUID,Service_Plan_Name,Service_Plans_Included_Friendly_Names\r\nx,y,z,p,q\r\n"), store.EINVALID, "f.csv line 1: no column Service_Plan_Id"},
		{"users CSV", admin, strings.NewReader("upn,displayName,department\r\nada@contoso.com,Ada,R\r\n"), store.EINVALID, "f.csv line 1: no column Product_Display_Name"},
		{"binary garbage", admin, bytes.NewReader([]byte("\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x00>\x00")), store.EINVALID, "no column Product_Display_Name"},
		{"bad quote in a header's first field", admin, strings.NewReader("\"Product_Display_Name,String_Id\r\n"), store.EINVALID, "f.csv line 1: not valid CSV"},
		{"bad quote in a row's first field", admin, strings.NewReader(catalogHeader + row + "Power \"BI\",X,Y,Z,W,V\r\n"), store.EINVALID, "f.csv line 3: not valid CSV: bare \" in non-quoted-field"},
		{"unterminated quote", admin, strings.NewReader(catalogHeader + row + "\"Power BI,X,Y,Z,W,V\r\n" + row), store.EINVALID, "f.csv line 3: not valid CSV"},
		{"wrong column count", admin, strings.NewReader(catalogHeader + row + "a,b,c\r\n"), store.EINVALID, "f.csv line 3: expected 6 columns, found 3"},
		{"no String_Id", admin, strings.NewReader(catalogHeader + row + "Power BI Pro,,f8a1db68-be16-40ed-86d5-cb42ce701560,BI_AZURE_P2,x,y\r\n"), store.EINVALID, "f.csv line 3: String_Id and Service_Plan_Name may not be empty"},
		{"control character", admin, strings.NewReader(catalogHeader + "Evil\x1b[2J,EVIL,,PLAN,,x\r\n"), store.EINVALID, "f.csv line 2: Product_Display_Name holds a control character"},
		{"10 MB cell", admin, io.MultiReader(strings.NewReader(catalogHeader+"x,BIG,,PLAN,,"), strings.NewReader(strings.Repeat("a", 10<<20)), strings.NewReader("\r\n")), store.EINVALID, "f.csv line 2: a value is too long"},
		{"more than 64 MB", admin, io.MultiReader(strings.NewReader(catalogHeader+row), io.LimitReader(&blankLines{}, 65<<20)), store.EINVALID, "f.csv is larger than 64 MB"},
		// A String_Id becomes a product id: only the characters Microsoft's have.
		{"SQL wildcard as String_Id", admin, strings.NewReader(catalogHeader + "%,%,,PLAN,,x\r\n"), store.EINVALID, "f.csv line 2: String_Id \"%\" may hold only letters"},
		{"path as String_Id", admin, strings.NewReader(catalogHeader + row + "x,../../etc/passwd,,PLAN,,x\r\n"), store.EINVALID, "f.csv line 3: String_Id"},
		{"quote in String_Id", admin, strings.NewReader(catalogHeader + "x,\"A'; DROP TABLE products; --\",,PLAN,,x\r\n"), store.EINVALID, "may hold only letters"},
		{"GUID that is not one", admin, strings.NewReader(catalogHeader + "x,NEW_SKU,%,PLAN,,x\r\n"), store.EINVALID, "f.csv line 2: GUID \"%\" is not a GUID"},
		{"GUID one digit short", admin, strings.NewReader(catalogHeader + "x,NEW_SKU,f8a1db68-be16-40ed-86d5-cb42ce70156,PLAN,,x\r\n"), store.EINVALID, "is not a GUID"},
		// A new SKU whose id would be an existing product's old id or id.
		{"new SKU named like an old id", admin, strings.NewReader(catalogHeader + row + "Shadow,cfq7ttc0l3pb,,PLAN,,x\r\n"), store.ECONFLICT, "f.csv line 3: SKU cfq7ttc0l3pb would be added as product CFQ7TTC0L3PB"},
		{"new SKU named like a product id", admin, strings.NewReader(catalogHeader + "Shadow,CFQ7TTC0HD33,,PLAN,,x\r\n"), store.ECONFLICT, "would be added as product CFQ7TTC0HD33"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := nobody()
			if tt.as != "" {
				ctx = as(tt.as)
			}
			res, err := d.ImportCatalog(ctx, "f.csv", tt.in)
			wantCode(t, err, tt.code)
			if !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("error %q, want it to say %q", err, tt.msg)
			}
			if len(err.Error()) > 300 {
				t.Errorf("error is %d bytes long, want one short line", len(err.Error()))
			}
			if res != nil {
				t.Errorf("a refused import returned %+v", res)
			}
			unchanged(t, path, before)
		})
	}
}

// A file of exactly the size limit is read, not refused.
func TestImportCatalogSizeLimitIsExact(t *testing.T) {
	d, _ := newTenant(t, false)
	row := "Power BI Pro,POWER_BI_PRO,f8a1db68-be16-40ed-86d5-cb42ce701560,BI_AZURE_P2,70d33638-9c74-4d01-bfd3-562de28bd4ba,Power BI Pro\r\n"
	head := catalogHeader + row
	in := io.MultiReader(strings.NewReader(head), io.LimitReader(&blankLines{}, 64<<20-int64(len(head))))
	if _, err := d.ImportCatalog(as(admin), "f.csv", in); err != nil {
		t.Fatalf("a file of exactly 64 MB: %v", err)
	}
}
