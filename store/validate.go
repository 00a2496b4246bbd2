package store

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// MaxUPNLength is the longest UPN Entra ID accepts.
const MaxUPNLength = 113

// ValidateUPN checks that s looks like a user principal name
// (local@domain.tld) and returns it trimmed. It refuses what could fool a
// person reading it: control and format characters such as right-to-left
// overrides, spaces, and invalid UTF-8.
func ValidateUPN(s string) (string, error) {
	s = strings.TrimSpace(s)
	bad := func(why string) error {
		return Errorf(EINVALID, "invalid UPN %s: %s", QuoteShort(s), why).WithHint("a UPN looks like name@contoso.com")
	}
	if s == "" {
		return "", Errorf(EINVALID, "a UPN is required").WithHint("a UPN looks like name@contoso.com")
	}
	if !utf8.ValidString(s) {
		return "", Errorf(EINVALID, "invalid UPN: not valid UTF-8")
	}
	if len(s) > MaxUPNLength {
		return "", bad("longer than 113 characters")
	}
	for _, r := range s {
		if unicode.IsSpace(r) || unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
			return "", bad("contains a space or an invisible character")
		}
		if strings.ContainsRune(`"(),:;<>[\]`, r) {
			return "", bad("contains a character UPNs may not hold")
		}
	}
	local, domain, ok := strings.Cut(s, "@")
	if !ok || local == "" || domain == "" || strings.Contains(domain, "@") {
		return "", bad("needs exactly one @ between a name and a domain")
	}
	for _, r := range local {
		if !isUPNNameRune(r) {
			return "", bad("the name part may hold only ASCII letters, digits and ' . - _ ! # ^ ~")
		}
	}
	if strings.HasPrefix(local, ".") || strings.HasSuffix(local, ".") || strings.Contains(local, "..") {
		return "", bad("the name part may not start or end with a dot or hold two in a row")
	}
	labels := strings.Split(domain, ".")
	if len(labels) < 2 {
		return "", bad("the domain needs a dot, as in contoso.com")
	}
	for _, l := range labels {
		if l == "" || strings.HasPrefix(l, "-") || strings.HasSuffix(l, "-") {
			return "", bad("the domain is not a valid host name")
		}
		for _, r := range l {
			if !(r == '-' || r < utf8.RuneSelf && (unicode.IsLetter(r) || unicode.IsDigit(r))) {
				return "", bad("the domain may hold only ASCII letters, digits and hyphens")
			}
		}
	}
	return s, nil
}

// isUPNNameRune reports whether Entra ID accepts r in the name part of a UPN.
// Only ASCII is accepted, which also keeps look-alike letters out.
func isUPNNameRune(r rune) bool {
	return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("'.-_!#^~", r)
}

// QuoteShort quotes user input for a message: at most 60 bytes of it, with
// control characters and invalid UTF-8 escaped, so a hostile argument can
// neither flood the terminal nor break the one-line error.
func QuoteShort(s string) string {
	const limit = 60
	if len(s) <= limit {
		return strconv.Quote(s)
	}
	cut := limit
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return strconv.Quote(s[:cut]) + "…"
}

// MaxNameLength bounds display names and departments, in characters, as Entra ID does.
const MaxNameLength = 256

// CheckName returns why a display name or department is unacceptable, or
// "": too long, not UTF-8, holding control characters, or holding the
// invisible characters that force the direction of text (right-to-left
// overrides, embeddings and isolates), which can make a name read as
// another one ("Trojan Source"). Names in right-to-left scripts need none
// of them; the marks U+200E and U+200F and the joiners stay allowed.
func CheckName(s string) string {
	// Characters, not bytes: 200 CJK characters are a fine name. The byte
	// bound first keeps a 10 MB cell from being decoded at all.
	if len(s) > utf8.UTFMax*MaxNameLength {
		return "is longer than 256 characters"
	}
	if !utf8.ValidString(s) {
		return "is not valid UTF-8"
	}
	if utf8.RuneCountInString(s) > MaxNameLength {
		return "is longer than 256 characters"
	}
	for _, r := range s {
		if unicode.IsControl(r) {
			return "holds a control character"
		}
		if IsBidiControl(r) {
			return "holds an invisible character that reverses text (U+" + strings.ToUpper(strconv.FormatInt(int64(r), 16)) + ")"
		}
	}
	return ""
}

// IsBidiControl reports whether r is one of the explicit directional
// formatting characters: LRE, RLE, PDF, LRO, RLO (U+202A-U+202E) and LRI,
// RLI, FSI, PDI (U+2066-U+2069).
func IsBidiControl(r rune) bool {
	return r >= '\u202a' && r <= '\u202e' || r >= '\u2066' && r <= '\u2069'
}
