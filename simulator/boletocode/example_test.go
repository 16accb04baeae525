package boletocode_test

import (
	"fmt"
	"time"

	"github.com/sandbank/sandbank/simulator/boletocode"
)

func ExampleDigitableLine() {
	free, _ := boletocode.FreeField("1234", "09", "00000000042", "0012345")
	line, _ := boletocode.DigitableLine(boletocode.Boleto{
		BankCode:  "237",
		Due:       time.Date(2026, 3, 10, 0, 0, 0, 0, time.UTC),
		Amount:    15000, // R$ 150,00
		FreeField: free,
	})
	fmt.Println(line)
	// Output: 23791.23405 90000.000001 42001.234501 1 13810000015000
}

func ExampleParseDigitableLine() {
	b, err := boletocode.ParseDigitableLine("00190.00009 01149.718601 68524.522114 6 75860000102656", time.Date(2018, 7, 1, 0, 0, 0, 0, time.UTC))
	fmt.Println(b.BankCode, b.Due.Format(time.DateOnly), b.Amount, err)
	// Output: 001 2018-07-15 102656 <nil>
}
