package brcode

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// asciiFolds maps each non-ASCII character that has an obvious ASCII
// spelling to it. Case is kept (Ç→C, ç→c). Besides the accented Latin
// letters it covers the typographic marks that word processors substitute
// (curly quotes, dashes, no-break space) and the ordinal indicators of
// Brazilian addresses (1º, 1ª).
var asciiFolds = func() map[rune]string {
	groups := []struct{ ascii, from string }{
		{"A", "ÀÁÂÃÄÅĀĂĄ"}, {"a", "àáâãäåāăą"},
		{"C", "ÇĆĈĊČ"}, {"c", "çćĉċč"},
		{"D", "ĎĐÐ"}, {"d", "ďđð"},
		{"E", "ÈÉÊËĒĔĖĘĚ"}, {"e", "èéêëēĕėęě"},
		{"G", "ĜĞĠĢ"}, {"g", "ĝğġģ"},
		{"H", "ĤĦ"}, {"h", "ĥħ"},
		{"I", "ÌÍÎÏĨĪĬĮİ"}, {"i", "ìíîïĩīĭįı"},
		{"J", "Ĵ"}, {"j", "ĵ"},
		{"K", "Ķ"}, {"k", "ķ"},
		{"L", "ĹĻĽĿŁ"}, {"l", "ĺļľŀł"},
		{"N", "ÑŃŅŇ"}, {"n", "ñńņň"},
		{"O", "ÒÓÔÕÖØŌŎŐ"}, {"o", "òóôõöøōŏőº"},
		{"R", "ŔŖŘ"}, {"r", "ŕŗř"},
		{"S", "ŚŜŞŠ"}, {"s", "śŝşš"},
		{"T", "ŢŤŦ"}, {"t", "ţťŧ"},
		{"U", "ÙÚÛÜŨŪŬŮŰŲ"}, {"u", "ùúûüũūŭůűų"},
		{"W", "Ŵ"}, {"w", "ŵ"},
		{"Y", "ÝŶŸ"}, {"y", "ýÿŷ"},
		{"Z", "ŹŻŽ"}, {"z", "źżž"},
		{"a", "ª"},
		{"AE", "Æ"}, {"ae", "æ"}, {"OE", "Œ"}, {"oe", "œ"},
		{"TH", "Þ"}, {"th", "þ"}, {"ss", "ß"},
		{" ", "\u00A0"}, {"'", "‘’´"}, {`"`, "“”"}, {"-", "‐‑–—"},
	}
	m := make(map[rune]string)
	for _, g := range groups {
		for _, r := range g.from {
			m[r] = g.ascii
		}
	}
	return m
}()

// isCombiningMark reports whether r is a combining diacritic (U+0300 to
// U+036F), the accent of a decomposed letter such as "a\u0301".
func isCombiningMark(r rune) bool { return 0x0300 <= r && r <= 0x036F }

// Transliterate spells s in printable ASCII, the only characters a BR Code
// carries: accented letters lose their accents but keep their case
// ("São João" → "Sao Joao", "AÇAÍ" → "ACAI"), decomposed accents are
// dropped, and curly quotes, dashes and the no-break space become their
// ASCII forms. It is needed because field lengths are counted in
// characters by some readers and in bytes by others, which only agree on
// ASCII. A character with no ASCII spelling (an emoji, a CJK ideograph, a
// control character) is an error.
func Transliterate(s string) (string, error) {
	ascii := true
	for i := 0; i < len(s); i++ {
		if !isPrintableASCII(s[i]) {
			ascii = false
			break
		}
	}
	if ascii {
		return s, nil
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r < utf8.RuneSelf && isPrintableASCII(byte(r)):
			b.WriteByte(byte(r))
		case isCombiningMark(r):
		case asciiFolds[r] != "":
			b.WriteString(asciiFolds[r])
		case r == utf8.RuneError && size == 1:
			return "", fmt.Errorf("invalid UTF-8 at byte %d", i)
		default:
			return "", fmt.Errorf("character %q has no ASCII spelling", r)
		}
		i += size
	}
	return b.String(), nil
}

func isPrintableASCII(c byte) bool { return 0x20 <= c && c <= 0x7E }
