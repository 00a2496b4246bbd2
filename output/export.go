package output

import (
	"bufio"
	"unicode/utf8"

	"github.com/commercectl/commercectl/internal/csvcell"
	"github.com/commercectl/commercectl/store"
)

// ExportEncoder writes export-users rows as CSV or as a JSON array, one row
// at a time, without allocating per row.
type ExportEncoder struct {
	w     *bufio.Writer
	json  bool
	rows  int
	plans []byte
	line  []byte // a CSV record, reused
}

var exportFields = []string{"upn", "displayName", "department", "productId", "productName", "subscriptionId", "purchaser", "assignedAt", "disabledPlans"}

// NewExportEncoder starts the output: the CSV header, or the JSON array.
func NewExportEncoder(w *bufio.Writer, json bool) *ExportEncoder {
	e := &ExportEncoder{w: w, json: json}
	if json {
		w.WriteByte('[')
		return e
	}
	var line []byte
	for i, f := range exportFields {
		if i > 0 {
			line = append(line, ',')
		}
		line = csvcell.Append(line, f)
	}
	w.Write(append(line, '\r', '\n'))
	return e
}

func (e *ExportEncoder) fields(r *store.ExportRow) [9][]byte {
	return [9][]byte{r.UPN, r.DisplayName, r.Department, r.ProductID, r.ProductName, r.SubscriptionID, r.Purchaser, r.AssignedAt, r.DisabledPlans}
}

// Row writes one license.
func (e *ExportEncoder) Row(r *store.ExportRow) error {
	f := e.fields(r)
	if e.json {
		if e.rows > 0 {
			e.w.WriteByte(',')
		}
		e.w.WriteString("\n  {")
		for i, v := range f {
			if i > 0 {
				e.w.WriteByte(',')
			}
			e.w.WriteByte('"')
			e.w.WriteString(exportFields[i])
			e.w.WriteString(`":`)
			if i == 8 {
				e.jsonPlans(v)
				continue
			}
			writeJSONString(e.w, v)
		}
		e.w.WriteByte('}')
	} else {
		// disabledPlans are stored comma-separated; in a CSV cell they are ';'-separated.
		e.plans = e.plans[:0]
		for _, c := range f[8] {
			if c == ',' {
				c = ';'
			}
			e.plans = append(e.plans, c)
		}
		f[8] = e.plans
		e.line = e.line[:0]
		for i, v := range f {
			if i > 0 {
				e.line = append(e.line, ',')
			}
			e.line = csvcell.Append(e.line, v)
		}
		e.w.Write(append(e.line, '\r', '\n'))
	}
	e.rows++
	return nil
}

func (e *ExportEncoder) jsonPlans(v []byte) {
	e.w.WriteByte('[')
	start, n := 0, 0
	for i := 0; i <= len(v); i++ {
		if i == len(v) || v[i] == ',' {
			if i > start {
				if n > 0 {
					e.w.WriteByte(',')
				}
				writeJSONString(e.w, v[start:i])
				n++
			}
			start = i + 1
		}
	}
	e.w.WriteByte(']')
}

// Close ends the output (the JSON array); it does not flush.
func (e *ExportEncoder) Close() error {
	if e.json {
		if e.rows > 0 {
			e.w.WriteByte('\n')
		}
		e.w.WriteString("]\n")
	}
	return nil
}

const hexDigits = "0123456789abcdef"

// writeJSONString writes v as a JSON string, replacing invalid UTF-8.
func writeJSONString(w *bufio.Writer, v []byte) {
	w.WriteByte('"')
	start := 0
	for i := 0; i < len(v); {
		c := v[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			w.Write(v[start:i])
			switch c {
			case '"', '\\':
				w.WriteByte('\\')
				w.WriteByte(c)
			case '\n':
				w.WriteString(`\n`)
			case '\r':
				w.WriteString(`\r`)
			case '\t':
				w.WriteString(`\t`)
			default:
				w.WriteString(`\u00`)
				w.WriteByte(hexDigits[c>>4])
				w.WriteByte(hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRune(v[i:])
		if r == utf8.RuneError && size == 1 || r == '\u2028' || r == '\u2029' {
			w.Write(v[start:i])
			if r == utf8.RuneError {
				w.WriteString(`\ufffd`)
			} else {
				w.WriteString(`\u202`)
				w.WriteByte(hexDigits[r&0xf])
			}
			i += size
			start = i
			continue
		}
		i += size
	}
	w.Write(v[start:])
	w.WriteByte('"')
}
