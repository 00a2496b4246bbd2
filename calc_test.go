package main

import (
	"context"
	"encoding/csv"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/commercectl/commercectl/cmd"
	"github.com/commercectl/commercectl/cmd/cmdutil"
	"github.com/commercectl/commercectl/output"
	"github.com/rogpeppe/go-internal/testscript"
)

// What a spreadsheet makes of our CSV files: LibreOffice Calc, headless,
// opens each file with each list separator an admin's locale may use and
// saves what it read as a flat OpenDocument spreadsheet, which is parsed
// here. Calc is told to evaluate formulas (as Excel always does), so a
// cell that would compute shows up as a formula.
//
//	calc FILE...         every file, opened with ",", ";" and tab: no cell
//	                     is a formula or holds a link, and no cell's text
//	                     starts with = + - @ (a number aside). With ",",
//	                     the file's own separator, the cells are exactly
//	                     the CSV's fields; with ";" and tab, each record
//	                     keeps its row (a line break in a field aside).
//	calc -show SEP FILE  print the cells Calc read with SEP ("," ";" or
//	                     "tab"), one row per line, cells between [ and ]
//
// The condition [calc] says whether LibreOffice (Debian's
// libreoffice-calc-nogui, which make test installs) is here; under CI=true
// its absence fails the script instead.

// haveCalc is the condition [calc].
func haveCalc() (bool, error) {
	if _, err := exec.LookPath("soffice"); err != nil {
		if os.Getenv("CI") == "true" {
			return false, errors.New("no LibreOffice (soffice) on PATH: make test installs libreoffice-calc-nogui, and CI=true needs it")
		}
		return false, nil
	}
	return true, nil
}

// calcSeparators are the list separators, by the number Calc's CSV filter
// takes, and their names.
var calcSeparators = []struct {
	name string
	code int
	sep  rune
}{{",", 44, ','}, {";", 59, ';'}, {"tab", 9, '\t'}}

func cmdCalc(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) == 0 {
		ts.Fatalf("usage: calc FILE... | calc -show SEP FILE")
	}
	soffice, err := exec.LookPath("soffice")
	if err != nil {
		ts.Fatalf("no LibreOffice (soffice) on PATH: make test installs libreoffice-calc-nogui")
	}
	if args[0] == "-show" {
		if len(args) != 3 {
			ts.Fatalf("usage: calc -show SEP FILE")
		}
		for _, s := range calcSeparators {
			if s.name == args[1] {
				sheets := calcOpen(ts, soffice, s.code, []string{ts.MkAbs(args[2])})
				for _, row := range sheets[0] {
					var b strings.Builder
					for _, c := range row {
						fmt.Fprintf(&b, "[%s]", strings.ReplaceAll(c.text, "\n", `\n`))
					}
					ts.Stdout().Write([]byte(b.String() + "\n"))
				}
				return
			}
		}
		ts.Fatalf("calc -show: separator %q is not , ; or tab", args[1])
	}
	files := make([]string, len(args))
	records := make([][][]string, len(args))
	for i, a := range args {
		files[i] = ts.MkAbs(a)
		f, err := os.Open(files[i])
		ts.Check(err)
		records[i], err = csv.NewReader(f).ReadAll()
		f.Close()
		if err != nil {
			ts.Fatalf("%s is not CSV: %v", a, err)
		}
	}
	for _, s := range calcSeparators {
		for i, sheet := range calcOpen(ts, soffice, s.code, files) {
			where := fmt.Sprintf("%s opened with %q", args[i], s.name)
			for r, row := range sheet {
				for c, cell := range row {
					if why := cell.active(); why != "" {
						ts.Fatalf("%s: row %d cell %d %s: %q", where, r+1, c+1, why, cell.text)
					}
				}
			}
			if s.sep == ',' {
				calcSame(ts, where, sheet, records[i])
			} else {
				calcRows(ts, where, sheet, records[i])
			}
		}
	}
}

