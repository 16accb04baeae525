package payments

import (
	"fmt"
	"time"

	"github.com/sandbank/sandbank/simulator/checkdigit"
	"github.com/sandbank/sandbank/simulator/domain"
	"github.com/sandbank/sandbank/simulator/ledger"
)

// Recipient is a seller paid through split rules (a marketplace's
// sub-merchant), with a balance of its own and an account to be paid out to.
type Recipient struct {
	Seq           uint64
	ID            string
	Name, Email   string
	TaxID         string
	PayoutAccount PayoutAccount
	Status        string // active
	Created       time.Time
	Metadata      map[string]string
}

// PayoutAccount is where a recipient's (or the platform's) money goes: one
// of the tenant's own accounts, or an external one.
type PayoutAccount struct {
	AccountID                                     string // one of the tenant's accounts
	BankCode, Branch, AccountNumber, AccountDigit string // Brazil
	IBAN                                          string
	SortCode                                      string // UK (with AccountNumber)
	HolderName                                    string
}

// RecipientInput creates a recipient.
type RecipientInput struct {
	Name, Email, TaxID string
	PayoutAccount      PayoutAccount
	Metadata           map[string]string
}

// CreateRecipient registers a recipient.
func (p *Provider) CreateRecipient(in RecipientInput) (*Recipient, error) {
	if err := domain.CheckMetadata(in.Metadata); err != nil {
		return nil, err
	}
	if in.TaxID != "" && !checkdigit.ValidCPF(in.TaxID) && !checkdigit.ValidCNPJ(in.TaxID) {
		return nil, domain.InvalidField("invalid_tax_id", "/tax_id", "%q is not a valid CPF or CNPJ", in.TaxID)
	}
	if err := p.checkPayoutAccount(in.PayoutAccount, "/payout_account"); err != nil {
		return nil, err
	}
	r := &Recipient{Seq: p.nextSeq(), ID: p.newID("rcp"), Name: in.Name, Email: in.Email, TaxID: in.TaxID,
		PayoutAccount: in.PayoutAccount, Status: "active", Created: p.Now(), Metadata: in.Metadata}
	p.recipients = append(p.recipients, r)
	p.recipientByID[r.ID] = r
	p.Emit("recipient.created", r)
	return r, nil
}

// checkPayoutAccount wants exactly one way to address the account.
func (p *Provider) checkPayoutAccount(a PayoutAccount, at string) error {
	ways := 0
	if a.AccountID != "" {
		ways++
		if p.Bank != nil {
			if _, err := p.Bank.Account(a.AccountID); err != nil {
				return domain.MissingRef("account", at+"/account_id", a.AccountID)
			}
		}
	}
	if a.IBAN != "" {
		ways++
		if err := checkdigit.ValidIBAN(a.IBAN); err != nil {
			return domain.InvalidField("invalid_iban", at+"/iban", "%v", err)
		}
	}
	if a.SortCode != "" {
		ways++
		if !checkdigit.ValidSortCode(a.SortCode) || !checkdigit.ValidUKAccountNumber(a.AccountNumber) {
			return domain.InvalidField("invalid_account", at+"/sort_code", "a UK account is a 6-digit sort code and an 8-digit account number")
		}
	}
	if a.BankCode != "" {
		ways++
		if a.Branch == "" || a.AccountNumber == "" {
			return domain.InvalidField("invalid_account", at+"/account_number", "a Brazilian account needs bank_code, branch and account_number")
		}
	}
	if ways != 1 {
		return domain.InvalidField("invalid_payout_account", at, "give exactly one of: account_id, iban, sort_code with account_number, or bank_code with branch and account_number")
	}
	return nil
}

// Recipient returns a recipient by id.
func (p *Provider) Recipient(id string) (*Recipient, error) {
	if r, ok := p.recipientByID[id]; ok {
		return r, nil
	}
	return nil, domain.NotFoundError("recipient", id)
}

// Recipients lists recipients, newest first.
func (p *Provider) Recipients(before uint64, limit int) domain.Page[*Recipient] {
	return domain.Paginate(p.recipients, func(r *Recipient) uint64 { return r.Seq }, before, limit, nil)
}

