// Package boletos is a tenant's boletos: registration with barcode and
// linha digitável, payment, settlement into the tenant's own accounts,
// overdue and write-off on the virtual clock.
//
// A boleto is registered against one of the tenant's BRL accounts (the
// beneficiary) and moves through registered → paid → settled, or
// registered → overdue → paid → settled, or overdue → written_off, or to
// canceled from registered or overdue. Every state change is one event.
// Payment posts a pending credit to the beneficiary's account; settlement
// (the same day when paid before 13:30 São Paulo time, otherwise the next
// business day) books it. Overdue, write-off, settlement and the magic
// payers' payments are jobs on the tenant's virtual clock. The package
// knows nothing of HTTP; the tenant's lock serialises it.
package boletos

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/brianvoe/gofakeit/v7"

	"github.com/sandbank/sandbank/simulator/bank"
	"github.com/sandbank/sandbank/simulator/boletocode"
	"github.com/sandbank/sandbank/simulator/brcode"
	"github.com/sandbank/sandbank/simulator/checkdigit"
	"github.com/sandbank/sandbank/simulator/clock"
	"github.com/sandbank/sandbank/simulator/domain"
	"github.com/sandbank/sandbank/simulator/events"
	"github.com/sandbank/sandbank/simulator/money"
)

// Statuses.
const (
	Registered = "registered"
	Paid       = "paid"
	Settled    = "settled"
	Overdue    = "overdue"
	WrittenOff = "written_off"
	Canceled   = "canceled"
)

// Ways a boleto is paid.
const (
	ViaBarcode = "barcode" // the barcode or linha digitável, cleared by compensação
	ViaPix     = "pix"     // the hybrid boleto's BR Code
)

// Registration limits and defaults.
const (
	// BankCode is sandbank's COMPE code on every barcode. 999 (like 000)
	// belongs to no real bank.
	BankCode = bank.BRBankCode
	// Carteira is the (Bradesco-style) wallet every boleto is issued in.
	Carteira = "09"
	// DefaultDaysToWriteOff is how many days after the due date an unpaid
	// boleto is written off, unless the request says otherwise.
	DefaultDaysToWriteOff = 60
	MaxDaysToWriteOff     = 3650
	// MaxDueDays bounds how far ahead a due date may be. The fator de
	// vencimento repeats every 9 000 days, so readers take the date nearest
	// to today; ten years keeps every boleto unambiguous.
	MaxDueDays = 3650
)

// Magic payer tax ids (digits only). NeverPaysCPF is the reference's;
// the other two are sandbank's own, with valid check digits.
const (
	// NeverPaysCPF (000.000.003-53): no one pays; the boleto goes overdue
	// and is written off. The sandbox pay endpoint still pays it.
	NeverPaysCPF = "00000000353"
	// PaysOnDueDateCPF (000.000.004-34) pays in full on the due date at
	// 10:00 São Paulo time, so the boleto settles that day.
	PaysOnDueDateCPF = "00000000434"
	// PaysLateCPF (000.000.005-15) pays three days after the due date at
	// 15:00 São Paulo time, with the fine and interest, after the cutoff:
	// the boleto settles the next business day.
	PaysLateCPF = "00000000515"
)

// Boleto is one boleto.
type Boleto struct {
	Seq       uint64
	ID        string
	Status    string
	AccountID string // the beneficiary
	Amount    int64
	Currency  string
	DueDate   Date
	// NossoNumero is the beneficiary's number for the boleto (11 digits),
	// NossoNumeroDV its check digit.
	NossoNumero   string
	NossoNumeroDV string
	Barcode       string
	DigitableLine string
	Payer         Payer
	Description   string
	Fine          *Fine
	Interest      *Interest
	Discount      *Discount
	// PixCopiaECola is the hybrid boleto's static BR Code ("" otherwise).
	PixCopiaECola  string
	DaysToWriteOff int
	CreatedAt      time.Time
	PaidAt         time.Time
	PaidAmount     int64
	PaidVia        string
	SettlesOn      Date
	SettledAt      time.Time
	OverdueAt      time.Time
	WrittenOffAt   time.Time
	CanceledAt     time.Time
	// UpdatedAt is when the status last changed.
	UpdatedAt time.Time
	// TransactionID is the beneficiary's statement line for the payment.
	TransactionID string
	Metadata      map[string]string

	jobs map[string]*clock.Job // pending clock jobs by name
}

