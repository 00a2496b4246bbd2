package output

import (
	"bufio"
	"bytes"
	"io"
	"slices"
	"strings"

	"github.com/mattn/go-runewidth"
	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/renderer"
	"github.com/olekukonko/tablewriter/tw"
)

// table prints aligned columns as rows come. Its first block of rows is
// held, sized (and fitted to a terminal's width) and rendered as one
// table; the rows after it are written at once with those widths. A later
// cell wider than its column is cut with "…" in a terminal, which the
// table fits (but for a Whole column's); on a pipe, which it never cuts, the cell is written whole
// and its row is out of line from there on. A list printed whole (List)
// is one block, every row sizing the columns.
type table struct {
	w      *bufio.Writer
	heads  []string
	whole  []bool // Column.Whole of each
	spare  []int  // Column.Spare of each
	keep   []int  // the columns shown, when a narrow terminal left some out
	left   []string
	header bool
	width  int // the terminal's, 0 on a pipe
	block  int
	cells  [][]string // the first block, until it is printed
	widths []int      // each column's, once the first block is printed
	rows   int
	line   []byte
}

func (t *table) add(row []string) error {
	t.rows++
	if t.widths != nil {
		return t.writeRow(project(row, t.keep))
	}
	t.cells = append(t.cells, row)
	if len(t.cells) < t.block {
		return nil
	}
	return t.printBlock()
}

// close prints the rows still held: a table of fewer rows than a block.
func (t *table) close() error {
	if t.widths != nil {
		return nil
	}
	return t.printBlock()
}

func (t *table) printBlock() error {
	if t.width > 0 {
		t.fit()
	}
	// The widths the rendered table has: its widest cell in each column.
	t.widths = make([]int, len(t.heads))
	for i, h := range t.heads {
		if t.header {
			t.widths[i] = runewidth.StringWidth(h)
		}
	}
	for _, row := range t.cells {
		for i, c := range row {
			t.widths[i] = max(t.widths[i], runewidth.StringWidth(c))
		}
	}
	err := renderTable(t.w, t.heads, t.cells, t.header)
	t.cells = nil
	return err
}

// writeRow writes a row after the first block, in the block's columns.
func (t *table) writeRow(row []string) error {
	t.line = t.line[:0]
	for i, c := range row {
		w := runewidth.StringWidth(c)
		if t.width > 0 && w > t.widths[i] && !t.whole[i] {
			c = runewidth.Truncate(c, t.widths[i], "…")
			w = runewidth.StringWidth(c)
		}
		t.line = append(t.line, c...)
		if i < len(row)-1 {
			for n := max(t.widths[i]-w, 0) + 2; n > 0; n-- {
				t.line = append(t.line, ' ')
			}
		}
	}
	t.line = append(bytes.TrimRight(t.line, " "), '\n')
	_, err := t.w.Write(t.line)
	return err
}

// fit makes the first block fit the terminal: long text is cut, and when
// that is not enough Spare columns are left out, the highest first (the
// rightmost of equals), each time fitting again what stays, so that the
// text left gets the room back. A row after the block is cut to the same
// columns (keep).
func (t *table) fit() {
	keep := make([]int, len(t.heads))
	for i := range keep {
		keep[i] = i
	}
	// Without a header line, only the cells take room.
	heads := t.heads
	if !t.header {
		heads = make([]string, len(t.heads))
	}
	var fit []int
	for {
		var total int
		fit, total = fitWidths(project(heads, keep), projectAll(t.cells, keep), project(t.whole, keep), t.width)
		j := -1
		for k, i := range keep {
			if t.spare[i] > 0 && (j < 0 || t.spare[i] >= t.spare[keep[j]]) {
				j = k
			}
		}
		if total <= t.width || j < 0 || len(keep) == 1 {
			break // it fits, or nothing more may go: the last column stays
		}
		keep = slices.Delete(keep, j, j+1)
	}
	if len(keep) < len(t.heads) {
		for i, h := range t.heads {
			if !slices.Contains(keep, i) {
				t.left = append(t.left, h)
			}
		}
		t.heads, t.whole, t.cells, t.keep = project(t.heads, keep), project(t.whole, keep), projectAll(t.cells, keep), keep
	}
	cut := func(row []string) {
		for i, c := range row {
			if runewidth.StringWidth(c) > fit[i] {
				row[i] = runewidth.Truncate(c, fit[i], "…")
			}
		}
	}
	cut(t.heads)
	for _, row := range t.cells {
		cut(row)
	}
}

