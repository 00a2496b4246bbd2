package output

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"strings"
	"testing"

	"github.com/commercectl/commercectl/internal/csvcell"
	"github.com/commercectl/commercectl/store"
)

func exportRow(name, dept, plans string) *store.ExportRow {
	return &store.ExportRow{UPN: []byte("ada@contoso.com"), DisplayName: []byte(name), Department: []byte(dept),
		ProductID: []byte("CFQ7TTC0H9MP"), ProductName: []byte("Power BI Pro"), SubscriptionID: []byte("SUB-00001"),
		AssignedAt: []byte("2026-11-21T09:00:00Z"), DisabledPlans: []byte(plans)}
}

func encode(t *testing.T, json bool, rows ...*store.ExportRow) string {
	t.Helper()
	var buf bytes.Buffer
	w := bufio.NewWriter(&buf)
	e := NewExportEncoder(w, json)
	for _, r := range rows {
		if err := e.Row(r); err != nil {
			t.Fatal(err)
		}
	}
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

// Every cell goes through csvcell: the CSV parses back, each cell is the
// marked value (the rule itself is pinned in internal/csvcell), and the
// name is given back exactly by Unmark.
func TestExportCSVMarksFormulas(t *testing.T) {
	for _, in := range []string{"=1+1", "+1", "-2", "@SUM(A1)", "\tcmd", "=HYPERLINK(\"x\")", "=a,b", "a;=b", "a=1", "Ada Lovelace", "", " =x", "'=x"} {
		out := encode(t, false, exportRow(in, in, ""))
		recs, err := csv.NewReader(strings.NewReader(out)).ReadAll()
		if err != nil || len(recs) != 2 {
			t.Fatalf("%q: the CSV does not parse into 2 records: %v\n%s", in, err, out)
		}
		cell := string(csvcell.Append(nil, in))
		if line := "ada@contoso.com," + cell + "," + cell + ",CFQ7TTC0H9MP,"; !strings.Contains(out, line) {
			t.Errorf("%q: want the cells %s in\n%q", in, cell, out)
		}
		if got := csvcell.Unmark(recs[1][1]); got != in {
			t.Errorf("%q: read back as %q", in, got)
		}
	}
}

func TestExportCSVShape(t *testing.T) {
	out := encode(t, false, exportRow("Ada", "R&D", "B,A"), exportRow(`Say "hi"`, "x", ""))
	want := "upn,displayName,department,productId,productName,subscriptionId,purchaser,assignedAt,disabledPlans\r\n" +
		"ada@contoso.com,Ada,R&D,CFQ7TTC0H9MP,Power BI Pro,SUB-00001,,2026-11-21T09:00:00Z,B;A\r\n" +
		"ada@contoso.com,\"Say \"\"hi\"\"\",x,CFQ7TTC0H9MP,Power BI Pro,SUB-00001,,2026-11-21T09:00:00Z,\r\n"
	if out != want {
		t.Errorf("CSV:\n%q\nwant\n%q", out, want)
	}
	if got := encode(t, false); got != "upn,displayName,department,productId,productName,subscriptionId,purchaser,assignedAt,disabledPlans\r\n" {
		t.Errorf("empty CSV %q", got)
	}
}

// JSON keeps values as they are (no neutralisation), escapes what JSON
// must, replaces invalid UTF-8, and splits the plans.
func TestExportJSON(t *testing.T) {
	out := encode(t, true,
		exportRow("=1+1", "a\"b\\c\n\t\x01", "A,B"),
		exportRow("bad \xff utf8 \u2028", "", ""),
		exportRow("x", "", ",A,,B,"))
	var rows []map[string]any
	if err := json.Unmarshal([]byte(out), &rows); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	if len(rows) != 3 {
		t.Fatalf("%d rows", len(rows))
	}
	if rows[0]["displayName"] != "=1+1" || rows[0]["department"] != "a\"b\\c\n\t\x01" {
		t.Errorf("row 0: %v", rows[0])
	}
	if rows[1]["displayName"] != "bad \ufffd utf8 \u2028" {
		t.Errorf("row 1 displayName %q", rows[1]["displayName"])
	}
	for i, want := range []string{`["A","B"]`, `[]`, `["A","B"]`} {
		b, _ := json.Marshal(rows[i]["disabledPlans"])
		if string(b) != want {
			t.Errorf("row %d disabledPlans %s, want %s", i, b, want)
		}
	}
	for _, key := range []string{"upn", "displayName", "department", "productId", "productName", "subscriptionId", "purchaser", "assignedAt", "disabledPlans"} {
		if _, ok := rows[0][key]; !ok {
			t.Errorf("no key %q", key)
		}
	}
	if got := encode(t, true); got != "[]\n" {
		t.Errorf("empty JSON %q", got)
	}
}