// Payer is who the boleto is addressed to.
type Payer struct {
	Name      string
	TaxID     string // formatted: 123.456.789-09 or 12.345.678/0001-95
	TaxIDType string // br_cpf or br_cnpj
	Address   *Address
}

// Address is the payer's postal address.
type Address struct {
	Line1, City, State, PostalCode string
}

// Fine is charged once on a late payment, as a percentage of the amount.
type Fine struct{ BasisPoints int64 }

// Interest accrues per calendar day late at a monthly rate (a month
// counting 30 days).
type Interest struct{ MonthlyBasisPoints int64 }

// Discount is taken off a payment made on or before Until.
type Discount struct {
	Amount int64
	Until  Date
}

// Hybrid reports whether the boleto carries a Pix BR Code too.
func (b *Boleto) Hybrid() bool { return b.PixCopiaECola != "" }

// NossoNumeroPrinted is the nosso número as printed on the boleto:
// carteira, number and check digit, "09/00000000042-P".
func (b *Boleto) NossoNumeroPrinted() string {
	return Carteira + "/" + b.NossoNumero + "-" + b.NossoNumeroDV
}

// Payable reports whether the boleto can still be paid.
func (b *Boleto) Payable() bool { return b.Status == Registered || b.Status == Overdue }

// AmountDue is what paying the boleto at an instant costs, while it is
// payable.
func (b *Boleto) AmountDue(t time.Time) (int64, bool) {
	if !b.Payable() {
		return 0, false
	}
	return b.ChargesOn(dateOf(t)).Total(), true
}

// OverdueInstant is when an unpaid boleto becomes overdue: the end of its
// due date in São Paulo.
func (b *Boleto) OverdueInstant() time.Time { return at(addDays(b.DueDate, 1), 0, 0) }

// WriteOffInstant is when an unpaid boleto is written off: DaysToWriteOff
// days after it became overdue.
func (b *Boleto) WriteOffInstant() time.Time {
	return at(addDays(b.DueDate, 1+b.DaysToWriteOff), 0, 0)
}

// Book is one tenant's boletos.
type Book struct {
	Clock *clock.Clock
	Bank  *bank.Bank
	Emit  events.Emitter
	fake  *gofakeit.Faker

	seq       uint64
	list      []*Boleto
	byID      map[string]*Boleto
	byBarcode map[string]*Boleto
	numbers   map[string]bool // nossos números in use
}

// New returns an empty book crediting the tenant's bank.
func New(clk *clock.Clock, b *bank.Bank, fake *gofakeit.Faker) *Book {
	return &Book{
		Clock: clk, Bank: b, Emit: events.Nop, fake: fake,
		byID: map[string]*Boleto{}, byBarcode: map[string]*Boleto{}, numbers: map[string]bool{},
	}
}

// Input is a boleto to register.
type Input struct {
	AccountID      string
	Amount         int64
	Currency       string
	DueDate        string // YYYY-MM-DD
	Payer          PayerInput
	Description    string
	Fine           *string // percentage, "2.00"
	Interest       *string // monthly percentage, "1.00"
	Discount       *DiscountInput
	Pix            bool
	DaysToWriteOff *int
	Metadata       map[string]string
}

// PayerInput is the payer as sent.
type PayerInput struct {
	Name    string
	TaxID   string // a CPF or CNPJ, with or without punctuation
	Address *Address
}

// DiscountInput is a discount as sent.
type DiscountInput struct {
	Amount int64
	Until  string // YYYY-MM-DD
}

var invalid = domain.InvalidField

