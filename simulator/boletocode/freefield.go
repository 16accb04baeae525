package boletocode

import (
	"fmt"

	"github.com/sandbank/sandbank/simulator/checkdigit"
)

// FreeField lays out the campo livre of sandbank's boletos, which follows
// Bradesco's: agência (4 digits), carteira (2), nosso número (11), conta (7)
// and a zero, 25 digits in all. Every part must already have its exact
// number of digits (pad with leading zeros); the account and nosso número
// go in without their check digits.
func FreeField(branch, carteira, nossoNumero, account string) (string, error) {
	for _, part := range []struct {
		name, value string
		digits      int
	}{
		{"branch", branch, 4}, {"carteira", carteira, 2},
		{"nosso número", nossoNumero, 11}, {"account", account, 7},
	} {
		if len(part.value) != part.digits || !checkdigit.IsDigits(part.value) {
			return "", fmt.Errorf("boletocode: %s %q is not %d digits", part.name, part.value, part.digits)
		}
	}
	return branch + carteira + nossoNumero + account + "0", nil
}

// ParseFreeField splits a campo livre laid out by FreeField back into its
// parts.
func ParseFreeField(free string) (branch, carteira, nossoNumero, account string, err error) {
	if len(free) != 25 || !checkdigit.IsDigits(free) || free[24] != '0' {
		return "", "", "", "", fmt.Errorf("boletocode: free field %q is not 24 digits and a zero", free)
	}
	return free[0:4], free[4:6], free[6:17], free[17:24], nil
}

// NossoNumeroDV returns the check digit printed after the nosso número
// ("09/00000000001-P"; it is not part of the campo livre). Sandbank uses
// Bradesco's rule: over the carteira and the nosso número (13 digits),
// weights 2 to 7 repeating from the rightmost digit; r = sum mod 11; the
// digit is 11 − r, except "0" when r is 0 and "P" when r is 1 (where
// 11 − r would be 10).
func NossoNumeroDV(carteira, nossoNumero string) (string, error) {
	if len(carteira) != 2 || !checkdigit.IsDigits(carteira) {
		return "", fmt.Errorf("boletocode: carteira %q is not 2 digits", carteira)
	}
	if len(nossoNumero) != 11 || !checkdigit.IsDigits(nossoNumero) {
		return "", fmt.Errorf("boletocode: nosso número %q is not 11 digits", nossoNumero)
	}
	digits := carteira + nossoNumero
	sum := 0
	for i := 0; i < len(digits); i++ {
		sum += int(digits[len(digits)-1-i]-'0') * (2 + i%6)
	}
	switch r := sum % 11; r {
	case 0:
		return "0", nil
	case 1:
		return "P", nil
	default:
		return string(rune('0' + 11 - r)), nil
	}
}
