package output

import (
	"bufio"
	"fmt"
	"strings"

	"github.com/commercectl/commercectl/internal/csvcell"
)

// Rows prints a list one row at a time, as List prints a slice: a table,
// a JSON or YAML array, CSV or TSV. A list from the store streams through
// it with memory flat, however many rows the tenant holds. A table holds
// its first rows (tableBlock) to size its columns; docs/DESIGN.md says
// what happens to a longer cell after them.
type Rows[T any] struct {
	p     *Printer
	cols  []Column[T]
	doc   *Doc
	w     *bufio.Writer
	table *table
	line  []byte
}

// tableBlock is how many rows a streamed table holds to size its columns.
var tableBlock = 1000

// Stream starts a list: the JSON array or the CSV header now, a row at
// each Add, the end at Close.
func Stream[T any](p *Printer, cols []Column[T]) *Rows[T] { return newRows(p, cols, tableBlock) }

func newRows[T any](p *Printer, cols []Column[T], block int) *Rows[T] {
	r := &Rows[T]{p: p}
	switch p.Format {
	case FormatJSON, FormatYAML:
		r.doc = p.Doc()
		r.doc.Array()
		return r
	}
	r.w = bufio.NewWriterSize(p.Out, 64<<10)
	if p.Format == FormatCSV || p.Format == FormatTSV {
		r.cols = fielded(cols)
		if !p.NoHeaders {
			r.record(func(i int) string { return r.cols[i].Field })
		}
		return r
	}
	r.cols = summary(cols)
	t := &table{w: r.w, header: !p.NoHeaders, width: p.Width, block: block}
	for _, c := range r.cols {
		t.heads = append(t.heads, strings.ToUpper(c.Header))
		t.whole = append(t.whole, c.Whole)
		t.spare = append(t.spare, c.Spare)
	}
	r.table = t
	return r
}

// Add prints one row (or holds it, among a table's first rows).
func (r *Rows[T]) Add(v T) error {
	switch {
	case r.doc != nil:
		return r.doc.Value(v)
	case r.table != nil:
		cells := make([]string, len(r.cols))
		for i, c := range r.cols {
			cells[i] = sanitizeCell(c.Get(v))
		}
		return r.table.add(cells)
	default:
		return r.record(func(i int) string { return r.cols[i].Get(v) })
	}
}

// Close ends the list: the JSON array, the table's rows still held, or
// the one line an empty table is.
func (r *Rows[T]) Close() error {
	if r.doc != nil {
		return r.doc.Close()
	}
	if r.table != nil {
		if r.table.rows == 0 && r.p.Empty != nil {
			// One line saying so, on stderr: stdout stays empty for a script.
			_, err := fmt.Fprintln(r.p.Empty, "Nothing to list: none match.")
			return err
		}
		if err := r.table.close(); err != nil {
			return err
		}
	}
	if err := r.w.Flush(); err != nil {
		return err
	}
	if r.table != nil && len(r.table.left) > 0 && r.p.Aside != nil {
		// Under the table, once it is on the screen.
		_, err := fmt.Fprintf(r.p.Aside, "(no room for %s; -o json has them)\n", strings.Join(r.table.left, ", "))
		return err
	}
	return nil
}

// flatTSV keeps a TSV record on one line and its fields apart.
var flatTSV = strings.NewReplacer("\t", " ", "\n", " ", "\r", " ")

// record writes one CSV or TSV line. CSV is RFC 4180 with LF line ends,
// every cell marked by csvcell, so that no spreadsheet runs one whatever
// separator it opens the file with (docs/DESIGN.md, "CSV that stays
// inert"). TSV is for scripts (cut -f, while read), as az -o tsv writes
// it: a tab, a line break or a CR in a value becomes a space, nothing is
// quoted or marked; a spreadsheet should open -o csv.
func (r *Rows[T]) record(cell func(i int) string) error {
	r.line = r.line[:0]
	for i := range r.cols {
		if r.p.Format == FormatCSV {
			if i > 0 {
				r.line = append(r.line, ',')
			}
			r.line = csvcell.Append(r.line, cell(i))
			continue
		}
		if i > 0 {
			r.line = append(r.line, '\t')
		}
		r.line = append(r.line, flatTSV.Replace(cell(i))...)
	}
	_, err := r.w.Write(append(r.line, '\n'))
	return err
}

// fielded are the columns with a field: what CSV and TSV carry.
func fielded[T any](all []Column[T]) []Column[T] {
	var cols []Column[T]
	for _, c := range all {
		if c.Field != "" {
			cols = append(cols, c)
		}
	}
	return cols
}
