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
	var out bytes.Buffer
	p.Out = &out
	r := newRows(&p, rowsColumns, block)
	for _, u := range rows {
		if err := r.Add(u); err != nil {
			t.Fatal(err)
		}
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	return out.String()
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
