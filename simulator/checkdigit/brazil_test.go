package checkdigit

import (
	"fmt"
	"testing"
)

func TestValidCPF(t *testing.T) {
	valid := []string{
		"123.456.789-09", "12345678909",
		// Magic payer and KYC CPFs from the sandbox reference.
		"000.000.001-91", "000.000.002-72", "000.000.003-53",
		"111.444.777-35", "529.982.247-25", "987.654.321-00",
	}
	for _, s := range valid {
		if !ValidCPF(s) {
			t.Errorf("ValidCPF(%q) = false, want true", s)
		}
	}
	invalid := []string{
		"123.456.789-08", "123.456.789-19", "12345678900",
		"111.111.111-11", "11111111111", "000.000.000-00", "99999999999",
		"", "1234567890", "123456789090", "123.456.78909", "123-456-789.09",
		"123.456.789/09", " 12345678909", "1234567890a", "١٢٣٤٥٦٧٨٩٠٩",
	}
	for _, s := range invalid {
		if ValidCPF(s) {
			t.Errorf("ValidCPF(%q) = true, want false", s)
		}
	}
}

func TestCPFCheckDigits(t *testing.T) {
	tests := map[string]string{
		"123456789": "09", "000000001": "91", "111444777": "35",
		"529982247": "25", "987654321": "00",
	}
	for base, want := range tests {
		got, err := CPFCheckDigits(base)
		if err != nil || got != want {
			t.Errorf("CPFCheckDigits(%q) = %q, %v; want %q", base, got, err, want)
		}
	}
	for _, bad := range []string{"", "12345678", "1234567890", "12345678a", "123.456.789"} {
		if _, err := CPFCheckDigits(bad); err == nil {
			t.Errorf("CPFCheckDigits(%q) succeeded", bad)
		}
	}
}

func TestNewCPF(t *testing.T) {
	for _, base := range []string{"123456789", "000000001", "000000002", "999999998", "314159265"} {
		cpf, err := NewCPF(base)
		if err != nil || !ValidCPF(cpf) || !ValidCPF(FormatCPF(cpf)) {
			t.Errorf("NewCPF(%q) = %q, %v; want a valid CPF", base, cpf, err)
		}
	}
	for _, base := range []string{"000000000", "555555555", "12345678"} {
		if cpf, err := NewCPF(base); err == nil {
			t.Errorf("NewCPF(%q) = %q, want error", base, cpf)
		}
	}
}

