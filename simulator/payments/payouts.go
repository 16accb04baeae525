package payments

import (
	"slices"
	"strings"
	"time"

	"github.com/sandbank/sandbank/simulator/bank"
	"github.com/sandbank/sandbank/simulator/clock"
	"github.com/sandbank/sandbank/simulator/domain"
	"github.com/sandbank/sandbank/simulator/ledger"
)

// Payout statuses (Stripe's).
const (
	PayoutPending   = "pending"
	PayoutInTransit = "in_transit"
	PayoutPaid      = "paid"
	PayoutFailed    = "failed"
	PayoutCanceled  = "canceled"
)

// Payout methods.
const (
	PayoutStandard = "standard"
	PayoutInstant  = "instant"
)

// payoutEvents names the event of each status a payout reaches.
var payoutEvents = map[string]string{
	PayoutPending: "payout.created", PayoutInTransit: "payout.in_transit", PayoutPaid: "payout.paid",
	PayoutFailed: "payout.failed", PayoutCanceled: "payout.canceled",
}

// PayoutInTransitAfter is how long a standard payout stays pending (it can
// be canceled until then).
const PayoutInTransitAfter = time.Minute

// InstantPayoutArrival is how long an instant payout takes to arrive.
const InstantPayoutArrival = 30 * time.Minute

// StandardPayoutHour is the hour (UTC) of the next business day at which a
// standard payout arrives.
const StandardPayoutHour = 9

// PayoutFailureCodes are Stripe's payout failure codes and what they mean.
var PayoutFailureCodes = map[string]string{
	"account_closed":                   "The bank account has been closed.",
	"account_frozen":                   "The bank account has been frozen.",
	"bank_account_restricted":          "The bank account has restrictions on the type or number of payouts allowed.",
	"bank_ownership_changed":           "The destination bank account is no longer valid because its branch has changed ownership.",
	"could_not_process":                "The bank could not process this payout.",
	"debit_not_authorized":             "Debit transactions are not approved on the bank account.",
	"declined":                         "The bank has declined this transfer.",
	"incorrect_account_holder_address": "The bank notified us that the account holder address on file is incorrect.",
	"incorrect_account_holder_name":    "The bank notified us that the account holder name on file is incorrect.",
	"incorrect_account_holder_tax_id":  "The bank notified us that the account holder tax ID on file is incorrect.",
	"insufficient_funds":               "The payout could not be completed because the balance is insufficient.",
	"invalid_account_number":           "The routing number seems correct, but the account number is invalid.",
	"invalid_currency":                 "The bank was unable to process this payout because of its currency.",
	"no_account":                       "The bank account details on file are probably incorrect: no account was found.",
}

// magicPayoutSuffixes make an external destination fail when the payout
// would arrive (an account number or IBAN ending so).
var magicPayoutSuffixes = map[string]string{"0101": "no_account", "0202": "account_closed"}

// Payout moves available balance — the platform's or a recipient's — to a
// bank account: one of the tenant's own, or an external one. A payout
// without an amount sweeps the owner's available balance transactions not
// yet paid out, and equals the sum of their net (Automatic: it can be
// reconciled); one with an amount is manual and carries none.
type Payout struct {
	Seq         uint64
	ID          string
	Amount      int64
	Currency    string
	RecipientID string // "" for the platform
	Destination PayoutAccount
	Method      string
	Status      string
	Automatic   bool
	ArrivalDate time.Time
	FailureCode string
	FailureMsg  string
	// BalanceTransactionID is the payout's own balance transaction (type
	// payout); BalanceTransactions are those it pays out.
	BalanceTransactionID string
	BalanceTransactions  []string
	Description          string
	Metadata             map[string]string
	Created, Updated     time.Time
	StatusHistory        []string

	jobs []*clock.Job
}

// PayoutInput creates a payout.
type PayoutInput struct {
	Amount      int64 // 0: sweep everything available not yet paid out
	Currency    string
	RecipientID string
	Destination *PayoutAccount // default: the recipient's payout account
	Method      string
	Description string
	Metadata    map[string]string
}

