package checkdigit

import (
	"fmt"
	"testing"
)

func TestValidABARouting(t *testing.T) {
	for _, s := range []string{"011000015", "021000021", "026009593", "121000358"} {
		if !ValidABARouting(s) {
			t.Errorf("ValidABARouting(%q) = false, want true", s)
		}
	}
	for _, s := range []string{"011000016", "021000012", "", "01100001", "0110000150", "01100001a", "011-000-015"} {
		if ValidABARouting(s) {
			t.Errorf("ValidABARouting(%q) = true, want false", s)
		}
	}
}

func TestABACheckDigit(t *testing.T) {
	tests := map[string]int{"01100001": 5, "02100002": 1, "02600959": 3, "12100035": 8}
	for base, want := range tests {
		got, err := ABACheckDigit(base)
		if err != nil || got != want {
			t.Errorf("ABACheckDigit(%q) = %d, %v; want %d", base, got, err, want)
		}
		if !ValidABARouting(fmt.Sprintf("%s%d", base, got)) {
			t.Errorf("ABACheckDigit(%q) output does not validate", base)
		}
	}
	for _, bad := range []string{"", "0110000", "011000015", "0110000a"} {
		if _, err := ABACheckDigit(bad); err == nil {
			t.Errorf("ABACheckDigit(%q) succeeded", bad)
		}
	}
}

func FuzzABA(f *testing.F) {
	f.Add(uint32(1100001), uint8(0), uint8(0))
	f.Add(uint32(2100002), uint8(8), uint8(4))
	f.Add(uint32(99999999), uint8(4), uint8(8))
	f.Fuzz(func(t *testing.T, n uint32, pos, delta uint8) {
		base := fmt.Sprintf("%08d", n%100_000_000)
		dv, err := ABACheckDigit(base)
		if err != nil {
			t.Fatalf("ABACheckDigit(%q): %v", base, err)
		}
		routing := []byte(fmt.Sprintf("%s%d", base, dv))
		if !ValidABARouting(string(routing)) {
			t.Fatalf("ValidABARouting(%s) = false", routing)
		}
		// Weights 3, 7 and 1 are coprime to 10, so any single-digit change
		// is caught.
		i := int(pos) % 9
		routing[i] = '0' + (routing[i]-'0'+1+delta%9)%10
		if ValidABARouting(string(routing)) {
			t.Fatalf("ValidABARouting(%s) = true after changing digit %d", routing, i)
		}
	})
}

func TestValidSSN(t *testing.T) {
	for _, s := range []string{"123-45-6789", "123456789", "001-01-0001", "665-99-9999", "899-12-3456", "078-05-1120"} {
		if !ValidSSN(s) {
			t.Errorf("ValidSSN(%q) = false, want true", s)
		}
	}
	invalid := []string{
		"000-12-3456", "666-12-3456", "900-12-3456", "999-99-9999",
		"123-00-4567", "123-45-0000", "000000000",
		"", "12345678", "1234567890", "12-345-6789", "123 45 6789", "123-45-678a",
	}
	for _, s := range invalid {
		if ValidSSN(s) {
			t.Errorf("ValidSSN(%q) = true, want false", s)
		}
	}
}

func TestValidEIN(t *testing.T) {
	for _, s := range []string{"12-3456789", "123456789", "01-0000000", "98-7654321", "99-1234567"} {
		if !ValidEIN(s) {
			t.Errorf("ValidEIN(%q) = false, want true", s)
		}
	}
	invalid := []string{"", "12345678", "1234567890", "123-456789", "12-345678a", "12 3456789"}
	for _, p := range []string{"00", "07", "08", "09", "17", "18", "19", "28", "29", "49", "69", "70", "78", "79", "89", "96", "97"} {
		invalid = append(invalid, p+"-1234567", p+"1234567")
	}
	for _, s := range invalid {
		if ValidEIN(s) {
			t.Errorf("ValidEIN(%q) = true, want false", s)
		}
	}
}
