package bank

import (
	"fmt"
	"net/mail"
	"strings"
	"time"

	"github.com/sandbank/sandbank/simulator/checkdigit"
	"github.com/sandbank/sandbank/simulator/clock"
	"github.com/sandbank/sandbank/simulator/ledger"
)

// ISO 20022 payment status codes used by transfers.
const (
	StatusReceived      = "RCVD" // received
	StatusAccepted      = "ACTC" // technical validation passed
	StatusInProcess     = "ACSP" // accepted, settlement in process: the debtor is debited (pending)
	StatusSettled       = "ACSC" // settlement completed: booked
	StatusRejected      = "RJCT"
	StatusCanceled      = "CANC"
	ReasonWrongAccount  = "AC01"
	ReasonClosedAccount = "AC04"
	ReasonBlocked       = "AC06"
	ReasonNoFunds       = "AM04"
	ReasonUnspecified   = "MS03"
	ReasonCanceled      = "DS02"
)

// ReasonDescriptions are the ISO 20022 descriptions of the reason codes.
var ReasonDescriptions = map[string]string{
	ReasonWrongAccount:  "Incorrect account number",
	ReasonClosedAccount: "Closed account number",
	ReasonBlocked:       "Blocked account",
	ReasonNoFunds:       "Insufficient funds",
	ReasonUnspecified:   "Reason not specified",
	ReasonCanceled:      "Order cancelled by the debtor",
}

// Rails and how long each takes to settle on the virtual clock.
const (
	RailInternal = "internal"
	RailPix      = "pix"
	RailTED      = "ted"
	RailSEPA     = "sepa"
	RailFPS      = "fps"
)

// PixTimeout is how long a transfer to a "@timeout.sandbox.test" key hangs
// in ACSP before it is rejected with MS03.
const PixTimeout = 60 * time.Second

// Transfer is a payment order from one of the tenant's accounts.
type Transfer struct {
	Seq                   uint64
	ID                    string
	Rail                  string
	Status                string
	StatusReason          *StatusReason
	Amount                int64
	Currency              string
	DebtorAccountID       string
	Creditor              Creditor
	EndToEndID            string
	RemittanceInformation string
	ExpectedSettlementAt  time.Time
	StatusHistory         []StatusChange
	CreatedAt, UpdatedAt  time.Time
	Metadata              map[string]string

	job     *clock.Job
	outcome string // the reason code the transfer will be rejected with at settlement, if any
}

// StatusReason explains a rejection or cancellation.
type StatusReason struct{ Code, Description string }

// StatusChange is one step of a transfer's life.
type StatusChange struct {
	Status, ReasonCode string
	At                 time.Time
}

// Creditor is who receives the money; which fields are set depends on the rail.
type Creditor struct {
	AccountID, Name, PixKey, IBAN, BIC, SortCode, AccountNumber, BankCode, Branch, AccountDigit, TaxID string
}

// TransferInput is what a client sends to create a transfer.
type TransferInput struct {
	Rail                  string
	DebtorAccountID       string
	Amount                int64
	Currency              string
	Creditor              Creditor
	RemittanceInformation string
	Metadata              map[string]string
}

// railRules lists, per rail, its currency and which creditor fields it
// needs and allows.
var railRules = map[string]struct {
	currency string // "" for any
	required []string
	optional []string
}{
	RailInternal: {"", []string{"account_id"}, []string{"name"}},
	RailPix:      {"BRL", []string{"pix_key"}, []string{"name", "tax_id"}},
	RailTED:      {"BRL", []string{"bank_code", "branch", "account_number", "name", "tax_id"}, []string{"account_digit"}},
	RailSEPA:     {"EUR", []string{"iban", "name"}, []string{"bic"}},
	RailFPS:      {"GBP", []string{"sort_code", "account_number", "name"}, nil},
}

