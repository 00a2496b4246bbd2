package output

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/commercectl/commercectl/store"
	"github.com/itchyny/gojq"
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
//
// Whole and Spare say what a table may do to fit a narrow terminal. It
// cuts long text first, to no less than 12 characters; a Whole column (a
// time) is never cut, and ids, counts and money are narrower than any
// cut. When that is not enough it leaves out Spare columns, the highest
// Spare first, and says which on stderr after the table.
type Column[T any] struct {
	Header  string
	Field   string
	Get     func(T) string
	Summary bool
	Whole   bool
	Spare   int
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
	// Aside, when not nil (stderr is a terminal), hears the columns a
	// table too wide for the terminal left out, under the table.
	Aside io.Writer
}

// List prints rows: a table, a JSON/YAML array (every field, [] when empty),
// CSV or TSV. It is Stream with every row at once: a table's columns fit
// all of them.
func List[T any](p *Printer, rows []T, cols []Column[T]) error {
	r := newRows(p, cols, max(len(rows), 1))
	for _, row := range rows {
		if err := r.Add(row); err != nil {
			return err
		}
	}
	return r.Close()
}

// One prints a single value: a JSON/YAML object, one CSV row, or for people
// a list of "Header: value" lines.
func One[T any](p *Printer, row T, cols []Column[T]) error {
	switch p.Format {
	case FormatJSON:
		return p.json(row)
	case FormatYAML:
		return p.yaml(row)
	case FormatCSV, FormatTSV:
		return List(p, []T{row}, cols)
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
	b, err := yamlBytes(v)
	if err == nil {
		_, err = p.Out.Write(b)
	}
	return err
}

// yamlBytes is v as YAML, through its JSON: the same field names and order.
func yamlBytes(v any) ([]byte, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	var node yaml.Node
	if err := yaml.Unmarshal(b, &node); err != nil {
		return nil, err
	}
	clearStyle(&node)
	var out bytes.Buffer
	enc := yaml.NewEncoder(&out)
	enc.SetIndent(2)
	if err := enc.Encode(&node); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
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
