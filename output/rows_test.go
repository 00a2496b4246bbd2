package output

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
)

type rowsUser struct{ upn, name, dept string }

var rowsColumns = []Column[rowsUser]{
	{Header: "UPN", Field: "upn", Get: func(u rowsUser) string { return u.upn }},
	{Header: "Name", Field: "displayName", Get: func(u rowsUser) string { return u.name }},
	{Header: "Department", Field: "department", Get: func(u rowsUser) string { return u.dept }},
}

func rowsUsers(n int) []rowsUser {
	us := make([]rowsUser, n)
	for i := range us {
		us[i] = rowsUser{upn: fmt.Sprintf("user%03d@contoso.com", i), name: fmt.Sprintf("User %d 研究", i%7), dept: "IT"}
	}
	return us
}

func streamed(t *testing.T, p Printer, block int, rows []rowsUser) string {
	t.Helper()
	out, _ := printRows(t, &p, rowsColumns, rows, block)
	return out
}

// printRows streams rows through p in blocks of block, and returns what
// went to stdout and what the table said aside.
func printRows[T any](t *testing.T, p *Printer, cols []Column[T], rows []T, block int) (string, string) {
	t.Helper()
	var out, aside bytes.Buffer
	p.Out, p.Aside = &out, &aside
	r := newRows(p, cols, block)
	for _, row := range rows {
		if err := r.Add(row); err != nil {
			t.Fatal(err)
		}
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	return out.String(), aside.String()
}

// Rows after the first block are written in its columns: when none is
// wider, the table is the one List renders of all the rows, in every
// format, on a pipe and in a terminal, with and without headers.
func TestStreamedListIsTheWholeList(t *testing.T) {
	rows := rowsUsers(250)
	for _, p := range []Printer{
		{Format: FormatTable}, {Format: FormatTable, Width: 40}, {Format: FormatTable, NoHeaders: true},
		{Format: FormatJSON}, {Format: FormatYAML}, {Format: FormatCSV}, {Format: FormatTSV, NoHeaders: true},
	} {
		got := streamed(t, p, 100, rows)
		var want bytes.Buffer
		p.Out = &want
		if err := List(&p, rows, rowsColumns); err != nil {
			t.Fatal(err)
		}
		if got != want.String() {
			t.Errorf("%+v: streamed\n%s\nwant\n%s", p, got, want.String())
		}
	}
}

// A cell longer than its column, after the first block: on a pipe it is
// printed whole (its row out of line), in a terminal cut with "…".
func TestLateLongCell(t *testing.T) {
	rows := rowsUsers(5)
	rows[3].name = "Someone with a far longer name than the first rows had"
	pipe := strings.Split(streamed(t, Printer{Format: FormatTable}, 2, rows), "\n")
	if want := "user003@contoso.com  Someone with a far longer name than the first rows had  IT"; pipe[4] != want {
		t.Errorf("on a pipe, row 3 is %q, want %q", pipe[4], want)
	}
	if len(pipe[5]) != len(pipe[1]) {
		t.Errorf("the row after it is out of line: %q against %q", pipe[5], pipe[1])
	}
	term := strings.Split(streamed(t, Printer{Format: FormatTable, Width: 200}, 2, rows), "\n")
	if want := "user003@contoso.com  Someone wi…  IT"; term[4] != want {
		t.Errorf("in a terminal, row 3 is %q, want %q", term[4], want)
	}
}

type rowsSub struct{ id, product, kind, buyer, when string }

var rowsSubColumns = []Column[rowsSub]{
	{Header: "ID", Field: "id", Get: func(s rowsSub) string { return s.id }},
	{Header: "Product", Field: "product", Get: func(s rowsSub) string { return s.product }},
	{Header: "Kind", Field: "kind", Spare: 1, Get: func(s rowsSub) string { return s.kind }},
	{Header: "Purchaser", Field: "purchaser", Spare: 2, Get: func(s rowsSub) string { return s.buyer }},
	{Header: "Expires", Field: "expiresAt", Whole: true, Get: func(s rowsSub) string { return s.when }},
}

// A table too wide for its terminal even with its text cut leaves out its
// Spare columns, the highest first, and says so under the table; a Whole
// column is never cut; rows after the first block lose the same columns.
// On a pipe nothing is left out.
func TestNarrowTerminalLeavesOutSpareColumns(t *testing.T) {
	rows := make([]rowsSub, 5)
	for i := range rows {
		rows[i] = rowsSub{fmt.Sprintf("SUB-%05d", i), "Microsoft 365 Copilot", "selfService", "miriam.graham@contoso.com", "2027-10-08T05:51:37Z"}
	}
	run := func(width int) (string, string) {
		return printRows(t, &Printer{Format: FormatTable, Width: width}, rowsSubColumns, rows, 2)
	}
	for _, c := range []struct {
		width int
		head  string
		row   string
		note  string
	}{
		{200, "ID         PRODUCT                KIND         PURCHASER                  EXPIRES", "SUB-00004  Microsoft 365 Copilot  selfService  miriam.graham@contoso.com  2027-10-08T05:51:37Z", ""},
		// Text cut to 12 is not enough; PURCHASER goes, PRODUCT gets room back.
		{70, "ID         PRODUCT                KIND         EXPIRES", "SUB-00004  Microsoft 365 Copilot  selfService  2027-10-08T05:51:37Z", "(no room for PURCHASER; -o json has them)\n"},
		{50, "ID         PRODUCT            EXPIRES", "SUB-00004  Microsoft 365 Co…  2027-10-08T05:51:37Z", "(no room for KIND, PURCHASER; -o json has them)\n"},
		// Nothing spare is left: the time stays whole, wider than the terminal.
		{30, "ID         PRODUCT       EXPIRES", "SUB-00004  Microsoft 3…  2027-10-08T05:51:37Z", "(no room for KIND, PURCHASER; -o json has them)\n"},
	} {
		out, notes := run(c.width)
		lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
		if len(lines) != 6 || lines[0] != c.head || lines[5] != c.row || notes != c.note {
			t.Errorf("at %d columns:\n%s%s\nwant the header %q, the last row %q and the note %q", c.width, out, notes, c.head, c.row, c.note)
		}
		for _, l := range lines {
			if n := len([]rune(l)); n > c.width && c.width >= 50 {
				t.Errorf("at %d columns, a line of %d: %q", c.width, n, l)
			}
		}
	}
	if out, notes := run(0); !strings.Contains(out, "miriam.graham@contoso.com") || notes != "" {
		t.Errorf("on a pipe:\n%s%s", out, notes)
	}
}

// Without a header line the headers take no room: a table that fits by
// its cells leaves nothing out. A table of Spare columns only keeps one,
// and a Whole cell after the first block is not cut.
func TestNarrowTerminalEdges(t *testing.T) {
	short := []rowsSub{{id: "S1", product: "Pro", kind: "trial", buyer: "a@b", when: "2027"}}
	if out, notes := printRows(t, &Printer{Format: FormatTable, Width: 30, NoHeaders: true}, rowsSubColumns, short, 1); out != "S1  Pro  trial  a@b  2027\n" || notes != "" {
		t.Errorf("--no-headers at 30 columns:\n%q %q", out, notes)
	}
	spares := []Column[rowsSub]{
		{Header: "Kind", Spare: 1, Get: func(s rowsSub) string { return s.kind }},
		{Header: "Purchaser", Spare: 2, Get: func(s rowsSub) string { return s.buyer }},
	}
	long := []rowsSub{{kind: "selfService", buyer: "miriam.graham@contoso.com"}}
	if out, notes := printRows(t, &Printer{Format: FormatTable, Width: 10}, spares, long, 1); out != "KIND\nselfService\n" || notes != "(no room for PURCHASER; -o json has them)\n" {
		t.Errorf("spare columns only, at 10 columns:\n%q %q", out, notes)
	}
	values := []Column[rowsSub]{
		{Header: "Product", Get: func(s rowsSub) string { return s.product }},
		{Header: "Value", Whole: true, Get: func(s rowsSub) string { return s.kind }},
	}
	rows := []rowsSub{{product: "Power BI Pro", kind: "Enabled"}, {product: "Planner Plan 1", kind: "OnlyTrialsWithoutPaymentMethod"}}
	if out, _ := printRows(t, &Printer{Format: FormatTable, Width: 40}, values, rows, 1); !strings.HasSuffix(out, "Planner Pla…  OnlyTrialsWithoutPaymentMethod\n") {
		t.Errorf("a Whole cell after the first block:\n%s", out)
	}
}