func (c Creditor) field(name string) string {
	switch name {
	case "account_id":
		return c.AccountID
	case "name":
		return c.Name
	case "pix_key":
		return c.PixKey
	case "iban":
		return c.IBAN
	case "bic":
		return c.BIC
	case "sort_code":
		return c.SortCode
	case "account_number":
		return c.AccountNumber
	case "bank_code":
		return c.BankCode
	case "branch":
		return c.Branch
	case "account_digit":
		return c.AccountDigit
	case "tax_id":
		return c.TaxID
	}
	return ""
}

var creditorFields = []string{"account_id", "name", "pix_key", "iban", "bic", "sort_code", "account_number", "bank_code", "branch", "account_digit", "tax_id"}

// CreateTransfer validates and executes a transfer. Validation failures are
// errors; business outcomes (insufficient funds, a creditor bank's
// rejection) are transfers in status RJCT.
func (b *Bank) CreateTransfer(in TransferInput) (*Transfer, error) {
	if err := checkMetadata(in.Metadata); err != nil {
		return nil, err
	}
	debtor, ok := b.accountByID[in.DebtorAccountID]
	if !ok {
		return nil, missingRef("account", "/debtor_account_id", in.DebtorAccountID)
	}
	rule, ok := railRules[in.Rail]
	if !ok {
		return nil, invalid("invalid_rail", "/rail", "unknown rail %q", in.Rail)
	}
	if in.Currency != debtor.Currency {
		return nil, invalid("currency_mismatch", "/currency", "account %s holds %s, not %s", debtor.ID, debtor.Currency, in.Currency)
	}
	if rule.currency != "" && rule.currency != in.Currency {
		return nil, invalid("rail_currency_mismatch", "/rail", "%s carries only %s; account %s holds %s", in.Rail, rule.currency, debtor.ID, debtor.Currency)
	}
	if debtor.Status != "active" {
		return nil, &Error{Kind: State, Code: "account_not_active", Message: "account " + debtor.ID + " is " + debtor.Status}
	}
	cred, creditAccount, errs := b.checkCreditor(in.Rail, in.Currency, debtor, in.Creditor)
	if len(errs) > 0 {
		code := "invalid_creditor"
		if len(errs) == 1 && errs[0].Code != "" {
			code = errs[0].Code
		}
		return nil, &Error{Kind: Invalid, Code: code, Field: errs[0].Field, Message: errs[0].Message, Fields: errs}
	}

	now := b.Now()
	t := &Transfer{
		Seq: b.nextSeq(), ID: b.NewID("trf"), Rail: in.Rail, Amount: in.Amount, Currency: in.Currency,
		DebtorAccountID: debtor.ID, Creditor: cred, RemittanceInformation: in.RemittanceInformation,
		CreatedAt: now, Metadata: in.Metadata,
	}
	if in.Rail == RailPix {
		t.EndToEndID = b.pixEndToEndID(now)
	} else {
		t.EndToEndID = "SB" + now.Format("20060102150405") + b.fake.Password(true, true, true, false, false, 10)
	}
	b.transfers = append(b.transfers, t)
	b.transferByID[t.ID] = t
	b.setTransferStatus(t, StatusReceived, "", now)
	b.setTransferStatus(t, StatusAccepted, "", now)

	if b.available(debtor) < in.Amount {
		b.rejectTransfer(t, ReasonNoFunds, now)
		return t, nil
	}

	var counter ledger.AccountID
	if creditAccount != nil {
		counter = ledger.AccountID(creditAccount.ID)
	} else {
		counter = b.systemAccount("clearing:"+in.Rail, in.Currency)
	}
	legs := []ledger.Leg{
		{Account: ledger.AccountID(debtor.ID), Amount: -in.Amount, Currency: in.Currency},
		{Account: counter, Amount: in.Amount, Currency: in.Currency},
	}
	debtorName := b.holderName(debtor)
	if _, err := b.post(t.ID, now, in.Rail != RailInternal, legs, func(accountID string) Details {
		if accountID == debtor.ID {
			return b.transferLine(t, false, debtorName)
		}
		return b.transferLine(t, true, debtorName)
	}); err != nil {
		return nil, err
	}
	b.setTransferStatus(t, StatusInProcess, "", now)

	if in.Rail == RailInternal {
		b.setTransferStatus(t, StatusSettled, "", now)
		return t, nil
	}
	delay, outcome := b.settlement(t, now)
	t.outcome = outcome
	t.ExpectedSettlementAt = now.Add(delay)
	name := "transfer.settle"
	if outcome != "" {
		name = "transfer.reject"
	}
	t.job = b.Clock.Schedule(t.ExpectedSettlementAt, name, t.ID, func(at time.Time) { b.settle(t, at) })
	return t, nil
}

