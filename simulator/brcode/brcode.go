// Package brcode encodes and decodes Pix "copia e cola" payloads, the text
// inside Brazil's BR Code (an EMV QRCPS merchant-presented QR code). A
// payload is a run of TLV fields — a two-digit ID, a two-digit length and
// the value — in which the merchant account template (26) and the
// additional data template (62) nest TLVs of their own, and which ends with
// a CRC-16 in field 63. Lengths count characters, but readers differ on
// whether that means bytes, so the package only writes printable ASCII:
// accented letters in the name, city and free text are transliterated
// (á→a, Ç→C, keeping case) before they are measured. Encode applies the
// Banco Central's limits (name ≤ 25, city ≤ 15, txid ≤ 25); Decode checks
// structure and the CRC but not those limits, because payloads in
// circulation exceed them and still pay.
package brcode

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/sandbank/sandbank/simulator/checkdigit"
)

// Point of initiation (field 01) values.
const (
	StaticInitiation  = "11" // a reusable code, usually carrying a Pix key
	DynamicInitiation = "12" // a single-use code, usually carrying a URL
)

// Payload is the content of a Pix BR Code. Exactly one of Key (static
// codes) and URL (dynamic codes) is set. Encode fills empty defaulted
// fields; Decode returns every field as the payload spells it.
type Payload struct {
	// PointOfInitiation is field 01: StaticInitiation, DynamicInitiation
	// or empty, which omits the field.
	PointOfInitiation string
	// Key is the Pix key (e-mail, phone, CPF/CNPJ or random key) of a
	// static code: merchant account subfield 01, at most 77 characters.
	Key string
	// URL locates the charge of a dynamic code, without its scheme
	// ("pix.example.com/qr/v2/…"): merchant account subfield 25, at most
	// 77 characters.
	URL string
	// Info is free text for the payer (merchant account subfield 02),
	// optional; it shares the template's 99 characters with Key or URL.
	Info string
	// MerchantCategory is the ISO 18245 code, field 52; "0000" if empty.
	MerchantCategory string
	// Currency is the ISO 4217 numeric code, field 53; "986" (real) if
	// empty.
	Currency string
	// Amount is field 54 in reais with two decimals ("10.00"), at most 13
	// characters; empty lets the payer choose.
	Amount string
	// Country is the ISO 3166 code, field 58; "BR" if empty.
	Country string
	// Name is the receiver's name, field 59, required, at most 25
	// characters after transliteration.
	Name string
	// City is the receiver's city, field 60, required, at most 15
	// characters after transliteration.
	City string
	// TxID is the transaction ID, subfield 05 of field 62: at most 25
	// letters, digits and hyphens, or "***" (the value when empty) for
	// none.
	TxID string
	// Recurrence is the raw value of field 80, the Pix Automático
	// (recurring payment) template, optional; it is carried as is.
	Recurrence string
}

const (
	pixGUI                  = "br.gov.bcb.pix"
	defaultMerchantCategory = "0000"
	defaultCurrency         = "986"
	defaultCountry          = "BR"
	noTxID                  = "***"

	maxValueLen  = 99 // what two length digits can say
	maxKeyLen    = 77
	maxURLLen    = 77
	maxAmountLen = 13
	maxNameLen   = 25
	maxCityLen   = 15
	maxTxIDLen   = 25
)

// FieldError is a Payload field that cannot be encoded, or a field of a
// payload being decoded that is missing or malformed.
type FieldError struct {
	Field   string // the Payload field, e.g. "Name"
	ID      string // its EMV ID, e.g. "59", or "26.01" for a subfield
	Problem string
}

func (e *FieldError) Error() string {
	return fmt.Sprintf("brcode: %s (field %s): %s", e.Field, e.ID, e.Problem)
}

func fieldErr(field, id, format string, args ...any) error {
	return &FieldError{Field: field, ID: id, Problem: fmt.Sprintf(format, args...)}
}