// calcSame: with the file's own separator, Calc read exactly the fields.
func calcSame(ts *testscript.TestScript, where string, sheet [][]calcCell, recs [][]string) {
	if len(sheet) != len(recs) {
		ts.Fatalf("%s: %d rows, the file has %d records", where, len(sheet), len(recs))
	}
	for r, rec := range recs {
		row := sheet[r]
		for len(rec) > 0 && rec[len(rec)-1] == "" {
			rec = rec[:len(rec)-1] // Calc keeps no trailing empty cells
		}
		if len(row) != len(rec) {
			ts.Fatalf("%s: row %d has %d cells, the record %d: %q", where, r+1, len(row), len(rec), rec)
		}
		for c, want := range rec {
			if !row[c].is(want) {
				ts.Fatalf("%s: row %d cell %d reads %q, the record has %q", where, r+1, c+1, row[c].text, want)
			}
		}
	}
}

// calcRows: with another separator, the cells are not the fields (a ","
// file read with ";" is one cell a line, split where a field holds a ";"),
// but each record keeps its row: only a line break inside a field starts
// another one.
func calcRows(ts *testscript.TestScript, where string, sheet [][]calcCell, recs [][]string) {
	breaks := 0
	for _, rec := range recs {
		for _, f := range rec {
			breaks += strings.Count(f, "\n")
		}
	}
	if len(sheet) < len(recs) || len(sheet) > len(recs)+breaks {
		ts.Fatalf("%s: %d rows for %d records holding %d line breaks", where, len(sheet), len(recs), breaks)
	}
}

// calcOpen converts files (with distinct names) with one Calc run and
// returns each one's rows, trailing empty cells and rows left out.
func calcOpen(ts *testscript.TestScript, soffice string, sep int, files []string) [][][]calcCell {
	out := ts.MkAbs(fmt.Sprintf("calc-%d", sep))
	ts.Check(os.MkdirAll(out, 0o755))
	// The filter's tokens: separator, text delimiter ("), UTF-8, from line
	// 1, no column formats, English (US), quoted fields not forced to
	// text, no special numbers (dates stay text, so cells compare), then
	// export-only tokens, and 13: evaluate formulas.
	filter := fmt.Sprintf("CSV:%d,34,76,1,,1033,false,false,false,false,false,-1,true", sep)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmdArgs := append([]string{"-env:UserInstallation=file://" + ts.MkAbs("calc-profile"),
		"--headless", "--norestore", "--infilter=" + filter, "--convert-to", "fods", "--outdir", out}, files...)
	cmd := exec.CommandContext(ctx, soffice, cmdArgs...)
	cmd.Env = append(os.Environ(), "HOME="+ts.MkAbs("calc-home"))
	if b, err := cmd.CombinedOutput(); err != nil {
		ts.Fatalf("soffice: %v\n%s", err, b)
	}
	sheets := make([][][]calcCell, len(files))
	for i, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), filepath.Ext(f)) + ".fods"
		x, err := os.Open(filepath.Join(out, name))
		if err != nil {
			ts.Fatalf("Calc did not convert %s: %v", filepath.Base(f), err)
		}
		sheets[i], err = readFODS(x)
		x.Close()
		if err != nil {
			ts.Fatalf("%s: %v", name, err)
		}
	}
	return sheets
}

// calcCell is what Calc made of one cell.
type calcCell struct {
	text    string // as shown; paragraphs joined by \n
	kind    string // office:value-type: string, float, ...
	value   string // office:value of a number
	formula string
	link    bool
}

// active says why a spreadsheet would run the cell, or "".
func (c calcCell) active() string {
	switch {
	case c.formula != "":
		return "is the formula " + c.formula
	case c.link:
		return "holds a link"
	case c.kind == "float" || c.kind == "currency" || c.kind == "percentage":
		return "" // a number, even a negative one
	}
	t := strings.TrimLeft(c.text, ` "`)
	if t != "" && strings.ContainsRune("=+-@", rune(t[0])) {
		return "starts with " + t[:1]
	}
	return ""
}

// is reports whether the cell holds the field: the same text, or for a
// number Calc recognised, the same number.
func (c calcCell) is(field string) bool {
	if c.kind == "float" {
		a, err1 := strconv.ParseFloat(c.value, 64)
		b, err2 := strconv.ParseFloat(field, 64)
		return err1 == nil && err2 == nil && a == b
	}
	if strings.Contains(field, "\n") {
		// Calc drops the tabs of a cell that holds a line break (it keeps
		// those of a one-line cell).
		field = strings.ReplaceAll(field, "\t", "")
	}
	return c.text == field
}

const (
	nsTable  = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
	nsText   = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
	nsOffice = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
)

