// Package bank is the simulated bank of one tenant: customers with KYC,
// accounts with real-looking identifiers, statement lines, and transfers on
// the internal, Pix, TED, SEPA and FPS rails with ISO 20022 statuses. Every
// movement of money goes through the double-entry ledger and every
// delayed outcome through the tenant's virtual clock. It knows nothing of
// HTTP; it is not safe for concurrent use (the tenant holds a lock).
package bank

import (
	"fmt"
	"time"

	"github.com/brianvoe/gofakeit/v7"

	"github.com/sandbank/sandbank/simulator/clock"
	"github.com/sandbank/sandbank/simulator/domain"
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

// NewID returns a fresh identifier such as trf_4fGk2LmQ9xZp7TbW, drawn from
// the tenant's seeded faker so the same requests give the same ids.
func (b *Bank) NewID(prefix string) string { return NewID(b.fake, prefix) }

// NewID draws a 16-character base62 identifier with a prefix from fake.
func NewID(fake *gofakeit.Faker, prefix string) string { return domain.NewID(fake, prefix) }

// MaxMetadataKey is the longest metadata key, in characters.
const MaxMetadataKey = domain.MaxMetadataKey

var checkMetadata = domain.CheckMetadata

// The domain's shared error and page types, under the bank's names.
type (
	ErrorKind  = domain.ErrorKind
	Error      = domain.Error
	FieldError = domain.FieldError
)

// Page is one page of a list, newest first.
type Page[T any] = domain.Page[T]

const (
	Invalid  = domain.Invalid
	NotFound = domain.NotFound
	State    = domain.State
)

var (
	invalid    = domain.InvalidField
	notFound   = domain.NotFoundError
	missingRef = domain.MissingRef
)

func paginate[T any](items []T, seq func(T) uint64, before uint64, limit int, keep func(T) bool) Page[T] {
	return domain.Paginate(items, seq, before, limit, keep)
}

// Counts reports how many resources the bank holds.
type Counts struct {
	Customers, Accounts, Transactions, Transfers int
}

// Counts reports the bank's sizes.
func (b *Bank) Counts() Counts {
	return Counts{len(b.customers), len(b.accounts), len(b.txByID), len(b.transfers)}
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