// ErrCRCMismatch is wrapped by Decode's error for a payload whose field 63
// does not match its content.
var ErrCRCMismatch = errors.New("brcode: CRC mismatch")

// Encode renders p as a payload: fields 00, 01 (if set), 26 (GUI, then key
// or URL, then info), 52, 53, 54 (if set), 58, 59, 60, 62 (txid), 80 (if
// set) and 63, the CRC. Name, City and Info are transliterated to ASCII
// first. Errors are *FieldError naming the offending field.
func Encode(p Payload) (string, error) {
	return encode(p, true)
}

// encode is Encode; with strict false it checks only what the TLV format
// itself needs, not the Banco Central's length and character limits, so
// that any decoded payload can be written back.
func encode(p Payload, strict bool) (string, error) {
	p, err := normalize(p)
	if err != nil {
		return "", err
	}
	if err := check(p, strict); err != nil {
		return "", err
	}
	var b strings.Builder
	writeTLV(&b, "00", "01")
	if p.PointOfInitiation != "" {
		writeTLV(&b, "01", p.PointOfInitiation)
	}
	writeTLV(&b, "26", merchantAccount(p))
	writeTLV(&b, "52", p.MerchantCategory)
	writeTLV(&b, "53", p.Currency)
	if p.Amount != "" {
		writeTLV(&b, "54", p.Amount)
	}
	writeTLV(&b, "58", p.Country)
	writeTLV(&b, "59", p.Name)
	writeTLV(&b, "60", p.City)
	writeTLV(&b, "62", tlv("05", p.TxID))
	if p.Recurrence != "" {
		writeTLV(&b, "80", p.Recurrence)
	}
	b.WriteString("6304")
	b.WriteString(crcHex(CRC16(b.String())))
	return b.String(), nil
}

// normalize fills the defaulted fields and transliterates the free-text
// ones.
func normalize(p Payload) (Payload, error) {
	def := func(v *string, d string) {
		if *v == "" {
			*v = d
		}
	}
	def(&p.MerchantCategory, defaultMerchantCategory)
	def(&p.Currency, defaultCurrency)
	def(&p.Country, defaultCountry)
	def(&p.TxID, noTxID)
	for _, f := range []struct {
		v        *string
		name, id string
	}{{&p.Name, "Name", "59"}, {&p.City, "City", "60"}, {&p.Info, "Info", "26.02"}} {
		t, err := Transliterate(*f.v)
		if err != nil {
			return Payload{}, fieldErr(f.name, f.id, "%v", err)
		}
		*f.v = t
	}
	return p, nil
}

// check validates a normalized Payload. Every value must be printable
// ASCII and fit its TLV; strict adds the Banco Central's rules.
func check(p Payload, strict bool) error {
	if p.PointOfInitiation != "" && p.PointOfInitiation != StaticInitiation && p.PointOfInitiation != DynamicInitiation {
		return fieldErr("PointOfInitiation", "01", "%q is neither %q (static) nor %q (dynamic)",
			p.PointOfInitiation, StaticInitiation, DynamicInitiation)
	}
	switch {
	case p.Key == "" && p.URL == "":
		return fieldErr("Key", "26.01", "one of Key (static) and URL (dynamic) is required")
	case p.Key != "" && p.URL != "":
		return fieldErr("URL", "26.25", "a payload carries a Key or a URL, not both")
	}
	values := []struct{ v, name, id string }{
		{p.Key, "Key", "26.01"}, {p.URL, "URL", "26.25"}, {p.Info, "Info", "26.02"},
		{p.MerchantCategory, "MerchantCategory", "52"}, {p.Currency, "Currency", "53"},
		{p.Amount, "Amount", "54"}, {p.Country, "Country", "58"},
		{p.Name, "Name", "59"}, {p.City, "City", "60"},
		{p.TxID, "TxID", "62.05"}, {p.Recurrence, "Recurrence", "80"},
	}
	for _, f := range values {
		if len(f.v) > maxValueLen {
			return fieldErr(f.name, f.id, "%d characters, at most %d", len(f.v), maxValueLen)
		}
		if i := nonPrintable(f.v); i >= 0 {
			return fieldErr(f.name, f.id, "byte %d is %q; only printable ASCII is allowed", i, f.v[i])
		}
	}
	if p.Name == "" {
		return fieldErr("Name", "59", "required")
	}
	if p.City == "" {
		return fieldErr("City", "60", "required")
	}
	if p.Amount != "" && !validAmount(p.Amount, strict) {
		return fieldErr("Amount", "54", "%q is not an amount like \"10.00\" of at most %d characters", p.Amount, maxAmountLen)
	}
	if strict {
		if err := checkLimits(p); err != nil {
			return err
		}
	}
	if n := len(merchantAccount(p)); n > maxValueLen {
		return fieldErr("Info", "26", "the merchant account template would be %d characters, at most %d: shorten Info or the key/URL", n, maxValueLen)
	}
	if n := len(tlv("05", p.TxID)); n > maxValueLen {
		return fieldErr("TxID", "62.05", "%d characters, at most %d", len(p.TxID), maxValueLen-4)
	}
	return nil
}

