// Package pix is a tenant's Pix charges (cobranças, with the Central Bank's field names and BR Codes) and devoluções, paid into the tenant's own accounts.
package pix

import (
	"github.com/brianvoe/gofakeit/v7"

	"github.com/sandbank/sandbank/simulator/bank"
	"github.com/sandbank/sandbank/simulator/clock"
	"github.com/sandbank/sandbank/simulator/events"
)

// Book is one tenant's pix.
type Book struct {
	Clock *clock.Clock
	Bank  *bank.Bank
	Emit  events.Emitter
	fake  *gofakeit.Faker
}

// New returns an empty book crediting the tenant's bank.
func New(clk *clock.Clock, b *bank.Bank, fake *gofakeit.Faker) *Book {
	return &Book{Clock: clk, Bank: b, Emit: events.Nop, fake: fake}
}
