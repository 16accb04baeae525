package checkdigit

import "fmt"

// abaWeights are the ABA routing-number weights, repeated over the nine
// digits.
var abaWeights = [9]int{3, 7, 1, 3, 7, 1, 3, 7, 1}

// ValidABARouting reports whether s is a nine-digit US ABA routing number
// whose weighted sum (weights 3, 7, 1 repeating) is a multiple of 10, such
// as 011000015 or 021000021. Only the checksum is checked, not whether the
// Federal Reserve prefix is assigned.
func ValidABARouting(s string) bool {
	if len(s) != 9 || !IsDigits(s) {
		return false
	}
	sum := 0
	for i := 0; i < 9; i++ {
		sum += int(s[i]-'0') * abaWeights[i]
	}
	return sum%10 == 0
}

// ABACheckDigit returns the ninth digit (0-9) of the routing number that
// starts with the eight digits of base8.
func ABACheckDigit(base8 string) (int, error) {
	if len(base8) != 8 || !IsDigits(base8) {
		return 0, fmt.Errorf("checkdigit: ABA routing base must be 8 digits, got %q", base8)
	}
	sum := 0
	for i := 0; i < 8; i++ {
		sum += int(base8[i]-'0') * abaWeights[i]
	}
	// The ninth weight is 1, so the digit is whatever completes the sum.
	return (10 - sum%10) % 10, nil
}

// ValidSSN reports whether s has the shape of a US Social Security number
// that the SSA could issue, as 9 digits or 123-45-6789: area (first three)
// not 000, 666 or 900-999, group (middle two) not 00, serial (last four)
// not 0000. SSNs carry no check digit.
func ValidSSN(s string) bool {
	d, ok := matchesMask(s, "###-##-####", isDigit)
	if !ok {
		if len(s) != 9 || !IsDigits(s) {
			return false
		}
		d = s
	}
	area, group, serial := d[0:3], d[3:5], d[5:9]
	return area != "000" && area != "666" && area[0] != '9' &&
		group != "00" && serial != "0000"
}

// einInvalidPrefixes are the two-digit prefixes the IRS does not assign to
// any campus.
var einInvalidPrefixes = map[string]bool{
	"00": true, "07": true, "08": true, "09": true, "17": true, "18": true,
	"19": true, "28": true, "29": true, "49": true, "69": true, "70": true,
	"78": true, "79": true, "89": true, "96": true, "97": true,
}

// ValidEIN reports whether s has the shape of a US Employer Identification
// Number, as 9 digits or 12-3456789, with a prefix the IRS assigns. EINs
// carry no check digit.
func ValidEIN(s string) bool {
	d, ok := matchesMask(s, "##-#######", isDigit)
	if !ok {
		if len(s) != 9 || !IsDigits(s) {
			return false
		}
		d = s
	}
	return !einInvalidPrefixes[d[:2]]
}
