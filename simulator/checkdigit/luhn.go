package checkdigit

import "fmt"

// luhnSum returns the Luhn sum of digits, doubling every second digit
// counting from the rightmost one when doubleRightmost is false (the number
// already ends in its check digit) or starting with the rightmost one when it
// is true (the check digit is still to be appended).
func luhnSum(digits string, doubleRightmost bool) int {
	sum := 0
	double := doubleRightmost
	for i := len(digits) - 1; i >= 0; i-- {
		d := int(digits[i] - '0')
		if double {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
		double = !double
	}
	return sum
}

// ValidLuhn reports whether digits, a string of at least two ASCII digits
// with no separators (a card number such as 4242424242424242), passes the
// Luhn check.
func ValidLuhn(digits string) bool {
	if len(digits) < 2 || !IsDigits(digits) {
		return false
	}
	return luhnSum(digits, false)%10 == 0
}

// LuhnCheckDigit returns the digit (0-9) that, appended to partial, makes a
// Luhn-valid number: for "424242424242424" it is 2.
func LuhnCheckDigit(partial string) (int, error) {
	if !IsDigits(partial) {
		return 0, fmt.Errorf("checkdigit: Luhn input must be digits, got %q", partial)
	}
	return (10 - luhnSum(partial, true)%10) % 10, nil
}