// CreatePayout takes the amount from the owner's available balance into
// the payouts in transit at once; the payout goes in_transit a minute later
// (instant: at once) and arrives on ArrivalDate — or fails then, and the
// money comes back to the available balance.
func (p *Provider) CreatePayout(in PayoutInput) (*Payout, error) {
	if err := domain.CheckMetadata(in.Metadata); err != nil {
		return nil, err
	}
	if !PaymentCurrencies[in.Currency] {
		return nil, domain.InvalidField("currency_not_supported", "/currency", "payouts are made in BRL, EUR, GBP and USD, not %s", in.Currency)
	}
	var dest PayoutAccount
	destField := "/destination"
	switch {
	case in.Destination != nil:
		if err := p.checkPayoutAccount(*in.Destination, "/destination"); err != nil {
			return nil, err
		}
		dest = *in.Destination
	case in.RecipientID != "":
		r, ok := p.recipientByID[in.RecipientID]
		if !ok {
			return nil, domain.MissingRef("recipient", "/recipient_id", in.RecipientID)
		}
		dest, destField = r.PayoutAccount, "/recipient_id"
	default:
		return nil, domain.InvalidField("destination_required", "/destination",
			"a platform payout names its destination: the account_id of one of your accounts, or an external account")
	}
	if in.RecipientID != "" {
		if _, ok := p.recipientByID[in.RecipientID]; !ok {
			return nil, domain.MissingRef("recipient", "/recipient_id", in.RecipientID)
		}
	}
	if dest.AccountID != "" && p.Bank != nil {
		a, err := p.Bank.Account(dest.AccountID)
		if err != nil {
			return nil, domain.MissingRef("account", destField+"/account_id", dest.AccountID)
		}
		field := destField + "/account_id"
		if a.Currency != in.Currency {
			if destField == "/recipient_id" {
				field = "/currency"
			}
			return nil, domain.InvalidField("currency_mismatch", field, "account %s holds %s; a %s payout cannot land there", a.ID, a.Currency, in.Currency)
		}
		if a.Status != "active" {
			return nil, domain.InvalidField("account_not_active", field, "account %s is %s and cannot receive a payout", a.ID, a.Status)
		}
	}
	method := in.Method
	if method == "" {
		method = PayoutStandard
	}
	if method != PayoutStandard && method != PayoutInstant {
		return nil, domain.InvalidField("invalid_method", "/method", "method is standard or instant, not %q", method)
	}

	owner, cur := in.RecipientID, in.Currency
	_, avail := balanceAccounts(owner, cur)
	p.open(cur, avail)
	ab, _ := p.Ledger.Balance(avail)
	amount := in.Amount
	var swept []*BalanceTransaction
	if amount == 0 {
		swept = p.sweepable(owner, cur)
		for _, b := range swept {
			amount += b.Net
		}
		if amount <= 0 {
			return nil, domain.InvalidField("balance_insufficient", "/amount",
				"nothing to pay out: the available %s balance not yet paid out is %d (funds are pending for %v after capture)", cur, amount, AvailableAfter)
		}
	}
	if amount > ab.Booked {
		return nil, domain.InvalidField("balance_insufficient", "/amount", "at most %d %s is available to pay out", max(ab.Booked, 0), cur)
	}

	now := p.Now()
	po := &Payout{
		Seq: p.nextSeq(), ID: p.newID("po"), Amount: amount, Currency: cur, RecipientID: owner, Destination: dest, Method: method,
		Automatic: in.Amount == 0, ArrivalDate: payoutArrival(now, method), Description: in.Description, Metadata: in.Metadata, Created: now,
	}
	if _, err := p.post(now, ledger.Leg{Account: avail, Amount: -amount, Currency: cur}, ledger.Leg{Account: inTransitAccount(cur), Amount: amount, Currency: cur}); err != nil {
		return nil, err
	}
	desc := in.Description
	if desc == "" {
		desc = "Payout " + po.ID
	}
	bt := p.record(&BalanceTransaction{Owner: owner, Type: "payout", Amount: -amount, Currency: cur, Status: "available", Source: po.ID, Description: desc})
	po.BalanceTransactionID = bt.ID
	if po.Automatic {
		// The payout carries what it sweeps; its own balance transaction
		// is the other side of those, never swept again.
		bt.ownPayout = true
		for _, b := range swept {
			b.PayoutID = po.ID
			po.BalanceTransactions = append(po.BalanceTransactions, b.ID)
		}
	}
	p.payouts = append(p.payouts, po)
	p.payoutByID[po.ID] = po
	p.setPayoutStatus(po, PayoutPending)
	if method == PayoutInstant {
		p.setPayoutStatus(po, PayoutInTransit)
	} else {
		po.jobs = append(po.jobs, p.Clock.Schedule(now.Add(PayoutInTransitAfter), "payout.in_transit", po.ID, func(time.Time) {
			if po.Status == PayoutPending {
				p.setPayoutStatus(po, PayoutInTransit)
			}
		}))
	}
	po.jobs = append(po.jobs, p.Clock.Schedule(po.ArrivalDate, "payout.arrive", po.ID, func(at time.Time) { p.arrive(po, at) }))
	return po, nil
}

