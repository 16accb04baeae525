package openapi

import (
	"errors"
	"net/mail"
	"strings"
	"time"
)

// ParseDateOrDateTime accepts an RFC 3339 instant or a calendar date
// (meaning its midnight UTC), as list filters such as ?from= do.
func ParseDateOrDateTime(s string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, nil
	}
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t, nil
	}
	return time.Time{}, errors.New("expected a date (2026-02-01) or an RFC 3339 date-time (2026-02-01T10:00:00Z)")
}

func checkEmail(s string) error {
	addr, err := mail.ParseAddress(s)
	if err != nil || addr.Address != s || addr.Name != "" {
		return errors.New("expected an e-mail address such as ana@example.com")
	}
	at := strings.LastIndexByte(s, '@')
	if at < 1 || !strings.Contains(s[at+1:], ".") {
		return errors.New("expected an e-mail address with a domain, such as ana@example.com")
	}
	return nil
}

func checkUUID(s string) error {
	if len(s) != 36 {
		return errors.New("expected a UUID such as 3f9c2a71-5b8e-4d1f-a6c3-9e2b7d4f0a18")
	}
	for i, c := range s {
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return errors.New("expected a UUID such as 3f9c2a71-5b8e-4d1f-a6c3-9e2b7d4f0a18")
			}
		default:
			if !strings.ContainsRune("0123456789abcdefABCDEF", c) {
				return errors.New("expected a UUID such as 3f9c2a71-5b8e-4d1f-a6c3-9e2b7d4f0a18")
			}
		}
	}
	return nil
}