// Register validates and registers a boleto, computing its nosso número,
// barcode, linha digitável and (for a hybrid boleto) BR Code, and
// schedules its overdue date.
func (k *Book) Register(in Input) (*Boleto, error) {
	if err := domain.CheckMetadata(in.Metadata); err != nil {
		return nil, err
	}
	acct, err := k.beneficiary(in.AccountID)
	if err != nil {
		return nil, err
	}
	if in.Currency != "BRL" {
		return nil, invalid("invalid_currency", "/currency", "boletos are in BRL, not %s", in.Currency)
	}
	if in.Amount <= 0 || in.Amount > boletocode.MaxAmount {
		return nil, invalid("invalid_amount", "/amount", "a boleto's amount is 1 to %d centavos (the barcode's ten digits), not %d", int64(boletocode.MaxAmount), in.Amount)
	}
	now := k.Clock.Now()
	today := dateOf(now)
	due, err := ParseDate(in.DueDate)
	switch {
	case err != nil:
		return nil, invalid("invalid_due_date", "/due_date", "%q is not a date such as 2026-03-20", in.DueDate)
	case due.Before(today):
		return nil, invalid("invalid_due_date", "/due_date", "the due date %s is in the past: today is %s in São Paulo (the virtual clock)", in.DueDate, today.Format(time.DateOnly))
	case daysBetween(today, due) > MaxDueDays:
		return nil, invalid("invalid_due_date", "/due_date", "the due date %s is more than %d days after today (%s)", in.DueDate, MaxDueDays, today.Format(time.DateOnly))
	}
	payer, err := checkPayer(in.Payer)
	if err != nil {
		return nil, err
	}
	b := &Boleto{
		AccountID: acct.ID, Amount: in.Amount, Currency: in.Currency, DueDate: due, Payer: payer,
		Description: in.Description, DaysToWriteOff: DefaultDaysToWriteOff, CreatedAt: now, UpdatedAt: now, Metadata: in.Metadata,
		jobs: map[string]*clock.Job{},
	}
	if in.Fine != nil {
		bp, err := percent(*in.Fine, "/fine/percentage", "fine")
		if err != nil {
			return nil, err
		}
		b.Fine = &Fine{BasisPoints: bp}
	}
	if in.Interest != nil {
		bp, err := percent(*in.Interest, "/interest/monthly_percentage", "monthly interest")
		if err != nil {
			return nil, err
		}
		b.Interest = &Interest{MonthlyBasisPoints: bp}
	}
	if d := in.Discount; d != nil {
		until, err := ParseDate(d.Until)
		switch {
		case d.Amount <= 0 || d.Amount >= in.Amount:
			return nil, invalid("invalid_discount", "/discount/amount", "a discount is at least 1 centavo and less than the amount (%d), not %d", in.Amount, d.Amount)
		case err != nil:
			return nil, invalid("invalid_discount", "/discount/until", "%q is not a date such as 2026-03-15", d.Until)
		case until.Before(today) || until.After(due):
			return nil, invalid("invalid_discount", "/discount/until", "the discount's date %s must be between today (%s) and the due date (%s)", d.Until, today.Format(time.DateOnly), in.DueDate)
		}
		b.Discount = &Discount{Amount: d.Amount, Until: until}
	}
	if n := in.DaysToWriteOff; n != nil {
		if *n < 1 || *n > MaxDaysToWriteOff {
			return nil, invalid("invalid_days_to_write_off", "/days_to_write_off", "days_to_write_off is 1 to %d, not %d", MaxDaysToWriteOff, *n)
		}
		b.DaysToWriteOff = *n
	}
	if err := k.number(b, acct); err != nil {
		return nil, err
	}
	b.ID = k.newID()
	if in.Pix {
		code, err := k.pixCode(b, acct)
		if err != nil {
			return nil, err
		}
		b.PixCopiaECola = code
	}
	k.seq++
	b.Seq = k.seq
	b.Status = Registered
	k.list = append(k.list, b)
	k.byID[b.ID] = b
	k.byBarcode[b.Barcode] = b
	k.numbers[b.NossoNumero] = true
	b.jobs["boleto.overdue"] = k.Clock.Schedule(b.OverdueInstant(), "boleto.overdue", b.ID, func(time.Time) { k.goOverdue(b) })
	k.scheduleMagic(b, now)
	k.Emit("boleto.registered", b)
	return b, nil
}

func (k *Book) newID() string {
	for {
		id := bank.NewID(k.fake, "bol")
		if _, dup := k.byID[id]; !dup {
			return id
		}
	}
}