// settlement says when a transfer completes and, for magic creditors, with
// which rejection.
func (b *Bank) settlement(t *Transfer, now time.Time) (time.Duration, string) {
	outcome := magicOutcome(t.Rail, t.Creditor)
	switch {
	case outcome == "timeout":
		return PixTimeout, ReasonUnspecified
	case t.Rail == RailPix, t.Rail == RailFPS:
		return 2 * time.Second, outcome
	case t.Rail == RailTED:
		return 30 * time.Minute, outcome
	default: // SEPA: next business day, 09:00 UTC
		return nextBusinessDay(now).Sub(now), outcome
	}
}

func nextBusinessDay(now time.Time) time.Time {
	d := time.Date(now.Year(), now.Month(), now.Day(), 9, 0, 0, 0, time.UTC).AddDate(0, 0, 1)
	for d.Weekday() == time.Saturday || d.Weekday() == time.Sunday {
		d = d.AddDate(0, 0, 1)
	}
	return d
}

// magicOutcome reads the reference's magic creditor values.
func magicOutcome(rail string, c Creditor) string {
	if rail == RailPix {
		key := strings.ToLower(c.PixKey)
		switch {
		case strings.HasSuffix(key, "@reject-ac04.sandbox.test"):
			return ReasonClosedAccount
		case strings.HasSuffix(key, "@timeout.sandbox.test"):
			return "timeout"
		}
		return ""
	}
	acct := c.AccountNumber
	if rail == RailSEPA {
		acct = c.IBAN
	}
	switch {
	case strings.HasSuffix(acct, "0001"):
		return ReasonWrongAccount
	case strings.HasSuffix(acct, "0004"):
		return ReasonClosedAccount
	case strings.HasSuffix(acct, "0006"):
		return ReasonBlocked
	}
	return ""
}

func (b *Bank) settle(t *Transfer, at time.Time) {
	if t.Status != StatusInProcess {
		return
	}
	t.job = nil
	if t.outcome != "" {
		_ = b.void(t.ID)
		b.rejectTransfer(t, t.outcome, at)
		return
	}
	_ = b.book(t.ID, at)
	b.setTransferStatus(t, StatusSettled, "", at)
}

// CancelTransfer cancels a TED or SEPA transfer that has not settled.
func (b *Bank) CancelTransfer(id string) (*Transfer, error) {
	t, err := b.Transfer(id)
	if err != nil {
		return nil, err
	}
	if t.Rail != RailTED && t.Rail != RailSEPA {
		return nil, &Error{Kind: State, Code: "transfer_not_cancelable", Message: fmt.Sprintf("%s transfers cannot be canceled: only TED and SEPA transfers can, before they settle", t.Rail)}
	}
	if t.Status != StatusInProcess {
		return nil, &Error{Kind: State, Code: "transfer_not_cancelable", Message: fmt.Sprintf("transfer %s is %s; only a transfer in ACSP can be canceled", t.ID, t.Status)}
	}
	now := b.Now()
	b.Clock.Cancel(t.job)
	t.job = nil
	if err := b.void(t.ID); err != nil {
		return nil, err
	}
	t.StatusReason = &StatusReason{Code: ReasonCanceled, Description: ReasonDescriptions[ReasonCanceled]}
	t.ExpectedSettlementAt = time.Time{}
	b.setTransferStatus(t, StatusCanceled, ReasonCanceled, now)
	return t, nil
}

