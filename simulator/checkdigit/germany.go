package checkdigit

import "fmt"

// DETaxIDCheckDigit returns the eleventh digit (0-9) of a German tax
// identification number (Steuerliche Identifikationsnummer) whose first ten
// digits are base10, using ISO 7064 MOD 11,10. The first digit may not be 0.
func DETaxIDCheckDigit(base10 string) (int, error) {
	if len(base10) != 10 || !IsDigits(base10) || base10[0] == '0' {
		return 0, fmt.Errorf("checkdigit: German tax ID base must be 10 digits not starting with 0, got %q", base10)
	}
	product := 10
	for i := 0; i < 10; i++ {
		sum := (int(base10[i]-'0') + product) % 10
		if sum == 0 {
			sum = 10
		}
		product = sum * 2 % 11
	}
	check := 11 - product
	if check == 10 {
		check = 0
	}
	return check, nil
}

// ValidDETaxID reports whether s is an 11-digit German tax ID (first digit
// not 0) with a correct ISO 7064 MOD 11,10 check digit, such as
// 86095742719. The Federal Central Tax Office's further rule on how often a
// digit may repeat within the first ten is not checked.
func ValidDETaxID(s string) bool {
	if len(s) != 11 || !IsDigits(s) {
		return false
	}
	check, err := DETaxIDCheckDigit(s[:10])
	return err == nil && int(s[10]-'0') == check
}
