package checkdigit

import (
	"errors"
	"fmt"
	"strings"
)

// Sentinel IBAN errors, so an API can tell the caller which part is wrong
// while matching with errors.Is.
var (
	ErrIBANCountry  = errors.New("unknown IBAN country")
	ErrIBANLength   = errors.New("wrong IBAN length")
	ErrIBANCharset  = errors.New("invalid IBAN character")
	ErrIBANChecksum = errors.New("IBAN checksum mismatch")
)

// ibanError carries a specific message while unwrapping to a sentinel.
type ibanError struct {
	kind error
	msg  string
}

func (e *ibanError) Error() string { return "iban: " + e.msg }
func (e *ibanError) Unwrap() error { return e.kind }

func ibanErrorf(kind error, format string, args ...any) error {
	return &ibanError{kind: kind, msg: fmt.Sprintf(format, args...)}
}

// ibanLengths is the total IBAN length per country from the SWIFT IBAN
// registry: every SEPA country plus the other countries that issue IBANs.
// Territories that use another country's prefix (French overseas
// departments use FR, Jersey/Guernsey/Isle of Man use GB) are not listed.
var ibanLengths = map[string]int{
	"AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16,
	"BG": 22, "BH": 22, "BI": 27, "BR": 29, "BY": 28, "CH": 21, "CR": 22,
	"CY": 28, "CZ": 24, "DE": 22, "DJ": 27, "DK": 18, "DO": 28, "EE": 20,
	"EG": 29, "ES": 24, "FI": 18, "FK": 18, "FO": 18, "FR": 27, "GB": 22,
	"GE": 22, "GI": 23, "GL": 18, "GR": 27, "GT": 28, "HR": 21, "HU": 28,
	"IE": 22, "IL": 23, "IQ": 23, "IS": 26, "IT": 27, "JO": 30, "KW": 30,
	"KZ": 20, "LB": 28, "LC": 32, "LI": 21, "LT": 20, "LU": 20, "LV": 21,
	"LY": 25, "MC": 27, "MD": 24, "ME": 22, "MK": 19, "MN": 20, "MR": 27,
	"MT": 31, "MU": 30, "NI": 28, "NL": 18, "NO": 15, "OM": 23, "PK": 24,
	"PL": 28, "PS": 29, "PT": 25, "QA": 29, "RO": 24, "RS": 22, "RU": 33,
	"SA": 24, "SC": 31, "SD": 18, "SE": 24, "SI": 19, "SK": 24, "SM": 27,
	"SO": 23, "ST": 25, "SV": 28, "TL": 23, "TN": 24, "TR": 26, "UA": 29,
	"VA": 22, "VG": 24, "XK": 20, "YE": 30,
}

// IBANLength returns the total IBAN length (country code and check digits
// included) for a two-letter country code, so generators can size a BBAN.
func IBANLength(country string) (int, bool) {
	n, ok := ibanLengths[normalizeIBAN(country)]
	return n, ok
}

// normalizeIBAN drops spaces and upper-cases ASCII letters; that is how IBANs
// are printed ("GB82 WEST ...") and typed (lower case) by people.
func normalizeIBAN(s string) string {
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == ' ':
			continue
		case 'a' <= c && c <= 'z':
			c -= 'a' - 'A'
		}
		b = append(b, c)
	}
	return string(b)
}

// checkAlnum reports the first byte of s that is not 0-9 or A-Z, with its
// position counted from offset.
func checkAlnum(s string, offset int) error {
	for i := 0; i < len(s); i++ {
		if !isUpperAlnum(s[i]) {
			return ibanErrorf(ErrIBANCharset, "invalid character %q at position %d", s[i], offset+i+1)
		}
	}
	return nil
}

// mod97 returns the ISO 7064 MOD 97-10 remainder of s read with letters
// expanded to two digits (A=10 ... Z=35), without building the big number.
func mod97(s string) int {
	r := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if isDigit(c) {
			r = (r*10 + int(c-'0')) % 97
		} else {
			r = (r*100 + int(c-'A') + 10) % 97
		}
	}
	return r
}

// ValidIBAN returns nil when s is a valid IBAN, or an error wrapping one of
// ErrIBANCountry, ErrIBANLength, ErrIBANCharset or ErrIBANChecksum that says
// what is wrong. Spaces are ignored and letters may be in either case.
func ValidIBAN(s string) error {
	iban := normalizeIBAN(s)
	if len(iban) < 4 {
		return ibanErrorf(ErrIBANLength, "%q is too short to be an IBAN", s)
	}
	if err := checkAlnum(iban, 0); err != nil {
		return err
	}
	country := iban[:2]
	want, ok := ibanLengths[country]
	if !ok {
		return ibanErrorf(ErrIBANCountry, "unknown country code %q", country)
	}
	if !IsDigits(iban[2:4]) {
		return ibanErrorf(ErrIBANCharset, "check digits %q are not numeric", iban[2:4])
	}
	if len(iban) != want {
		return ibanErrorf(ErrIBANLength, "%s IBANs have %d characters, got %d", country, want, len(iban))
	}
	// 00, 01 and 99 never come out of the check-digit formula but 01 and 99
	// can still satisfy mod 97 = 1 (they are congruent to 98 and 2).
	if cd := iban[2:4]; cd == "00" || cd == "01" || cd == "99" {
		return ibanErrorf(ErrIBANChecksum, "check digits %s are never issued", cd)
	}
	if mod97(iban[4:]+iban[:4]) != 1 {
		return ibanErrorf(ErrIBANChecksum, "checksum of %s does not verify", iban)
	}
	return nil
}

// IBANCheckDigits returns the two check digits for a BBAN in the given
// country: 98 - (BBAN + country + "00") mod 97. The country must be known
// and the BBAN must have the length that country's IBANs require; spaces
// are ignored and letters may be in either case.
func IBANCheckDigits(country, bban string) (string, error) {
	country = normalizeIBAN(country)
	bban = normalizeIBAN(bban)
	want, ok := ibanLengths[country]
	if !ok {
		return "", ibanErrorf(ErrIBANCountry, "unknown country code %q", country)
	}
	if err := checkAlnum(bban, 4); err != nil {
		return "", err
	}
	if len(bban) != want-4 {
		return "", ibanErrorf(ErrIBANLength, "%s BBANs have %d characters, got %d", country, want-4, len(bban))
	}
	cd := 98 - mod97(bban+country+"00")
	return fmt.Sprintf("%02d", cd), nil
}

// NewIBAN returns the electronic form (no spaces, upper case) of the IBAN
// made of country, its check digits and bban.
func NewIBAN(country, bban string) (string, error) {
	cd, err := IBANCheckDigits(country, bban)
	if err != nil {
		return "", err
	}
	return normalizeIBAN(country) + cd + normalizeIBAN(bban), nil
}

// FormatIBAN returns the print form of an IBAN: upper case in groups of four
// separated by spaces ("GB82 WEST 1234 5698 7654 32"). It does not validate.
func FormatIBAN(s string) string {
	iban := normalizeIBAN(s)
	var b strings.Builder
	for i := 0; i < len(iban); i += 4 {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(iban[i:min(i+4, len(iban))])
	}
	return b.String()
}
