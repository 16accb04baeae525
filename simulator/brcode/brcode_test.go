package brcode

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

// The verified samples of domain.md §2.2.
const (
	staticSample  = "00020126580014br.gov.bcb.pix0136123e4567-e12b-12d1-a456-4266554400005204000053039865802BR5913Fulano de Tal6008BRASILIA62070503***63041D3D"
	dynamicSample = "00020101021226700014br.gov.bcb.pix2548pix.example.com/8b3da2f39a4140d1a91abd93113bd4415204000053039865802BR5913Fulano de Tal6008BRASILIA62070503***630464E4"
	amountSample  = "00020126580014br.gov.bcb.pix0136bee05743-4291-4f3c-9259-595df1307ba1520400005303986540510.005802BR5914Alexandre Lima6019Presidente Prudente62180514Um-Id-Qualquer6304D475"
	// A widely published dynamic example with an amount and a hyphenated
	// txid; its CRC checks.
	hyphenTxIDSample = "00020101021226720014br.gov.bcb.pix2550bx.com.br/pix/8b3da2f3-9a41-40d1-a91a-bd93113bd4415204000053039865406123.455802BR5913Fulano de Tal6008BRASILIA62190515RP12345678-2019630445C8"
)

// decoded is what Decode returns for a payload that spells out the
// defaulted fields.
func decoded(p Payload) Payload {
	p, err := normalize(p)
	if err != nil {
		panic(err)
	}
	return p
}

var (
	staticPayload = Payload{
		Key: "123e4567-e12b-12d1-a456-426655440000", Name: "Fulano de Tal", City: "BRASILIA",
	}
	dynamicPayload = Payload{
		PointOfInitiation: DynamicInitiation, URL: "pix.example.com/8b3da2f39a4140d1a91abd93113bd441",
		Name: "Fulano de Tal", City: "BRASILIA",
	}
	amountPayload = Payload{
		Key: "bee05743-4291-4f3c-9259-595df1307ba1", Amount: "10.00",
		Name: "Alexandre Lima", City: "Presidente Prudente", TxID: "Um-Id-Qualquer",
	}
	hyphenTxIDPayload = Payload{
		PointOfInitiation: DynamicInitiation, URL: "bx.com.br/pix/8b3da2f3-9a41-40d1-a91a-bd93113bd441",
		Amount: "123.45", Name: "Fulano de Tal", City: "BRASILIA", TxID: "RP12345678-2019",
	}
)

func TestCRC16(t *testing.T) {
	if got := CRC16("123456789"); got != 0x29B1 {
		t.Errorf("CRC16(123456789) = %04X, want 29B1", got)
	}
	if got := CRC16(""); got != 0xFFFF {
		t.Errorf("CRC16(\"\") = %04X, want FFFF (the initial value)", got)
	}
	for _, s := range []string{staticSample, dynamicSample, amountSample} {
		body, crc := s[:len(s)-4], s[len(s)-4:]
		if got := crcHex(CRC16(body)); got != crc {
			t.Errorf("CRC over %q = %s, want %s", body, got, crc)
		}
	}
}

func TestEncodeSamples(t *testing.T) {
	tests := []struct {
		name string
		p    Payload
		want string
	}{
		{"static", staticPayload, staticSample},
		{"dynamic", dynamicPayload, dynamicSample},
		{"hyphenated txid", hyphenTxIDPayload, hyphenTxIDSample},
	}
	for _, tt := range tests {
		got, err := Encode(tt.p)
		if err != nil || got != tt.want {
			t.Errorf("%s: Encode = %q, %v\nwant %q", tt.name, got, err, tt.want)
		}
	}
}