// beneficiary finds the account a boleto pays into: an active BRL account.
func (k *Book) beneficiary(id string) (*bank.Account, error) {
	a, err := k.Bank.Account(id)
	if err != nil {
		return nil, domain.MissingRef("account", "/account_id", id)
	}
	if a.Currency != "BRL" || a.Identifiers.BR == nil {
		return nil, invalid("invalid_account", "/account_id", "account %s holds %s; boletos pay into BRL accounts", a.ID, a.Currency)
	}
	if a.Status != "active" {
		return nil, invalid("account_not_active", "/account_id", "account %s is %s", a.ID, a.Status)
	}
	return a, nil
}

func percent(s, field, what string) (int64, error) {
	bp, err := ParsePercent(s)
	if err != nil {
		return 0, invalid("invalid_percentage", field, "%v", err)
	}
	if bp <= 0 || bp > MaxPercent {
		return 0, invalid("invalid_percentage", field, "the %s is more than 0.00 and at most 100.00 percent, not %s", what, s)
	}
	return bp, nil
}

// checkPayer validates the payer's CPF or CNPJ and formats it.
func checkPayer(in PayerInput) (Payer, error) {
	p := Payer{Name: strings.TrimSpace(in.Name), Address: in.Address}
	if p.Name == "" {
		return Payer{}, invalid("invalid_payer", "/payer/name", "the payer's name is required")
	}
	id := strings.ToUpper(strings.TrimSpace(in.TaxID))
	switch {
	case checkdigit.ValidCPF(id):
		p.TaxID, p.TaxIDType = checkdigit.FormatCPF(id), "br_cpf"
	case checkdigit.ValidCNPJ(id):
		p.TaxID, p.TaxIDType = checkdigit.FormatCNPJ(id), "br_cnpj"
	default:
		return Payer{}, invalid("invalid_tax_id", "/payer/tax_id", "%q is neither a CPF (123.456.789-09) nor a CNPJ (12.345.678/0001-95) with valid check digits", in.TaxID)
	}
	if a := in.Address; a != nil {
		cp := *a
		cp.State = strings.ToUpper(cp.State)
		p.Address = &cp
	}
	return p, nil
}

// number draws the boleto's nosso número from the tenant's faker and lays
// out its barcode and linha digitável.
func (k *Book) number(b *Boleto, acct *bank.Account) error {
	for {
		n := k.fake.DigitN(11)
		if !k.numbers[n] {
			b.NossoNumero = n
			break
		}
	}
	dv, err := boletocode.NossoNumeroDV(Carteira, b.NossoNumero)
	if err != nil {
		return err
	}
	b.NossoNumeroDV = dv
	br := acct.Identifiers.BR
	free, err := boletocode.FreeField(lastDigits(br.Branch, 4), Carteira, b.NossoNumero, lastDigits(br.Number, 7))
	if err != nil {
		return err
	}
	code := boletocode.Boleto{BankCode: BankCode, Currency: boletocode.CurrencyReal, Due: b.DueDate, Amount: b.Amount, FreeField: free}
	if b.Barcode, err = boletocode.Barcode(code); err != nil {
		return err
	}
	b.DigitableLine, err = boletocode.DigitableLineFromBarcode(b.Barcode)
	return err
}

// lastDigits keeps the last n digits of a number, left-padding with zeros.
func lastDigits(s string, n int) string {
	if len(s) >= n {
		return s[len(s)-n:]
	}
	return strings.Repeat("0", n-len(s)) + s
}

// pixCode builds the hybrid boleto's static BR Code: the beneficiary
// account's Pix key (its random key when it has one), the boleto's amount
// and the boleto's id (without the underscore) as txid.
func (k *Book) pixCode(b *Boleto, acct *bank.Account) (string, error) {
	if len(acct.PixKeys) == 0 {
		return "", invalid("no_pix_key", "/pix", "account %s has no Pix key, so it cannot issue a boleto com Pix", acct.ID)
	}
	key := acct.PixKeys[0].Key
	for _, pk := range acct.PixKeys {
		if pk.Type == "evp" {
			key = pk.Key
			break
		}
	}
	amount, err := money.FormatMinor(b.Amount, "BRL")
	if err != nil {
		return "", err
	}
	name, city := "Sandbank", "Sao Paulo"
	if c, err := k.Bank.Customer(acct.CustomerID); err == nil {
		name = c.Name
		if c.Address != nil && c.Address.City != "" {
			city = c.Address.City
		}
	}
	return brcode.Encode(brcode.Payload{
		PointOfInitiation: brcode.StaticInitiation,
		Key:               key,
		Amount:            amount,
		Name:              fit(name, 25),
		City:              fit(city, 15),
		TxID:              strings.ReplaceAll(b.ID, "_", ""),
	})
}

