// Command gen writes openapi/sandbank.json, the JSON form of the contract
// (openapi/sandbank.yaml) that the binary loads at start-up: parsing JSON
// is faster than YAML, and /openapi.json serves the file as it is. Run it
// with `go generate ./openapi` (or `make generate`) after editing the YAML.
package main

import (
	"fmt"
	"os"

	"github.com/sandbank/sandbank/openapi"
)

func main() {
	out, err := openapi.GenerateJSON()
	if err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
	if err := os.WriteFile("sandbank.json", out, 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}
