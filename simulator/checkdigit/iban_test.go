package checkdigit

import (
	"errors"
	"fmt"
	"testing"
)

func TestValidIBAN(t *testing.T) {
	valid := []string{
		"GB82WEST12345698765432",
		"DE89370400440532013000",
		"BR1800360305000010009795493C1",
		"DE40100100103307118608",
		"DE02100100109307118603",
		"GB82 WEST 1234 5698 7654 32",
		"gb82west12345698765432",
		" de89 3704 0044 0532 0130 00 ",
	}
	for _, s := range valid {
		if err := ValidIBAN(s); err != nil {
			t.Errorf("ValidIBAN(%q) = %v, want nil", s, err)
		}
	}
}

func TestValidIBANErrors(t *testing.T) {
	tests := []struct {
		s    string
		want error
	}{
		{"GB81WEST12345698765432", ErrIBANChecksum},
		{"DE89370400440532013001", ErrIBANChecksum},
		{"DE98370400440532013000", ErrIBANChecksum},
		{"GB82WSET12345698765432", ErrIBANChecksum},
		{"XX82WEST12345698765432", ErrIBANCountry},
		{"US12345678901234567890", ErrIBANCountry},
		{"12WEST12345698765432", ErrIBANCountry},
		{"GB82WEST1234569876543", ErrIBANLength},
		{"GB82WEST123456987654321", ErrIBANLength},
		{"DE8937040044053201300", ErrIBANLength},
		{"", ErrIBANLength},
		{"GB8", ErrIBANLength},
		{"GB82-WEST-1234-5698-7654-32", ErrIBANCharset},
		{"GB82WEST1234569876543!", ErrIBANCharset},
		{"GBX2WEST12345698765432", ErrIBANCharset},
		{"GB82WEST12345698765432\n", ErrIBANCharset},
		{"GB82WEST1234569876543Ä", ErrIBANCharset},
	}
	for _, tt := range tests {
		if err := ValidIBAN(tt.s); !errors.Is(err, tt.want) {
			t.Errorf("ValidIBAN(%q) = %v, want %v", tt.s, err, tt.want)
		}
	}
}

// TestValidIBANUnissuedCheckDigits covers IBANs whose real check digits
// are 98 or 02: the aliases 01 and 99 satisfy mod 97 as well and must still
// be refused.
func TestValidIBANUnissuedCheckDigits(t *testing.T) {
	alias := map[string]string{"98": "01", "02": "99"}
	found := map[string]bool{}
	for n := 0; n < 100_000 && len(found) < 2; n++ {
		bban := fmt.Sprintf("WEST%014d", n)
		cd, err := IBANCheckDigits("GB", bban)
		if err != nil {
			t.Fatal(err)
		}
		a, ok := alias[cd]
		if !ok || found[cd] {
			continue
		}
		found[cd] = true
		if err := ValidIBAN("GB" + cd + bban); err != nil {
			t.Fatalf("GB%s%s: %v", cd, bban, err)
		}
		if err := ValidIBAN("GB" + a + bban); !errors.Is(err, ErrIBANChecksum) {
			t.Fatalf("GB%s%s: err = %v, want checksum error", a, bban, err)
		}
	}
	if len(found) != 2 {
		t.Fatalf("found BBANs only for check digits %v", found)
	}
}

func TestIBANCheckDigits(t *testing.T) {
	tests := []struct{ country, bban, want string }{
		{"GB", "WEST12345698765432", "82"},
		{"DE", "370400440532013000", "89"},
		{"BR", "00360305000010009795493C1", "18"},
		{"de", "1001 0010 3307 1186 08", "40"},
		{"DE", "100100109307118603", "02"},
	}
	for _, tt := range tests {
		got, err := IBANCheckDigits(tt.country, tt.bban)
		if err != nil || got != tt.want {
			t.Errorf("IBANCheckDigits(%q, %q) = %q, %v; want %q", tt.country, tt.bban, got, err, tt.want)
		}
	}
	bad := []struct {
		country, bban string
		want          error
	}{
		{"XX", "WEST12345698765432", ErrIBANCountry},
		{"G", "WEST12345698765432", ErrIBANCountry},
		{"GB", "WEST1234569876543", ErrIBANLength},
		{"GB", "WEST1234569876543!", ErrIBANCharset},
	}
	for _, tt := range bad {
		if _, err := IBANCheckDigits(tt.country, tt.bban); !errors.Is(err, tt.want) {
			t.Errorf("IBANCheckDigits(%q, %q) err = %v, want %v", tt.country, tt.bban, err, tt.want)
		}
	}
}