// sweepable are the owner's available balance transactions in a currency
// that no payout carries yet, oldest first.
func (p *Provider) sweepable(owner, cur string) []*BalanceTransaction {
	var out []*BalanceTransaction
	for _, b := range p.bts {
		if b.Owner == owner && b.Currency == cur && b.Status == "available" && b.PayoutID == "" && !b.ownPayout {
			out = append(out, b)
		}
	}
	return out
}

// payoutArrival is when a payout created at now arrives: instant ones
// InstantPayoutArrival later, standard ones at StandardPayoutHour UTC on
// the next business day (Monday to Friday).
func payoutArrival(now time.Time, method string) time.Time {
	if method == PayoutInstant {
		return now.Add(InstantPayoutArrival)
	}
	d := now.UTC()
	day := time.Date(d.Year(), d.Month(), d.Day()+1, StandardPayoutHour, 0, 0, 0, time.UTC)
	for day.Weekday() == time.Saturday || day.Weekday() == time.Sunday {
		day = day.AddDate(0, 0, 1)
	}
	return day
}

// setPayoutStatus moves a payout to a status: one event per change.
func (p *Provider) setPayoutStatus(po *Payout, status string) {
	po.Status = status
	po.Updated = p.Now()
	po.StatusHistory = append(po.StatusHistory, status)
	p.Emit(payoutEvents[status], po)
}

// arrive lands an in-transit payout: in one of the tenant's accounts (a
// booked statement line), or with an external bank — unless the
// destination is one of the magic failing ones, or the tenant's account
// cannot take it.
func (p *Provider) arrive(po *Payout, at time.Time) {
	if po.Status != PayoutInTransit {
		return
	}
	if code := magicPayoutFailure(po.Destination); code != "" {
		p.failPayout(po, code)
		return
	}
	cur := po.Currency
	to := ledger.AccountID("sys:external_payouts:" + cur)
	if id := po.Destination.AccountID; id != "" && p.Bank != nil {
		if _, err := p.Bank.CreditPayout(id, po.Amount, cur, po.ID, p.payoutLine(po), at); err != nil {
			p.failPayout(po, p.accountFailure(id))
			return
		}
		to = bank.PayoutClearingAccount(cur)
	}
	_, _ = p.post(at, ledger.Leg{Account: inTransitAccount(cur), Amount: -po.Amount, Currency: cur}, ledger.Leg{Account: to, Amount: po.Amount, Currency: cur})
	p.setPayoutStatus(po, PayoutPaid)
}

// payoutLine is what the receiving account's statement says.
func (p *Provider) payoutLine(po *Payout) string {
	if po.Description != "" {
		return po.Description
	}
	return "Payout " + po.ID
}

// accountFailure is why one of the tenant's own accounts refused a payout.
func (p *Provider) accountFailure(accountID string) string {
	a, err := p.Bank.Account(accountID)
	switch {
	case err != nil:
		return "no_account"
	case a.Status == "closed":
		return "account_closed"
	case a.Status == "frozen":
		return "account_frozen"
	}
	return "could_not_process"
}