// transferEvents names the event of each status a transfer reaches.
var transferEvents = map[string]string{
	StatusReceived: "transfer.created", StatusAccepted: "transfer.accepted", StatusInProcess: "transfer.processing",
	StatusSettled: "transfer.settled", StatusRejected: "transfer.rejected", StatusCanceled: "transfer.canceled",
}

// setTransferStatus moves a transfer to a status: one history entry and
// one event per change.
func (b *Bank) setTransferStatus(t *Transfer, status, reason string, at time.Time) {
	t.Status = status
	t.UpdatedAt = at
	t.StatusHistory = append(t.StatusHistory, StatusChange{Status: status, ReasonCode: reason, At: at})
	b.Emit(transferEvents[status], t)
}

func (b *Bank) rejectTransfer(t *Transfer, code string, at time.Time) {
	t.StatusReason = &StatusReason{Code: code, Description: ReasonDescriptions[code]}
	t.ExpectedSettlementAt = time.Time{}
	b.setTransferStatus(t, StatusRejected, code, at)
}

// Transfer returns a transfer by id.
func (b *Bank) Transfer(id string) (*Transfer, error) {
	if t, ok := b.transferByID[id]; ok {
		return t, nil
	}
	return nil, notFound("transfer", id)
}

// TransferFilter narrows a transfer list.
type TransferFilter struct {
	Status, Rail, DebtorAccountID string
}

// Transfers lists transfers, newest first.
func (b *Bank) Transfers(f TransferFilter, before uint64, limit int) Page[*Transfer] {
	return paginate(b.transfers, func(t *Transfer) uint64 { return t.Seq }, before, limit, func(t *Transfer) bool {
		return (f.Status == "" || t.Status == f.Status) && (f.Rail == "" || t.Rail == f.Rail) &&
			(f.DebtorAccountID == "" || t.DebtorAccountID == f.DebtorAccountID)
	})
}

// AllTransfers lists every transfer, oldest first.
func (b *Bank) AllTransfers() []*Transfer { return append([]*Transfer(nil), b.transfers...) }

