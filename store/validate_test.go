package store_test

import (
	"strings"
	"testing"

	"github.com/commercectl/commercectl/store"
)

func TestValidateUPNAccepts(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"admin@contoso.com", "admin@contoso.com"},
		{"Megan.Bowen@Contoso.com", "Megan.Bowen@Contoso.com"},
		{"o'brien@contoso.com", "o'brien@contoso.com"},
		{"first_last-2@sub.contoso.co.uk", "first_last-2@sub.contoso.co.uk"},
		{"a!b#c^d~e@contoso.com", "a!b#c^d~e@contoso.com"},
		{"x@my-tenant.onmicrosoft.com", "x@my-tenant.onmicrosoft.com"},
		{"  padded@contoso.com\t", "padded@contoso.com"}, // surrounding blanks are trimmed
		// Exactly the longest UPN Entra ID takes.
		{strings.Repeat("a", store.MaxUPNLength-len("@contoso.com")) + "@contoso.com",
			strings.Repeat("a", store.MaxUPNLength-len("@contoso.com")) + "@contoso.com"},
	}
	for _, tt := range tests {
		got, err := store.ValidateUPN(tt.in)
		if err != nil {
			t.Errorf("ValidateUPN(%q) = %v, want it accepted", tt.in, err)
			continue
		}
		if got != tt.want {
			t.Errorf("ValidateUPN(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestValidateUPNRefuses(t *testing.T) {
	tests := []struct {
		name string
		in   string
	}{
		{"empty", ""},
		{"only blanks", "   "},
		{"no @", "admin.contoso.com"},
		{"two @", "admin@contoso@com.org"},
		{"@ twice in a row", "admin@@contoso.com"},
		{"nothing before @", "@contoso.com"},
		{"nothing after @", "admin@"},
		{"space in the name", "ad min@contoso.com"},
		{"space in the domain", "admin@con toso.com"},
		{"no-break space", "ad\u00a0min@contoso.com"},
		{"tab inside", "ad\tmin@contoso.com"},
		{"newline inside", "admin@contoso.com\nevil@contoso.com"},
		{"NUL byte", "admin\x00@contoso.com"},
		{"escape sequence", "admin\x1b[31m@contoso.com"},
		{"DEL", "admin\x7f@contoso.com"},
		{"right-to-left override", "admin\u202emoc.rekcah@contoso.com"},
		{"right-to-left override in the domain", "admin@contoso\u202emoc.com"},
		{"zero-width space", "ad\u200bmin@contoso.com"},
		{"zero-width joiner", "ad\u200dmin@contoso.com"},
		{"Cyrillic a in the name", "\u0430dmin@contoso.com"},   // а looks like a
		{"Cyrillic o in the name", "j\u043ehn@contoso.com"},    // о looks like o
		{"Greek omicron in the name", "j\u03bfhn@contoso.com"}, // ο looks like o
		{"accented name", "jos\u00e9@contoso.com"},             // é
		{"non-ASCII domain", "admin@c\u043entoso.com"},         // Cyrillic о
		{"IDN domain", "admin@m\u00fcnchen.de"},                // ü
		{"fullwidth @", "admin\uff20contoso.com"},              // ＠
		{"too long", strings.Repeat("a", store.MaxUPNLength-len("@contoso.com")+1) + "@contoso.com"},
		{"far too long", strings.Repeat("a", 1000) + "@contoso.com"},
		{"leading dot", ".admin@contoso.com"},
		{"trailing dot in the name", "admin.@contoso.com"},
		{"two dots in a row", "ad..min@contoso.com"},
		{"domain without a dot", "admin@contoso"},
		{"domain with an empty label", "admin@contoso..com"},
		{"domain starting with a dot", "admin@.contoso.com"},
		{"domain ending with a dot", "admin@contoso.com."},
		{"label starting with a hyphen", "admin@-contoso.com"},
		{"label ending with a hyphen", "admin@contoso-.com"},
		{"quote", `"admin"@contoso.com`},
		{"angle brackets", "<admin@contoso.com>"},
		{"comma", "a,b@contoso.com"},
		{"semicolon", "a;b@contoso.com"},
		{"colon", "a:b@contoso.com"},
		{"parenthesis", "admin(x)@contoso.com"},
		{"backslash", `ad\min@contoso.com`},
		{"slash", "ad/min@contoso.com"},
		{"invalid UTF-8", "adm\xffin@contoso.com"},
		{"underscore in the domain", "admin@con_toso.com"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := store.ValidateUPN(tt.in)
			if err == nil {
				t.Fatalf("ValidateUPN(%q) = %q, nil; want a refusal", tt.in, got)
			}
			if code := store.ErrorCode(err); code != store.EINVALID {
				t.Errorf("ValidateUPN(%q): code %q, want %q (%v)", tt.in, code, store.EINVALID, err)
			}
			if got != "" {
				t.Errorf("ValidateUPN(%q) returned %q with its error, want \"\"", tt.in, got)
			}
		})
	}
}

// The refusal tells a person what a UPN looks like.
func TestValidateUPNHint(t *testing.T) {
	_, err := store.ValidateUPN("not-a-upn")
	if hint := store.ErrorHint(err); !strings.Contains(hint, "@") {
		t.Errorf("hint %q does not show what a UPN looks like", hint)
	}
}

func TestCheckName(t *testing.T) {
	tests := []struct {
		name, in string
		why      string // "" when accepted, else a part of the reason
	}{
		{"plain", "Adele Vance", ""},
		{"empty", "", ""},
		{"SQL metacharacters are text", `'; DROP TABLE users; -- " OR 1=1 % _`, ""},
		{"accents and dashes", "Ventes & Marketing — Europe", ""},
		{"Arabic", "قسم المبيعات", ""},
		{"Hebrew with a right-to-left mark", "מכירות\u200f 2", ""},
		{"Persian with a zero-width non-joiner", "می\u200cخواهم", ""},
		{"emoji with a joiner", "Team 👩\u200d💻", ""},
		{"256 characters", strings.Repeat("語", 256), ""},
		{"257 characters", strings.Repeat("語", 257), "longer than 256"},
		{"1 MB", strings.Repeat("a", 1<<20), "longer than 256"},
		{"invalid UTF-8", "Bad \xff\xfe", "not valid UTF-8"},
		{"NUL", "a\x00b", "control character"},
		{"line break", "a\nb", "control character"},
		{"escape sequence", "\x1b[31mred", "control character"},
		{"C1 control", "a\u0085b", "control character"},
		{"right-to-left override", "Adele \u202eecnaV", "U+202E"},
		{"left-to-right override", "a\u202db", "U+202D"},
		{"right-to-left embedding", "a\u202bb", "U+202B"},
		{"pop directional formatting", "a\u202cb", "U+202C"},
		{"right-to-left isolate", "a\u2067b", "U+2067"},
		{"pop directional isolate", "a\u2069b", "U+2069"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := store.CheckName(tt.in)
			switch {
			case tt.why == "" && got != "":
				t.Errorf("CheckName refused it: %q", got)
			case tt.why != "" && !strings.Contains(got, tt.why):
				t.Errorf("CheckName = %q, want a reason containing %q", got, tt.why)
			}
		})
	}
}
