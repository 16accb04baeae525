package checkdigit

import "testing"

func TestValidLuhn(t *testing.T) {
	valid := []string{
		"4242424242424242", "5555555555554444", "4000002760003184",
		"4000000000000002", "4100000000000019", "4000000000007718",
		"4000000000007726", "4000000000007734", "79927398713", "00", "18",
	}
	for _, s := range valid {
		if !ValidLuhn(s) {
			t.Errorf("ValidLuhn(%q) = false, want true", s)
		}
	}
	invalid := []string{
		"4242424242424241", "4242424242424243", "79927398710",
		"", "0", "4242 4242 4242 4242", "4242-4242-4242-4242", "424242424242424x",
	}
	for _, s := range invalid {
		if ValidLuhn(s) {
			t.Errorf("ValidLuhn(%q) = true, want false", s)
		}
	}
}

func TestLuhnCheckDigit(t *testing.T) {
	tests := map[string]int{
		"424242424242424": 2, "555555555555444": 4, "7992739871": 3,
		"400000000000771": 8, "0": 0, "1": 8,
	}
	for partial, want := range tests {
		got, err := LuhnCheckDigit(partial)
		if err != nil || got != want {
			t.Errorf("LuhnCheckDigit(%q) = %d, %v; want %d", partial, got, err, want)
		}
		if !ValidLuhn(partial + string(rune('0'+got))) {
			t.Errorf("LuhnCheckDigit(%q) output does not validate", partial)
		}
	}
	for _, bad := range []string{"", "4242 4242", "12a"} {
		if _, err := LuhnCheckDigit(bad); err == nil {
			t.Errorf("LuhnCheckDigit(%q) succeeded", bad)
		}
	}
}

func FuzzLuhn(f *testing.F) {
	f.Add([]byte("424242424242424"), uint8(3), uint8(5))
	f.Add([]byte("0"), uint8(0), uint8(1))
	f.Add([]byte{}, uint8(0), uint8(9))
	f.Fuzz(func(t *testing.T, raw []byte, pos, delta uint8) {
		// Map arbitrary bytes onto 1..30 digits.
		n := 1 + len(raw)%30
		partial := make([]byte, n)
		for i := range partial {
			var b byte
			if i < len(raw) {
				b = raw[i]
			}
			partial[i] = '0' + b%10
		}
		dv, err := LuhnCheckDigit(string(partial))
		if err != nil {
			t.Fatalf("LuhnCheckDigit(%q): %v", partial, err)
		}
		full := append(partial, byte('0'+dv))
		if !ValidLuhn(string(full)) {
			t.Fatalf("ValidLuhn(%q) = false", full)
		}
		// Luhn catches every single-digit substitution.
		i := int(pos) % len(full)
		d := 1 + delta%9
		full[i] = '0' + (full[i]-'0'+d)%10
		if ValidLuhn(string(full)) {
			t.Fatalf("ValidLuhn(%q) = true after changing digit %d", full, i)
		}
	})
}
