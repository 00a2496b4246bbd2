package store

import (
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
		return Errorf(EINVALID, "invalid UPN %q: %s", s, why).WithHint("a UPN looks like name@contoso.com")
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
