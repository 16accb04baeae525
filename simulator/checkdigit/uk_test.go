package checkdigit

import "testing"

func TestSortCode(t *testing.T) {
	for _, s := range []string{"123456", "12-34-56", "00-00-00"} {
		if !ValidSortCode(s) {
			t.Errorf("ValidSortCode(%q) = false, want true", s)
		}
	}
	for _, s := range []string{"", "12345", "1234567", "12 34 56", "12-3456", "1-234-56", "12-34-5a"} {
		if ValidSortCode(s) {
			t.Errorf("ValidSortCode(%q) = true, want false", s)
		}
	}
	tests := map[string]string{"123456": "12-34-56", "12-34-56": "12-34-56", "12345": "12345"}
	for in, want := range tests {
		if got := FormatSortCode(in); got != want {
			t.Errorf("FormatSortCode(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestValidUKAccountNumber(t *testing.T) {
	for _, s := range []string{"12345678", "00000001"} {
		if !ValidUKAccountNumber(s) {
			t.Errorf("ValidUKAccountNumber(%q) = false, want true", s)
		}
	}
	for _, s := range []string{"", "1234567", "123456789", "1234567a", "1234 5678"} {
		if ValidUKAccountNumber(s) {
			t.Errorf("ValidUKAccountNumber(%q) = true, want false", s)
		}
	}
}

func TestValidNINO(t *testing.T) {
	valid := []string{"AB123456C", "ab123456c", "AB 12 34 56 C", "OA000000A", "ZY999999D", "JG103759A"}
	for _, s := range valid {
		if !ValidNINO(s) {
			t.Errorf("ValidNINO(%q) = false, want true", s)
		}
	}
	invalid := []string{
		"QQ123456C", // HMRC's specimen uses a never-allocated letter
		"DA123456A", "FA123456A", "IA123456A", "QA123456A", "UA123456A", "VA123456A",
		"AD123456A", "AF123456A", "AI123456A", "AQ123456A", "AU123456A", "AV123456A",
		"AO123456A",
		"BG123456A", "GB123456A", "KN123456A", "NK123456A", "NT123456A", "TN123456A", "ZZ123456A",
		"AB123456E", "AB123456", "AB12345C", "AB1234567C", "A1123456C", "1B123456C",
		"AB12345XC", "AB-12-34-56-C", "", "ſA123456C",
	}
	for _, s := range invalid {
		if ValidNINO(s) {
			t.Errorf("ValidNINO(%q) = true, want false", s)
		}
	}
}
