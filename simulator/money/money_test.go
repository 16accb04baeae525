package money

import (
	"errors"
	"math"
	"testing"

	"github.com/sandbank/sandbank/simulator/checkdigit"
)

func TestLookup(t *testing.T) {
	tests := []struct {
		code     string
		numeric  string
		exponent int
		fund     bool
	}{
		{"BRL", "986", 2, false},
		{"EUR", "978", 2, false},
		{"GBP", "826", 2, false},
		{"USD", "840", 2, false},
		{"usd", "840", 2, false},
		{"JPY", "392", 0, false},
		{"KRW", "410", 0, false},
		{"CLP", "152", 0, false},
		{"ISK", "352", 0, false},
		{"VND", "704", 0, false},
		{"XOF", "952", 0, false},
		{"KWD", "414", 3, false},
		{"BHD", "048", 3, false},
		{"OMR", "512", 3, false},
		{"JOD", "400", 3, false},
		{"TND", "788", 3, false},
		{"LYD", "434", 3, false},
		{"IQD", "368", 3, false},
		{"CLF", "990", 4, true},
		{"UYW", "927", 4, true},
		{"ALL", "008", 2, false},
	}
	for _, tt := range tests {
		c, ok := Lookup(tt.code)
		if !ok {
			t.Errorf("Lookup(%q) not found", tt.code)
			continue
		}
		if c.Numeric != tt.numeric || c.Exponent != tt.exponent || c.Fund != tt.fund {
			t.Errorf("Lookup(%q) = %+v, want numeric %s exponent %d fund %v",
				tt.code, c, tt.numeric, tt.exponent, tt.fund)
		}
		if exp, ok := Exponent(tt.code); !ok || exp != tt.exponent {
			t.Errorf("Exponent(%q) = %d, %v; want %d", tt.code, exp, ok, tt.exponent)
		}
	}
	for _, code := range []string{"", "XAU", "XXX", "XTS", "XDR", "HRK", "BR", "BRLL", "ZZZ", "ＵSD"} {
		if c, ok := Lookup(code); ok {
			t.Errorf("Lookup(%q) = %+v, want not found", code, c)
		}
		if _, ok := Exponent(code); ok {
			t.Errorf("Exponent(%q) found, want not found", code)
		}
	}
}

// TestTableConsistency guards against typos in the hand-written table.
func TestTableConsistency(t *testing.T) {
	all := Currencies()
	if len(all) < 150 {
		t.Fatalf("only %d currencies", len(all))
	}
	numerics := map[string]string{}
	for i, c := range all {
		if i > 0 && all[i-1].Code >= c.Code {
			t.Errorf("Currencies not sorted at %s", c.Code)
		}
		if len(c.Code) != 3 || upperASCII(c.Code) != c.Code {
			t.Errorf("bad code %q", c.Code)
		}
		if len(c.Numeric) != 3 || !checkdigit.IsDigits(c.Numeric) {
			t.Errorf("%s: bad numeric %q", c.Code, c.Numeric)
		}
		if prev, dup := numerics[c.Numeric]; dup {
			t.Errorf("numeric %s used by %s and %s", c.Numeric, prev, c.Code)
		}
		numerics[c.Numeric] = c.Code
		switch c.Exponent {
		case 0, 2, 3, 4:
		default:
			t.Errorf("%s: exponent %d", c.Code, c.Exponent)
		}
	}
}

func TestFormatMinor(t *testing.T) {
	tests := []struct {
		amount int64
		code   string
		want   string
	}{
		{11000, "BRL", "110.00"},
		{-5, "BRL", "-0.05"},
		{0, "BRL", "0.00"},
		{1, "EUR", "0.01"},
		{-100, "GBP", "-1.00"},
		{123456789, "USD", "1234567.89"},
		{1000, "JPY", "1000"},
		{0, "JPY", "0"},
		{-7, "JPY", "-7"},
		{1234, "KWD", "1.234"},
		{5, "KWD", "0.005"},
		{1, "CLF", "0.0001"},
		{123456, "CLF", "12.3456"},
		{math.MaxInt64, "BRL", "92233720368547758.07"},
		{math.MinInt64, "BRL", "-92233720368547758.08"},
		{math.MinInt64, "JPY", "-9223372036854775808"},
		{math.MinInt64, "CLF", "-922337203685477.5808"},
	}
	for _, tt := range tests {
		got, err := FormatMinor(tt.amount, tt.code)
		if err != nil || got != tt.want {
			t.Errorf("FormatMinor(%d, %q) = %q, %v; want %q", tt.amount, tt.code, got, err, tt.want)
		}
	}
	if _, err := FormatMinor(1, "XYZ"); !errors.Is(err, ErrUnknownCurrency) {
		t.Errorf("FormatMinor unknown currency: err = %v", err)
	}
}