// readFODS reads the first sheet of a flat OpenDocument spreadsheet.
func readFODS(r io.Reader) ([][]calcCell, error) {
	d := xml.NewDecoder(r)
	var (
		rows       [][]calcCell
		row        []calcCell
		cell       *calcCell
		paras      int
		inPara     bool
		repeat     int // of the row
		cellRepeat int
		inSheet    bool
	)
	attr := func(e xml.StartElement, space, local string) string {
		for _, a := range e.Attr {
			if a.Name.Space == space && a.Name.Local == local {
				return a.Value
			}
		}
		return ""
	}
	count := func(e xml.StartElement, local string) int {
		n, err := strconv.Atoi(attr(e, nsTable, local))
		if err != nil || n < 1 {
			return 1
		}
		return min(n, 1000) // trailing filler repeats a million times
	}
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			switch {
			case t.Name.Space == nsTable && t.Name.Local == "table":
				if inSheet {
					return trimSheet(rows), nil
				}
				inSheet = true
			case t.Name.Space == nsTable && t.Name.Local == "table-row":
				row, repeat = nil, count(t, "number-rows-repeated")
			case t.Name.Space == nsTable && (t.Name.Local == "table-cell" || t.Name.Local == "covered-table-cell"):
				cell = &calcCell{kind: attr(t, nsOffice, "value-type"), value: attr(t, nsOffice, "value"), formula: attr(t, nsTable, "formula")}
				paras, cellRepeat = 0, count(t, "number-columns-repeated")
			case cell != nil && t.Name.Space == nsText:
				switch t.Name.Local {
				case "p":
					if paras > 0 {
						cell.text += "\n"
					}
					paras++
					inPara = true
				case "s":
					n, err := strconv.Atoi(attr(t, nsText, "c"))
					if err != nil || n < 1 {
						n = 1
					}
					cell.text += strings.Repeat(" ", n)
				case "tab":
					cell.text += "\t"
				case "line-break":
					cell.text += "\n"
				case "a":
					cell.link = true
				}
			}
		case xml.CharData:
			if cell != nil && inPara {
				cell.text += string(t)
			}
		case xml.EndElement:
			switch {
			case t.Name.Space == nsText && t.Name.Local == "p":
				inPara = false
			case t.Name.Space == nsTable && (t.Name.Local == "table-cell" || t.Name.Local == "covered-table-cell"):
				for range cellRepeat {
					row = append(row, *cell)
				}
				cell = nil
			case t.Name.Space == nsTable && t.Name.Local == "table-row":
				for len(row) > 0 && row[len(row)-1].text == "" && row[len(row)-1].kind == "" {
					row = row[:len(row)-1]
				}
				for range repeat {
					rows = append(rows, row)
				}
			case t.Name.Space == nsTable && t.Name.Local == "table":
				return trimSheet(rows), nil
			}
		}
	}
	return trimSheet(rows), nil
}

func trimSheet(rows [][]calcCell) [][]calcCell {
	for len(rows) > 0 && len(rows[len(rows)-1]) == 0 {
		rows = rows[:len(rows)-1]
	}
	return rows
}

// Every verb's CSV goes through the spreadsheet: csv_spreadsheet.txtar runs
// each verb with -o csv (export-users writes CSV by default), so a verb
// added later without it fails here.
func TestSpreadsheetScriptHasEveryVerb(t *testing.T) {
	script, err := os.ReadFile("testdata/script/csv_spreadsheet.txtar")
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, line := range strings.Split(string(script), "\n") {
		_, rest, ok := strings.Cut(line, "commercectl ")
		if !ok || !strings.HasPrefix(strings.TrimSpace(strings.TrimPrefix(line, "[postgres]")), "exec") && !strings.Contains(line, "sh -c") {
			continue
		}
		verb, _, _ := strings.Cut(rest, " ")
		if strings.Contains(line, "-o csv") || verb == "export-users" {
			seen[verb] = true
		}
	}
	ios, _, _, _ := output.Test()
	for _, c := range cmd.NewRootCmd(cmdutil.New(ios), nil).Commands() {
		switch c.Name() {
		case "completion", "help", "export-policies": // no CSV: a script, help, YAML
			continue
		}
		if !seen[c.Name()] {
			t.Errorf("csv_spreadsheet.txtar does not run %s -o csv", c.Name())
		}
	}
}
