package sqlstore

import (
	"bufio"
	"context"
	"database/sql"
	"encoding/csv"
	"errors"
	"io"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/commercectl/commercectl/store"
	"golang.org/x/text/encoding/charmap"
)

// maxCatalogFile bounds what import-catalog reads; Microsoft's file is about 600 KB.
const maxCatalogFile = 64 << 20

// catalogColumns are the columns of Microsoft's "Product names and service
// plan identifiers for licensing" CSV that import-catalog reads.
var catalogColumns = []string{"Product_Display_Name", "String_Id", "GUID", "Service_Plan_Name", "Service_Plan_Id", "Service_Plans_Included_Friendly_Names"}

type catalogSKU struct {
	line                 int // of its first row
	name, stringID, guid string
	plans                [][3]string // name, id, friendly name
}

// findProductBySKU finds the product of a SKU by its String_Id or its GUID,
// in any case; the indexes of migration 0003 serve both halves.
const findProductBySKU = `SELECT id FROM products WHERE upper(sku_part_number) = ? OR (sku_id <> '' AND lower(sku_id) = ?) ORDER BY id LIMIT 1`

// ImportCatalog reads Microsoft's licensing CSV as it is distributed: CRLF,
// and some rows in Windows-1252 rather than UTF-8, which are decoded as
// such. Products whose SKU the tenant knows get the file's service plans;
// other SKUs are added as products with the policy's default value.
func (d *DB) ImportCatalog(ctx context.Context, name string, r io.Reader) (*store.CatalogImportResult, error) {
	var res *store.CatalogImportResult
	rewind := rewinder(name, r)
	err := d.write(ctx, func(t *tx) error {
		if err := rewind(); err != nil {
			return err
		}
		// Who may import comes first: a member learns nothing about a file
		// from being refused, whatever the file holds.
		if err := t.requireRole("import the catalog", billingWriters...); err != nil {
			return err
		}
		skus, order, rows, recoded, err := parseCatalog(name, r)
		if err != nil {
			return err
		}
		res = &store.CatalogImportResult{File: name, Rows: rows, Products: len(order), Recoded: recoded}
		pol, err := t.policy(store.PolicySelfServicePurchase)
		if err != nil {
			return err
		}
		res.DefaultValue = pol.DefaultValue
		now := fmtTime(t.now)
		for _, key := range order {
			sku := skus[key]
			var pid string
			err := t.QueryRowContext(t.ctx, findProductBySKU, strings.ToUpper(sku.stringID), strings.ToLower(sku.guid)).Scan(&pid)
			switch {
			case err == nil:
				if _, err := t.ExecContext(t.ctx, `DELETE FROM service_plans WHERE product_id = ?`, pid); err != nil {
					return err
				}
				res.ProductsUpdated++
			case errors.Is(err, sql.ErrNoRows):
				pid = strings.ToUpper(sku.stringID)
				// The new id may not shadow a product or an old id the
				// tenant already has under another SKU.
				var taken int
				if err := t.QueryRowContext(t.ctx, `SELECT (SELECT count(*) FROM products WHERE id = ?) + (SELECT count(*) FROM product_aliases WHERE alias = ?)`,
					pid, pid).Scan(&taken); err != nil {
					return err
				}
				if taken > 0 {
					return store.Errorf(store.ECONFLICT, "%s line %d: SKU %s would be added as product %s, but the tenant already has a product or an old id %s",
						name, sku.line, sku.stringID, pid, pid)
				}
				if _, err := t.ExecContext(t.ctx, `INSERT INTO products (id, name, publisher, sku_part_number, sku_id, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
					pid, sku.name, store.PublisherMSFT, sku.stringID, strings.ToLower(sku.guid), now); err != nil {
					return err
				}
				if _, err := t.ExecContext(t.ctx, `INSERT INTO product_policies (policy_id, product_id, value, updated_at) VALUES (?, ?, ?, ?)`,
					pol.ID, pid, pol.DefaultValue, now); err != nil {
					return err
				}
				res.ProductsAdded++
			default:
				return err
			}
			for _, p := range sku.plans {
				// Microsoft's file lists a few plans twice for one SKU:
				// the first row counts, the repeat is not a plan more.
				r, err := t.ExecContext(t.ctx, `INSERT INTO service_plans (product_id, name, plan_id, friendly_name) VALUES (?, ?, ?, ?)
					ON CONFLICT (product_id, name) DO NOTHING`, pid, p[0], p[1], p[2])
				if err != nil {
					return err
				}
				n, err := r.RowsAffected()
				if err != nil {
					return err
				}
				res.ServicePlans += int(n)
			}
		}
		return t.audit("import-catalog", name, nil, res)
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

// parseCatalog reads the whole file (it is small) grouped by SKU, in file order.
func parseCatalog(name string, r io.Reader) (map[string]*catalogSKU, []string, int, int, error) {
	br := bufio.NewReader(&sizeLimit{r: r, left: maxCatalogFile})
	if bom, _ := br.Peek(3); string(bom) == "\xef\xbb\xbf" {
		br.Discard(3)
	}
	cr := csv.NewReader(br)
	cr.FieldsPerRecord = -1
	bad := func(line int, format string, args ...any) error {
		return store.Errorf(store.EINVALID, "%s line %d: "+format, append([]any{name, line}, args...)...).
			WithHint("import-catalog reads Microsoft's \"Product names and service plan identifiers for licensing\" CSV")
	}
	// readErr names the line of a CSV error; FieldPos would panic on a
	// record that failed in its first field.
	readErr := func(err error) error {
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			return bad(pe.StartLine, "not valid CSV: %v", pe.Err)
		}
		if errors.Is(err, errCatalogTooLarge) {
			return store.Errorf(store.EINVALID, "%s is larger than %d MB: it is not Microsoft's licensing CSV", name, maxCatalogFile>>20)
		}
		return store.Errorf(store.EINVALID, "cannot read %s: %v", name, err)
	}
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, nil, 0, 0, store.Errorf(store.EINVALID, "%s is empty", name).
			WithHint("import-catalog reads Microsoft's \"Product names and service plan identifiers for licensing\" CSV")
	}
	if err != nil {
		return nil, nil, 0, 0, readErr(err)
	}
	idx := make([]int, len(catalogColumns))
	for i, col := range catalogColumns {
		idx[i] = -1
		for j, h := range header {
			if strings.EqualFold(strings.TrimSpace(h), col) {
				idx[i] = j
			}
		}
		if idx[i] < 0 {
			return nil, nil, 0, 0, bad(1, "no column %s", col)
		}
	}
	skus := map[string]*catalogSKU{}
	var order []string
	rows, recoded := 0, 0
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, nil, 0, 0, readErr(err)
		}
		line, _ := cr.FieldPos(0)
		if len(rec) != len(header) {
			return nil, nil, 0, 0, bad(line, "expected %d columns, found %d", len(header), len(rec))
		}
		f := make([]string, len(idx))
		wasRecoded := false
		for i, j := range idx {
			f[i] = strings.TrimSpace(rec[j])
			if !utf8.ValidString(f[i]) {
				// Rows of this file that are not UTF-8 are Windows-1252.
				s, err := charmap.Windows1252.NewDecoder().String(f[i])
				if err != nil {
					return nil, nil, 0, 0, bad(line, "neither UTF-8 nor Windows-1252")
				}
				f[i], wasRecoded = s, true
			}
			f[i] = collapseSpace(f[i])
		}
		if wasRecoded {
			recoded++
		}
		if f[1] == "" || f[3] == "" {
			return nil, nil, 0, 0, bad(line, "String_Id and Service_Plan_Name may not be empty")
		}
		if len(f[1]) > 128 || len(f[0]) > 256 || len(f[2]) > 128 || len(f[3]) > 128 || len(f[4]) > 128 || len(f[5]) > 256 {
			return nil, nil, 0, 0, bad(line, "a value is too long for a SKU or service plan")
		}
		for i, v := range f {
			if strings.IndexFunc(v, unicode.IsControl) >= 0 {
				return nil, nil, 0, 0, bad(line, "%s holds a control character", catalogColumns[i])
			}
		}
		// A new SKU's String_Id becomes a product id that people type in
		// --product: Microsoft's hold letters, digits, _ and spaces.
		if strings.IndexFunc(f[1], notSKUIDRune) >= 0 {
			return nil, nil, 0, 0, bad(line, "String_Id %s may hold only letters, digits, spaces and _ - . ( ) +", store.QuoteShort(f[1]))
		}
		if f[2] != "" && !isGUID(f[2]) {
			return nil, nil, 0, 0, bad(line, "GUID %s is not a GUID such as f8a1db68-be16-40ed-86d5-cb42ce701560", store.QuoteShort(f[2]))
		}
		rows++
		key := strings.ToUpper(f[1])
		sku := skus[key]
		if sku == nil {
			sku = &catalogSKU{line: line, name: f[0], stringID: f[1], guid: f[2]}
			skus[key] = sku
			order = append(order, key)
		}
		sku.plans = append(sku.plans, [3]string{f[3], f[4], f[5]})
	}
	if rows == 0 {
		return nil, nil, 0, 0, store.Errorf(store.EINVALID, "%s has no product rows", name)
	}
	return skus, order, rows, recoded, nil
}

var errCatalogTooLarge = errors.New("file too large")

func notSKUIDRune(r rune) bool {
	return !(r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || strings.ContainsRune("_ -.()+", r))
}

// isGUID reports whether s is 8-4-4-4-12 hexadecimal digits.
func isGUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
				return false
			}
		}
	}
	return true
}

// sizeLimit reads at most left bytes of r and then fails, rather than
// cutting the file short without a word as io.LimitReader would.
type sizeLimit struct {
	r    io.Reader
	left int64
}

func (l *sizeLimit) Read(p []byte) (int, error) {
	if l.left <= 0 {
		// One byte more tells a file of exactly the limit from a longer one.
		var one [1]byte
		if n, _ := io.ReadFull(l.r, one[:]); n == 0 {
			return 0, io.EOF
		}
		return 0, errCatalogTooLarge
	}
	if int64(len(p)) > l.left {
		p = p[:l.left]
	}
	n, err := l.r.Read(p)
	l.left -= int64(n)
	return n, err
}

// collapseSpace turns tabs and line breaks into spaces and runs of spaces
// into one: Microsoft's file spells one service plan
// "Virtualization \tRights \tfor \tWindows \t10 \t(E3/E5+VDA)", a name
// nobody could type in --disable-plan.
func collapseSpace(s string) string {
	if strings.IndexFunc(s, func(r rune) bool { return r == '\t' || r == '\n' || r == '\r' || r == '\v' || r == '\f' }) < 0 &&
		!strings.Contains(s, "  ") {
		// A cell read as Windows-1252 may start with a no-break space
		// (0xA0) that the trim of its raw bytes did not see.
		return strings.TrimSpace(s)
	}
	s = strings.Map(func(r rune) rune {
		switch r {
		case '\t', '\n', '\r', '\v', '\f':
			return ' '
		}
		return r
	}, s)
	for strings.Contains(s, "  ") {
		s = strings.ReplaceAll(s, "  ", " ")
	}
	return strings.TrimSpace(s)
}