func TestParseDecimal(t *testing.T) {
	tests := []struct {
		s    string
		code string
		want int64
	}{
		{"110.00", "BRL", 11000},
		{"10.5", "BRL", 1050},
		{"10", "BRL", 1000},
		{"0.01", "EUR", 1},
		{"-0.05", "BRL", -5},
		{"-0.00", "BRL", 0},
		{"007.10", "GBP", 710},
		{"1234567.89", "USD", 123456789},
		{"1000", "JPY", 1000},
		{"1.234", "KWD", 1234},
		{"1.2", "KWD", 1200},
		{"12.3456", "CLF", 123456},
		{"92233720368547758.07", "BRL", math.MaxInt64},
		{"-92233720368547758.08", "BRL", math.MinInt64},
		{"9223372036854775807", "JPY", math.MaxInt64},
		{"-9223372036854775808", "JPY", math.MinInt64},
		{"00000000000000000000000000001", "JPY", 1},
	}
	for _, tt := range tests {
		got, err := ParseDecimal(tt.s, tt.code)
		if err != nil || got != tt.want {
			t.Errorf("ParseDecimal(%q, %q) = %d, %v; want %d", tt.s, tt.code, got, err, tt.want)
		}
	}
}

func TestParseDecimalErrors(t *testing.T) {
	tests := []struct {
		s    string
		code string
		want error
	}{
		{"10.505", "BRL", ErrPrecision},
		{"10.500", "BRL", ErrPrecision},
		{"1000.0", "JPY", ErrPrecision},
		{"1.2345", "KWD", ErrPrecision},
		{"1.23456", "CLF", ErrPrecision},
		{"", "BRL", ErrSyntax},
		{"-", "BRL", ErrSyntax},
		{".", "BRL", ErrSyntax},
		{".5", "BRL", ErrSyntax},
		{"5.", "BRL", ErrSyntax},
		{"-.5", "BRL", ErrSyntax},
		{"+5.00", "BRL", ErrSyntax},
		{"--5", "BRL", ErrSyntax},
		{"5-", "BRL", ErrSyntax},
		{"1e3", "BRL", ErrSyntax},
		{"1E3", "JPY", ErrSyntax},
		{" 1.00", "BRL", ErrSyntax},
		{"1.00 ", "BRL", ErrSyntax},
		{"1,00", "BRL", ErrSyntax},
		{"1_000", "BRL", ErrSyntax},
		{"1.0.0", "BRL", ErrSyntax},
		{"0x10", "BRL", ErrSyntax},
		{"NaN", "BRL", ErrSyntax},
		{"١٠", "BRL", ErrSyntax},
		{"92233720368547758.08", "BRL", ErrRange},
		{"-92233720368547758.09", "BRL", ErrRange},
		{"9223372036854775808", "JPY", ErrRange},
		{"-9223372036854775809", "JPY", ErrRange},
		{"99999999999999999999999", "BRL", ErrRange},
		{"1.00", "XYZ", ErrUnknownCurrency},
	}
	for _, tt := range tests {
		got, err := ParseDecimal(tt.s, tt.code)
		if !errors.Is(err, tt.want) {
			t.Errorf("ParseDecimal(%q, %q) = %d, %v; want %v", tt.s, tt.code, got, err, tt.want)
		}
	}
}

func TestParseDecimalPrecisionMessage(t *testing.T) {
	_, err := ParseDecimal("10.505", "brl")
	want := `BRL has 2 decimal places; "10.505" has 3`
	if err == nil || err.Error() != want {
		t.Errorf("error = %v, want %q", err, want)
	}
}

var roundTripCodes = []string{"BRL", "EUR", "GBP", "USD", "JPY", "KWD", "CLF"}

func FuzzFormatParseRoundTrip(f *testing.F) {
	for _, a := range []int64{0, 1, -1, 5, -5, 11000, 1234, math.MaxInt64, math.MinInt64} {
		for i := range roundTripCodes {
			f.Add(a, uint8(i))
		}
	}
	f.Fuzz(func(t *testing.T, amount int64, codeIndex uint8) {
		code := roundTripCodes[int(codeIndex)%len(roundTripCodes)]
		s, err := FormatMinor(amount, code)
		if err != nil {
			t.Fatalf("FormatMinor(%d, %s): %v", amount, code, err)
		}
		got, err := ParseDecimal(s, code)
		if err != nil || got != amount {
			t.Fatalf("ParseDecimal(FormatMinor(%d, %s) = %q) = %d, %v", amount, code, s, got, err)
		}
	})
}

// FuzzParseDecimal checks that arbitrary input never panics and that every
// accepted string denotes the amount its canonical form does.
func FuzzParseDecimal(f *testing.F) {
	for _, s := range []string{"110.00", "10.5", "-0.05", "1e3", "", ".", "9223372036854775808", "1.2345"} {
		for i := range roundTripCodes {
			f.Add(s, uint8(i))
		}
	}
	f.Fuzz(func(t *testing.T, s string, codeIndex uint8) {
		code := roundTripCodes[int(codeIndex)%len(roundTripCodes)]
		amount, err := ParseDecimal(s, code)
		if err != nil {
			if !errors.Is(err, ErrSyntax) && !errors.Is(err, ErrPrecision) && !errors.Is(err, ErrRange) {
				t.Fatalf("ParseDecimal(%q, %s): unclassified error %v", s, code, err)
			}
			return
		}
		canonical, err := FormatMinor(amount, code)
		if err != nil {
			t.Fatal(err)
		}
		again, err := ParseDecimal(canonical, code)
		if err != nil || again != amount {
			t.Fatalf("%q -> %d -> %q -> %d, %v", s, amount, canonical, again, err)
		}
	})
}