// SplitRule gives part of a payment to a recipient: a flat amount or a
// percentage (in basis points, 1234 = 12.34%). One rule takes the
// remainder — the rounding, and the provider's fee — and one recipient is
// liable for chargebacks.
type SplitRule struct {
	RecipientID string
	Amount      int64
	Percentage  int64 // basis points
	Remainder   bool
	Liable      bool
}

// SplitOutput is what a recipient got from (or gave back to) a payment.
type SplitOutput struct {
	RecipientID string
	Amount      int64
	Liable      bool
}

func hasFlat(rules []SplitRule) bool {
	for _, r := range rules {
		if r.Amount > 0 {
			return true
		}
	}
	return false
}

// checkSplit validates split rules against the payment: all flat or all
// percentages, summing to the amount or to 100%; one remainder taker (the
// only rule, or the one marked); at most one liable recipient (default:
// the remainder taker).
func (p *Provider) checkSplit(rules []SplitRule, amount int64, currency string) ([]SplitRule, error) {
	if len(rules) == 0 {
		return nil, nil
	}
	out := append([]SplitRule(nil), rules...)
	seen := map[string]bool{}
	var flat, pct, remainders, liable int
	var sumFlat, sumPct int64
	for i, r := range out {
		at := fmt.Sprintf("/split/%d", i)
		rc, ok := p.recipientByID[r.RecipientID]
		if !ok {
			return nil, domain.MissingRef("recipient", at+"/recipient_id", r.RecipientID)
		}
		if rc.Status != "active" {
			return nil, domain.InvalidField("recipient_inactive", at+"/recipient_id", "recipient %s is %s", rc.ID, rc.Status)
		}
		if seen[r.RecipientID] {
			return nil, domain.InvalidField("split_duplicate_recipient", at+"/recipient_id", "recipient %s appears twice", r.RecipientID)
		}
		seen[r.RecipientID] = true
		switch {
		case r.Amount > 0 && r.Percentage > 0:
			return nil, domain.InvalidField("invalid_split", at, "give amount or percentage, not both")
		case r.Amount > 0:
			flat++
			sumFlat += r.Amount
		case r.Percentage > 0:
			pct++
			sumPct += r.Percentage
		default:
			return nil, domain.InvalidField("invalid_split", at, "give an amount or a percentage")
		}
		if r.Remainder {
			remainders++
		}
		if r.Liable {
			liable++
		}
	}
	switch {
	case flat > 0 && pct > 0:
		return nil, domain.InvalidField("invalid_split", "/split", "use flat amounts or percentages, not both")
	case flat > 0 && sumFlat != amount:
		return nil, domain.InvalidField("invalid_split", "/split", "flat amounts sum to %d; they must sum to the payment's amount, %d", sumFlat, amount)
	case pct > 0 && sumPct != 10000:
		return nil, domain.InvalidField("invalid_split", "/split", "percentages sum to %d.%02d%%; they must sum to 100%%", sumPct/100, sumPct%100)
	case remainders > 1:
		return nil, domain.InvalidField("invalid_split", "/split", "exactly one rule takes the remainder; %d do", remainders)
	case remainders == 0 && len(out) > 1:
		return nil, domain.InvalidField("invalid_split", "/split", "mark one rule with remainder: true to absorb rounding and the fee")
	case liable > 1:
		return nil, domain.InvalidField("invalid_split", "/split", "at most one recipient is liable for chargebacks")
	}
	if remainders == 0 {
		out[0].Remainder = true
	}
	if liable == 0 {
		for i := range out {
			out[i].Liable = out[i].Remainder
		}
	}
	if flat > 0 {
		for _, r := range out {
			if r.Remainder && r.Amount < CardFee(amount, currency) {
				return nil, domain.InvalidField("invalid_split", "/split", "the remainder taker (%s) pays the fee of %d and needs at least that much", r.RecipientID, CardFee(amount, currency))
			}
		}
	}
	return out, nil
}

// splitOutputs divides the net of a capture: each rule its share, the
// remainder taker the rest, so the outputs always sum to the net.
func splitOutputs(rules []SplitRule, net int64) []SplitOutput {
	var out []SplitOutput
	var given int64
	rem := -1
	for i, r := range rules {
		if r.Remainder {
			rem = i
			out = append(out, SplitOutput{RecipientID: r.RecipientID, Liable: r.Liable})
			continue
		}
		share := r.Amount
		if r.Percentage > 0 {
			share = net * r.Percentage / 10000
		}
		given += share
		out = append(out, SplitOutput{RecipientID: r.RecipientID, Amount: share, Liable: r.Liable})
	}
	out[rem].Amount = net - given
	return out
}

