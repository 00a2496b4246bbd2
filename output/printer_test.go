package output

import "testing"

// A table cell holds no line break, terminal escape or text-reversing
// character, whatever was stored.
func TestSanitizeCell(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Ask IT", "Ask IT"},
		{"line\nbreak", "line break"},
		{"\x1b[2Jclear", " [2Jclear"},
		{"Ask \u202eTI", "Ask \uFFFDTI"},
		{"a\u2066b\u2069", "a\uFFFDb\uFFFD"},
		{"عربي \u200f ok", "عربي \u200f ok"},
	}
	for _, tt := range tests {
		if got := sanitizeCell(tt.in); got != tt.want {
			t.Errorf("sanitizeCell(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