// fit transliterates s to ASCII and cuts it to n characters.
func fit(s string, n int) string {
	t, err := brcode.Transliterate(s)
	if err != nil {
		t = "Sandbank"
	}
	if len(t) > n {
		t = strings.TrimSpace(t[:n])
	}
	return t
}

// Get returns a boleto by id.
func (k *Book) Get(id string) (*Boleto, error) {
	if b, ok := k.byID[id]; ok {
		return b, nil
	}
	return nil, domain.NotFoundError("boleto", id)
}

// Filter narrows a list of boletos.
type Filter struct {
	Status         string
	DueFrom, DueTo Date // inclusive; zero: unbounded
	PayerTaxID     string
}

// List lists boletos, newest first.
func (k *Book) List(f Filter, before uint64, limit int) domain.Page[*Boleto] {
	taxID := bank.NormalizeTaxID(f.PayerTaxID)
	return domain.Paginate(k.list, func(b *Boleto) uint64 { return b.Seq }, before, limit, func(b *Boleto) bool {
		return (f.Status == "" || b.Status == f.Status) &&
			(f.DueFrom.IsZero() || !b.DueDate.Before(f.DueFrom)) &&
			(f.DueTo.IsZero() || !b.DueDate.After(f.DueTo)) &&
			(taxID == "" || bank.NormalizeTaxID(b.Payer.TaxID) == taxID)
	})
}

// All lists every boleto, oldest first.
func (k *Book) All() []*Boleto { return slices.Clone(k.list) }

// Lookup finds a boleto by its barcode or its linha digitável (with or
// without punctuation), after checking every check digit. field names
// where the code came from ("barcode" or "digitable_line") for errors.
func (k *Book) Lookup(code, field string) (*Boleto, error) {
	barcode := code
	if field == "digitable_line" {
		bc, err := boletocode.BarcodeFromDigitableLine(code)
		if err != nil {
			return nil, codeError(err, field)
		}
		barcode = bc
	}
	parsed, err := boletocode.ParseBarcode(barcode, k.Clock.Now())
	if err != nil {
		return nil, codeError(err, field)
	}
	b, ok := k.byBarcode[barcode]
	if !ok {
		if parsed.BankCode != BankCode {
			return nil, &domain.Error{Kind: domain.NotFound, Code: "resource_missing", Message: fmt.Sprintf("the boleto was issued by bank %s; sandbank issues boletos as bank %s", parsed.BankCode, BankCode)}
		}
		return nil, &domain.Error{Kind: domain.NotFound, Code: "resource_missing", Message: "no boleto of this tenant has that " + strings.ReplaceAll(field, "_", " ")}
	}
	return b, nil
}

// codeError turns a boletocode error into an invalid-field error; a wrong
// check digit names the digit.
func codeError(err error, field string) error {
	if cd, ok := err.(*boletocode.CheckDigitError); ok {
		which := "the general check digit (mod 11, position 5 of the barcode, field 4 of the linha digitável)"
		if strings.HasPrefix(cd.Digit, "field") {
			which = "the check digit of " + cd.Digit + " (mod 10)"
		}
		return &domain.Error{Kind: domain.Invalid, Code: "invalid_check_digit", Field: field,
			Message: fmt.Sprintf("%s is %c, but the digits it guards give %c", which, cd.Got, cd.Want),
			Extra:   map[string]any{"check_digit": cd.Digit}}
	}
	return &domain.Error{Kind: domain.Invalid, Code: "invalid_" + field, Field: field, Message: strings.TrimPrefix(err.Error(), "boletocode: ")}
}
