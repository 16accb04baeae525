package brcode_test

import (
	"fmt"

	"github.com/sandbank/sandbank/simulator/brcode"
)

func ExampleEncode() {
	s, err := brcode.Encode(brcode.Payload{
		Key:    "123e4567-e12b-12d1-a456-426655440000",
		Amount: "10.00",
		Name:   "Padaria São João",
		City:   "Brasília",
		TxID:   "PEDIDO42",
	})
	fmt.Println(s, err)
	// Output: 00020126580014br.gov.bcb.pix0136123e4567-e12b-12d1-a456-426655440000520400005303986540510.005802BR5916Padaria Sao Joao6008Brasilia62120508PEDIDO426304EFFD <nil>
}