// checkLimits applies the Banco Central's rules, which are narrower than
// what the TLV format can carry.
func checkLimits(p Payload) error {
	switch {
	case len(p.Key) > maxKeyLen:
		return fieldErr("Key", "26.01", "%d characters, at most %d", len(p.Key), maxKeyLen)
	case len(p.URL) > maxURLLen:
		return fieldErr("URL", "26.25", "%d characters, at most %d", len(p.URL), maxURLLen)
	case strings.Contains(p.URL, "://"):
		return fieldErr("URL", "26.25", "%q must not include the scheme", p.URL)
	case len(p.MerchantCategory) != 4 || !checkdigit.IsDigits(p.MerchantCategory):
		return fieldErr("MerchantCategory", "52", "%q is not 4 digits", p.MerchantCategory)
	case len(p.Currency) != 3 || !checkdigit.IsDigits(p.Currency):
		return fieldErr("Currency", "53", "%q is not a 3-digit ISO 4217 code", p.Currency)
	case len(p.Country) != 2 || !isUpper(p.Country):
		return fieldErr("Country", "58", "%q is not a 2-letter ISO 3166 code", p.Country)
	case len(p.Name) > maxNameLen:
		return fieldErr("Name", "59", "%d characters, at most %d", len(p.Name), maxNameLen)
	case len(p.City) > maxCityLen:
		return fieldErr("City", "60", "%d characters, at most %d", len(p.City), maxCityLen)
	case p.TxID != noTxID && (len(p.TxID) > maxTxIDLen || !isTxIDChars(p.TxID)):
		return fieldErr("TxID", "62.05", "%q is not %q or 1 to %d letters, digits and hyphens", p.TxID, noTxID, maxTxIDLen)
	}
	return nil
}

// merchantAccount is the value of field 26: the Pix GUI, then the key or
// the URL, then the free text.
func merchantAccount(p Payload) string {
	mai := tlv("00", pixGUI)
	if p.Key != "" {
		mai += tlv("01", p.Key)
	} else {
		mai += tlv("25", p.URL)
	}
	if p.Info != "" {
		mai += tlv("02", p.Info)
	}
	return mai
}

// tlv renders one field; the caller has checked that value fits.
func tlv(id, value string) string {
	return id + twoDigits(len(value)) + value
}

func writeTLV(b *strings.Builder, id, value string) { b.WriteString(tlv(id, value)) }

func twoDigits(n int) string { return string([]byte{byte('0' + n/10), byte('0' + n%10)}) }

