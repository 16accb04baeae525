package money

import "sort"

// Currency is one ISO 4217 currency: its alphabetic code, its numeric code
// (always three digits, kept as a string so leading zeros survive, e.g. "008"
// for ALL) and the exponent of its minor unit (2 means amounts are counted in
// hundredths).
type Currency struct {
	Code     string
	Numeric  string
	Exponent int
	// Fund marks ISO "fund" codes (BOV, CHE, CHW, CLF, COU, MXV, USN, UYI,
	// UYW): units of account rather than circulating money. They are kept
	// because payment messages can carry them (CLF in Chile, UYW in Uruguay).
	Fund bool
}

// currencies is ISO 4217 list one as of the 2024 amendments, less precious
// metals, bond-market units, SDR and the test/no-currency codes (XAU, XAG,
// XPT, XPD, XBA-XBD, XDR, XSU, XUA, XTS, XXX), which no simulated account
// holds. Withdrawn codes (HRK, ZWL, ANG, SLL) are left out on purpose.
var currencies = map[string]Currency{
	"AED": {Code: "AED", Numeric: "784", Exponent: 2},
	"AFN": {Code: "AFN", Numeric: "971", Exponent: 2},
	"ALL": {Code: "ALL", Numeric: "008", Exponent: 2},
	"AMD": {Code: "AMD", Numeric: "051", Exponent: 2},
	"AOA": {Code: "AOA", Numeric: "973", Exponent: 2},
	"ARS": {Code: "ARS", Numeric: "032", Exponent: 2},
	"AUD": {Code: "AUD", Numeric: "036", Exponent: 2},
	"AWG": {Code: "AWG", Numeric: "533", Exponent: 2},
	"AZN": {Code: "AZN", Numeric: "944", Exponent: 2},
	"BAM": {Code: "BAM", Numeric: "977", Exponent: 2},
	"BBD": {Code: "BBD", Numeric: "052", Exponent: 2},
	"BDT": {Code: "BDT", Numeric: "050", Exponent: 2},
	"BGN": {Code: "BGN", Numeric: "975", Exponent: 2},
	"BHD": {Code: "BHD", Numeric: "048", Exponent: 3},
	"BIF": {Code: "BIF", Numeric: "108", Exponent: 0},
	"BMD": {Code: "BMD", Numeric: "060", Exponent: 2},
	"BND": {Code: "BND", Numeric: "096", Exponent: 2},
	"BOB": {Code: "BOB", Numeric: "068", Exponent: 2},
	"BOV": {Code: "BOV", Numeric: "984", Exponent: 2, Fund: true},
	"BRL": {Code: "BRL", Numeric: "986", Exponent: 2},
	"BSD": {Code: "BSD", Numeric: "044", Exponent: 2},
	"BTN": {Code: "BTN", Numeric: "064", Exponent: 2},
	"BWP": {Code: "BWP", Numeric: "072", Exponent: 2},
	"BYN": {Code: "BYN", Numeric: "933", Exponent: 2},
	"BZD": {Code: "BZD", Numeric: "084", Exponent: 2},
	"CAD": {Code: "CAD", Numeric: "124", Exponent: 2},
	"CDF": {Code: "CDF", Numeric: "976", Exponent: 2},
	"CHE": {Code: "CHE", Numeric: "947", Exponent: 2, Fund: true},
	"CHF": {Code: "CHF", Numeric: "756", Exponent: 2},
	"CHW": {Code: "CHW", Numeric: "948", Exponent: 2, Fund: true},
	"CLF": {Code: "CLF", Numeric: "990", Exponent: 4, Fund: true},
	"CLP": {Code: "CLP", Numeric: "152", Exponent: 0},
	"CNY": {Code: "CNY", Numeric: "156", Exponent: 2},
	"COP": {Code: "COP", Numeric: "170", Exponent: 2},
	"COU": {Code: "COU", Numeric: "970", Exponent: 2, Fund: true},
	"CRC": {Code: "CRC", Numeric: "188", Exponent: 2},
	"CUC": {Code: "CUC", Numeric: "931", Exponent: 2},
	"CUP": {Code: "CUP", Numeric: "192", Exponent: 2},
	"CVE": {Code: "CVE", Numeric: "132", Exponent: 2},
	"CZK": {Code: "CZK", Numeric: "203", Exponent: 2},
	"DJF": {Code: "DJF", Numeric: "262", Exponent: 0},
	"DKK": {Code: "DKK", Numeric: "208", Exponent: 2},
	"DOP": {Code: "DOP", Numeric: "214", Exponent: 2},
	"DZD": {Code: "DZD", Numeric: "012", Exponent: 2},
	"EGP": {Code: "EGP", Numeric: "818", Exponent: 2},
	"ERN": {Code: "ERN", Numeric: "232", Exponent: 2},
	"ETB": {Code: "ETB", Numeric: "230", Exponent: 2},
	"EUR": {Code: "EUR", Numeric: "978", Exponent: 2},
	"FJD": {Code: "FJD", Numeric: "242", Exponent: 2},
	"FKP": {Code: "FKP", Numeric: "238", Exponent: 2},
	"GBP": {Code: "GBP", Numeric: "826", Exponent: 2},
	"GEL": {Code: "GEL", Numeric: "981", Exponent: 2},
	"GHS": {Code: "GHS", Numeric: "936", Exponent: 2},
	"GIP": {Code: "GIP", Numeric: "292", Exponent: 2},
	"GMD": {Code: "GMD", Numeric: "270", Exponent: 2},
	"GNF": {Code: "GNF", Numeric: "324", Exponent: 0},
	"GTQ": {Code: "GTQ", Numeric: "320", Exponent: 2},
	"GYD": {Code: "GYD", Numeric: "328", Exponent: 2},
	"HKD": {Code: "HKD", Numeric: "344", Exponent: 2},
	"HNL": {Code: "HNL", Numeric: "340", Exponent: 2},
	"HTG": {Code: "HTG", Numeric: "332", Exponent: 2},
	"HUF": {Code: "HUF", Numeric: "348", Exponent: 2},
	"IDR": {Code: "IDR", Numeric: "360", Exponent: 2},
	"ILS": {Code: "ILS", Numeric: "376", Exponent: 2},
	"INR": {Code: "INR", Numeric: "356", Exponent: 2},
	"IQD": {Code: "IQD", Numeric: "368", Exponent: 3},
	"IRR": {Code: "IRR", Numeric: "364", Exponent: 2},
	"ISK": {Code: "ISK", Numeric: "352", Exponent: 0},
	"JMD": {Code: "JMD", Numeric: "388", Exponent: 2},
	"JOD": {Code: "JOD", Numeric: "400", Exponent: 3},
	"JPY": {Code: "JPY", Numeric: "392", Exponent: 0},
	"KES": {Code: "KES", Numeric: "404", Exponent: 2},
	"KGS": {Code: "KGS", Numeric: "417", Exponent: 2},
	"KHR": {Code: "KHR", Numeric: "116", Exponent: 2},
	"KMF": {Code: "KMF", Numeric: "174", Exponent: 0},
	"KPW": {Code: "KPW", Numeric: "408", Exponent: 2},
	"KRW": {Code: "KRW", Numeric: "410", Exponent: 0},
	"KWD": {Code: "KWD", Numeric: "414", Exponent: 3},
	"KYD": {Code: "KYD", Numeric: "136", Exponent: 2},
	"KZT": {Code: "KZT", Numeric: "398", Exponent: 2},
	"LAK": {Code: "LAK", Numeric: "418", Exponent: 2},
	"LBP": {Code: "LBP", Numeric: "422", Exponent: 2},
	"LKR": {Code: "LKR", Numeric: "144", Exponent: 2},
	"LRD": {Code: "LRD", Numeric: "430", Exponent: 2},
	"LSL": {Code: "LSL", Numeric: "426", Exponent: 2},
	"LYD": {Code: "LYD", Numeric: "434", Exponent: 3},
	"MAD": {Code: "MAD", Numeric: "504", Exponent: 2},
	"MDL": {Code: "MDL", Numeric: "498", Exponent: 2},
	"MGA": {Code: "MGA", Numeric: "969", Exponent: 2},
	"MKD": {Code: "MKD", Numeric: "807", Exponent: 2},
	"MMK": {Code: "MMK", Numeric: "104", Exponent: 2},
	"MNT": {Code: "MNT", Numeric: "496", Exponent: 2},
	"MOP": {Code: "MOP", Numeric: "446", Exponent: 2},
	"MRU": {Code: "MRU", Numeric: "929", Exponent: 2},
	"MUR": {Code: "MUR", Numeric: "480", Exponent: 2},
	"MVR": {Code: "MVR", Numeric: "462", Exponent: 2},
	"MWK": {Code: "MWK", Numeric: "454", Exponent: 2},
	"MXN": {Code: "MXN", Numeric: "484", Exponent: 2},
	"MXV": {Code: "MXV", Numeric: "979", Exponent: 2, Fund: true},
	"MYR": {Code: "MYR", Numeric: "458", Exponent: 2},
	"MZN": {Code: "MZN", Numeric: "943", Exponent: 2},
	"NAD": {Code: "NAD", Numeric: "516", Exponent: 2},
	"NGN": {Code: "NGN", Numeric: "566", Exponent: 2},
	"NIO": {Code: "NIO", Numeric: "558", Exponent: 2},
	"NOK": {Code: "NOK", Numeric: "578", Exponent: 2},
	"NPR": {Code: "NPR", Numeric: "524", Exponent: 2},
	"NZD": {Code: "NZD", Numeric: "554", Exponent: 2},
	"OMR": {Code: "OMR", Numeric: "512", Exponent: 3},
	"PAB": {Code: "PAB", Numeric: "590", Exponent: 2},
	"PEN": {Code: "PEN", Numeric: "604", Exponent: 2},
	"PGK": {Code: "PGK", Numeric: "598", Exponent: 2},
	"PHP": {Code: "PHP", Numeric: "608", Exponent: 2},
	"PKR": {Code: "PKR", Numeric: "586", Exponent: 2},
	"PLN": {Code: "PLN", Numeric: "985", Exponent: 2},
	"PYG": {Code: "PYG", Numeric: "600", Exponent: 0},
	"QAR": {Code: "QAR", Numeric: "634", Exponent: 2},
	"RON": {Code: "RON", Numeric: "946", Exponent: 2},
	"RSD": {Code: "RSD", Numeric: "941", Exponent: 2},
	"RUB": {Code: "RUB", Numeric: "643", Exponent: 2},
	"RWF": {Code: "RWF", Numeric: "646", Exponent: 0},
	"SAR": {Code: "SAR", Numeric: "682", Exponent: 2},
	"SBD": {Code: "SBD", Numeric: "090", Exponent: 2},
	"SCR": {Code: "SCR", Numeric: "690", Exponent: 2},
	"SDG": {Code: "SDG", Numeric: "938", Exponent: 2},
	"SEK": {Code: "SEK", Numeric: "752", Exponent: 2},
	"SGD": {Code: "SGD", Numeric: "702", Exponent: 2},
	"SHP": {Code: "SHP", Numeric: "654", Exponent: 2},
	"SLE": {Code: "SLE", Numeric: "925", Exponent: 2},
	"SOS": {Code: "SOS", Numeric: "706", Exponent: 2},
	"SRD": {Code: "SRD", Numeric: "968", Exponent: 2},
	"SSP": {Code: "SSP", Numeric: "728", Exponent: 2},
	"STN": {Code: "STN", Numeric: "930", Exponent: 2},
	"SVC": {Code: "SVC", Numeric: "222", Exponent: 2},
	"SYP": {Code: "SYP", Numeric: "760", Exponent: 2},
	"SZL": {Code: "SZL", Numeric: "748", Exponent: 2},
	"THB": {Code: "THB", Numeric: "764", Exponent: 2},
	"TJS": {Code: "TJS", Numeric: "972", Exponent: 2},
	"TMT": {Code: "TMT", Numeric: "934", Exponent: 2},
	"TND": {Code: "TND", Numeric: "788", Exponent: 3},
	"TOP": {Code: "TOP", Numeric: "776", Exponent: 2},
	"TRY": {Code: "TRY", Numeric: "949", Exponent: 2},
	"TTD": {Code: "TTD", Numeric: "780", Exponent: 2},
	"TWD": {Code: "TWD", Numeric: "901", Exponent: 2},
	"TZS": {Code: "TZS", Numeric: "834", Exponent: 2},
	"UAH": {Code: "UAH", Numeric: "980", Exponent: 2},
	"UGX": {Code: "UGX", Numeric: "800", Exponent: 0},
	"USD": {Code: "USD", Numeric: "840", Exponent: 2},
	"USN": {Code: "USN", Numeric: "997", Exponent: 2, Fund: true},
	"UYI": {Code: "UYI", Numeric: "940", Exponent: 0, Fund: true},
	"UYU": {Code: "UYU", Numeric: "858", Exponent: 2},
	"UYW": {Code: "UYW", Numeric: "927", Exponent: 4, Fund: true},
	"UZS": {Code: "UZS", Numeric: "860", Exponent: 2},
	"VED": {Code: "VED", Numeric: "926", Exponent: 2},
	"VES": {Code: "VES", Numeric: "928", Exponent: 2},
	"VND": {Code: "VND", Numeric: "704", Exponent: 0},
	"VUV": {Code: "VUV", Numeric: "548", Exponent: 0},
	"WST": {Code: "WST", Numeric: "882", Exponent: 2},
	"XAF": {Code: "XAF", Numeric: "950", Exponent: 0},
	"XCD": {Code: "XCD", Numeric: "951", Exponent: 2},
	"XCG": {Code: "XCG", Numeric: "532", Exponent: 2},
	"XOF": {Code: "XOF", Numeric: "952", Exponent: 0},
	"XPF": {Code: "XPF", Numeric: "953", Exponent: 0},
	"YER": {Code: "YER", Numeric: "886", Exponent: 2},
	"ZAR": {Code: "ZAR", Numeric: "710", Exponent: 2},
	"ZMW": {Code: "ZMW", Numeric: "967", Exponent: 2},
	"ZWG": {Code: "ZWG", Numeric: "924", Exponent: 2},
}

// Lookup returns the currency with the given alphabetic code. The code is
// matched case-insensitively because card-style APIs send "usd" while ISO
// and Pix send "USD"; the returned Code is always upper case.
func Lookup(code string) (Currency, bool) {
	if len(code) != 3 {
		return Currency{}, false
	}
	c, ok := currencies[upperASCII(code)]
	return c, ok
}

// Exponent returns the number of minor-unit decimal places of code.
func Exponent(code string) (int, bool) {
	c, ok := Lookup(code)
	return c.Exponent, ok
}

// Currencies returns every known currency, sorted by alphabetic code.
func Currencies() []Currency {
	out := make([]Currency, 0, len(currencies))
	for _, c := range currencies {
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Code < out[j].Code })
	return out
}

// upperASCII upper-cases ASCII letters only, so non-ASCII input can never
// fold onto a real code.
func upperASCII(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'a' <= c && c <= 'z' {
			b[i] = c - 'a' + 'A'
		}
	}
	return string(b)
}
