package conformance

import (
	"encoding/json"
	"fmt"
	"math"
	"time"
)

// Catalog is every case, in the order of reference/conformance-checks.md.
func Catalog() []*Case {
	return []*Case{
		ik01, ik02, ik03, ik04, ik05,
		rt01, rt02, rt03, rt04, rt05, rt06, rt07, rt08,
		ra01, ra02, ra03,
		to01, au01,
		wh01, wh02, wh03, wh04, wh05, wh06, wh07,
		pg01, rl01,
	}
}

func caseIDs() []string {
	var out []string
	for _, c := range Catalog() {
		out = append(out, c.ID)
	}
	return out
}

func catalogIndex(id string) int {
	for i, c := range Catalog() {
		if c.ID == id {
			return i
		}
	}
	return math.MaxInt
}

// Inputs the cases give the adapter.

var goodCard = Card{Number: "4242424242424242", ExpMonth: 12, ExpYear: 2034, CVC: "123"}

func paymentInput(caseID string, amount int64) PaymentInput {
	return PaymentInput{Amount: amount, Currency: "BRL", Card: goodCard, Description: "sandbank conformance " + caseID}
}

// rule renders one scenario rule on an operation: the first (nth) matching
// request gets fault. Faults are in the compact form ("503",
// "reset;phase=after_commit").
func rule(operation string, nth int, fault string) string {
	return fmt.Sprintf("  - match: { operation: %s }\n    nth: %d\n    fault: %q\n", operation, nth, fault)
}

// steps renders a rule that gives successive matches successive faults.
func steps(operation string, faults ...string) string {
	s := fmt.Sprintf("  - match: { operation: %s }\n    steps: [", operation)
	for i, f := range faults {
		if i > 0 {
			s += ", "
		}
		s += fmt.Sprintf("%q", f)
	}
	return s + "]\n"
}

// always renders a rule that gives every matching request the fault.
func always(operation, fault string) string {
	return fmt.Sprintf("  - match: { operation: %s }\n    fault: %q\n", operation, fault)
}

// limit is the bound on an ordinary operation.
func (h *Harness) limit() time.Duration { return h.suite.opts.OperationLimit }

func jsonInto(raw []byte, v any) error { return json.Unmarshal(raw, v) }