// project is the cells of row in the columns keep, all of them when keep
// is nil.
func project[T any](row []T, keep []int) []T {
	if keep == nil {
		return row
	}
	out := make([]T, len(keep))
	for k, i := range keep {
		out[k] = row[i]
	}
	return out
}

func projectAll(rows [][]string, keep []int) [][]string {
	if keep == nil {
		return rows
	}
	out := make([][]string, len(rows))
	for i, row := range rows {
		out[i] = project(row, keep)
	}
	return out
}

// fitWidths cuts the widest columns, one character at a time, until a
// line of the table (cells two spaces apart) fits width. Only long text is
// cut, header included, to no less than 12: ids, counts and money are
// narrower, and a whole column (a time) is not cut at all, so the table
// may stay wider than width. It returns each column's width and the
// line's.
func fitWidths(header []string, cells [][]string, whole []bool, width int) ([]int, int) {
	w := make([]int, len(header))
	for i, h := range header {
		w[i] = runewidth.StringWidth(h)
	}
	for _, row := range cells {
		for i, c := range row {
			w[i] = max(w[i], runewidth.StringWidth(c))
		}
	}
	floor := make([]int, len(header))
	for i := range w {
		floor[i] = 12
		if whole[i] {
			floor[i] = w[i]
		}
	}
	total := 2 * (len(w) - 1)
	for _, x := range w {
		total += x
	}
	for total > width {
		j := -1
		for i := range w {
			if w[i] > floor[i] && (j < 0 || w[i] > w[j]) {
				j = i
			}
		}
		if j < 0 {
			break // every column is as narrow as it may be
		}
		w[j]--
		total--
	}
	return w, total
}

// renderTable writes one table of cells through tablewriter: columns two
// spaces apart, no borders, no trailing spaces.
func renderTable(w io.Writer, heads []string, cells [][]string, header bool) error {
	var buf bytes.Buffer
	t := tablewriter.NewTable(&buf,
		tablewriter.WithRenderer(renderer.NewBlueprint(tw.Rendition{
			Borders: tw.BorderNone,
			Symbols: tw.NewSymbols(tw.StyleNone),
			Settings: tw.Settings{
				Lines:      tw.Lines{ShowTop: tw.Off, ShowBottom: tw.Off, ShowHeaderLine: tw.Off, ShowFooterLine: tw.Off},
				Separators: tw.Separators{ShowHeader: tw.Off, ShowFooter: tw.Off, BetweenRows: tw.Off, BetweenColumns: tw.Off},
			},
		})),
		tablewriter.WithHeaderAlignment(tw.AlignLeft),
		tablewriter.WithRowAlignment(tw.AlignLeft),
		tablewriter.WithHeaderAutoFormat(tw.Off),
		tablewriter.WithRowAutoWrap(tw.WrapNone),
		tablewriter.WithHeaderAutoWrap(tw.WrapNone),
		tablewriter.WithPadding(tw.Padding{Left: "", Right: "  ", Overwrite: true}),
		tablewriter.WithTrimSpace(tw.Off),
	)
	if header {
		h := make([]any, len(heads))
		for i, x := range heads {
			h[i] = x
		}
		t.Header(h...)
	}
	for _, row := range cells {
		rec := make([]any, len(row))
		for i, x := range row {
			rec[i] = x
		}
		if err := t.Append(rec...); err != nil {
			return err
		}
	}
	if err := t.Render(); err != nil {
		return err
	}
	// The padding that separates columns also trails the last one: drop it.
	for _, line := range strings.SplitAfter(buf.String(), "\n") {
		if line == "" {
			continue
		}
		if _, err := io.WriteString(w, strings.TrimRight(line, " \n")+"\n"); err != nil {
			return err
		}
	}
	return nil
}
