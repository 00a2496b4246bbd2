package output

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/commercectl/commercectl/internal/csvcell"
	"github.com/commercectl/commercectl/store"
	"github.com/itchyny/gojq"
	"github.com/mattn/go-runewidth"
	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/renderer"
	"github.com/olekukonko/tablewriter/tw"
	"go.yaml.in/yaml/v3"
)

// Formats a command can print in.
const (
	FormatTable       = "table"
	FormatJSON        = "json"
	FormatYAML        = "yaml"
	FormatCSV         = "csv"
	FormatTSV         = "tsv"
	FormatInteractive = "interactive"
)

// Formats lists every output mode.
var Formats = []string{FormatTable, FormatJSON, FormatCSV, FormatTSV, FormatYAML, FormatInteractive}

// Column is one field of a row. Field is the JSON key and the CSV header;
// Header is the table's title. A table shows only Summary columns when any
// column is marked so; CSV shows every column that has a Field (a column
// without one is for the table only).
type Column[T any] struct {
	Header  string
	Field   string
	Get     func(T) string
	Summary bool
}

// Printer writes typed values in the chosen format.
type Printer struct {
	Format string
	JQ     string
	Out    io.Writer
	// NoHeaders leaves the header line out of tables, CSV and TSV.
	NoHeaders bool
	// Width, when not 0, is the terminal's: tables are cut to fit it.
	Width int
	// Empty, when not nil, hears the one line an empty table is instead.
	Empty io.Writer
}

// List prints rows: a table, a JSON/YAML array (every field, [] when empty), or CSV.
func List[T any](p *Printer, rows []T, cols []Column[T]) error {
	if rows == nil {
		rows = []T{}
	}
	switch p.Format {
	case FormatJSON:
		return p.json(rows)
	case FormatYAML:
		return p.yaml(rows)
	case FormatCSV:
		return writeCSV(p.Out, rows, cols, !p.NoHeaders)
	case FormatTSV:
		return writeTSV(p.Out, rows, cols, !p.NoHeaders)
	default:
		if len(rows) == 0 && p.Empty != nil {
			// One line saying so, on stderr: stdout stays empty for a script.
			_, err := fmt.Fprintln(p.Empty, "Nothing to list: none match.")
			return err
		}
		return writeTable(p.Out, rows, summary(cols), !p.NoHeaders, p.Width)
	}
}

// One prints a single value: a JSON/YAML object, one CSV row, or for people
// a list of "Header: value" lines.
func One[T any](p *Printer, row T, cols []Column[T]) error {
	switch p.Format {
	case FormatJSON:
		return p.json(row)
	case FormatYAML:
		return p.yaml(row)
	case FormatCSV:
		return writeCSV(p.Out, []T{row}, cols, !p.NoHeaders)
	case FormatTSV:
		return writeTSV(p.Out, []T{row}, cols, !p.NoHeaders)
	default:
		width := 0
		for _, c := range cols {
			width = max(width, len(c.Header))
		}
		shown := map[string]bool{}
		for _, c := range cols {
			v := c.Get(row)
			if v == "" || shown[c.Header] {
				continue // a person reads what is there once; json and csv keep every field
			}
			shown[c.Header] = true
			if _, err := fmt.Fprintf(p.Out, "%-*s  %s\n", width+1, c.Header+":", sanitizeCell(v)); err != nil {
				return err
			}
		}
		return nil
	}
}

func summary[T any](cols []Column[T]) []Column[T] {
	var out []Column[T]
	for _, c := range cols {
		if c.Summary {
			out = append(out, c)
		}
	}
	if out == nil {
		return cols
	}
	return out
}

// JSON writes v as indented JSON, through the --jq filter when one is set.
func (p *Printer) json(v any) error {
	if p.JQ != "" {
		b, err := json.Marshal(v)
		if err != nil {
			return err
		}
		return runJQ(p.Out, p.JQ, b)
	}
	// Encoded once, straight into a buffered stdout: a list of thousands of
	// requests is megabytes of JSON, not to be built, re-indented and copied.
	w := bufio.NewWriterSize(p.Out, 64<<10)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return err
	}
	return w.Flush()
}

// JQError is a --jq expression that does not parse or fails on the data.
// Runtime is set when it failed on the data: the command itself had run.
type JQError struct {
	Err     error
	Runtime bool
}

func (e *JQError) Error() string {
	if e.Runtime {
		return "--jq: " + e.Err.Error() + " (the command ran; only its output could not be filtered)"
	}
	return "--jq: " + e.Err.Error()
}

// CheckJQ parses and compiles a --jq expression, so that a verb can refuse
// a bad one before it changes anything.
func CheckJQ(expr string) error {
	q, err := gojq.Parse(expr)
	if err == nil {
		_, err = gojq.Compile(q)
	}
	if err != nil {
		return &JQError{Err: err}
	}
	return nil
}