// validAmount accepts what field 54 may hold. Strictly that is the Banco
// Central's form, digits, a point and two decimals ("10.00"); otherwise
// the EMV form, which also allows "10" and "10.5".
func validAmount(s string, strict bool) bool {
	if len(s) > maxAmountLen {
		return false
	}
	whole, frac, hasPoint := strings.Cut(s, ".")
	if !checkdigit.IsDigits(whole) || (frac != "" && !checkdigit.IsDigits(frac)) {
		return false
	}
	if strict {
		return hasPoint && len(frac) == 2
	}
	return len(frac) <= 2
}

// field is one TLV of a payload being decoded; offset is where its ID
// starts in the whole payload.
type field struct {
	id, value string
	offset    int
}

// parseFields splits s, which starts at offset base of the payload, into
// TLVs. Empty values and repeated IDs are errors: EMV lengths start at 01,
// and a repeated field leaves its meaning ambiguous.
func parseFields(s string, base int) ([]field, error) {
	var fields []field
	seen := make(map[string]bool)
	for i := 0; i < len(s); {
		at := base + i
		if len(s)-i < 4 {
			return nil, fmt.Errorf("brcode: truncated TLV at offset %d: %q is shorter than an ID and a length", at, s[i:])
		}
		id, length := s[i:i+2], s[i+2:i+4]
		if !checkdigit.IsDigits(id) {
			return nil, fmt.Errorf("brcode: offset %d: ID %q is not two digits", at, id)
		}
		if !checkdigit.IsDigits(length) {
			return nil, fmt.Errorf("brcode: field %s at offset %d: length %q is not two digits", id, at, length)
		}
		n, _ := strconv.Atoi(length)
		if n == 0 {
			return nil, fmt.Errorf("brcode: field %s at offset %d is empty", id, at)
		}
		if len(s)-i-4 < n {
			return nil, fmt.Errorf("brcode: truncated TLV at offset %d: field %s says %d characters, %d remain", at, id, n, len(s)-i-4)
		}
		if seen[id] {
			return nil, fmt.Errorf("brcode: field %s at offset %d appears twice", id, at)
		}
		seen[id] = true
		fields = append(fields, field{id: id, value: s[i+4 : i+4+n], offset: at})
		i += 4 + n
	}
	return fields, nil
}