func TestFormatCPF(t *testing.T) {
	tests := map[string]string{
		"12345678909":    "123.456.789-09",
		"123.456.789-09": "123.456.789-09",
		"1234":           "1234",
		"abc":            "abc",
	}
	for in, want := range tests {
		if got := FormatCPF(in); got != want {
			t.Errorf("FormatCPF(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestValidCNPJ(t *testing.T) {
	valid := []string{
		"00.038.166/0001-05", "00038166000105",
		"12.345.678/0001-95", "12345678000195",
		"12.ABC.345/01DE-35", "12ABC34501DE35",
		"00.000.000/0001-91", // Banco do Brasil
	}
	for _, s := range valid {
		if !ValidCNPJ(s) {
			t.Errorf("ValidCNPJ(%q) = false, want true", s)
		}
	}
	invalid := []string{
		"00.038.166/0001-06", "12.345.678/0001-59", "12.ABC.345/01DE-36",
		"12.abc.345/01de-35", // letters must be upper case
		"12ABC34501DE3A",     // check digits are numeric
		"00.000.000/0000-00", "00000000000000", "11.111.111/1111-11",
		"", "1234567800019", "123456780001955", "12.345.678-0001/95",
		"12.345.678/0001.95", "12.34.5678/0001-95", "12#45678000195",
	}
	for _, s := range invalid {
		if ValidCNPJ(s) {
			t.Errorf("ValidCNPJ(%q) = true, want false", s)
		}
	}
}

func TestCNPJCheckDigits(t *testing.T) {
	tests := map[string]string{
		"000381660001": "05", "123456780001": "95", "12ABC34501DE": "35",
		"000000000001": "91",
	}
	for base, want := range tests {
		got, err := CNPJCheckDigits(base)
		if err != nil || got != want {
			t.Errorf("CNPJCheckDigits(%q) = %q, %v; want %q", base, got, err, want)
		}
	}
	for _, bad := range []string{"", "12345678000", "1234567800011", "12abc34501de", "12.345.678/0"} {
		if _, err := CNPJCheckDigits(bad); err == nil {
			t.Errorf("CNPJCheckDigits(%q) succeeded", bad)
		}
	}
}

func TestNewCNPJ(t *testing.T) {
	for _, base := range []string{"123456780001", "ZZZZZZZZZZZZ", "A1B2C3D40001", "999999999999"} {
		cnpj, err := NewCNPJ(base)
		if err != nil || !ValidCNPJ(cnpj) || !ValidCNPJ(FormatCNPJ(cnpj)) {
			t.Errorf("NewCNPJ(%q) = %q, %v; want a valid CNPJ", base, cnpj, err)
		}
	}
	if cnpj, err := NewCNPJ("000000000000"); err == nil {
		t.Errorf("NewCNPJ(all zeros) = %q, want error", cnpj)
	}
}

func TestFormatCNPJ(t *testing.T) {
	tests := map[string]string{
		"12345678000195":     "12.345.678/0001-95",
		"12ABC34501DE35":     "12.ABC.345/01DE-35",
		"12.ABC.345/01DE-35": "12.ABC.345/01DE-35",
		"123":                "123",
	}
	for in, want := range tests {
		if got := FormatCNPJ(in); got != want {
			t.Errorf("FormatCNPJ(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestBRAccountDigit(t *testing.T) {
	tests := map[string]string{
		"12345":        "5", // 5*2+4*3+3*4+2*5+1*6 = 50; 50 mod 11 = 6; 11-6
		"1234567":      "9",
		"123456789012": "3", // weights wrap from 9 back to 2
		"6":            "X", // 12 mod 11 = 1 -> 10
		"0":            "0", // 0 mod 11 = 0 -> 11
		"00000":        "0",
	}
	for number, want := range tests {
		got, err := BRAccountDigit(number)
		if err != nil || got != want {
			t.Errorf("BRAccountDigit(%q) = %q, %v; want %q", number, got, err, want)
		}
		if !ValidBRAccount(number, got) {
			t.Errorf("ValidBRAccount(%q, %q) = false", number, got)
		}
	}
	for _, bad := range []string{"", "12-3", "123456789012345678901", "12a"} {
		if _, err := BRAccountDigit(bad); err == nil {
			t.Errorf("BRAccountDigit(%q) succeeded", bad)
		}
	}
}

func TestValidBRAccount(t *testing.T) {
	tests := []struct {
		number, digit string
		want          bool
	}{
		{"12345", "5", true},
		{"6", "X", true},
		{"6", "x", true},
		{"12345", "4", false},
		{"12345", "", false},
		{"12345", "55", false},
		{"6", "0", false},
		{"", "0", false},
		{"12a45", "5", false},
	}
	for _, tt := range tests {
		if got := ValidBRAccount(tt.number, tt.digit); got != tt.want {
			t.Errorf("ValidBRAccount(%q, %q) = %v, want %v", tt.number, tt.digit, got, tt.want)
		}
	}
}

func FuzzCPF(f *testing.F) {
	for _, n := range []uint32{123456789, 1, 0, 111111111, 999999999, 529982247} {
		f.Add(n)
	}
	f.Fuzz(func(t *testing.T, n uint32) {
		base := fmt.Sprintf("%09d", n%1_000_000_000)
		cpf, err := NewCPF(base)
		if allSame(base) {
			if err == nil {
				t.Fatalf("NewCPF(%q) = %q, want error for repeated digits", base, cpf)
			}
			return
		}
		if err != nil || !ValidCPF(cpf) || !ValidCPF(FormatCPF(cpf)) {
			t.Fatalf("NewCPF(%q) = %q, %v; want valid", base, cpf, err)
		}
		// The second check digit is fully determined, so any other value fails.
		wrong := cpf[:10] + string(rune('0'+(cpf[10]-'0'+1)%10))
		if ValidCPF(wrong) {
			t.Fatalf("ValidCPF(%q) = true after changing the last digit of %q", wrong, cpf)
		}
	})
}

const cnpjAlphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"

func FuzzCNPJ(f *testing.F) {
	f.Add([]byte("123456780001"))
	f.Add([]byte("12ABC34501DE"))
	f.Add([]byte{})
	f.Add([]byte{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0})
	f.Fuzz(func(t *testing.T, raw []byte) {
		base := make([]byte, 12)
		for i := range base {
			var b byte
			if i < len(raw) {
				b = raw[i]
			}
			base[i] = cnpjAlphabet[int(b)%len(cnpjAlphabet)]
		}
		cnpj, err := NewCNPJ(string(base))
		if string(base) == "000000000000" {
			if err == nil {
				t.Fatalf("NewCNPJ(all zeros) = %q, want error", cnpj)
			}
			return
		}
		if err != nil || !ValidCNPJ(cnpj) || !ValidCNPJ(FormatCNPJ(cnpj)) {
			t.Fatalf("NewCNPJ(%q) = %q, %v; want valid", base, cnpj, err)
		}
		wrong := cnpj[:13] + string(rune('0'+(cnpj[13]-'0'+1)%10))
		if ValidCNPJ(wrong) {
			t.Fatalf("ValidCNPJ(%q) = true after changing the last digit of %q", wrong, cnpj)
		}
	})
}

func FuzzBRAccount(f *testing.F) {
	f.Add("12345")
	f.Add("6")
	f.Add("")
	f.Add("12a")
	f.Fuzz(func(t *testing.T, number string) {
		dv, err := BRAccountDigit(number)
		if err != nil {
			if len(number) <= maxBRAccountLen && IsDigits(number) {
				t.Fatalf("BRAccountDigit(%q): %v", number, err)
			}
			return
		}
		if !ValidBRAccount(number, dv) {
			t.Fatalf("ValidBRAccount(%q, %q) = false", number, dv)
		}
	})
}
