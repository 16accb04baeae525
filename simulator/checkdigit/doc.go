// Package checkdigit validates and generates the identifiers that sandbank's
// simulated banks and payment providers exchange: Brazilian CPF, CNPJ
// (including the alphanumeric CNPJ) and bank-account digits, card numbers
// (Luhn), IBANs (ISO 13616), US ABA routing numbers, SSNs and EINs, UK sort
// codes, account numbers and National Insurance numbers, and the German tax
// ID. Generators never draw random numbers themselves: the caller passes the
// body (for example the nine base digits of a CPF) and gets the check digits
// back, so seeded scenarios stay reproducible.
package checkdigit

// IsDigits reports whether s is non-empty and made only of ASCII digits.
func IsDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// allSame reports whether every byte of s equals the first one.
func allSame(s string) bool {
	for i := 1; i < len(s); i++ {
		if s[i] != s[0] {
			return false
		}
	}
	return true
}

// matchesMask reports whether s has the shape of mask, where '#' stands for
// any character accepted by ok and every other mask byte must appear as is.
// It returns s with the literal separators removed.
func matchesMask(s, mask string, ok func(byte) bool) (string, bool) {
	if len(s) != len(mask) {
		return "", false
	}
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if mask[i] == '#' {
			if !ok(s[i]) {
				return "", false
			}
			out = append(out, s[i])
		} else if s[i] != mask[i] {
			return "", false
		}
	}
	return string(out), true
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

func isUpperAlnum(c byte) bool { return isDigit(c) || ('A' <= c && c <= 'Z') }

// upperASCII upper-cases ASCII letters only. strings.ToUpper would also map
// some non-ASCII letters onto ASCII ones (U+017F long s becomes 'S'), letting
// look-alike input pass a format check.
func upperASCII(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'a' <= c && c <= 'z' {
			b[i] = c - 'a' + 'A'
		}
	}
	return string(b)
}