func TestNewIBAN(t *testing.T) {
	tests := []struct{ country, bban, want string }{
		{"GB", "WEST12345698765432", "GB82WEST12345698765432"},
		{"de", "370400440532013000", "DE89370400440532013000"},
		{"BR", "00360305000010009795493c1", "BR1800360305000010009795493C1"},
		{"NO", "86011117947", ""},
		{"FR", "20041010050500013M02606", ""},
		{"NL", "ABNA0417164300", ""},
	}
	for _, tt := range tests {
		got, err := NewIBAN(tt.country, tt.bban)
		if err != nil {
			t.Errorf("NewIBAN(%q, %q): %v", tt.country, tt.bban, err)
			continue
		}
		if tt.want != "" && got != tt.want {
			t.Errorf("NewIBAN(%q, %q) = %q, want %q", tt.country, tt.bban, got, tt.want)
		}
		if err := ValidIBAN(got); err != nil {
			t.Errorf("NewIBAN(%q, %q) = %q does not validate: %v", tt.country, tt.bban, got, err)
		}
	}
	if _, err := NewIBAN("ZZ", "1234"); !errors.Is(err, ErrIBANCountry) {
		t.Errorf("NewIBAN(ZZ) err = %v", err)
	}
}

func TestIBANLengthTable(t *testing.T) {
	sepa := []string{
		"AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR",
		"HU", "IE", "IT", "LV", "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK",
		"SI", "ES", "SE", "IS", "LI", "NO", "CH", "MC", "SM", "VA", "AD", "GB",
		"GI", "AL", "MD", "ME", "MK", "RS",
	}
	for _, c := range sepa {
		if _, ok := IBANLength(c); !ok {
			t.Errorf("IBANLength(%q) missing", c)
		}
	}
	for c, want := range map[string]int{"DE": 22, "GB": 22, "FR": 27, "NL": 18, "BR": 29, "NO": 15, "RU": 33, "LC": 32, "gb": 22} {
		if got, ok := IBANLength(c); !ok || got != want {
			t.Errorf("IBANLength(%q) = %d, %v; want %d", c, got, ok, want)
		}
	}
	for c, n := range ibanLengths {
		if len(c) != 2 || n < 15 || n > 34 {
			t.Errorf("bad table entry %q: %d", c, n)
		}
	}
}

func TestFormatIBAN(t *testing.T) {
	tests := map[string]string{
		"GB82WEST12345698765432":        "GB82 WEST 1234 5698 7654 32",
		"gb82 west12345698765432":       "GB82 WEST 1234 5698 7654 32",
		"BR1800360305000010009795493C1": "BR18 0036 0305 0000 1000 9795 493C 1",
		"DE89370400440532013000":        "DE89 3704 0044 0532 0130 00",
		"":                              "",
	}
	for in, want := range tests {
		if got := FormatIBAN(in); got != want {
			t.Errorf("FormatIBAN(%q) = %q, want %q", in, got, want)
		}
	}
}

// fuzzIBANCountries lists the BBAN shapes the fuzz test draws from: 'n' is
// a digit, 'a' an upper-case letter, 'c' either.
var fuzzIBANCountries = []struct{ country, shape string }{
	{"GB", "aaaannnnnnnnnnnnnn"},
	{"DE", "nnnnnnnnnnnnnnnnnn"},
	{"BR", "nnnnnnnnnnnnnnnnnnnnnnnac"},
}

func FuzzIBAN(f *testing.F) {
	f.Add(uint8(0), []byte("WEST12345698765432"), uint8(0), uint8(1))
	f.Add(uint8(1), []byte("370400440532013000"), uint8(3), uint8(9))
	f.Add(uint8(2), []byte("00360305000010009795493C1"), uint8(200), uint8(4))
	f.Add(uint8(2), []byte{}, uint8(2), uint8(5))
	f.Fuzz(func(t *testing.T, which uint8, raw []byte, pos, delta uint8) {
		spec := fuzzIBANCountries[int(which)%len(fuzzIBANCountries)]
		bban := make([]byte, len(spec.shape))
		for i := range bban {
			var b byte
			if i < len(raw) {
				b = raw[i]
			}
			switch spec.shape[i] {
			case 'n':
				bban[i] = '0' + b%10
			case 'a':
				bban[i] = 'A' + b%26
			default:
				bban[i] = cnpjAlphabet[int(b)%len(cnpjAlphabet)]
			}
		}
		iban, err := NewIBAN(spec.country, string(bban))
		if err != nil {
			t.Fatalf("NewIBAN(%s, %s): %v", spec.country, bban, err)
		}
		if err := ValidIBAN(iban); err != nil {
			t.Fatalf("ValidIBAN(%s): %v", iban, err)
		}
		if err := ValidIBAN(FormatIBAN(iban)); err != nil {
			t.Fatalf("ValidIBAN(FormatIBAN(%s)): %v", iban, err)
		}
		// Change one digit (check digits included): mod 97 detects every
		// single-digit substitution.
		var digitPositions []int
		for i := 2; i < len(iban); i++ {
			if isDigit(iban[i]) {
				digitPositions = append(digitPositions, i)
			}
		}
		i := digitPositions[int(pos)%len(digitPositions)]
		b := []byte(iban)
		b[i] = '0' + (b[i]-'0'+1+delta%9)%10
		if err := ValidIBAN(string(b)); !errors.Is(err, ErrIBANChecksum) {
			t.Fatalf("ValidIBAN(%s) = %v after changing position %d of %s", b, err, i, iban)
		}
	})
}
