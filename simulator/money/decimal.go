package money

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/sandbank/sandbank/simulator/checkdigit"
)

// Sentinel errors let callers map a bad amount to the right API violation
// with errors.Is without parsing messages.
var (
	// ErrUnknownCurrency means the code is not in the ISO 4217 table.
	ErrUnknownCurrency = errors.New("unknown currency")
	// ErrSyntax means the string is not a plain decimal number.
	ErrSyntax = errors.New("invalid decimal syntax")
	// ErrPrecision means the string has more decimals than the currency's
	// minor unit allows.
	ErrPrecision = errors.New("too many decimal places")
	// ErrRange means the amount does not fit in int64 minor units.
	ErrRange = errors.New("amount out of range")
)

// amountError carries a human-readable message (suitable for an API error
// body) while still matching one of the sentinels through errors.Is.
type amountError struct {
	kind error
	msg  string
}

func (e *amountError) Error() string { return e.msg }
func (e *amountError) Unwrap() error { return e.kind }

func newError(kind error, format string, args ...any) error {
	return &amountError{kind: kind, msg: fmt.Sprintf(format, args...)}
}

func lookupExponent(code string) (Currency, error) {
	c, ok := Lookup(code)
	if !ok {
		return Currency{}, newError(ErrUnknownCurrency, "unknown currency %q", code)
	}
	return c, nil
}

// FormatMinor renders amount, counted in minor units of code, as a decimal
// string with exactly the currency's number of decimals: (11000, "BRL") is
// "110.00", (1000, "JPY") is "1000" and (1234, "KWD") is "1.234".
func FormatMinor(amount int64, code string) (string, error) {
	c, err := lookupExponent(code)
	if err != nil {
		return "", err
	}
	// Work on the magnitude as uint64: -math.MinInt64 does not fit in int64,
	// but its two's-complement reinterpretation is exactly 2^63.
	mag := uint64(amount)
	if amount < 0 {
		mag = -mag
	}
	digits := strconv.FormatUint(mag, 10)
	if c.Exponent > 0 {
		// Left-pad so there is at least one integer digit ("0.05").
		if pad := c.Exponent + 1 - len(digits); pad > 0 {
			digits = strings.Repeat("0", pad) + digits
		}
		cut := len(digits) - c.Exponent
		digits = digits[:cut] + "." + digits[cut:]
	}
	if amount < 0 {
		digits = "-" + digits
	}
	return digits, nil
}

// ParseDecimal converts a decimal string such as Pix's "110.00" into minor
// units of code. The accepted form is an optional leading '-', one or more
// digits, and optionally '.' followed by one or more digits; there are no
// '+' signs, exponents, spaces or digit separators. Fewer decimals than the
// exponent are fine ("10.5" BRL is 1050) but more are rejected with
// ErrPrecision, even trailing zeros, because sandbank treats an amount it
// would have to round as a client error.
func ParseDecimal(s string, code string) (int64, error) {
	c, err := lookupExponent(code)
	if err != nil {
		return 0, err
	}
	body, neg := strings.CutPrefix(s, "-")
	intPart, fracPart, hasDot := strings.Cut(body, ".")
	if !checkdigit.IsDigits(intPart) || (hasDot && !checkdigit.IsDigits(fracPart)) {
		return 0, newError(ErrSyntax, "%q is not a decimal amount", s)
	}
	if len(fracPart) > c.Exponent {
		return 0, newError(ErrPrecision, "%s has %d decimal places; %q has %d",
			c.Code, c.Exponent, s, len(fracPart))
	}

	// The largest magnitude allowed: 2^63-1, or 2^63 for negatives.
	limit := uint64(1<<63 - 1)
	if neg {
		limit++
	}
	var mag uint64
	push := func(d byte) bool {
		v := uint64(d - '0')
		if mag > (limit-v)/10 {
			return false
		}
		mag = mag*10 + v
		return true
	}
	ok := true
	for i := 0; ok && i < len(intPart); i++ {
		ok = push(intPart[i])
	}
	for i := 0; ok && i < c.Exponent; i++ {
		d := byte('0')
		if i < len(fracPart) {
			d = fracPart[i]
		}
		ok = push(d)
	}
	if !ok {
		return 0, newError(ErrRange, "%q does not fit in int64 minor units of %s", s, c.Code)
	}
	if neg {
		return int64(-mag), nil
	}
	return int64(mag), nil
}
