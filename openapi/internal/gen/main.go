// Command gen merges the contract's parts (openapi/src/*.yaml) into the
// document sandbank serves, openapi/sandbank.yaml, and its JSON form,
// openapi/sandbank.json. Run it with `go generate ./openapi` (or
// `make generate`) after editing a part.
package main

import (
	"fmt"
	"os"

	"github.com/sandbank/sandbank/openapi"
)

func main() {
	if err := openapi.WriteGenerated("."); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}
