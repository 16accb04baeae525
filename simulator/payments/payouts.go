package payments

// Payout moves available balance to a bank account.
type Payout struct {
	Seq uint64
	ID  string
}