func runJQ(w io.Writer, expr string, doc []byte) error {
	q, err := gojq.Parse(expr)
	if err != nil {
		return &JQError{Err: err}
	}
	code, err := gojq.Compile(q)
	if err != nil {
		return &JQError{Err: err}
	}
	// Numbers stay json.Number: a value jq passes through keeps its
	// literal, so money prints 140.00 as the JSON has it, not 140.
	d := json.NewDecoder(bytes.NewReader(doc))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return err
	}
	iter := code.Run(v)
	for {
		out, ok := iter.Next()
		if !ok {
			return nil
		}
		if err, ok := out.(error); ok {
			return &JQError{Err: err, Runtime: true}
		}
		// Strings print bare, like jq -r: what a script wants from --jq '.id'.
		if s, ok := out.(string); ok {
			if _, err := fmt.Fprintln(w, s); err != nil {
				return err
			}
			continue
		}
		b, err := gojq.Marshal(out)
		if err != nil {
			return err
		}
		if _, err := fmt.Fprintf(w, "%s\n", b); err != nil {
			return err
		}
	}
}

// yaml writes v as YAML with the same field names and order as JSON.
func (p *Printer) yaml(v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	var node yaml.Node
	if err := yaml.Unmarshal(b, &node); err != nil {
		return err
	}
	clearStyle(&node)
	enc := yaml.NewEncoder(p.Out)
	enc.SetIndent(2)
	if err := enc.Encode(&node); err != nil {
		return err
	}
	return enc.Close()
}

// clearStyle turns JSON's flow style into YAML's block style.
func clearStyle(n *yaml.Node) {
	if n.Kind != yaml.ScalarNode {
		n.Style = 0
	} else if n.Style == yaml.DoubleQuotedStyle {
		n.Style = 0
	}
	for _, c := range n.Content {
		clearStyle(c)
	}
}

// writeCSV writes RFC 4180 CSV with LF line ends, every cell marked by
// csvcell, so that no spreadsheet runs one whatever separator it opens the
// file with (docs/DESIGN.md, "CSV that stays inert").
func writeCSV[T any](w io.Writer, rows []T, all []Column[T], header bool) error {
	cols := fielded(all)
	bw := bufio.NewWriter(w)
	var line []byte
	record := func(cell func(i int) string) error {
		line = line[:0]
		for i := range cols {
			if i > 0 {
				line = append(line, ',')
			}
			line = csvcell.Append(line, cell(i))
		}
		_, err := bw.Write(append(line, '\n'))
		return err
	}
	if header {
		if err := record(func(i int) string { return cols[i].Field }); err != nil {
			return err
		}
	}
	for _, r := range rows {
		if err := record(func(i int) string { return cols[i].Get(r) }); err != nil {
			return err
		}
	}
	return bw.Flush()
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

// writeTSV writes tab-separated values for scripts (cut -f, while read), as
// az -o tsv does: every field, a tab, a line break or a CR in a value
// becomes a space, nothing is quoted or marked. A spreadsheet should open
// -o csv, which stays inert.
func writeTSV[T any](w io.Writer, rows []T, all []Column[T], header bool) error {
	cols := fielded(all)
	bw := bufio.NewWriter(w)
	flat := strings.NewReplacer("\t", " ", "\n", " ", "\r", " ")
	record := func(cell func(i int) string) {
		for i := range cols {
			if i > 0 {
				bw.WriteByte('\t')
			}
			bw.WriteString(flat.Replace(cell(i)))
		}
		bw.WriteByte('\n')
	}
	if header {
		record(func(i int) string { return cols[i].Field })
	}
	for _, r := range rows {
		record(func(i int) string { return cols[i].Get(r) })
	}
	return bw.Flush()
}

// fitWidths cuts the widest columns, one character at a time, until a
// line of the table (cells two spaces apart) fits width. Only long text is
// cut: a column keeps at least its header's width and 12, so ids, counts,
// dates and money stay whole (the table may then stay wider than width).
// It returns each column's width.
func fitWidths(header []string, cells [][]string, width int) []int {
	w := make([]int, len(header))
	floor := make([]int, len(header))
	for i, h := range header {
		w[i] = runewidth.StringWidth(h)
		floor[i] = max(w[i], 12)
	}
	for _, row := range cells {
		for i, c := range row {
			w[i] = max(w[i], runewidth.StringWidth(c))
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
	return w
}

func writeTable[T any](w io.Writer, rows []T, cols []Column[T], header bool, width int) error {
	cells := make([][]string, len(rows))
	for r, row := range rows {
		cells[r] = make([]string, len(cols))
		for i, c := range cols {
			cells[r][i] = sanitizeCell(c.Get(row))
		}
	}
	heads := make([]string, len(cols))
	for i, c := range cols {
		heads[i] = strings.ToUpper(c.Header)
	}
	if width > 0 {
		fit := fitWidths(heads, cells, width)
		for _, row := range cells {
			for i, c := range row {
				if runewidth.StringWidth(c) > fit[i] {
					row[i] = runewidth.Truncate(c, fit[i], "…")
				}
			}
		}
	}
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

// sanitizeCell keeps a table on one line per row, free of terminal escapes
// and of the characters that reverse the text after them (a right-to-left
// override in a message would reorder the rest of the row): each is shown
// as U+FFFD. JSON, YAML and CSV keep the data as stored.
func sanitizeCell(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return ' '
		}
		if store.IsBidiControl(r) {
			return '\uFFFD'
		}
		return r
	}, s)
}
