// Package boletocode builds and checks the two codes printed on a Brazilian
// bank boleto (bloqueto de cobrança): the 44-digit barcode and the 47-digit
// linha digitável that a payer types instead of scanning it. The barcode
// holds the bank's COMPE code, the currency, a mod-11 check digit over the
// rest, the fator de vencimento (due date as a day count), the amount in
// centavos and a 25-digit campo livre whose layout each bank chooses; the
// linha digitável rearranges the same digits into five fields, the first
// three with their own mod-10 check digits. FreeField lays out sandbank's
// own campo livre. Arrecadação slips (utilities and taxes: 44/48 digits
// starting with 8) are a different format and are refused.
package boletocode

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/sandbank/sandbank/simulator/checkdigit"
)

// CurrencyReal is the currency digit for the real, the only one in use;
// "0" once meant any other currency.
const CurrencyReal = "9"

// MaxAmount is the largest amount, in centavos, that the barcode's ten
// amount digits hold: R$ 99.999.999,99.
const MaxAmount = 9_999_999_999

// Boleto is what a boleto's codes carry.
type Boleto struct {
	// BankCode is the issuing bank's three-digit COMPE code, e.g. "001".
	BankCode string
	// Currency is one digit; empty means CurrencyReal.
	Currency string
	// Due is the due date; only its calendar date counts. The zero Time
	// means no due date (fator 0). Parsed boletos hold midnight UTC.
	Due time.Time
	// Amount is in centavos, 0..MaxAmount; 0 leaves it to the payer.
	Amount int64
	// FreeField is the 25-digit campo livre, laid out by the bank.
	FreeField string
}

// CheckDigitError reports a check digit that does not match the digits it
// guards.
type CheckDigitError struct {
	// Digit names it: "field 1", "field 2" or "field 3" of a linha
	// digitável (mod 10), or "general" (the barcode's mod 11, which is
	// field 4 of the linha digitável).
	Digit     string
	Got, Want byte
}

func (e *CheckDigitError) Error() string {
	return fmt.Sprintf("boletocode: %s check digit is %c, want %c", e.Digit, e.Got, e.Want)
}

// Barcode returns the 44-digit barcode of b.
func Barcode(b Boleto) (string, error) {
	if b.Currency == "" {
		b.Currency = CurrencyReal
	}
	switch {
	case len(b.BankCode) != 3 || !checkdigit.IsDigits(b.BankCode):
		return "", fmt.Errorf("boletocode: bank code %q is not 3 digits", b.BankCode)
	case b.BankCode[0] == '8':
		// A leading 8 marks an arrecadação barcode; no bank code has one.
		return "", fmt.Errorf("boletocode: bank code %q starts with 8, which marks arrecadação barcodes", b.BankCode)
	case len(b.Currency) != 1 || !checkdigit.IsDigits(b.Currency):
		return "", fmt.Errorf("boletocode: currency %q is not one digit", b.Currency)
	case b.Amount < 0 || b.Amount > MaxAmount:
		return "", fmt.Errorf("boletocode: amount %d centavos is outside 0..%d", b.Amount, int64(MaxAmount))
	case len(b.FreeField) != 25 || !checkdigit.IsDigits(b.FreeField):
		return "", fmt.Errorf("boletocode: free field %q is not 25 digits", b.FreeField)
	}
	factor := 0
	if !b.Due.IsZero() {
		var err error
		if factor, err = DueFactor(b.Due); err != nil {
			return "", err
		}
	}
	body := fmt.Sprintf("%s%s%04d%010d%s", b.BankCode, b.Currency, factor, b.Amount, b.FreeField)
	dv, _ := Mod11(body)
	return body[:4] + string(rune('0'+dv)) + body[4:], nil
}

// DigitableLine returns the linha digitável of b, formatted as banks print
// it: "00190.00009 01149.718601 68524.522114 6 75860000102656".
func DigitableLine(b Boleto) (string, error) {
	bc, err := Barcode(b)
	if err != nil {
		return "", err
	}
	return digitableLine(bc), nil
}

// ParseBarcode reads a 44-digit barcode after checking its general check
// digit. The fator de vencimento is resolved to the cycle nearest to
// around (see DueDate).
func ParseBarcode(s string, around time.Time) (Boleto, error) {
	if err := checkBarcode(s); err != nil {
		return Boleto{}, err
	}
	factor, _ := strconv.Atoi(s[5:9])
	amount, _ := strconv.ParseInt(s[9:19], 10, 64)
	return Boleto{
		BankCode:  s[0:3],
		Currency:  s[3:4],
		Due:       DueDate(factor, around),
		Amount:    amount,
		FreeField: s[19:44],
	}, nil
}