// magicPayoutFailure is the failure code an external destination's number
// asks for ("" for none).
func magicPayoutFailure(a PayoutAccount) string {
	if a.AccountID != "" {
		return ""
	}
	number := strings.ToUpper(strings.ReplaceAll(a.IBAN, " ", ""))
	if number == "" {
		number = a.AccountNumber
	}
	for suffix, code := range magicPayoutSuffixes {
		if strings.HasSuffix(number, suffix) {
			return code
		}
	}
	return ""
}

// failPayout returns a payout's money to the owner's available balance
// (a payout_failure balance transaction, which a later sweep pays out).
func (p *Provider) failPayout(po *Payout, code string) {
	p.returnPayout(po, "payout_failure", "Failed payout "+po.ID)
	po.FailureCode, po.FailureMsg = code, PayoutFailureCodes[code]
	p.setPayoutStatus(po, PayoutFailed)
}

func (p *Provider) returnPayout(po *Payout, typ, desc string) {
	for _, j := range po.jobs {
		p.Clock.Cancel(j)
	}
	po.jobs = nil
	cur := po.Currency
	_, avail := balanceAccounts(po.RecipientID, cur)
	_, _ = p.post(p.Now(), ledger.Leg{Account: inTransitAccount(cur), Amount: -po.Amount, Currency: cur}, ledger.Leg{Account: avail, Amount: po.Amount, Currency: cur})
	p.record(&BalanceTransaction{Owner: po.RecipientID, Type: typ, Amount: po.Amount, Currency: cur, Status: "available", Source: po.ID, Description: desc})
}

// CancelPayout cancels a payout that is still pending; the money returns
// to the available balance (a payout_cancel balance transaction).
func (p *Provider) CancelPayout(id string) (*Payout, error) {
	po, err := p.Payout(id)
	if err != nil {
		return nil, err
	}
	if po.Status != PayoutPending {
		return nil, domain.StateError("payout_not_cancelable", "payout %s is %s; only a pending payout can be canceled", po.ID, po.Status)
	}
	p.returnPayout(po, "payout_cancel", "Canceled payout "+po.ID)
	p.setPayoutStatus(po, PayoutCanceled)
	return po, nil
}

// FailPayout is the sandbox making a pending or in-transit payout fail
// now, with one of PayoutFailureCodes (default could_not_process).
func (p *Provider) FailPayout(id, code string) (*Payout, error) {
	po, err := p.Payout(id)
	if err != nil {
		return nil, err
	}
	if code == "" {
		code = "could_not_process"
	}
	if _, ok := PayoutFailureCodes[code]; !ok {
		return nil, domain.InvalidField("invalid_failure_code", "/failure_code", "%q is not a payout failure code", code)
	}
	if po.Status != PayoutPending && po.Status != PayoutInTransit {
		return nil, domain.StateError("payout_not_failable", "payout %s is %s; only a pending or in-transit payout can fail", po.ID, po.Status)
	}
	p.failPayout(po, code)
	return po, nil
}

// Payout returns a payout by id.
func (p *Provider) Payout(id string) (*Payout, error) {
	if po, ok := p.payoutByID[id]; ok {
		return po, nil
	}
	return nil, domain.NotFoundError("payout", id)
}

// PayoutFilter narrows a payout list; an empty RecipientID lists every
// owner's.
type PayoutFilter struct {
	RecipientID, Status string
}

// Payouts lists payouts, newest first.
func (p *Provider) Payouts(f PayoutFilter, before uint64, limit int) domain.Page[*Payout] {
	return domain.Paginate(p.payouts, func(x *Payout) uint64 { return x.Seq }, before, limit, func(x *Payout) bool {
		return (f.RecipientID == "" || x.RecipientID == f.RecipientID) && (f.Status == "" || x.Status == f.Status)
	})
}

// AllPayouts returns every payout, oldest first.
func (p *Provider) AllPayouts() []*Payout { return append([]*Payout(nil), p.payouts...) }

// PayoutFailureCodeList is PayoutFailureCodes' codes, sorted.
func PayoutFailureCodeList() []string {
	codes := make([]string, 0, len(PayoutFailureCodes))
	for c := range PayoutFailureCodes {
		codes = append(codes, c)
	}
	slices.Sort(codes)
	return codes
}
