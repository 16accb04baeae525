package bank

import (
	"fmt"
	"strings"
	"time"

	"github.com/brianvoe/gofakeit/v7"

	"github.com/sandbank/sandbank/simulator/checkdigit"
	"github.com/sandbank/sandbank/simulator/ledger"
)

// sandbank's own (fictional) bank identifiers, one set per country.
const (
	BRISPB        = "99999999" // no real participant uses it
	BRBankCode    = "999"
	DEBankCode    = "50099900"
	DEBIC         = "SNDBDEFFXXX"
	GBBankCode    = "SNDB"
	GBSortCode    = "040099"
	GBBIC         = "SNDBGB2LXXX"
	USRoutingBase = "02100099" // the ninth digit is its ABA check digit
)

// Account is a bank account in one currency.
type Account struct {
	Seq          uint64
	ID           string
	CustomerID   string
	Currency     string
	Kind         string // checking | savings | business
	Status       string // active | frozen | closed
	Name         string
	Identifiers  Identifiers
	PixKeys      []PixKey
	CreditLine   int64
	CreatedAt    time.Time
	Metadata     map[string]string
	transactions []*Transaction
}

// Identifiers are how other banks address the account.
type Identifiers struct {
	BR            *BRAccount
	IBAN          string
	BIC           string
	SortCode      string
	AccountNumber string
	RoutingNumber string
}

// BRAccount is a Brazilian account address.
type BRAccount struct {
	ISPB, BankCode, Branch, Number, Digit string
}

// PixKey is a key registered in Brazil's DICT pointing to an account.
type PixKey struct {
	Type string // cpf | cnpj | email | phone | evp
	Key  string
}

// AccountCurrencies are the currencies sandbank keeps accounts in.
var AccountCurrencies = []string{"BRL", "EUR", "GBP", "USD"}

// NewIdentifiers draws identifiers for a new account in a currency. They
// pass the checks real validators apply (IBAN mod 97, ABA, account digit).
func NewIdentifiers(fake *gofakeit.Faker, currency, kind string) (Identifiers, error) {
	switch currency {
	case "BRL":
		number := fake.DigitN(8)
		digit, err := checkdigit.BRAccountDigit(number)
		if err != nil {
			return Identifiers{}, err
		}
		branch := fmt.Sprintf("%04d", 1+fake.IntN(40))
		acctType := "C"
		if kind == "savings" {
			acctType = "P"
		}
		// BR BBAN: ISPB(8) branch(5) account+digit(10) type(1) holder(1).
		bban := BRISPB + "0" + branch + fmt.Sprintf("%010s", number+digit) + acctType + "1"
		iban, err := checkdigit.NewIBAN("BR", bban)
		if err != nil {
			return Identifiers{}, err
		}
		return Identifiers{BR: &BRAccount{ISPB: BRISPB, BankCode: BRBankCode, Branch: branch, Number: number, Digit: digit}, IBAN: iban}, nil
	case "EUR":
		iban, err := checkdigit.NewIBAN("DE", DEBankCode+fake.DigitN(10))
		if err != nil {
			return Identifiers{}, err
		}
		return Identifiers{IBAN: iban, BIC: DEBIC}, nil
	case "GBP":
		number := fake.DigitN(8)
		iban, err := checkdigit.NewIBAN("GB", GBBankCode+GBSortCode+number)
		if err != nil {
			return Identifiers{}, err
		}
		return Identifiers{IBAN: iban, BIC: GBBIC, SortCode: GBSortCode, AccountNumber: number}, nil
	case "USD":
		check, err := checkdigit.ABACheckDigit(USRoutingBase)
		if err != nil {
			return Identifiers{}, err
		}
		return Identifiers{RoutingNumber: USRoutingBase + string(rune('0'+check)), AccountNumber: fake.DigitN(12)}, nil
	}
	return Identifiers{}, fmt.Errorf("bank: no accounts in %s", currency)
}

// AccountInput is what a client sends to open an account.
type AccountInput struct {
	CustomerID string
	Currency   string
	Kind       string
	Name       string
	Metadata   map[string]string
}

