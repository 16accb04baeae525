package checkdigit

import (
	"errors"
	"fmt"
)

// mod11DV is the Receita Federal check-digit rule shared by CPF and CNPJ:
// r = sum mod 11, and the digit is 0 when r < 2, otherwise 11 - r.
func mod11DV(sum int) int {
	r := sum % 11
	if r < 2 {
		return 0
	}
	return 11 - r
}

// CPFCheckDigits returns the two check digits (DVs) of a nine-digit CPF
// base: "123456789" gives "09". DV1 weighs the base 10..2; DV2 weighs the
// base plus DV1 11..2.
func CPFCheckDigits(base9 string) (string, error) {
	if len(base9) != 9 || !IsDigits(base9) {
		return "", fmt.Errorf("checkdigit: CPF base must be 9 digits, got %q", base9)
	}
	var sum1, sum2 int
	for i := 0; i < 9; i++ {
		d := int(base9[i] - '0')
		sum1 += d * (10 - i)
		sum2 += d * (11 - i)
	}
	dv1 := mod11DV(sum1)
	dv2 := mod11DV(sum2 + 2*dv1)
	return string([]byte{byte('0' + dv1), byte('0' + dv2)}), nil
}

// NewCPF returns the 11-digit CPF (unformatted) for a nine-digit base. Bases
// of one repeated digit are refused because ValidCPF rejects the result.
func NewCPF(base9 string) (string, error) {
	dv, err := CPFCheckDigits(base9)
	if err != nil {
		return "", err
	}
	if allSame(base9) {
		return "", fmt.Errorf("checkdigit: CPF base %q is one repeated digit", base9)
	}
	return base9 + dv, nil
}

// cpfDigits accepts the two spellings of a CPF, "12345678909" and
// "123.456.789-09", and returns the 11 digits.
func cpfDigits(s string) (string, bool) {
	if len(s) == 11 && IsDigits(s) {
		return s, true
	}
	return matchesMask(s, "###.###.###-##", isDigit)
}

// ValidCPF reports whether s is a CPF with correct check digits, either as
// 11 digits or formatted as 123.456.789-09. Values of one repeated digit
// (111.111.111-11) pass the arithmetic but are not real CPFs, so they are
// rejected.
func ValidCPF(s string) bool {
	d, ok := cpfDigits(s)
	if !ok || allSame(d) {
		return false
	}
	dv, _ := CPFCheckDigits(d[:9])
	return d[9:] == dv
}

// FormatCPF formats an 11-digit CPF as 123.456.789-09. It does not check the
// digits; input that is not a CPF of either spelling is returned unchanged.
func FormatCPF(s string) string {
	d, ok := cpfDigits(s)
	if !ok {
		return s
	}
	return d[0:3] + "." + d[3:6] + "." + d[6:9] + "-" + d[9:11]
}

// cnpjWeights are the DV1 weights; DV2 uses 6 followed by these.
var cnpjWeights = [12]int{5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2}

// CNPJCheckDigits returns the two check digits of a 12-character CNPJ base.
// The base may be alphanumeric (the format Receita Federal introduces in
// 2026): each character counts as its ASCII code minus 48, so '0'..'9' are
// 0..9 and 'A'..'Z' are 17..42. Letters must be upper case. The check
// digits are always numeric.
func CNPJCheckDigits(base12 string) (string, error) {
	if len(base12) != 12 {
		return "", fmt.Errorf("checkdigit: CNPJ base must be 12 characters, got %q", base12)
	}
	var sum1, sum2 int
	for i := 0; i < 12; i++ {
		c := base12[i]
		if !isUpperAlnum(c) {
			return "", fmt.Errorf("checkdigit: CNPJ base %q has invalid character %q", base12, c)
		}
		v := int(c) - '0'
		sum1 += v * cnpjWeights[i]
		// DV2 weights are 6,5,4,3,2,9,...,2 over 13 positions: the DV1
		// weights shifted right by one.
		if i == 0 {
			sum2 += v * 6
		} else {
			sum2 += v * cnpjWeights[i-1]
		}
	}
	dv1 := mod11DV(sum1)
	dv2 := mod11DV(sum2 + dv1*cnpjWeights[11])
	return string([]byte{byte('0' + dv1), byte('0' + dv2)}), nil
}

// NewCNPJ returns the 14-character CNPJ (unformatted) for a 12-character
// base. The all-zero base is refused because ValidCNPJ rejects the result.
func NewCNPJ(base12 string) (string, error) {
	dv, err := CNPJCheckDigits(base12)
	if err != nil {
		return "", err
	}
	if allSame(base12 + dv) {
		return "", fmt.Errorf("checkdigit: CNPJ %q is one repeated character", base12+dv)
	}
	return base12 + dv, nil
}

// cnpjChars accepts "12ABC34501DE35" and "12.ABC.345/01DE-35" and returns
// the 14 characters.
func cnpjChars(s string) (string, bool) {
	if len(s) == 14 {
		for i := 0; i < 14; i++ {
			if !isUpperAlnum(s[i]) {
				return "", false
			}
		}
		return s, true
	}
	return matchesMask(s, "##.###.###/####-##", isUpperAlnum)
}

// ValidCNPJ reports whether s is a CNPJ, numeric or alphanumeric, with
// correct check digits, either as 14 characters or formatted as
// 12.ABC.345/01DE-35. A value of one repeated character (00000000000000) is
// rejected.
func ValidCNPJ(s string) bool {
	c, ok := cnpjChars(s)
	if !ok || allSame(c) {
		return false
	}
	dv, err := CNPJCheckDigits(c[:12])
	return err == nil && c[12:] == dv
}

// FormatCNPJ formats a 14-character CNPJ as 12.345.678/0001-95. It does not
// check the digits; input that is not a CNPJ of either spelling is returned
// unchanged.
func FormatCNPJ(s string) string {
	c, ok := cnpjChars(s)
	if !ok {
		return s
	}
	return c[0:2] + "." + c[2:5] + "." + c[5:8] + "/" + c[8:12] + "-" + c[12:14]
}

// maxBRAccountLen bounds the account number: real Brazilian account numbers
// are at most about 13 digits, and the bound keeps the sum far from
// overflow.
const maxBRAccountLen = 20

var errBRAccount = errors.New("checkdigit: Brazilian account number must be 1 to 20 digits")

// BRAccountDigit returns the verification digit (DV) of a Brazilian bank
// account number under sandbank's rule. Every real bank has its own rule
// (Banco do Brasil, Itaú, Bradesco and Caixa all differ), so sandbank's
// simulated banks share this one: weights 2..9 repeating from the rightmost
// digit, r = sum mod 11, DV = 11 - r, written "X" when it is 10 and "0" when
// it is 11.
func BRAccountDigit(number string) (string, error) {
	if len(number) > maxBRAccountLen || !IsDigits(number) {
		return "", errBRAccount
	}
	sum := 0
	for i := 0; i < len(number); i++ {
		d := int(number[len(number)-1-i] - '0')
		sum += d * (2 + i%8)
	}
	switch dv := 11 - sum%11; dv {
	case 10:
		return "X", nil
	case 11:
		return "0", nil
	default:
		return string(rune('0' + dv)), nil
	}
}

// ValidBRAccount reports whether digit is the sandbank verification digit of
// the account number (see BRAccountDigit). "x" is accepted for "X".
func ValidBRAccount(number, digit string) bool {
	want, err := BRAccountDigit(number)
	if err != nil {
		return false
	}
	if digit == "x" {
		digit = "X"
	}
	return digit == want
}