// The amount sample's city, "Presidente Prudente", is 19 characters, past
// the 15 the Banco Central allows: Encode refuses it, though the payload is
// otherwise well formed and its CRC checks. Without the limits, the same
// fields encode to the sample exactly.
func TestEncodeAmountSample(t *testing.T) {
	_, err := Encode(amountPayload)
	var fe *FieldError
	if !errors.As(err, &fe) || fe.Field != "City" {
		t.Fatalf("Encode(amount sample) error = %v, want a City FieldError", err)
	}
	got, err := encode(amountPayload, false)
	if err != nil || got != amountSample {
		t.Errorf("encode(amount sample, lenient) = %q, %v\nwant %q", got, err, amountSample)
	}
	short := amountPayload
	short.City = "P Prudente"
	if _, err := Encode(short); err != nil {
		t.Errorf("Encode with a 10-character city: %v", err)
	}
}

func TestDecodeSamples(t *testing.T) {
	tests := []struct {
		s    string
		want Payload
	}{
		{staticSample, decoded(staticPayload)},
		{dynamicSample, decoded(dynamicPayload)},
		{amountSample, decoded(amountPayload)},
		{hyphenTxIDSample, decoded(hyphenTxIDPayload)},
		{" " + staticSample + "\n", decoded(staticPayload)},
	}
	for _, tt := range tests {
		got, err := Decode(tt.s)
		if err != nil || got != tt.want {
			t.Errorf("Decode(%q) = %+v, %v\nwant %+v", tt.s, got, err, tt.want)
		}
	}
	// The CRC's hex digits are compared without regard to case.
	lower := staticSample[:len(staticSample)-4] + "1d3d"
	if _, err := Decode(lower); err != nil {
		t.Errorf("Decode with a lower-case CRC: %v", err)
	}
}

func TestEncodeOptionalFields(t *testing.T) {
	p := Payload{
		PointOfInitiation: StaticInitiation, Key: "+5561999999999", Info: "Pedido 42",
		MerchantCategory: "5812", Amount: "1234567890.12", Name: "Padaria", City: "Recife",
		TxID: "PED42", Recurrence: "0014br.gov.bcb.pix2529pix.example.com/rec/abc123XYZ",
	}
	s, err := Encode(p)
	if err != nil {
		t.Fatal(err)
	}
	for _, part := range []string{
		"010211", "26490014br.gov.bcb.pix0114+55619999999990209Pedido 42", "52045812",
		"54131234567890.12", "62090505PED42", "8051" + p.Recurrence + "6304",
	} {
		if !strings.Contains(s, part) {
			t.Errorf("Encode = %q, missing %q", s, part)
		}
	}
	got, err := Decode(s)
	if err != nil || got != decoded(p) {
		t.Errorf("Decode(Encode(p)) = %+v, %v\nwant %+v", got, err, decoded(p))
	}
}

