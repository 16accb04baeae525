// Package domain holds what every domain of a tenant shares: errors that
// the HTTP layer can render (with a kind, a stable code and the offending
// field), pages of a list walked newest first by sequence number, and
// identifiers drawn from the tenant's seeded faker.
package domain

import (
	"fmt"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/brianvoe/gofakeit/v7"
)

// ErrorKind classifies domain errors so the HTTP layer can pick a status.
type ErrorKind int

const (
	// Invalid input (400), naming the field.
	Invalid ErrorKind = iota
	// NotFound: the resource addressed by the URL does not exist (404).
	NotFound
	// State: the resource exists but cannot do that now (400 invalid_state).
	State
	// Declined: a payment was refused (402), the provider's answer, not a mistake.
	Declined
)

// FieldError is one invalid field of a request; Code, when set, is a more
// specific error code than the one of the error that carries it.
type FieldError struct{ Field, Message, Code string }

// Error is a domain error with a stable code and, for invalid input, the
// JSON Pointer of the offending field.
type Error struct {
	Kind    ErrorKind
	Code    string
	Field   string
	Message string
	// Fields lists every invalid field when there are several.
	Fields []FieldError
	// Extra members for the problem (decline_code, the payment…).
	Extra map[string]any
}

func (e *Error) Error() string {
	if e.Field != "" {
		return fmt.Sprintf("%s: %s: %s", e.Code, e.Field, e.Message)
	}
	return e.Code + ": " + e.Message
}

// Invalid reports a bad field.
func InvalidField(code, field, format string, args ...any) *Error {
	return &Error{Kind: Invalid, Code: code, Field: field, Message: fmt.Sprintf(format, args...)}
}

// NotFoundError reports a resource the URL names but the tenant lacks.
func NotFoundError(what, id string) *Error {
	return &Error{Kind: NotFound, Code: "resource_missing", Message: fmt.Sprintf("no such %s: %s", what, id)}
}

// MissingRef reports a body field naming a resource the tenant lacks.
func MissingRef(what, field, id string) *Error {
	return &Error{Kind: Invalid, Code: "resource_missing", Field: field, Message: fmt.Sprintf("no such %s: %s", what, id)}
}

// StateError reports an operation the resource cannot do now.
func StateError(code, format string, args ...any) *Error {
	return &Error{Kind: State, Code: code, Message: fmt.Sprintf(format, args...)}
}

// Page is one page of a list, newest first.
type Page[T any] struct {
	Items   []T
	HasMore bool
	// Next is the sequence number to pass as "before" for the next page.
	Next uint64
}

// Paginate walks items (oldest first, ascending seq) from the newest down,
// skipping those at or above before (0: from the top), keeping those that
// match, up to limit. Items inserted after a walk began have higher
// sequence numbers and so never shift a later page.
func Paginate[T any](items []T, seq func(T) uint64, before uint64, limit int, keep func(T) bool) Page[T] {
	limit = max(limit, 1)
	end := len(items)
	if before > 0 {
		end = sort.Search(len(items), func(i int) bool { return seq(items[i]) >= before })
	}
	var p Page[T]
	for i := end - 1; i >= 0; i-- {
		it := items[i]
		if keep != nil && !keep(it) {
			continue
		}
		if len(p.Items) == limit {
			p.HasMore = true
			break
		}
		p.Items = append(p.Items, it)
	}
	if p.HasMore {
		p.Next = seq(p.Items[len(p.Items)-1])
	}
	return p
}

const idAlphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

// NewID draws a 16-character base62 identifier with a prefix from fake,
// so the same requests give the same ids.
func NewID(fake *gofakeit.Faker, prefix string) string {
	buf := make([]byte, 0, len(prefix)+17)
	buf = append(buf, prefix...)
	buf = append(buf, '_')
	for range 16 {
		buf = append(buf, idAlphabet[fake.IntN(len(idAlphabet))])
	}
	return string(buf)
}

// MaxMetadataKey is the longest metadata key, in characters (the
// contract's Metadata schema; OpenAPI 3.0 cannot express it, so the
// domains check it).
const MaxMetadataKey = 40

// CheckMetadata holds metadata keys to 1..MaxMetadataKey characters; the
// contract bounds the number of pairs and the values.
func CheckMetadata(m map[string]string) error {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys) // report the same key every time
	for _, k := range keys {
		if n := utf8.RuneCountInString(k); n == 0 || n > MaxMetadataKey {
			pointer := "/metadata/" + strings.NewReplacer("~", "~0", "/", "~1").Replace(k)
			return InvalidField("invalid_metadata", pointer, "metadata keys have 1 to %d characters; %q has %d", MaxMetadataKey, k, n)
		}
	}
	return nil
}
