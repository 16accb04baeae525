package checkdigit

import (
	"fmt"
	"testing"
)

func TestValidDETaxID(t *testing.T) {
	for _, s := range []string{"86095742719", "65929970489", "57549285017", "12345678903"} {
		if !ValidDETaxID(s) {
			t.Errorf("ValidDETaxID(%q) = false, want true", s)
		}
	}
	invalid := []string{
		"86095742718", "65929970480", "06095742719", "",
		"8609574271", "860957427190", "86 095 742 719", "8609574271a",
	}
	for _, s := range invalid {
		if ValidDETaxID(s) {
			t.Errorf("ValidDETaxID(%q) = true, want false", s)
		}
	}
}

func TestDETaxIDCheckDigit(t *testing.T) {
	tests := map[string]int{"8609574271": 9, "6592997048": 9, "5754928501": 7, "1234567890": 3}
	for base, want := range tests {
		got, err := DETaxIDCheckDigit(base)
		if err != nil || got != want {
			t.Errorf("DETaxIDCheckDigit(%q) = %d, %v; want %d", base, got, err, want)
		}
	}
	for _, bad := range []string{"", "0123456789", "123456789", "12345678901", "123456789a"} {
		if _, err := DETaxIDCheckDigit(bad); err == nil {
			t.Errorf("DETaxIDCheckDigit(%q) succeeded", bad)
		}
	}
}

func FuzzDETaxID(f *testing.F) {
	f.Add(uint64(8609574271))
	f.Add(uint64(1000000000))
	f.Add(uint64(0))
	f.Fuzz(func(t *testing.T, n uint64) {
		// Map onto the ten-digit bases 1000000000..9999999999.
		base := fmt.Sprint(1_000_000_000 + n%9_000_000_000)
		dv, err := DETaxIDCheckDigit(base)
		if err != nil {
			t.Fatalf("DETaxIDCheckDigit(%q): %v", base, err)
		}
		id := fmt.Sprintf("%s%d", base, dv)
		if !ValidDETaxID(id) {
			t.Fatalf("ValidDETaxID(%s) = false", id)
		}
		wrong := fmt.Sprintf("%s%d", base, (dv+1)%10)
		if ValidDETaxID(wrong) {
			t.Fatalf("ValidDETaxID(%s) = true", wrong)
		}
	})
}
