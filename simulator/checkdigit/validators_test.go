package checkdigit

import "testing"

// FuzzValidatorsNoPanic feeds arbitrary strings to every validator and
// formatter: they sit on API input paths, so they must never panic.
func FuzzValidatorsNoPanic(f *testing.F) {
	for _, s := range []string{"", "123.456.789-09", "12.ABC.345/01DE-35", "GB82 WEST 1234 5698 7654 32", "AB 12 34 56 C", "\xff\xfe", "ſ"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ValidCPF(s)
		FormatCPF(s)
		ValidCNPJ(s)
		FormatCNPJ(s)
		ValidBRAccount(s, "0")
		ValidLuhn(s)
		_ = ValidIBAN(s)
		FormatIBAN(s)
		IBANLength(s)
		ValidABARouting(s)
		ValidSSN(s)
		ValidEIN(s)
		ValidSortCode(s)
		FormatSortCode(s)
		ValidUKAccountNumber(s)
		ValidNINO(s)
		ValidDETaxID(s)
		if err := ValidIBAN(s); err == nil {
			if err := ValidIBAN(FormatIBAN(s)); err != nil {
				t.Fatalf("FormatIBAN(%q) no longer validates: %v", s, err)
			}
		}
	})
}
