package simulator_test

import (
	"fmt"
	"math/rand/v2"
	"net/http"
	"sync"
	"testing"

	"github.com/sandbank/sandbank/simulator"
	"github.com/sandbank/sandbank/simulator/simtest"
)

// script is a sequence of requests touching every kind of resource; run
// twice against two servers it must give byte-identical bodies.
func script(t *testing.T, c *simtest.Client) []string {
	t.Helper()
	var bodies []string
	record := func(r *simtest.Response) *simtest.Response {
		bodies = append(bodies, fmt.Sprintf("%d %s", r.Status, r.Body))
		return r
	}
	record(c.Get("/v1/customers?limit=100"))
	accounts := record(c.Get("/v1/accounts?limit=100"))
	var list struct {
		Data []struct{ ID, Currency string } `json:"data"`
	}
	accounts.Decode(t, &list)
	byCurrency := map[string]string{}
	for _, a := range list.Data {
		byCurrency[a.Currency] = a.ID
		record(c.Get("/v1/accounts/" + a.ID + "/balances"))
		page := record(c.Get("/v1/accounts/" + a.ID + "/transactions?limit=50"))
		if next, _ := page.JSON()["next_cursor"].(string); next != "" {
			record(c.Get("/v1/accounts/" + a.ID + "/transactions?limit=50&cursor=" + next))
		}
	}
	cust := record(c.Post("/v1/customers", map[string]any{
		"type": "individual", "name": "Ana Souza", "email": "ana@example.com",
		"tax_id": map[string]any{"type": "br_cpf", "value": "529.982.247-25"},
	}))
	record(c.Post("/v1/accounts", map[string]any{"customer_id": cust.JSON()["id"], "currency": "BRL"}))
	record(c.Post("/v1/transfers", map[string]any{"rail": "pix", "debtor_account_id": byCurrency["BRL"], "amount": 1500, "currency": "BRL", "creditor": map[string]any{"pix_key": "x@reject-ac04.sandbox.test"}}))
	record(c.Post("/v1/transfers", map[string]any{"rail": "sepa", "debtor_account_id": byCurrency["EUR"], "amount": 2500, "currency": "EUR", "creditor": map[string]any{"iban": "DE89370400440532013000", "name": "Jonas"}}, "Idempotency-Key", "k1"))
	record(c.Post("/v1/transfers", map[string]any{"rail": "fps", "debtor_account_id": byCurrency["GBP"], "amount": 999, "currency": "GBP", "creditor": map[string]any{"sort_code": "04-00-04", "account_number": "12340004", "name": "Ava Jones"}}))
	record(c.Post("/v1/sandbox/inbound_transfers", map[string]any{"account_id": byCurrency["USD"], "amount": 50000, "currency": "USD"}))
	record(c.Post("/v1/sandbox/clock/advance", map[string]any{"by": "P1D"}))
	record(c.Get("/v1/transfers?limit=100"))
	record(c.Get("/v1/customers/" + cust.JSON()["id"].(string)))
	record(c.Post("/v1/transfers", map[string]any{"rail": "pix", "amount": -1}))
	return bodies
}

func TestSameSeedAndKeyGiveIdenticalResponses(t *testing.T) {
	key := simtest.NewKey("determinism")
	a := script(t, simtest.Start(t, simulator.Config{Seed: 42}).Client(key))
	b := script(t, simtest.Start(t, simulator.Config{Seed: 42}).Client(key))
	if len(a) != len(b) {
		t.Fatalf("%d vs %d responses", len(a), len(b))
	}
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("response %d differs:\n%s\n%s", i, a[i], b[i])
		}
	}
	// Another seed, or another key, is another bank.
	other := script(t, simtest.Start(t, simulator.Config{Seed: 43}).Client(key))
	if other[0] == a[0] {
		t.Fatal("seed 43 gave the same customers as seed 42")
	}
	otherKey := script(t, simtest.Start(t, simulator.Config{Seed: 42}).Client(simtest.NewKey("determinism")))
	if otherKey[0] == a[0] {
		t.Fatal("two keys gave the same customers")
	}
}