// checkCreditor applies the rail's rules to the creditor and, for internal
// transfers and Pix keys of the tenant's own accounts, finds the account to
// credit.
func (b *Bank) checkCreditor(rail, currency string, debtor *Account, c Creditor) (Creditor, *Account, []FieldError) {
	rule := railRules[rail]
	var errs []FieldError
	add := func(field, format string, args ...any) {
		errs = append(errs, FieldError{Field: "/creditor/" + field, Message: fmt.Sprintf(format, args...)})
	}
	allowed := map[string]bool{}
	for _, f := range rule.required {
		allowed[f] = true
		if c.field(f) == "" {
			add(f, "is required for %s transfers", rail)
		}
	}
	for _, f := range rule.optional {
		allowed[f] = true
	}
	for _, f := range creditorFields {
		if !allowed[f] && c.field(f) != "" {
			add(f, "is not used by %s transfers (they take %s)", rail, strings.Join(append(append([]string{}, rule.required...), rule.optional...), ", "))
		}
	}
	if len(errs) > 0 {
		return c, nil, errs
	}
	var credit *Account
	switch rail {
	case RailInternal:
		a, ok := b.accountByID[c.AccountID]
		switch {
		case !ok:
			add("account_id", "no such account: %s", c.AccountID)
			errs[len(errs)-1].Code = "resource_missing"
		case a.ID == debtor.ID:
			add("account_id", "cannot transfer from an account to itself")
		case a.Currency != currency:
			add("account_id", "account %s holds %s, not %s", a.ID, a.Currency, currency)
		case a.Status != "active":
			add("account_id", "account %s is %s", a.ID, a.Status)
		default:
			credit = a
			if c.Name == "" {
				c.Name = b.holderName(a)
			}
		}
	case RailPix:
		key, _, ok := normalizePixKey(c.PixKey)
		if !ok {
			add("pix_key", "%q is not a Pix key: use a CPF, a CNPJ, an e-mail, a phone number (+5511987654321) or a random key (UUID)", c.PixKey)
			break
		}
		c.PixKey = key
		if a, own := b.pixKeys[pixKeyIndex(key)]; own {
			if a.ID == debtor.ID {
				add("pix_key", "the key belongs to the debtor account itself")
				break
			}
			// A key of one of the tenant's own accounts: the money stays in
			// the bank, and the transfer says where it went.
			credit = a
			c.AccountID = a.ID
			if c.Name == "" {
				c.Name = b.holderName(a)
			}
		}
		if c.TaxID != "" && !validCPFOrCNPJ(c.TaxID) {
			add("tax_id", "%q is not a valid CPF or CNPJ", c.TaxID)
		}
	case RailTED:
		if !validCPFOrCNPJ(c.TaxID) {
			add("tax_id", "%q is not a valid CPF or CNPJ", c.TaxID)
		}
		if c.AccountDigit != "" {
			c.AccountDigit = strings.ToUpper(c.AccountDigit)
		}
	case RailSEPA:
		if err := checkdigit.ValidIBAN(c.IBAN); err != nil {
			add("iban", "%v", err)
		} else {
			c.IBAN = strings.ToUpper(strings.ReplaceAll(c.IBAN, " ", ""))
			if !sepaCountries[c.IBAN[:2]] {
				add("iban", "%s is not in the SEPA area", c.IBAN[:2])
			}
		}
	case RailFPS:
		c.SortCode = strings.ReplaceAll(c.SortCode, "-", "")
		if !checkdigit.ValidSortCode(c.SortCode) {
			add("sort_code", "a sort code has 6 digits, such as 04-00-04")
		}
		if !checkdigit.ValidUKAccountNumber(c.AccountNumber) {
			add("account_number", "a UK account number has 8 digits")
		}
	}
	return c, credit, errs
}

var sepaCountries = map[string]bool{}

func init() {
	for _, cc := range strings.Fields("AD AT BE BG CH CY CZ DE DK EE ES FI FR GB GI GR HR HU IE IS IT LI LT LU LV MC MT NL NO PL PT RO SE SI SK SM VA") {
		sepaCountries[cc] = true
	}
}

func validCPFOrCNPJ(v string) bool {
	return checkdigit.ValidCPF(v) || checkdigit.ValidCNPJ(v)
}

// normalizePixKey recognises the five kinds of DICT key and returns the
// key as DICT stores it.
func normalizePixKey(key string) (string, string, bool) {
	key = strings.TrimSpace(key)
	digits := NormalizeTaxID(key)
	switch {
	case strings.Contains(key, "@"):
		addr, err := mail.ParseAddress(key)
		if err != nil || addr.Address != key || len(key) > 77 {
			return "", "", false
		}
		return strings.ToLower(key), "email", true
	case strings.HasPrefix(key, "+"):
		if len(key) < 13 || len(key) > 14 || !strings.HasPrefix(key, "+55") || !checkdigit.IsDigits(key[1:]) {
			return "", "", false
		}
		return key, "phone", true
	case isUUID(key):
		return strings.ToLower(key), "evp", true
	case len(digits) == 11 && checkdigit.ValidCPF(digits):
		return digits, "cpf", true
	case len(digits) == 14 && checkdigit.ValidCNPJ(digits):
		return digits, "cnpj", true
	}
	return "", "", false
}