func TestTransliterate(t *testing.T) {
	tests := map[string]string{
		"São João":               "Sao Joao",
		"AÇAÍ Ñandú":             "ACAI Nandu",
		"Florianópolis":          "Florianopolis",
		"Jose\u0301 Mari\u0301a": "Jose Maria", // decomposed accents
		"Rua 1º, apto 2ª":        "Rua 1o, apto 2a",
		"“Café” – Straße":        `"Cafe" - Strasse`,
		"plain ASCII ~!":         "plain ASCII ~!",
	}
	for in, want := range tests {
		if got, err := Transliterate(in); err != nil || got != want {
			t.Errorf("Transliterate(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{"café ☕", "東京", "tab\there", "bad \xff utf8"} {
		if got, err := Transliterate(bad); err == nil {
			t.Errorf("Transliterate(%q) = %q, want error", bad, got)
		}
	}
}

func TestEncodeTransliterates(t *testing.T) {
	p := Payload{Key: "a@b.c", Name: "José Conceição", City: "São Paulo", Info: "Açaí"}
	s, err := Encode(p)
	if err != nil {
		t.Fatal(err)
	}
	for _, part := range []string{"5914Jose Conceicao", "6009Sao Paulo", "0204Acai"} {
		if !strings.Contains(s, part) {
			t.Errorf("Encode = %q, missing %q", s, part)
		}
	}
	// Lengths are measured after transliteration: 25 accented letters fit.
	p.Name = strings.Repeat("é", 25)
	if _, err := Encode(p); err != nil {
		t.Errorf("Encode with a 25-letter accented name: %v", err)
	}
}

func TestEncodeErrors(t *testing.T) {
	base := staticPayload
	tests := []struct {
		field string
		edit  func(*Payload)
	}{
		{"Name", func(p *Payload) { p.Name = strings.Repeat("N", 26) }},
		{"Name", func(p *Payload) { p.Name = "" }},
		{"Name", func(p *Payload) { p.Name = "Emoji 😀" }},
		{"City", func(p *Payload) { p.City = strings.Repeat("C", 16) }},
		{"City", func(p *Payload) { p.City = "" }},
		{"Amount", func(p *Payload) { p.Amount = "10" }},
		{"Amount", func(p *Payload) { p.Amount = "10.5" }},
		{"Amount", func(p *Payload) { p.Amount = "-1.00" }},
		{"Amount", func(p *Payload) { p.Amount = "1,00" }},
		{"Amount", func(p *Payload) { p.Amount = "12345678901.00" }},
		{"TxID", func(p *Payload) { p.TxID = strings.Repeat("T", 26) }},
		{"TxID", func(p *Payload) { p.TxID = "has space" }},
		{"TxID", func(p *Payload) { p.TxID = "under_score" }},
		{"Key", func(p *Payload) { p.Key = "" }},
		{"Key", func(p *Payload) { p.Key = strings.Repeat("k", 78) }},
		{"Key", func(p *Payload) { p.Key = "ç@example.com" }},
		{"URL", func(p *Payload) { p.URL = "pix.example.com/x" }},
		{"URL", func(p *Payload) { p.Key, p.URL = "", "https://pix.example.com/x" }},
		{"Info", func(p *Payload) { p.Info = strings.Repeat("i", 40) }},
		{"PointOfInitiation", func(p *Payload) { p.PointOfInitiation = "13" }},
		{"MerchantCategory", func(p *Payload) { p.MerchantCategory = "581" }},
		{"Currency", func(p *Payload) { p.Currency = "BRL" }},
		{"Country", func(p *Payload) { p.Country = "br" }},
		{"Recurrence", func(p *Payload) { p.Recurrence = strings.Repeat("r", 100) }},
	}
	for _, tt := range tests {
		p := base
		tt.edit(&p)
		s, err := Encode(p)
		var fe *FieldError
		if !errors.As(err, &fe) || fe.Field != tt.field {
			t.Errorf("Encode(%+v) = %q, %v; want a %s FieldError", p, s, err, tt.field)
		}
	}
}

// withCRC replaces the CRC of a payload ending in "6304XXXX" with the right
// one, so a test can damage the body and still reach the check after the
// CRC.
func withCRC(s string) string {
	body := s[:len(s)-4]
	return body + crcHex(CRC16(body))
}

func TestDecodeErrors(t *testing.T) {
	tests := []struct {
		name, s, want string
	}{
		{"bad CRC", staticSample[:len(staticSample)-1] + "E", "CRC mismatch: got 1D3E, want 1D3D"},
		{"changed body", strings.Replace(staticSample, "Fulano", "Fulana", 1), "CRC mismatch: got 1D3D, want"},
		{"truncated", staticSample[:40], "truncated TLV at offset 6"},
		{"truncated header", "000201260", "truncated TLV at offset 6"},
		{"empty", "", "empty payload"},
		{"not ASCII", "000201é", "printable ASCII"},
		{"bad length", "00AB01", "length \"AB\" is not two digits"},
		{"bad ID", "0002010X02ab", "ID \"0X\" is not two digits"},
		{"00 not first", withCRC("010211000201" + staticSample[6:]), "field 00 (payload format) must come first"},
		{"00 not 01", withCRC("000202" + staticSample[6:]), "is \"02\", want \"01\""},
		{"63 not last", staticSample + "9902ab", "field 63 (CRC) must be last"},
		{"short CRC", "0002016303ABC", "want 4 hex digits"},
		{"duplicate", withCRC(strings.Replace(staticSample, "5802BR", "5802BR5802BR", 1)), "field 58 at offset"},
		{"empty value", withCRC(strings.Replace(staticSample, "5802BR", "5802BR9900", 1)), "field 99 at offset"},
		{"no Pix template", withCRC(strings.Replace(staticSample, "br.gov.bcb.pix", "br.gov.bcb.xip", 1)), "no merchant account template"},
		{"missing name", withCRC(strings.Replace(staticSample, "5913Fulano de Tal", "", 1)), "Name (field 59): missing"},
		{"missing txid", withCRC(strings.Replace(staticSample, "62070503***", "62070703***", 1)), "TxID (field 62.05): missing"},
		{"bad amount", withCRC(strings.Replace(staticSample, "5802BR", "5404ten!5802BR", 1)), "Amount (field 54)"},
		{"bad initiation", withCRC(strings.Replace(staticSample, "000201", "000201010213", 1)), "PointOfInitiation (field 01)"},
		{"truncated template", withCRC(strings.Replace(staticSample, "0136123e", "0199123e", 1)), "truncated TLV at offset 28"},
	}
	for _, tt := range tests {
		_, err := Decode(tt.s)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: Decode(%q) error = %v, want it to contain %q", tt.name, tt.s, err, tt.want)
		}
	}
	if _, err := Decode(staticSample[:len(staticSample)-1] + "0"); !errors.Is(err, ErrCRCMismatch) {
		t.Errorf("bad CRC error %v does not wrap ErrCRCMismatch", err)
	}
}

func TestDecodeSkipsUnknownFields(t *testing.T) {
	// An extra field (64, language template), another arrangement's
	// template (27) and an unknown Pix subfield (26.99) are skipped.
	s := strings.Replace(staticSample, "2658", "2664", 1)
	s = strings.Replace(s, "4266554400005204", "4266554400009902zz5204", 1)
	s = strings.Replace(s, "5204", "27150011com.example5204", 1)
	s = strings.Replace(s, "62070503***", "62070503***64120002PT0102Oi", 1)
	got, err := Decode(withCRC(s))
	if err != nil || got != decoded(staticPayload) {
		t.Errorf("Decode = %+v, %v; want %+v", got, err, decoded(staticPayload))
	}
	// The Pix template may sit in any of 26–51, and its GUI may be upper
	// case.
	s = strings.Replace(staticSample, "26580014br.gov.bcb.pix", "51580014BR.GOV.BCB.PIX", 1)
	if got, err := Decode(withCRC(s)); err != nil || got != decoded(staticPayload) {
		t.Errorf("Decode(template 51) = %+v, %v", got, err)
	}
	s = strings.Replace(staticSample, "5204", "51580014br.gov.bcb.pix0136123e4567-e12b-12d1-a456-4266554400005204", 1)
	if _, err := Decode(withCRC(s)); err == nil || !strings.Contains(err.Error(), "second Pix") {
		t.Errorf("Decode with two Pix templates: %v", err)
	}
}

func TestFieldErrorMessage(t *testing.T) {
	_, err := Encode(Payload{Key: "k", Name: strings.Repeat("x", 30), City: "c"})
	if want := "brcode: Name (field 59): 30 characters, at most 25"; err == nil || err.Error() != want {
		t.Errorf("error = %v, want %q", err, want)
	}
}

// FuzzRoundTrip builds a valid Payload from the fuzz inputs, so every case
// must encode, and checks that decoding gives back the same fields.
func FuzzRoundTrip(f *testing.F) {
	f.Add(uint8(0), "123e4567-e12b-12d1-a456-426655440000", "", "Fulano de Tal", "BRASILIA", "", "", uint64(0), false, "")
	f.Add(uint8(2), "pix.example.com/8b3da2f39a4140d1a91abd93113bd441", "", "Fulano de Tal", "BRASILIA", "", "", uint64(1000), true, "")
	f.Add(uint8(5), "bee05743-4291-4f3c-9259-595df1307ba1", "pedido 7", "Alexandre Lima", "Presidente Prud", "Um-Id-Qualquer", "5812", uint64(999999999999), true, "0014br.gov.bcb.pix")
	f.Fuzz(func(t *testing.T, mode uint8, keyOrURL, info, name, city, txid, mcc string, cents uint64, hasAmount bool, recurrence string) {
		p := Payload{
			PointOfInitiation: []string{"", StaticInitiation, DynamicInitiation}[mode%3],
			Name:              clip(printable(name), maxNameLen, "N"),
			City:              clip(printable(city), maxCityLen, "C"),
			TxID:              clip(txidChars(txid), maxTxIDLen, ""),
			Recurrence:        clip(printable(recurrence), maxValueLen, ""),
		}
		keyOrURL = printable(keyOrURL)
		for strings.Contains(keyOrURL, "://") {
			keyOrURL = strings.ReplaceAll(keyOrURL, "://", "")
		}
		keyOrURL = clip(keyOrURL, maxKeyLen, "k")
		if mode&4 == 0 {
			p.Key = keyOrURL
		} else {
			p.URL = keyOrURL
		}
		// The template holds the GUI (18), the key or URL and the info,
		// each with a 4-character header.
		p.Info = clip(printable(info), maxValueLen-18-4-len(keyOrURL)-4, "")
		if digits := strings.Map(keepDigit, mcc); digits != "" {
			p.MerchantCategory = fmt.Sprintf("%04s", clip(digits, 4, ""))
		}
		if hasAmount {
			c := cents % 1_000_000_000_000
			p.Amount = fmt.Sprintf("%d.%02d", c/100, c%100)
		}
		s, err := Encode(p)
		if err != nil {
			t.Fatalf("Encode(%+v): %v", p, err)
		}
		got, err := Decode(s)
		if err != nil {
			t.Fatalf("Decode(%q): %v", s, err)
		}
		if want := decoded(p); got != want {
			t.Fatalf("Decode(Encode(p)) = %+v\nwant %+v", got, want)
		}
	})
}

// FuzzDecode feeds arbitrary strings to Decode, which must not panic, and
// checks that whatever it accepts can be written back (without Encode's
// limits) and decodes to the same fields.
func FuzzDecode(f *testing.F) {
	for _, s := range []string{staticSample, dynamicSample, amountSample, hyphenTxIDSample, "", "0002", "000201", "63041D3D"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := Decode(s)
		if err != nil {
			return
		}
		again, err := encode(p, false)
		if err != nil {
			t.Fatalf("Decode(%q) = %+v, which does not encode: %v", s, p, err)
		}
		if got, err := Decode(again); err != nil || got != p {
			t.Fatalf("Decode(encode(%+v)) = %+v, %v", p, got, err)
		}
	})
}

// printable keeps the printable ASCII bytes of s.
func printable(s string) string {
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if isPrintableASCII(s[i]) {
			b = append(b, s[i])
		}
	}
	return string(b)
}

// txidChars keeps the letters, digits and hyphens of s.
func txidChars(s string) string {
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if isTxIDChars(s[i : i+1]) {
			b = append(b, s[i])
		}
	}
	return string(b)
}

func keepDigit(r rune) rune {
	if '0' <= r && r <= '9' {
		return r
	}
	return -1
}

// clip cuts s to at most n bytes and substitutes empty for an empty
// result.
func clip(s string, n int, empty string) string {
	if n < 0 {
		n = 0
	}
	if len(s) > n {
		s = s[:n]
	}
	if s == "" {
		return empty
	}
	return s
}
