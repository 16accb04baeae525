package payments

import (
	"fmt"

	"github.com/sandbank/sandbank/simulator/bank"
)

// Verify checks the provider's invariants on top of the ledger's: every
// balance equals the sum of its balance transactions' net; refunds never
// exceed what was captured; split outputs equal the net; every swept
// payout equals the sum of the net of the balance transactions it carries;
// a dispute never takes more than was captured and not refunded.
func (p *Provider) Verify() error {
	if err := p.Ledger.Verify(); err != nil {
		return err
	}
	owners := []string{""}
	for _, r := range p.recipients {
		owners = append(owners, r.ID)
	}
	type key struct{ owner, cur, status string }
	sums := map[key]int64{}
	for _, b := range p.bts {
		if b.Net != b.Amount-b.Fee {
			return fmt.Errorf("balance transaction %s: net %d is not gross %d less fee %d", b.ID, b.Net, b.Amount, b.Fee)
		}
		sums[key{b.Owner, b.Currency, b.Status}] += b.Net
	}
	for _, owner := range owners {
		for _, cur := range bank.AccountCurrencies {
			pend, avail := balanceAccounts(owner, cur)
			pb, _ := p.Ledger.Balance(pend)
			ab, _ := p.Ledger.Balance(avail)
			if pb.Booked != sums[key{owner, cur, "pending"}] || ab.Booked != sums[key{owner, cur, "available"}] {
				return fmt.Errorf("owner %q %s: balance pending %d available %d, balance transactions say %d and %d",
					owner, cur, pb.Booked, ab.Booked, sums[key{owner, cur, "pending"}], sums[key{owner, cur, "available"}])
			}
		}
	}
	refunded := map[string]int64{}
	for _, r := range p.refunds {
		if r.Status != RefundFailed {
			refunded[r.PaymentID] += r.Amount
		}
	}
	for _, x := range p.payments {
		if refunded[x.ID] != x.AmountRefunded || x.AmountRefunded > x.AmountReceived {
			return fmt.Errorf("payment %s: refunds %d (counted %d) of %d captured", x.ID, refunded[x.ID], x.AmountRefunded, x.AmountReceived)
		}
		if len(x.Split) > 0 {
			var sum int64
			for _, o := range x.Split {
				sum += o.Amount
			}
			if sum != x.AmountReceived-x.Fee {
				return fmt.Errorf("payment %s: split outputs %d, net %d", x.ID, sum, x.AmountReceived-x.Fee)
			}
		}
	}
	carried := map[string]int64{}
	count := map[string]int{}
	for _, b := range p.bts {
		if b.PayoutID != "" {
			carried[b.PayoutID] += b.Net
			count[b.PayoutID]++
		}
	}
	for _, po := range p.payouts {
		if po.Automatic && (carried[po.ID] != po.Amount || count[po.ID] != len(po.BalanceTransactions)) {
			return fmt.Errorf("payout %s: amount %d, its %d balance transactions sum to %d", po.ID, po.Amount, count[po.ID], carried[po.ID])
		}
		if !po.Automatic && count[po.ID] != 0 {
			return fmt.Errorf("manual payout %s carries %d balance transactions", po.ID, count[po.ID])
		}
	}
	for _, d := range p.disputes {
		if d.pay == nil || d.pay.DisputeID != d.ID {
			return fmt.Errorf("dispute %s: its payment does not name it", d.ID)
		}
		if d.Amount <= 0 || d.Amount > d.pay.AmountReceived {
			return fmt.Errorf("dispute %s: amount %d of a payment that captured %d", d.ID, d.Amount, d.pay.AmountReceived)
		}
	}
	return nil
}