// isUUID reports whether s is a UUID (8-4-4-4-12 hex digits), the form of
// a random (EVP) Pix key.
func isUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i, c := range s {
		switch {
		case i == 8 || i == 13 || i == 18 || i == 23:
			if c != '-' {
				return false
			}
		case !strings.ContainsRune("0123456789abcdefABCDEF", c):
			return false
		}
	}
	return true
}

// pixEndToEndID is E + ISPB(8) + yyyyMMddHHmm + 11 alphanumerics (32 chars).
func (b *Bank) pixEndToEndID(at time.Time) string {
	return "E" + BRISPB + at.UTC().Format("200601021504") + b.fake.Password(true, true, true, false, false, 11)
}

func (b *Bank) holderName(a *Account) string {
	if c, ok := b.customerByID[a.CustomerID]; ok {
		return c.Name
	}
	return ""
}

// transferLine describes a transfer on the debtor's (credit=false) or the
// creditor's statement.
func (b *Bank) transferLine(t *Transfer, credit bool, debtorName string) Details {
	typ := t.Rail
	if t.Rail == RailInternal {
		typ = "internal_transfer"
	}
	d := Details{Type: typ, EndToEndID: t.EndToEndID, Source: &SourceRef{Type: "transfer", ID: t.ID}}
	if credit {
		d.Category = "transfer_in"
		d.Counterparty = &Counterparty{Name: debtorName}
		d.Description = firstNonEmpty(t.RemittanceInformation, railVerb(t.Rail, true)+" "+debtorName)
		if a, ok := b.accountByID[t.DebtorAccountID]; ok {
			d.Counterparty.Account = accountRef(a)
		}
		return d
	}
	d.Category = "transfer_out"
	d.Counterparty = &Counterparty{Name: firstNonEmpty(t.Creditor.Name, t.Creditor.PixKey, t.Creditor.IBAN, t.Creditor.AccountNumber), TaxID: t.Creditor.TaxID, Account: creditorRef(t)}
	d.Description = firstNonEmpty(t.RemittanceInformation, railVerb(t.Rail, false)+" "+firstNonEmpty(t.Creditor.Name, t.Creditor.PixKey))
	return d
}

func railVerb(rail string, in bool) string {
	verbs := map[string][2]string{
		RailInternal: {"Transfer to", "Transfer from"},
		RailPix:      {"Pix enviado para", "Pix recebido de"},
		RailTED:      {"TED enviada para", "TED recebida de"},
		RailSEPA:     {"SEPA credit transfer to", "SEPA credit transfer from"},
		RailFPS:      {"Faster Payment to", "Faster Payment from"},
	}
	v := verbs[rail]
	if in {
		return v[1]
	}
	return v[0]
}

func creditorRef(t *Transfer) string {
	c := t.Creditor
	switch t.Rail {
	case RailPix:
		return c.PixKey
	case RailTED:
		return fmt.Sprintf("%s %s/%s%s", c.BankCode, c.Branch, c.AccountNumber, prefixed("-", c.AccountDigit))
	case RailSEPA:
		return c.IBAN
	case RailFPS:
		return c.SortCode + " " + c.AccountNumber
	}
	return c.AccountID
}

func accountRef(a *Account) string {
	ids := a.Identifiers
	switch {
	case ids.BR != nil:
		return fmt.Sprintf("%s %s/%s-%s", ids.BR.BankCode, ids.BR.Branch, ids.BR.Number, ids.BR.Digit)
	case ids.SortCode != "":
		return ids.SortCode + " " + ids.AccountNumber
	case ids.IBAN != "":
		return ids.IBAN
	case ids.RoutingNumber != "":
		return ids.RoutingNumber + " " + ids.AccountNumber
	}
	return a.ID
}

func prefixed(p, s string) string {
	if s == "" {
		return ""
	}
	return p + s
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if strings.TrimSpace(s) != "" {
			return s
		}
	}
	return ""
}