// ParseDigitableLine reads a linha digitável, with or without its dots and
// spaces, after checking the check digits of fields 1 to 3 and the general
// one; a failure is a *CheckDigitError naming the digit. The due date is
// resolved as by ParseBarcode.
func ParseDigitableLine(s string, around time.Time) (Boleto, error) {
	bc, err := BarcodeFromDigitableLine(s)
	if err != nil {
		return Boleto{}, err
	}
	return ParseBarcode(bc, around)
}

// DigitableLineFromBarcode converts a barcode to the formatted linha
// digitável, checking the barcode first.
func DigitableLineFromBarcode(barcode string) (string, error) {
	if err := checkBarcode(barcode); err != nil {
		return "", err
	}
	return digitableLine(barcode), nil
}

// BarcodeFromDigitableLine converts a linha digitável, with or without
// its dots and spaces, to the barcode, checking every check digit.
func BarcodeFromDigitableLine(line string) (string, error) {
	d, err := lineDigits(line)
	if err != nil {
		return "", err
	}
	// Field n is d[start:end], its last digit the mod-10 check digit.
	for n, f := range [3][2]int{{0, 10}, {10, 21}, {21, 32}} {
		want, _ := Mod10(d[f[0] : f[1]-1])
		if got := d[f[1]-1]; got != byte('0'+want) {
			return "", &CheckDigitError{Digit: fmt.Sprintf("field %d", n+1), Got: got, Want: byte('0' + want)}
		}
	}
	bc := d[0:4] + d[32:33] + d[33:47] + d[4:9] + d[10:20] + d[21:31]
	if err := checkBarcode(bc); err != nil {
		return "", err
	}
	return bc, nil
}

// lineDigits strips the dots and white space from a linha digitável and
// checks that 47 digits remain.
func lineDigits(line string) (string, error) {
	var b strings.Builder
	for i := 0; i < len(line); i++ {
		switch c := line[i]; {
		case '0' <= c && c <= '9':
			b.WriteByte(c)
		case c == '.' || c == ' ' || c == '\t' || c == '\n' || c == '\r':
		default:
			return "", fmt.Errorf("boletocode: linha digitável has %q at byte %d; only digits, dots and spaces are allowed", c, i)
		}
	}
	d := b.String()
	switch {
	case len(d) == 48 && d[0] == '8':
		return "", fmt.Errorf("boletocode: %q is an arrecadação (utility or tax) line, not a bank boleto", line)
	case len(d) != 47:
		return "", fmt.Errorf("boletocode: linha digitável has %d digits, want 47", len(d))
	}
	return d, nil
}

// checkBarcode checks that s is 44 digits with a correct general check
// digit.
func checkBarcode(s string) error {
	switch {
	case len(s) != 44 || !checkdigit.IsDigits(s):
		return fmt.Errorf("boletocode: barcode %q is not 44 digits", s)
	case s[0] == '8':
		return fmt.Errorf("boletocode: barcode %q starts with 8: an arrecadação (utility or tax) barcode, not a bank boleto", s)
	}
	want, _ := Mod11(s[:4] + s[5:])
	if s[4] != byte('0'+want) {
		return &CheckDigitError{Digit: "general", Got: s[4], Want: byte('0' + want)}
	}
	return nil
}

// digitableLine formats a checked barcode as a linha digitável.
func digitableLine(bc string) string {
	withDV := func(s string) string {
		dv, _ := Mod10(s)
		return s + string(rune('0'+dv))
	}
	f1 := withDV(bc[0:4] + bc[19:24])
	f2 := withDV(bc[24:34])
	f3 := withDV(bc[34:44])
	return f1[:5] + "." + f1[5:] + " " + f2[:5] + "." + f2[5:] + " " +
		f3[:5] + "." + f3[5:] + " " + bc[4:5] + " " + bc[5:19]
}

// Mod10 returns the mod-10 check digit of a digit string, as for fields 1
// to 3 of a linha digitável: from the rightmost digit, weights 2, 1, 2, …;
// a product over 9 counts as the sum of its digits; the digit is
// (10 − sum mod 10) mod 10: the Luhn check digit.
func Mod10(digits string) (int, error) {
	if !checkdigit.IsDigits(digits) {
		return 0, fmt.Errorf("boletocode: %q is not a digit string", digits)
	}
	return checkdigit.LuhnCheckDigit(digits)
}

// Mod11 returns the general check digit of a barcode, given its 43 other
// digits (position 5 left out): from the rightmost digit, weights 2 to 9,
// repeating; r = 11 − sum mod 11; the digit is r, except that 0, 10 and 11
// become 1 (0 is never a general check digit).
func Mod11(digits string) (int, error) {
	if !checkdigit.IsDigits(digits) {
		return 0, fmt.Errorf("boletocode: %q is not a digit string", digits)
	}
	sum := 0
	for i := 0; i < len(digits); i++ {
		sum += int(digits[len(digits)-1-i]-'0') * (2 + i%8)
	}
	switch r := 11 - sum%11; r {
	case 0, 10, 11:
		return 1, nil
	default:
		return r, nil
	}
}
