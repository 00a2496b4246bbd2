package store

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// FuzzValidateUPN checks that ValidateUPN never panics and that whatever it
// accepts is a plain ASCII name@domain that it accepts again unchanged.
func FuzzValidateUPN(f *testing.F) {
	for _, s := range []string{
		"adele@contoso.com",
		"  Megan.Bowen@Contoso.onmicrosoft.com \t",
		"o'brien_#1~^!@sub-1.contoso.co.uk",
		"",
		"@",
		"a@b",
		"a@@b.com",
		"a@b@c.com",
		".a@b.com",
		"a..b@b.com",
		"a@-b.com",
		"a@b..com",
		"adele@contoso.com\u202e",
		"ad\u200bele@contoso.com",
		"adèle@contoso.com",
		"adele@cöntoso.com",
		"adele@contoso.com\x00",
		"\xff@contoso.com",
		"\"a\"@contoso.com",
		strings.Repeat("a", 100) + "@contoso.com",
		strings.Repeat("a", 101) + "@contoso.com",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		upn, err := ValidateUPN(s)
		if err != nil {
			if upn != "" {
				t.Fatalf("ValidateUPN(%q) = %q with error %v", s, upn, err)
			}
			if msg := err.Error(); strings.ContainsAny(msg, "\n\r") {
				t.Fatalf("ValidateUPN(%q) error spans lines: %q", s, msg)
			}
			return
		}
		if len(upn) > MaxUPNLength {
			t.Fatalf("accepted %q: %d bytes > %d", upn, len(upn), MaxUPNLength)
		}
		if strings.Count(upn, "@") != 1 {
			t.Fatalf("accepted %q: not exactly one @", upn)
		}
		for i := 0; i < len(upn); i++ {
			if upn[i] >= utf8.RuneSelf {
				t.Fatalf("accepted %q: not ASCII", upn)
			}
			if r := rune(upn[i]); unicode.IsSpace(r) || unicode.IsControl(r) {
				t.Fatalf("accepted %q: holds a space or control character", upn)
			}
		}
		if strings.TrimSpace(s) != upn {
			t.Fatalf("ValidateUPN(%q) = %q, want the input trimmed", s, upn)
		}
		again, err := ValidateUPN(upn)
		if err != nil || again != upn {
			t.Fatalf("ValidateUPN(%q) = %q, %v on its own output", upn, again, err)
		}
	})
}

// FuzzQuoteShortCheckName checks that QuoteShort and CheckName never panic,
// that QuoteShort's output is one short line, and that CheckName accepts only
// short valid UTF-8 without control characters.
func FuzzQuoteShortCheckName(f *testing.F) {
	for _, s := range []string{
		"",
		"Adele Vance",
		"Ventes & Marketing — Europe",
		"新しい部署",
		"line\nbreak",
		"\x1b[31mred\x1b[0m",
		"\xff\xfe",
		"rtl \u202e override",
		strings.Repeat("a", 59) + "é",
		strings.Repeat("é", 40),
		strings.Repeat("x", 256),
		strings.Repeat("x", 257),
		strings.Repeat("語", 256),
		strings.Repeat("語", 257),
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		q := QuoteShort(s)
		if strings.ContainsAny(q, "\n\r") {
			t.Fatalf("QuoteShort(%q) = %q spans lines", s, q)
		}
		if !utf8.ValidString(q) {
			t.Fatalf("QuoteShort(%q) = %q is not valid UTF-8", s, q)
		}
		// 60 bytes, each escaped to at most 10 (\U0010ffff), quotes and "…".
		if len(q) > 60*10+2+len("…") {
			t.Fatalf("QuoteShort(%q) is %d bytes long", s, len(q))
		}
		if msg := CheckName(s); msg == "" {
			if !utf8.ValidString(s) {
				t.Fatalf("CheckName accepted invalid UTF-8 %q", s)
			}
			if n := utf8.RuneCountInString(s); n > MaxNameLength {
				t.Fatalf("CheckName accepted %d characters", n)
			}
			if strings.IndexFunc(s, unicode.IsControl) >= 0 {
				t.Fatalf("CheckName accepted a control character in %q", s)
			}
		}
	})
}