// paySplits moves each recipient's share from the platform's balance to
// the recipient's, with a balance transaction on each side.
func (p *Provider) paySplits(pay *Payment, net int64, status string, availableOn time.Time) error {
	if len(pay.SplitRules) == 0 {
		return nil
	}
	pay.Split = splitOutputs(pay.SplitRules, net)
	now := p.Now()
	cur := pay.Currency
	pend, avail := balanceAccounts("", cur)
	for _, o := range pay.Split {
		rp, ra := balanceAccounts(o.RecipientID, cur)
		from, to := pend, rp // the split is as pending (or available) as the charge
		if status != "pending" {
			from, to = avail, ra
		}
		if o.Amount != 0 {
			if _, err := p.post(now, ledger.Leg{Account: from, Amount: -o.Amount, Currency: cur}, ledger.Leg{Account: to, Amount: o.Amount, Currency: cur}); err != nil {
				return err
			}
		}
		p.record(&BalanceTransaction{Type: "transfer", Amount: -o.Amount, Currency: cur, Status: status, AvailableOn: availableOn,
			Source: pay.ID, PaymentID: pay.ID, Description: "Split to " + o.RecipientID})
		p.record(&BalanceTransaction{Owner: o.RecipientID, Type: "transfer", Amount: o.Amount, Currency: cur, Status: status,
			AvailableOn: availableOn, Source: pay.ID, PaymentID: pay.ID, Description: "Split of " + pay.ID})
	}
	return nil
}

// reverseSplits takes back from each recipient its share of a refund, pro
// rata to what it received (the remainder taker absorbs the rounding).
func (p *Provider) reverseSplits(pay *Payment, refund int64, source string) []SplitOutput {
	if len(pay.Split) == 0 || pay.AmountReceived == 0 {
		return nil
	}
	var received int64
	for _, o := range pay.Split {
		received += o.Amount
	}
	target := received * refund / pay.AmountReceived
	var taken int64
	out := make([]SplitOutput, len(pay.Split))
	rem := 0
	for i, o := range pay.Split {
		out[i] = SplitOutput{RecipientID: o.RecipientID, Liable: o.Liable}
		if i < len(pay.SplitRules) && pay.SplitRules[i].Remainder {
			rem = i
			continue
		}
		out[i].Amount = o.Amount * refund / pay.AmountReceived
		taken += out[i].Amount
	}
	out[rem].Amount = target - taken
	p.moveSplits(pay, out, -1, source, "transfer_reversal")
	return out
}

// restoreSplits gives the recipients back what a failed refund took.
func (p *Provider) restoreSplits(pay *Payment, r *Refund) {
	p.moveSplits(pay, r.Reversals, 1, r.ID, "transfer")
}

// moveSplits moves amounts between recipients' and the platform's
// available balances: sign -1 takes from recipients, +1 gives to them.
func (p *Provider) moveSplits(pay *Payment, outs []SplitOutput, sign int64, source, typ string) {
	now := p.Now()
	cur := pay.Currency
	_, platform := balanceAccounts("", cur)
	for _, o := range outs {
		if o.Amount == 0 {
			continue
		}
		_, rcpt := balanceAccounts(o.RecipientID, cur)
		amt := sign * o.Amount
		_, _ = p.post(now, ledger.Leg{Account: rcpt, Amount: amt, Currency: cur}, ledger.Leg{Account: platform, Amount: -amt, Currency: cur})
		rcptDesc, platformDesc := "Reversal of "+pay.ID+" ("+source+")", "Reversal from "+o.RecipientID+" ("+source+")"
		if sign > 0 {
			rcptDesc, platformDesc = "Transfer of "+pay.ID+" ("+source+")", "Transfer to "+o.RecipientID+" ("+source+")"
		}
		p.record(&BalanceTransaction{Owner: o.RecipientID, Type: typ, Amount: amt, Currency: cur, Status: "available", Source: source, PaymentID: pay.ID, Description: rcptDesc})
		p.record(&BalanceTransaction{Type: typ, Amount: -amt, Currency: cur, Status: "available", Source: source, PaymentID: pay.ID, Description: platformDesc})
	}
}