// Decode parses a payload. It checks the TLV structure, that field 00 is
// "01" and comes first, that the CRC is field 63 and last and matches
// (otherwise the error wraps ErrCRCMismatch: "CRC mismatch: got 1D3E, want
// 1D3D"), and that the mandatory fields are present, including a merchant
// account template (any of 26–51) whose GUI is br.gov.bcb.pix. Fields it
// does not know, and templates of other arrangements, are skipped. It does
// not apply Encode's length limits. White space around the payload, such
// as a pasted newline, is ignored.
func Decode(s string) (Payload, error) {
	s = strings.TrimSpace(s)
	if i := nonPrintable(s); i >= 0 {
		return Payload{}, fmt.Errorf("brcode: byte %d is %q; a payload is printable ASCII", i, s[i])
	}
	fields, err := parseFields(s, 0)
	if err != nil {
		return Payload{}, err
	}
	if len(fields) == 0 {
		return Payload{}, errors.New("brcode: empty payload")
	}
	if first := fields[0]; first.id != "00" {
		return Payload{}, fmt.Errorf("brcode: field 00 (payload format) must come first, found field %s", first.id)
	} else if first.value != "01" {
		return Payload{}, fmt.Errorf("brcode: field 00 (payload format) is %q, want \"01\"", first.value)
	}
	last := fields[len(fields)-1]
	if last.id != "63" {
		return Payload{}, fmt.Errorf("brcode: field 63 (CRC) must be last, found field %s", last.id)
	}
	if len(last.value) != 4 {
		return Payload{}, fmt.Errorf("brcode: field 63 (CRC) is %q, want 4 hex digits", last.value)
	}
	if want := crcHex(CRC16(s[:len(s)-4])); !strings.EqualFold(last.value, want) {
		return Payload{}, fmt.Errorf("%w: got %s, want %s", ErrCRCMismatch, last.value, want)
	}

	var p Payload
	var havePix, haveTxID bool
	present := make(map[string]bool)
	for _, f := range fields {
		present[f.id] = true
		switch f.id {
		case "01":
			if f.value != StaticInitiation && f.value != DynamicInitiation {
				return Payload{}, fieldErr("PointOfInitiation", "01", "%q is neither %q nor %q", f.value, StaticInitiation, DynamicInitiation)
			}
			p.PointOfInitiation = f.value
		case "52":
			p.MerchantCategory = f.value
		case "53":
			p.Currency = f.value
		case "54":
			if !validAmount(f.value, false) {
				return Payload{}, fieldErr("Amount", "54", "%q is not an amount", f.value)
			}
			p.Amount = f.value
		case "58":
			p.Country = f.value
		case "59":
			p.Name = f.value
		case "60":
			p.City = f.value
		case "62":
			subs, err := parseFields(f.value, f.offset+4)
			if err != nil {
				return Payload{}, err
			}
			for _, sub := range subs {
				if sub.id == "05" {
					p.TxID, haveTxID = sub.value, true
				}
			}
		case "80":
			p.Recurrence = f.value
		default:
			if f.id < "26" || f.id > "51" {
				continue
			}
			key, url, info, isPix, err := decodeMerchantAccount(f)
			if err != nil {
				return Payload{}, err
			}
			if !isPix {
				continue
			}
			if havePix {
				return Payload{}, fmt.Errorf("brcode: field %s is a second Pix merchant account template", f.id)
			}
			p.Key, p.URL, p.Info, havePix = key, url, info, true
		}
	}
	if !havePix {
		return Payload{}, fieldErr("Key", "26", "missing: no merchant account template has GUI %s", pixGUI)
	}
	for _, m := range []struct{ id, name string }{
		{"52", "MerchantCategory"}, {"53", "Currency"}, {"58", "Country"},
		{"59", "Name"}, {"60", "City"}, {"62", "TxID"},
	} {
		if !present[m.id] {
			return Payload{}, fieldErr(m.name, m.id, "missing")
		}
	}
	if !haveTxID {
		return Payload{}, fieldErr("TxID", "62.05", "missing")
	}
	return p, nil
}

// decodeMerchantAccount reads a merchant account template and reports
// whether it is Pix's: whether its GUI (subfield 00) is br.gov.bcb.pix,
// compared without regard to case.
func decodeMerchantAccount(f field) (key, url, info string, isPix bool, err error) {
	subs, err := parseFields(f.value, f.offset+4)
	if err != nil {
		return "", "", "", false, err
	}
	for _, sub := range subs {
		switch sub.id {
		case "00":
			isPix = strings.EqualFold(sub.value, pixGUI)
		case "01":
			key = sub.value
		case "25":
			url = sub.value
		case "02":
			info = sub.value
		}
	}
	switch {
	case !isPix:
		return "", "", "", false, nil
	case key == "" && url == "":
		return "", "", "", false, fieldErr("Key", f.id, "the Pix template has neither a key (01) nor a URL (25)")
	case key != "" && url != "":
		return "", "", "", false, fieldErr("URL", f.id, "the Pix template has both a key (01) and a URL (25)")
	}
	return key, url, info, true, nil
}

// nonPrintable returns the index of the first byte of s that is not
// printable ASCII, or -1.
func nonPrintable(s string) int {
	for i := 0; i < len(s); i++ {
		if !isPrintableASCII(s[i]) {
			return i
		}
	}
	return -1
}

func isUpper(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 'A' || s[i] > 'Z' {
			return false
		}
	}
	return true
}

// isTxIDChars reports whether s is letters, digits and hyphens. The
// hyphen is not alphanumeric, but the Banco Central's own examples use it
// ("RP12345678-2019").
func isTxIDChars(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || c == '-') {
			return false
		}
	}
	return s != ""
}
