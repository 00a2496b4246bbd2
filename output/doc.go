package output

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strings"
)

// Doc writes one JSON or YAML document as it goes: containers are opened
// and closed, values written one at a time, so a list of any length is
// never held in memory. Its bytes are those the whole value encodes to
// (Printer's json and yaml), so a streamed list and a built one print the
// same. With --jq the filter needs the whole document: it is kept in
// memory and filtered at Close.
//
// A Doc is Open(v) or Array() to begin, then inside an array Value, Open
// or Array for each element, inside an object Key then one of those for
// each member, End to close the innermost container, and Close.
type Doc struct {
	w     *bufio.Writer
	out   io.Writer
	jq    string
	jqDoc *bytes.Buffer
	yaml  bool
	stack []docLevel
	key   string // the member the next value is, inside an object
	buf   bytes.Buffer
	enc   *json.Encoder
}

type docLevel struct {
	array bool
	key   string // the member this container is (YAML writes it when it knows whether it is empty)
	n     int    // elements or members written
	col   int    // YAML: where this container's lines start
}

// Doc starts a document in the printer's format: JSON (through --jq when
// one is set) or YAML.
func (p *Printer) Doc() *Doc {
	d := &Doc{out: p.Out, jq: p.JQ, yaml: p.Format == FormatYAML}
	if d.jq != "" {
		d.jqDoc = &bytes.Buffer{}
		d.w = bufio.NewWriter(d.jqDoc)
	} else {
		d.w = bufio.NewWriterSize(p.Out, 64<<10)
	}
	d.enc = json.NewEncoder(&d.buf)
	d.enc.SetEscapeHTML(false)
	return d
}

func (d *Doc) indent() string { return strings.Repeat("  ", len(d.stack)) }

// Key names the member the next value, object or array is.
func (d *Doc) Key(name string) { d.key = name }

// lead writes what comes before a value in its container: the comma, the
// line break and indentation, and the key.
func (d *Doc) lead() {
	if len(d.stack) == 0 {
		return
	}
	top := &d.stack[len(d.stack)-1]
	if top.n > 0 {
		d.w.WriteByte(',')
	}
	top.n++
	d.w.WriteByte('\n')
	d.w.WriteString(d.indent())
	if !top.array {
		d.buf.Reset()
		d.enc.Encode(d.key)
		d.w.Write(bytes.TrimSuffix(d.buf.Bytes(), []byte("\n")))
		d.w.WriteString(": ")
	}
}

// encode is v encoded as JSON at the current depth, or as YAML.
func (d *Doc) encode(v any) ([]byte, error) {
	d.buf.Reset()
	d.enc.SetIndent(d.indent(), "  ")
	if err := d.enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(d.buf.Bytes(), []byte("\n")), nil
}

// Value writes v whole, as an element or a member.
func (d *Doc) Value(v any) error {
	if d.yaml {
		return d.yamlValue(v)
	}
	b, err := d.encode(v)
	if err != nil {
		return err
	}
	d.lead()
	_, err = d.w.Write(b)
	return err
}

// Open begins an object with the fields of v (a struct or a map), to
// which Key adds more.
func (d *Doc) Open(v any) error {
	if d.yaml {
		return d.yamlOpen(v)
	}
	b, err := d.encode(v)
	if err != nil {
		return err
	}
	n := 0
	if rest, ok := bytes.CutSuffix(b, []byte("\n"+d.indent()+"}")); ok {
		b, n = rest, 1 // its fields are there: the next member needs a comma
	} else if string(b) == "{}" {
		b = b[:1]
	} else {
		return errNotObject
	}
	d.lead()
	d.stack = append(d.stack, docLevel{n: n})
	_, err = d.w.Write(b)
	return err
}

// Array begins an array.
func (d *Doc) Array() error {
	if d.yaml {
		d.yamlArray()
		return nil
	}
	d.lead()
	d.stack = append(d.stack, docLevel{array: true})
	_, err := d.w.WriteString("[")
	return err
}

// End closes the innermost object or array.
func (d *Doc) End() error {
	top := d.stack[len(d.stack)-1]
	d.stack = d.stack[:len(d.stack)-1]
	if d.yaml {
		return d.yamlEnd(top)
	}
	if top.n > 0 {
		d.w.WriteByte('\n')
		d.w.WriteString(d.indent())
	}
	closer := byte('}')
	if top.array {
		closer = ']'
	}
	return d.w.WriteByte(closer)
}

// Close ends every container still open and the document, and writes it
// out (through --jq when one is set).
func (d *Doc) Close() error {
	for len(d.stack) > 0 {
		if err := d.End(); err != nil {
			return err
		}
	}
	if !d.yaml {
		d.w.WriteByte('\n')
	}
	if err := d.w.Flush(); err != nil {
		return err
	}
	if d.jqDoc != nil {
		return runJQ(d.out, d.jq, d.jqDoc.Bytes())
	}
	return nil
}

var errNotObject = errors.New("output: Doc.Open needs a value that encodes to an object")

// yamlAt writes v where the document is: the next element of the array,
// or member Key of the object, open innermost. YAML's lines depend on
// their column (long text is folded at 80), so v is encoded inside copies
// of the containers open around it, each object with a placeholder member
// first (so that its key is on a line of its own), and only v's lines are
// kept, with the key line of an array that is written with its first element.
func (d *Doc) yamlAt(v any) error {
	wrapped, err := json.Marshal(v)
	if err != nil {
		return err
	}
	drop := 0
	for i := len(d.stack) - 1; i >= 0; i-- {
		if d.stack[i].array {
			wrapped = append(append([]byte("["), wrapped...), ']')
			continue
		}
		key := d.key
		if i < len(d.stack)-1 {
			key = d.stack[i+1].key
		}
		k, _ := json.Marshal(key)
		wrapped = append(append(append(append([]byte(`{"_":0,`), k...), ':'), wrapped...), '}')
		drop += 2 // the placeholder's line and the key's
	}
	top := &d.stack[len(d.stack)-1]
	if !top.array || top.n == 0 && top.key != "" {
		drop-- // a member's key line is its own; an array's comes with its first element
	}
	top.n++
	b, err := yamlBytes(json.RawMessage(wrapped))
	if err != nil {
		return err
	}
	for ; drop > 0; drop-- {
		_, b, _ = bytes.Cut(b, []byte("\n"))
	}
	_, err = d.w.Write(b)
	return err
}

func (d *Doc) yamlValue(v any) error {
	if len(d.stack) == 0 {
		b, err := yamlBytes(v)
		if err == nil {
			_, err = d.w.Write(b)
		}
		return err
	}
	return d.yamlAt(v)
}

func (d *Doc) yamlOpen(v any) error {
	if err := d.yamlValue(v); err != nil {
		return err
	}
	d.stack = append(d.stack, docLevel{key: d.memberKey()})
	return nil
}

func (d *Doc) yamlArray() {
	d.stack = append(d.stack, docLevel{array: true, key: d.memberKey()})
}

// memberKey is the key a container opened now is under: Key's inside an
// object, none inside an array or at the top.
func (d *Doc) memberKey() string {
	if n := len(d.stack); n > 0 && !d.stack[n-1].array {
		return d.key
	}
	return ""
}

func (d *Doc) yamlEnd(closed docLevel) error {
	if !closed.array || closed.n > 0 {
		return nil
	}
	if len(d.stack) == 0 {
		_, err := d.w.WriteString("[]\n")
		return err
	}
	// An empty array is written whole, where it is: "users: []".
	d.key = closed.key
	return d.yamlAt([]any{})
}
