package boletos

import (
	"fmt"
	"slices"
	"time"

	"github.com/sandbank/sandbank/simulator/bank"
	"github.com/sandbank/sandbank/simulator/domain"
)

// The lifecycle after registration: cancellation, payment, settlement,
// overdue and write-off, and the magic payers' payments. Each state change
// emits exactly one event.

// Cancel cancels a registered or overdue boleto.
func (k *Book) Cancel(id string) (*Boleto, error) {
	b, err := k.Get(id)
	if err != nil {
		return nil, err
	}
	if !b.Payable() {
		return nil, domain.StateError("boleto_not_cancelable", "boleto %s is %s; only a registered or overdue boleto can be canceled", b.ID, b.Status)
	}
	k.cancelJobs(b)
	b.Status, b.CanceledAt, b.UpdatedAt = Canceled, k.Clock.Now(), k.Clock.Now()
	k.Emit("boleto.canceled", b)
	return b, nil
}

func (k *Book) cancelJobs(b *Boleto) {
	names := make([]string, 0, len(b.jobs))
	for name := range b.jobs {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		k.Clock.Cancel(b.jobs[name])
		delete(b.jobs, name)
	}
}

// PayInput is a simulated payment.
type PayInput struct {
	// Amount must equal what is due on the payment's date; nil pays that.
	Amount *int64
	// PaidAt is when the payer paid: zero means now; never in the future
	// nor before the boleto was registered.
	PaidAt time.Time
	// Via is ViaBarcode (default) or ViaPix (hybrid boletos only).
	Via string
}

// Pay records a payment by the payer. A barcode payment posts a pending
// credit to the beneficiary that settles (is booked) the same day when
// paid before 13:30 São Paulo time on a business day, otherwise the next
// business day, at 17:00; if that moment has passed (a backdated
// payment) it settles at once. A Pix payment settles at once.
func (k *Book) Pay(id string, in PayInput) (*Boleto, error) {
	b, err := k.Get(id)
	if err != nil {
		return nil, err
	}
	if !b.Payable() {
		return nil, domain.StateError("boleto_not_payable", "boleto %s is %s; only a registered or overdue boleto can be paid", b.ID, b.Status)
	}
	now := k.Clock.Now()
	paidAt := in.PaidAt
	if paidAt.IsZero() {
		paidAt = now
	}
	switch {
	case paidAt.After(now):
		return nil, invalid("invalid_paid_at", "/paid_at", "paid_at %s is after the virtual clock's now (%s)", paidAt.Format(time.RFC3339), now.Format(time.RFC3339))
	case paidAt.Before(b.CreatedAt):
		return nil, invalid("invalid_paid_at", "/paid_at", "paid_at %s is before the boleto was registered (%s)", paidAt.Format(time.RFC3339), b.CreatedAt.Format(time.RFC3339))
	}
	via := in.Via
	switch via {
	case "", ViaBarcode:
		via = ViaBarcode
	case ViaPix:
		if !b.Hybrid() {
			return nil, invalid("boleto_not_hybrid", "/via", "boleto %s has no Pix code; register it with pix: true to pay it with Pix", b.ID)
		}
	default:
		return nil, invalid("invalid_via", "/via", "via is barcode or pix, not %q", via)
	}
	due, _ := b.AmountDue(paidAt)
	if in.Amount != nil && *in.Amount != due {
		return nil, &domain.Error{Kind: domain.Invalid, Code: "amount_mismatch", Field: "/amount",
			Message: fmt.Sprintf("boleto %s costs %d on %s (São Paulo), not %d", b.ID, due, dateOf(paidAt).Format(time.DateOnly), *in.Amount),
			Extra:   map[string]any{"amount_due": due}}
	}
	return b, k.pay(b, paidAt, due, via)
}

// pay moves a payable boleto to paid, credits the beneficiary and
// settles it or schedules its settlement.
func (k *Book) pay(b *Boleto, paidAt time.Time, amount int64, via string) error {
	line, err := k.Bank.CreditBoleto(bank.BoletoCredit{
		AccountID: b.AccountID, BoletoID: b.ID, Amount: amount, Currency: b.Currency,
		PayerName: b.Payer.Name, PayerTaxID: b.Payer.TaxID, NossoNumero: b.NossoNumeroPrinted(), Pix: via == ViaPix,
	})
	if err != nil {
		return err
	}
	k.cancelJobs(b)
	now := k.Clock.Now()
	b.Status, b.PaidAt, b.PaidAmount, b.PaidVia, b.TransactionID, b.UpdatedAt = Paid, paidAt, amount, via, line.ID, now
	if via == ViaPix {
		b.SettlesOn = dateOf(paidAt)
		k.Emit("boleto.paid", b)
		k.settled(b, now)
		return nil
	}
	b.SettlesOn = SettlementDate(paidAt)
	k.Emit("boleto.paid", b)
	if when := settlementInstant(b.SettlesOn); when.After(now) {
		b.jobs["boleto.settle"] = k.Clock.Schedule(when, "boleto.settle", b.ID, func(at time.Time) { k.settle(b, at) })
		return nil
	}
	k.settle(b, now)
	return nil
}

// settle books a paid boleto's credit.
func (k *Book) settle(b *Boleto, at time.Time) {
	delete(b.jobs, "boleto.settle")
	if b.Status != Paid {
		return
	}
	if err := k.Bank.SettleBoletoCredit(b.ID, at); err != nil {
		panic(fmt.Sprintf("boletos: settling %s: %v", b.ID, err)) // the pending credit is ours: cannot happen
	}
	k.settled(b, at)
}

func (k *Book) settled(b *Boleto, at time.Time) {
	b.Status, b.SettledAt, b.UpdatedAt = Settled, at, at
	k.Emit("boleto.settled", b)
}

// goOverdue runs at the end of the due date: an unpaid boleto becomes
// overdue and its write-off is scheduled.
func (k *Book) goOverdue(b *Boleto) {
	delete(b.jobs, "boleto.overdue")
	if b.Status != Registered {
		return
	}
	b.Status, b.OverdueAt, b.UpdatedAt = Overdue, k.Clock.Now(), k.Clock.Now()
	b.jobs["boleto.write_off"] = k.Clock.Schedule(b.WriteOffInstant(), "boleto.write_off", b.ID, func(time.Time) { k.writeOff(b) })
	k.Emit("boleto.overdue", b)
}

func (k *Book) writeOff(b *Boleto) {
	delete(b.jobs, "boleto.write_off")
	if b.Status != Overdue {
		return
	}
	k.cancelJobs(b)
	b.Status, b.WrittenOffAt, b.UpdatedAt = WrittenOff, k.Clock.Now(), k.Clock.Now()
	k.Emit("boleto.written_off", b)
}

// scheduleMagic schedules the magic payers' payments.
func (k *Book) scheduleMagic(b *Boleto, now time.Time) {
	var when time.Time
	switch bank.NormalizeTaxID(b.Payer.TaxID) {
	case PaysOnDueDateCPF:
		when = at(b.DueDate, 10, 0)
	case PaysLateCPF:
		when = at(addDays(b.DueDate, 3), 15, 0)
	default:
		return
	}
	if when.Before(now) {
		when = now
	}
	b.jobs["boleto.auto_pay"] = k.Clock.Schedule(when, "boleto.auto_pay", b.ID, func(at time.Time) {
		delete(b.jobs, "boleto.auto_pay")
		if due, ok := b.AmountDue(at); ok {
			if err := k.pay(b, at, due, ViaBarcode); err != nil {
				panic(fmt.Sprintf("boletos: magic payment of %s: %v", b.ID, err))
			}
		}
	})
}
