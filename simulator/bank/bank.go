// Package bank is the simulated bank of one tenant: customers with KYC,
// accounts with real-looking identifiers, statement lines, and transfers on
// the internal, Pix, TED, SEPA and FPS rails with ISO 20022 statuses. Every
// movement of money goes through the double-entry ledger and every
// delayed outcome through the tenant's virtual clock. It knows nothing of
// HTTP; it is not safe for concurrent use (the tenant holds a lock).
package bank

import (
	"fmt"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/brianvoe/gofakeit/v7"

	"github.com/sandbank/sandbank/simulator/clock"
	"github.com/sandbank/sandbank/simulator/events"
	"github.com/sandbank/sandbank/simulator/ledger"
)

// Bank is one tenant's bank.
type Bank struct {
	Clock  *clock.Clock
	Ledger *ledger.Ledger
	// Emit reports every state change (the seeded history emits nothing).
	Emit events.Emitter
	fake *gofakeit.Faker

	seq uint64 // orders every resource for cursor pagination

	customers    []*Customer
	customerByID map[string]*Customer
	accounts     []*Account
	accountByID  map[string]*Account
	txByID       map[string]*Transaction
	transfers    []*Transfer
	transferByID map[string]*Transfer
	pixKeys      map[string]*Account
	linesOf      map[string][]*Transaction // statement lines by ledger movement
	nTx          int
}

// New returns a bank that draws its identifiers from fake (the tenant's
// seeded faker) and runs delayed work on clk, loaded with seed data.
func New(clk *clock.Clock, fake *gofakeit.Faker, seed *SeedData) (*Bank, error) {
	b := &Bank{
		Clock:        clk,
		Ledger:       ledger.New(),
		fake:         fake,
		customerByID: map[string]*Customer{},
		accountByID:  map[string]*Account{},
		txByID:       map[string]*Transaction{},
		transferByID: map[string]*Transfer{},
		pixKeys:      map[string]*Account{},
		linesOf:      map[string][]*Transaction{},
		Emit:         events.Nop,
	}
	if seed != nil {
		if err := b.load(seed); err != nil {
			return nil, err
		}
	}
	return b, nil
}

// Faker is the tenant's seeded faker (shared with the data generator).
func (b *Bank) Faker() *gofakeit.Faker { return b.fake }

// Now is the tenant's virtual time.
func (b *Bank) Now() time.Time { return b.Clock.Now() }

func (b *Bank) nextSeq() uint64 {
	b.seq++
	return b.seq
}

const idAlphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

// NewID returns a fresh identifier such as trf_4fGk2LmQ9xZp7TbW, drawn from
// the tenant's seeded faker so the same requests give the same ids.
func (b *Bank) NewID(prefix string) string { return NewID(b.fake, prefix) }

// NewID draws a 16-character base62 identifier with a prefix from fake.
func NewID(fake *gofakeit.Faker, prefix string) string {
	buf := make([]byte, 0, len(prefix)+17)
	buf = append(buf, prefix...)
	buf = append(buf, '_')
	for range 16 {
		buf = append(buf, idAlphabet[fake.IntN(len(idAlphabet))])
	}
	return string(buf)
}

// ErrorKind classifies domain errors so the HTTP layer can pick a status.
type ErrorKind int

const (
	// Invalid input (400), naming the field.
	Invalid ErrorKind = iota
	// NotFound: the resource addressed by the URL does not exist (404).
	NotFound
	// State: the resource exists but cannot do that now (400 invalid_state).
	State
)

// Error is a domain error with a stable code and, for invalid input, the
// JSON Pointer of the offending field.
type Error struct {
	Kind    ErrorKind
	Code    string
	Field   string
	Message string
	// Fields lists every invalid field when there are several.
	Fields []FieldError
}

func (e *Error) Error() string {
	if e.Field != "" {
		return fmt.Sprintf("%s: %s: %s", e.Code, e.Field, e.Message)
	}
	return e.Code + ": " + e.Message
}

func invalid(code, field, format string, args ...any) *Error {
	return &Error{Kind: Invalid, Code: code, Field: field, Message: fmt.Sprintf(format, args...)}
}

func notFound(what, id string) *Error {
	return &Error{Kind: NotFound, Code: "resource_missing", Message: fmt.Sprintf("no such %s: %s", what, id)}
}

// missingRef is a body field that names a resource the tenant does not have.
func missingRef(what, field, id string) *Error {
	return &Error{Kind: Invalid, Code: "resource_missing", Field: field, Message: fmt.Sprintf("no such %s: %s", what, id)}
}

// MaxMetadataKey is the longest metadata key, in characters (the
// contract's Metadata schema; OpenAPI 3.0 cannot express it, so the bank
// checks it).
const MaxMetadataKey = 40

// checkMetadata holds metadata keys to 1..MaxMetadataKey characters; the
// contract bounds the number of pairs and the values.
func checkMetadata(m map[string]string) error {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys) // report the same key every time
	for _, k := range keys {
		if n := utf8.RuneCountInString(k); n == 0 || n > MaxMetadataKey {
			pointer := "/metadata/" + strings.NewReplacer("~", "~0", "/", "~1").Replace(k)
			return invalid("invalid_metadata", pointer, "metadata keys have 1 to %d characters; %q has %d", MaxMetadataKey, k, n)
		}
	}
	return nil
}

// Page is one page of a list, newest first.
type Page[T any] struct {
	Items   []T
	HasMore bool
	// Next is the sequence number to pass as "before" for the next page.
	Next uint64
}

// paginate walks items (oldest first, ascending seq) from the newest down,
// skipping those at or above before (0: from the top), keeping those that
// match, up to limit (at least 1). Items inserted after a walk began have
// higher sequence numbers and so never shift a later page.
func paginate[T any](items []T, seq func(T) uint64, before uint64, limit int, keep func(T) bool) Page[T] {
	limit = max(limit, 1) // the contract's minimum; 0 would leave HasMore without a Next
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

// Counts reports how many resources the bank holds.
type Counts struct {
	Customers, Accounts, Transactions, Transfers int
}

// Counts reports the bank's sizes.
func (b *Bank) Counts() Counts {
	return Counts{len(b.customers), len(b.accounts), b.nTx, len(b.transfers)}
}

// Verify checks the ledger's invariants and that every account's statement
// matches its ledger postings.
func (b *Bank) Verify() error {
	if err := b.Ledger.Verify(); err != nil {
		return err
	}
	for _, a := range b.accounts {
		postings := b.Ledger.Postings(ledger.AccountID(a.ID))
		if len(postings) != len(a.transactions) {
			return fmt.Errorf("account %s: %d statement lines for %d postings", a.ID, len(a.transactions), len(postings))
		}
		for i, t := range a.transactions {
			if t.Posting != postings[i] {
				return fmt.Errorf("account %s: statement line %s is not posting %d", a.ID, t.ID, postings[i].Seq)
			}
		}
	}
	return nil
}
