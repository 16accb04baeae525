package payments

import "time"

// Dispute is a cardholder's chargeback of a captured payment.
type Dispute struct {
	Seq uint64
	ID  string
}

// openDispute opens a dispute on a captured payment (the magic card does
// it a simulated day after capture).
func (p *Provider) openDispute(pay *Payment, at time.Time) {}