var defaultAccountNames = map[string]string{
	"BRL": "Conta Corrente", "EUR": "Girokonto", "GBP": "Current Account", "USD": "Checking",
}

// OpenAccount opens an account with a zero balance for a customer whose
// identity check has not failed.
func (b *Bank) OpenAccount(in AccountInput) (*Account, error) {
	if err := checkMetadata(in.Metadata); err != nil {
		return nil, err
	}
	c, ok := b.customerByID[in.CustomerID]
	if !ok {
		return nil, missingRef("customer", "/customer_id", in.CustomerID)
	}
	if s := c.Verification.Status; s == "rejected" || s == "requires_input" {
		return nil, invalid("customer_not_verified", "/customer_id", "customer %s cannot open accounts: verification is %s", c.ID, s)
	}
	kind := in.Kind
	if kind == "" {
		kind = "checking"
		if c.Type == "company" {
			kind = "business"
		}
	}
	if kind == "business" && c.Type != "company" {
		return nil, invalid("invalid_kind", "/kind", "business accounts are for companies")
	}
	name := in.Name
	if name == "" {
		name = defaultAccountNames[in.Currency]
	}
	ids, err := NewIdentifiers(b.fake, in.Currency, kind)
	if err != nil {
		return nil, invalid("invalid_currency", "/currency", "%v", err)
	}
	a := &Account{
		Seq: b.nextSeq(), ID: b.NewID("acc"), CustomerID: c.ID, Currency: in.Currency, Kind: kind,
		Status: "active", Name: name, Identifiers: ids, CreatedAt: b.Now(), Metadata: in.Metadata,
	}
	if in.Currency == "BRL" {
		a.PixKeys = []PixKey{{Type: "evp", Key: b.fake.UUID()}}
	}
	if err := b.addAccount(a); err != nil {
		return nil, err
	}
	b.Emit("account.created", a)
	return a, nil
}

func (b *Bank) addAccount(a *Account) error {
	if err := b.Ledger.Open(ledger.AccountID(a.ID), a.Currency); err != nil {
		return err
	}
	b.accounts = append(b.accounts, a)
	b.accountByID[a.ID] = a
	for _, k := range a.PixKeys {
		b.pixKeys[pixKeyIndex(k.Key)] = a
	}
	return nil
}

func pixKeyIndex(key string) string { return strings.ToLower(strings.TrimSpace(key)) }

// Account returns an account by id.
func (b *Bank) Account(id string) (*Account, error) {
	if a, ok := b.accountByID[id]; ok {
		return a, nil
	}
	return nil, notFound("account", id)
}

// AccountFilter narrows an account list.
type AccountFilter struct {
	CustomerID, Currency string
}

// Accounts lists accounts, newest first.
func (b *Bank) Accounts(f AccountFilter, before uint64, limit int) Page[*Account] {
	return paginate(b.accounts, func(a *Account) uint64 { return a.Seq }, before, limit, func(a *Account) bool {
		return (f.CustomerID == "" || a.CustomerID == f.CustomerID) && (f.Currency == "" || a.Currency == f.Currency)
	})
}

// AllAccounts lists every account, oldest first.
func (b *Bank) AllAccounts() []*Account { return append([]*Account(nil), b.accounts...) }

// Balances are an account's balances at an instant.
type Balances struct {
	AccountID  string
	Currency   string
	Booked     int64
	Available  int64
	Pending    int64
	CreditLine int64
	AsOf       time.Time
}

// Balances derives an account's balances from its ledger postings.
func (b *Bank) Balances(id string) (Balances, error) {
	a, err := b.Account(id)
	if err != nil {
		return Balances{}, err
	}
	bal, _ := b.Ledger.Balance(ledger.AccountID(a.ID))
	return Balances{
		AccountID: a.ID, Currency: a.Currency, Booked: bal.Booked, Available: bal.Available(a.CreditLine),
		Pending: bal.Pending(), CreditLine: a.CreditLine, AsOf: b.Now(),
	}, nil
}

func (b *Bank) available(a *Account) int64 {
	bal, _ := b.Ledger.Balance(ledger.AccountID(a.ID))
	return bal.Available(a.CreditLine)
}
