package bank

import (
	"time"

	"github.com/sandbank/sandbank/simulator/ledger"
)

// Transaction is a statement line: one ledger posting on a customer
// account, with what a statement shows about it. Amount, status, booking
// time and running balance come from the posting itself.
type Transaction struct {
	Seq       uint64
	ID        string
	AccountID string
	Posting   *ledger.Posting
	Details
}

// Details describe a statement line.
type Details struct {
	Type         string // opening_balance, salary, card, pix, ted, boleto, sepa, fps, ach, internal_transfer, fee, interest, deposit
	Description  string
	Category     string
	Merchant     *Merchant
	Counterparty *Counterparty
	EndToEndID   string
	Source       *SourceRef
}

// Merchant is where a card was used.
type Merchant struct {
	Name, MCC, City, Country string
}

// Counterparty is the other side of a transfer.
type Counterparty struct {
	Name, TaxID, Account string
}

// SourceRef names what produced a statement line.
type SourceRef struct {
	Type, ID string // transfer | inbound_transfer | seed
}

// Amount is the signed amount (credit positive).
func (t *Transaction) Amount() int64 { return t.Posting.Amount }

// Currency is the line's currency.
func (t *Transaction) Currency() string { return t.Posting.Currency }

// Status is pending, booked or voided.
func (t *Transaction) Status() string { return t.Posting.Status.String() }

// CreatedAt is when the line appeared.
func (t *Transaction) CreatedAt() time.Time { return t.Posting.CreatedAt }

// systemAccount is a ledger account outside the tenant's customers — the
// rest of the world (clearing per rail), equity, fee income — opened on
// first use.
func (b *Bank) systemAccount(kind, currency string) ledger.AccountID {
	id := ledger.AccountID("sys:" + kind + ":" + currency)
	_ = b.Ledger.Open(id, currency)
	return id
}

// post records a movement and a statement line for each leg on a
// customer account. details gives each such leg's description.
func (b *Bank) post(id string, at time.Time, pending bool, legs []ledger.Leg, details func(accountID string) Details) (*ledger.Movement, error) {
	m, err := b.Ledger.Post(id, at, pending, legs...)
	if err != nil {
		return nil, err
	}
	for _, p := range m.Postings {
		a, ok := b.accountByID[string(p.Account)]
		if !ok {
			continue
		}
		t := &Transaction{Seq: b.nextSeq(), ID: b.NewID("txn"), AccountID: a.ID, Posting: p, Details: details(a.ID)}
		a.transactions = append(a.transactions, t)
		b.txByID[t.ID] = t
		b.linesOf[id] = append(b.linesOf[id], t)
		b.Emit("transaction.created", t)
	}
	return m, nil
}

// book settles a pending movement; each of its statement lines changes
// state, so each emits an event.
func (b *Bank) book(movementID string, at time.Time) error {
	if err := b.Ledger.Book(movementID, at); err != nil {
		return err
	}
	for _, t := range b.linesOf[movementID] {
		b.Emit("transaction.booked", t)
	}
	return nil
}

// void releases a pending movement and voids its statement lines.
func (b *Bank) void(movementID string) error {
	if err := b.Ledger.Void(movementID); err != nil {
		return err
	}
	for _, t := range b.linesOf[movementID] {
		b.Emit("transaction.voided", t)
	}
	return nil
}

// TransactionFilter narrows a statement.
type TransactionFilter struct {
	From, To     time.Time // created at or after From, before To (zero: unbounded)
	Type, Status string
}

// Transactions lists an account's statement lines, newest first.
func (b *Bank) Transactions(accountID string, f TransactionFilter, before uint64, limit int) (Page[*Transaction], error) {
	a, err := b.Account(accountID)
	if err != nil {
		return Page[*Transaction]{}, err
	}
	return paginate(a.transactions, func(t *Transaction) uint64 { return t.Seq }, before, limit, func(t *Transaction) bool {
		created := t.CreatedAt()
		return (f.From.IsZero() || !created.Before(f.From)) &&
			(f.To.IsZero() || created.Before(f.To)) &&
			(f.Type == "" || t.Type == f.Type) &&
			(f.Status == "" || t.Status() == f.Status)
	}), nil
}

// Transaction returns a statement line by id.
func (b *Bank) Transaction(id string) (*Transaction, error) {
	if t, ok := b.txByID[id]; ok {
		return t, nil
	}
	return nil, notFound("transaction", id)
}

// InboundInput simulates money arriving from another bank.
type InboundInput struct {
	AccountID   string
	Amount      int64
	Currency    string
	Rail        string
	DebtorName  string
	DebtorTaxID string
	DebtorAcct  string
	Description string
}

// defaultInboundRail is the usual way money arrives in each currency.
var defaultInboundRail = map[string]string{"BRL": "pix", "EUR": "sepa", "GBP": "fps", "USD": "ach"}

var railCurrency = map[string]string{"pix": "BRL", "ted": "BRL", "sepa": "EUR", "fps": "GBP", "ach": "USD"}

// ReceiveInbound books money arriving from outside the bank and returns the
// credit line.
func (b *Bank) ReceiveInbound(in InboundInput) (*Transaction, error) {
	a, ok := b.accountByID[in.AccountID]
	if !ok {
		return nil, missingRef("account", "/account_id", in.AccountID)
	}
	if in.Currency != a.Currency {
		return nil, invalid("currency_mismatch", "/currency", "account %s holds %s, not %s", a.ID, a.Currency, in.Currency)
	}
	rail := in.Rail
	if rail == "" {
		rail = defaultInboundRail[a.Currency]
	}
	if railCurrency[rail] != a.Currency {
		return nil, invalid("rail_currency_mismatch", "/rail", "%s carries %s, and account %s holds %s", rail, railCurrency[rail], a.ID, a.Currency)
	}
	if a.Status != "active" {
		return nil, &Error{Kind: State, Code: "account_not_active", Message: "account " + a.ID + " is " + a.Status}
	}
	now := b.Now()
	sourceID := b.NewID("itr")
	e2e := ""
	if rail == "pix" {
		e2e = b.pixEndToEndID(now)
	}
	name := in.DebtorName
	if name == "" {
		name = b.fake.Name()
	}
	desc := in.Description
	if desc == "" {
		desc = "Transfer from " + name
	}
	legs := []ledger.Leg{
		{Account: b.systemAccount("clearing:"+rail, a.Currency), Amount: -in.Amount, Currency: a.Currency},
		{Account: ledger.AccountID(a.ID), Amount: in.Amount, Currency: a.Currency},
	}
	var line *Transaction
	_, err := b.post(sourceID, now, false, legs, func(string) Details {
		return Details{
			Type: rail, Description: desc, Category: "transfer_in",
			Counterparty: &Counterparty{Name: name, TaxID: in.DebtorTaxID, Account: in.DebtorAcct},
			EndToEndID:   e2e, Source: &SourceRef{Type: "inbound_transfer", ID: sourceID},
		}
	})
	if err != nil {
		return nil, err
	}
	line = a.transactions[len(a.transactions)-1]
	return line, nil
}
