// Package csvcell writes and reads back the cells of the CSV files
// commercectl writes, so that no spreadsheet runs one, whatever list
// separator it opens the file with (",", ";" or tab).
//
// A spreadsheet starts a cell at the start of a line and after each of its
// separators, and it evaluates a cell whose text starts with = + - @ (tab,
// CR and NUL too, by OWASP's and ASVS's lists), possibly after spaces and
// quotes. Opened with a separator the file was not written with, any ","
// ";" or tab inside a cell, and any line break, can start such a cell. So
// every place in a cell where some spreadsheet could start a cell, and
// where the text then starts with one of those characters, gets a "'"
// (the mark spreadsheets themselves use for "this is text") in front of
// it. Cells already holding "'"s there get one more, so Unmark can take
// exactly one away: the data stays exact for import-users. A negative
// number is marked too (SPEC §10 names "-" without exception): it reads as
// text, and -o json keeps it a number.
//
// Cells are quoted only where RFC 4180 needs it (a comma, a quote, a line
// break). Quoting more does not help a spreadsheet that reads the file
// with another separator: it sees a quote only at the start of its own
// cells, and a line that ends in "" then runs on into the next record.
package csvcell

// triggers are what make a spreadsheet compute, link or call at the start
// of a cell.
func trigger(c byte) bool {
	switch c {
	case '=', '+', '-', '@', '\t', '\r', 0:
		return true
	}
	return false
}

// boundary reports whether a spreadsheet may start a cell after c: every
// list separator in use, and line breaks.
func boundary(c byte) bool {
	switch c {
	case ',', ';', '\t', '\r', '\n':
		return true
	}
	return false
}

// marked reports whether v, at a place where a cell may start, is a run
// of "'" (possibly empty) followed by a trigger.
func marked[T string | []byte](v T) bool {
	i := 0
	for i < len(v) && v[i] == '\'' {
		i++
	}
	return i < len(v) && trigger(v[i])
}

// nextMark returns the first index from i on where v needs a mark, or -1;
// start tells whether a cell may start at i. From a mark at m, the next
// one is nextMark(v, m, false).
func nextMark[T string | []byte](v T, i int, start bool) int {
	for ; i < len(v); i++ {
		c := v[i]
		if start && c != ' ' && c != '"' {
			if marked(v[i:]) {
				return i
			}
			start = false
		}
		if boundary(c) {
			start = true
		}
	}
	return -1
}

// Append appends v to dst as one RFC 4180 cell, marked, quoted when it
// holds a comma, a quote or a line break.
func Append[T string | []byte](dst []byte, v T) []byte {
	quote := false
	for i := 0; i < len(v); i++ {
		if c := v[i]; c == ',' || c == '"' || c == '\n' || c == '\r' {
			quote = true
			break
		}
	}
	if quote {
		dst = append(dst, '"')
	}
	from := 0
	for m := nextMark(v, 0, true); m >= 0; m = nextMark(v, m, false) {
		dst = append(appendQuoted(dst, v[from:m], quote), '\'')
		from = m
	}
	dst = appendQuoted(dst, v[from:], quote)
	if quote {
		dst = append(dst, '"')
	}
	return dst
}

// appendQuoted appends v, with each quote doubled in a quoted cell.
func appendQuoted[T string | []byte](dst []byte, v T, quoted bool) []byte {
	if !quoted {
		return append(dst, v...)
	}
	from := 0
	for i := 0; i < len(v); i++ {
		if v[i] == '"' {
			dst = append(dst, v[from:i+1]...)
			from = i
		}
	}
	return append(dst, v[from:]...)
}

// Unmark gives back the data of a cell Append wrote, once a CSV reader
// has taken its quotes away: one "'" fewer at each marked place (a bare
// trigger there was not written by Append, and stays).
func Unmark(s string) string {
	var b []byte
	from := 0
	for m := nextMark(s, 0, true); m >= 0; m = nextMark(s, m, false) {
		if s[m] == '\'' {
			b = append(b, s[from:m]...)
			from = m + 1
		}
	}
	if from == 0 {
		return s
	}
	return string(append(b, s[from:]...))
}