// TestLedgerInvariantUnderConcurrentTransfers runs thousands of random
// transfers, cancellations and clock advances from concurrent clients, then
// checks that the ledger still balances: every movement sums to zero, every
// balance equals the sum of its postings, and the statement agrees.
func TestLedgerInvariantUnderConcurrentTransfers(t *testing.T) {
	srv := simtest.Start(t, simulator.Config{Seed: 99})
	c := srv.Client(simtest.NewKey("ledger"))
	var list struct {
		Data []struct {
			ID, Currency string
			Identifiers  struct {
				IBAN          *string `json:"iban"`
				SortCode      *string `json:"sort_code"`
				AccountNumber *string `json:"account_number"`
			} `json:"identifiers"`
		} `json:"data"`
	}
	c.Get("/v1/accounts?limit=100").Expect(t, http.StatusOK).Decode(t, &list)
	byCurrency := map[string][]string{}
	for _, a := range list.Data {
		byCurrency[a.Currency] = append(byCurrency[a.Currency], a.ID)
	}

	const workers, perWorker = 8, 300
	var wg sync.WaitGroup
	var mu sync.Mutex
	statuses := map[string]int{}
	for w := range workers {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(w), 99))
			for range perWorker {
				body := randomTransfer(rng, byCurrency)
				var r *simtest.Response
				switch rng.IntN(20) {
				case 0:
					r = c.Post("/v1/sandbox/clock/advance", map[string]any{"by": fmt.Sprintf("%ds", 1+rng.IntN(4000))})
				case 1:
					r = c.Post("/v1/sandbox/inbound_transfers", map[string]any{"account_id": pick(rng, byCurrency["BRL"]), "amount": 1 + rng.IntN(500000), "currency": "BRL"})
				default:
					r = c.Post("/v1/transfers", body)
					if r.Status == http.StatusCreated && rng.IntN(4) == 0 {
						c.Post("/v1/transfers/"+r.JSON()["id"].(string)+"/cancel", nil)
					}
				}
				if r.Status >= 500 {
					t.Errorf("5xx: %s", r.Body)
				}
				mu.Lock()
				if s, ok := r.JSON()["status"].(string); ok {
					statuses[s]++
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	c.Post("/v1/sandbox/clock/advance", map[string]any{"by": "P7D"}).Expect(t, http.StatusOK)

	if err := srv.Sim.VerifyTenant(c.Key); err != nil {
		t.Fatalf("ledger invariant broken: %v", err)
	}
	for _, s := range []string{"ACSC", "RJCT"} {
		if statuses[s] == 0 {
			t.Errorf("no transfer ended %s: the random mix is too narrow (%v)", s, statuses)
		}
	}
	// Through the API too: each balance is the sum of its statement lines.
	for _, a := range list.Data {
		var bal struct {
			Booked, Available, Pending struct{ Amount int64 }
		}
		c.Get("/v1/accounts/"+a.ID+"/balances").Expect(t, http.StatusOK).Decode(t, &bal)
		var booked, pending, pendingDebits int64
		cursor := ""
		for {
			var page struct {
				Data []struct {
					Amount int64  `json:"amount"`
					Status string `json:"status"`
				} `json:"data"`
				HasMore    bool   `json:"has_more"`
				NextCursor string `json:"next_cursor"`
			}
			path := "/v1/accounts/" + a.ID + "/transactions?limit=100"
			if cursor != "" {
				path += "&cursor=" + cursor
			}
			c.Get(path).Expect(t, http.StatusOK).Decode(t, &page)
			for _, l := range page.Data {
				switch l.Status {
				case "booked":
					booked += l.Amount
				case "pending":
					pending += l.Amount
					if l.Amount < 0 {
						pendingDebits += l.Amount
					}
				}
			}
			if !page.HasMore {
				break
			}
			cursor = page.NextCursor
		}
		if bal.Booked.Amount != booked || bal.Pending.Amount != pending || bal.Available.Amount != booked+pendingDebits {
			t.Errorf("account %s: balances %+v, statement sums booked %d pending %d", a.ID, bal, booked, pending)
		}
		if bal.Available.Amount < 0 {
			t.Errorf("account %s overdrawn: %+v", a.ID, bal)
		}
	}
}

func pick(rng *rand.Rand, ids []string) string { return ids[rng.IntN(len(ids))] }

// randomTransfer draws a transfer on a random rail, sometimes to a magic
// creditor, sometimes for more than the account holds.
func randomTransfer(rng *rand.Rand, byCurrency map[string][]string) map[string]any {
	amount := 1 + rng.IntN(200000)
	if rng.IntN(10) == 0 {
		amount = 100_000_000 + rng.IntN(1_000_000_000) // more than any balance: AM04
	}
	suffix := []string{"1234", "0001", "0004", "0006", "5678"}[rng.IntN(5)]
	switch rng.IntN(5) {
	case 0:
		ids := byCurrency["BRL"]
		from := pick(rng, ids)
		to := pick(rng, ids)
		for to == from {
			to = pick(rng, ids)
		}
		return map[string]any{"rail": "internal", "debtor_account_id": from, "amount": amount, "currency": "BRL", "creditor": map[string]any{"account_id": to}}
	case 1:
		key := []string{"ana@example.com", "x@reject-ac04.sandbox.test", "y@timeout.sandbox.test", "+5511987654321"}[rng.IntN(4)]
		return map[string]any{"rail": "pix", "debtor_account_id": pick(rng, byCurrency["BRL"]), "amount": amount, "currency": "BRL", "creditor": map[string]any{"pix_key": key}}
	case 2:
		return map[string]any{"rail": "ted", "debtor_account_id": pick(rng, byCurrency["BRL"]), "amount": amount, "currency": "BRL", "creditor": map[string]any{
			"bank_code": "341", "branch": "1234", "account_number": "9876" + suffix, "name": "Carlos Lima", "tax_id": "123.456.789-09"}}
	case 3:
		return map[string]any{"rail": "sepa", "debtor_account_id": pick(rng, byCurrency["EUR"]), "amount": amount, "currency": "EUR", "creditor": map[string]any{"iban": "DE89370400440532013000", "name": "Jonas Becker"}}
	default:
		return map[string]any{"rail": "fps", "debtor_account_id": pick(rng, byCurrency["GBP"]), "amount": amount, "currency": "GBP", "creditor": map[string]any{"sort_code": "040004", "account_number": "1234" + suffix, "name": "Ava Jones"}}
	}
}
