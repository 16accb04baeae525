package checkdigit

import "strings"

// sortCodeDigits accepts "123456" and "12-34-56" and returns the six digits.
func sortCodeDigits(s string) (string, bool) {
	if len(s) == 6 && IsDigits(s) {
		return s, true
	}
	return matchesMask(s, "##-##-##", isDigit)
}

// ValidSortCode reports whether s is a UK bank sort code, as six digits or
// 12-34-56. Sort codes have no check digit; whether the account number
// belongs to the sort code (the VocaLink modulus rules) is not checked.
func ValidSortCode(s string) bool {
	_, ok := sortCodeDigits(s)
	return ok
}

// FormatSortCode formats a sort code as 12-34-56; input that is not a sort
// code is returned unchanged.
func FormatSortCode(s string) string {
	d, ok := sortCodeDigits(s)
	if !ok {
		return s
	}
	return d[0:2] + "-" + d[2:4] + "-" + d[4:6]
}

// ValidUKAccountNumber reports whether s is an eight-digit UK account
// number.
func ValidUKAccountNumber(s string) bool {
	return len(s) == 8 && IsDigits(s)
}

// ninoBadPrefixes are prefixes HMRC never allocates even though both letters
// are individually allowed.
var ninoBadPrefixes = map[string]bool{
	"BG": true, "GB": true, "KN": true, "NK": true, "NT": true, "TN": true, "ZZ": true,
}

// ValidNINO reports whether s has the format of a UK National Insurance
// number, such as "AB123456C" or "ab 12 34 56 c": two prefix letters (neither
// D, F, I, Q, U or V, the second not O, and not BG, GB, KN, NK, NT, TN or
// ZZ), six digits and a suffix A-D. Spaces and case are ignored. NINOs have
// no check digit, so this is a format check only; HMRC's specimen
// QQ123456C is deliberately rejected.
func ValidNINO(s string) bool {
	n := upperASCII(strings.ReplaceAll(s, " ", ""))
	if len(n) != 9 || !IsDigits(n[2:8]) {
		return false
	}
	first, second, suffix := n[0], n[1], n[8]
	if !ninoLetterOK(first) || !ninoLetterOK(second) || second == 'O' {
		return false
	}
	if ninoBadPrefixes[n[:2]] {
		return false
	}
	return 'A' <= suffix && suffix <= 'D'
}

func ninoLetterOK(c byte) bool {
	if c < 'A' || c > 'Z' {
		return false
	}
	return !strings.ContainsRune("DFIQUV", rune(c))
}
