package simulator_test

// Helpers shared by the bank API tests (api_*_test.go): typed views of the
// resources, a started server, and small steps (create, advance the clock,
// walk a list) that fail the test on any unexpected answer.

import (
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/sandbank/sandbank/openapi"
	"github.com/sandbank/sandbank/simulator"
	"github.com/sandbank/sandbank/simulator/checkdigit"
	"github.com/sandbank/sandbank/simulator/simtest"
)

// bankSeed is the server seed of the bank tests: fixed, so that a failure
// reproduces.
const bankSeed uint64 = 20260302

// clockStart is every tenant's virtual time before any advance (a Monday).
var clockStart = time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC)

// startBank runs a simulator for the test. Each test (or subtest) then
// talks to it with its own key, so tenants never share state.
func startBank(t *testing.T) *simtest.Server {
	t.Helper()
	return simtest.Start(t, simulator.Config{Seed: bankSeed})
}

// --- resource views ----------------------------------------------------------

type listPage[T any] struct {
	Data       []T     `json:"data"`
	HasMore    bool    `json:"has_more"`
	NextCursor *string `json:"next_cursor"`
}

type addressJSON struct {
	Line1      string  `json:"line1"`
	Line2      *string `json:"line2"`
	City       string  `json:"city"`
	State      *string `json:"state"`
	PostalCode string  `json:"postal_code"`
	Country    string  `json:"country"`
}

type customerJSON struct {
	ID     string  `json:"id"`
	Object string  `json:"object"`
	Type   string  `json:"type"`
	Name   string  `json:"name"`
	Email  string  `json:"email"`
	Phone  *string `json:"phone"`
	TaxID  struct {
		Type    string `json:"type"`
		Value   string `json:"value"`
		Country string `json:"country"`
	} `json:"tax_id"`
	BirthDate    *string      `json:"birth_date"`
	Address      *addressJSON `json:"address"`
	Verification struct {
		Status        string  `json:"status"`
		FailureReason *string `json:"failure_reason"`
	} `json:"verification"`
	CreatedAt time.Time         `json:"created_at"`
	Metadata  map[string]string `json:"metadata"`
}

type accountJSON struct {
	ID          string `json:"id"`
	Object      string `json:"object"`
	CustomerID  string `json:"customer_id"`
	Currency    string `json:"currency"`
	Kind        string `json:"kind"`
	Status      string `json:"status"`
	Name        string `json:"name"`
	Identifiers struct {
		BR *struct {
			ISPB     string `json:"ispb"`
			BankCode string `json:"bank_code"`
			Branch   string `json:"branch"`
			Number   string `json:"number"`
			Digit    string `json:"digit"`
		} `json:"br"`
		IBAN          *string `json:"iban"`
		BIC           *string `json:"bic"`
		SortCode      *string `json:"sort_code"`
		AccountNumber *string `json:"account_number"`
		RoutingNumber *string `json:"routing_number"`
	} `json:"identifiers"`
	PixKeys []struct {
		Type string `json:"type"`
		Key  string `json:"key"`
	} `json:"pix_keys"`
	CreatedAt time.Time         `json:"created_at"`
	Metadata  map[string]string `json:"metadata"`
}

// pixKey returns the account's Pix key of a type ("" when it has none).
func (a accountJSON) pixKey(typ string) string {
	for _, k := range a.PixKeys {
		if k.Type == typ {
			return k.Key
		}
	}
	return ""
}

type moneyJSON struct {
	Amount   int64  `json:"amount"`
	Currency string `json:"currency"`
}

type balancesJSON struct {
	Object     string    `json:"object"`
	AccountID  string    `json:"account_id"`
	Booked     moneyJSON `json:"booked"`
	Available  moneyJSON `json:"available"`
	Pending    moneyJSON `json:"pending"`
	CreditLine moneyJSON `json:"credit_line"`
	AsOf       time.Time `json:"as_of"`
}

type transactionJSON struct {
	ID           string  `json:"id"`
	Object       string  `json:"object"`
	AccountID    string  `json:"account_id"`
	Amount       int64   `json:"amount"`
	Currency     string  `json:"currency"`
	CreditDebit  string  `json:"credit_debit"`
	Status       string  `json:"status"`
	Type         string  `json:"type"`
	Description  string  `json:"description"`
	Category     *string `json:"category"`
	Counterparty *struct {
		Name    string  `json:"name"`
		TaxID   *string `json:"tax_id"`
		Account *string `json:"account"`
	} `json:"counterparty"`
	RunningBalance *int64     `json:"running_balance"`
	BookedAt       *time.Time `json:"booked_at"`
	ValueDate      string     `json:"value_date"`
	CreatedAt      time.Time  `json:"created_at"`
	EndToEndID     *string    `json:"end_to_end_id"`
	Source         *struct {
		Type string `json:"type"`
		ID   string `json:"id"`
	} `json:"source"`
}

type creditorJSON struct {
	AccountID     *string `json:"account_id"`
	Name          *string `json:"name"`
	PixKey        *string `json:"pix_key"`
	IBAN          *string `json:"iban"`
	BIC           *string `json:"bic"`
	SortCode      *string `json:"sort_code"`
	AccountNumber *string `json:"account_number"`
	BankCode      *string `json:"bank_code"`
	Branch        *string `json:"branch"`
	AccountDigit  *string `json:"account_digit"`
	TaxID         *string `json:"tax_id"`
}

type statusChangeJSON struct {
	Status     string    `json:"status"`
	At         time.Time `json:"at"`
	ReasonCode *string   `json:"reason_code"`
}

type transferJSON struct {
	ID           string `json:"id"`
	Object       string `json:"object"`
	Rail         string `json:"rail"`
	Status       string `json:"status"`
	StatusReason *struct {
		Code        string `json:"code"`
		Description string `json:"description"`
	} `json:"status_reason"`
	Amount                int64              `json:"amount"`
	Currency              string             `json:"currency"`
	DebtorAccountID       string             `json:"debtor_account_id"`
	Creditor              creditorJSON       `json:"creditor"`
	EndToEndID            string             `json:"end_to_end_id"`
	RemittanceInformation *string            `json:"remittance_information"`
	ExpectedSettlementAt  *time.Time         `json:"expected_settlement_at"`
	StatusHistory         []statusChangeJSON `json:"status_history"`
	CreatedAt             time.Time          `json:"created_at"`
	UpdatedAt             time.Time          `json:"updated_at"`
	Metadata              map[string]string  `json:"metadata"`
}

// statuses is the transfer's status history as a list of codes.
func (tr transferJSON) statuses() []string {
	out := make([]string, 0, len(tr.StatusHistory))
	for _, h := range tr.StatusHistory {
		out = append(out, h.Status)
	}
	return out
}

// reason is the status_reason code ("" when null).
func (tr transferJSON) reason() string {
	if tr.StatusReason == nil {
		return ""
	}
	return tr.StatusReason.Code
}

type ranJSON struct {
	At         time.Time `json:"at"`
	Job        string    `json:"job"`
	ResourceID string    `json:"resource_id"`
}

type clockJSON struct {
	Object      string     `json:"object"`
	Now         time.Time  `json:"now"`
	Mode        string     `json:"mode"`
	PendingJobs int        `json:"pending_jobs"`
	NextJobAt   *time.Time `json:"next_job_at"`
	Ran         []ranJSON  `json:"ran"`
}

// --- response checks -----------------------------------------------------------

var requestIDPattern = regexp.MustCompile(`^req_[0-9A-Za-z]+$`)

// checkEnvelope checks what every response of a tenant carries: a
// Request-Id, and the media type of its status class.
func checkEnvelope(t testing.TB, r *simtest.Response) {
	t.Helper()
	if id := r.Header.Get("Request-Id"); !requestIDPattern.MatchString(id) {
		t.Errorf("Request-Id %q does not look like req_…", id)
	}
	want := "application/json"
	if r.Status >= 400 {
		want = openapi.ProblemContentType
	}
	if ct := r.Header.Get("Content-Type"); ct != want {
		t.Errorf("Content-Type %q, want %q (status %d)", ct, want, r.Status)
	}
}

// expectOK checks a 200 and decodes it.
func expectOK(t testing.TB, r *simtest.Response, out any) {
	t.Helper()
	r.Expect(t, http.StatusOK)
	checkEnvelope(t, r)
	if out != nil {
		r.Decode(t, out)
	}
}

// expectCreated checks a 201 whose Location is locPrefix + the new id, and
// decodes it. An empty locPrefix skips the Location check.
func expectCreated(t testing.TB, r *simtest.Response, locPrefix string, out any) {
	t.Helper()
	r.Expect(t, http.StatusCreated)
	checkEnvelope(t, r)
	var id struct {
		ID string `json:"id"`
	}
	r.Decode(t, &id)
	if locPrefix != "" {
		if loc := r.Header.Get("Location"); loc != locPrefix+id.ID {
			t.Errorf("Location %q, want %q", loc, locPrefix+id.ID)
		}
	}
	if out != nil {
		r.Decode(t, out)
	}
}

// expectProblem checks an RFC 9457 problem with a status and code and
// returns it.
func expectProblem(t testing.TB, r *simtest.Response, status int, code string) simtest.Problem {
	t.Helper()
	checkEnvelope(t, r)
	return r.Problem(t, status, code)
}

// expectViolation checks a 400 problem with a code that names at (a
// pointer or a parameter) among its violations; it returns that violation.
func expectViolation(t testing.TB, r *simtest.Response, code, at string) simtest.Violation {
	t.Helper()
	p := expectProblem(t, r, http.StatusBadRequest, code)
	v, ok := p.Find(at)
	if !ok {
		t.Fatalf("problem %s names %v, want %q among them; body: %s", code, p.Fields(), at, r.Body)
	}
	if v.Detail == "" {
		t.Errorf("violation at %q has no detail", at)
	}
	return v
}

// journalEntry finds the journal entry of a response by its Request-Id.
func journalEntry(t testing.TB, c *simtest.Client, r *simtest.Response) map[string]any {
	t.Helper()
	id := r.Header.Get("Request-Id")
	for _, e := range c.Journal() {
		if e["request_id"] == id {
			return e
		}
	}
	t.Fatalf("no journal entry with request_id %s", id)
	return nil
}

// journalCheck is what the journal entry of a response must say.
type journalCheck struct {
	r                              *simtest.Response
	operation, resourceID, problem string // "" for null
}

// expectJournal checks the journal entry of a response: its status,
// operation, resource id and problem code ("" for null).
func expectJournal(t testing.TB, c *simtest.Client, r *simtest.Response, operation, resourceID, problemCode string) {
	t.Helper()
	expectJournalAll(t, c, []journalCheck{{r, operation, resourceID, problemCode}})
}

// expectJournalAll checks several responses' journal entries with one
// read of the journal.
func expectJournalAll(t testing.TB, c *simtest.Client, checks []journalCheck) {
	t.Helper()
	byID := map[string]map[string]any{}
	for _, e := range c.Journal() {
		byID[nullable(e["request_id"])] = e
	}
	for _, jc := range checks {
		id := jc.r.Header.Get("Request-Id")
		e, ok := byID[id]
		if !ok {
			t.Errorf("no journal entry with request_id %s", id)
			continue
		}
		if got := e["status"]; got != float64(jc.r.Status) {
			t.Errorf("%s: journal status %v, response %d", id, got, jc.r.Status)
		}
		if got := e["operation_id"]; got != jc.operation {
			t.Errorf("%s: journal operation_id %v, want %s", id, got, jc.operation)
		}
		if got := nullable(e["resource_id"]); got != jc.resourceID {
			t.Errorf("%s: journal resource_id %q, want %q", id, got, jc.resourceID)
		}
		if got := nullable(e["problem_code"]); got != jc.problem {
			t.Errorf("%s: journal problem_code %q, want %q", id, got, jc.problem)
		}
		if e["outcome"] != "completed" {
			t.Errorf("%s: journal outcome %v, want completed", id, e["outcome"])
		}
	}
}

func nullable(v any) string {
	s, _ := v.(string)
	return s
}

// --- steps ---------------------------------------------------------------------

// ibanOf builds a valid IBAN from a country and BBAN.
func ibanOf(t testing.TB, country, bban string) string {
	t.Helper()
	iban, err := checkdigit.NewIBAN(country, bban)
	if err != nil {
		t.Fatal(err)
	}
	return iban
}

// individualBody is a valid request for a Brazilian individual customer.
func individualBody(cpf string) map[string]any {
	return map[string]any{
		"type":       "individual",
		"name":       "Ana Beatriz Souza",
		"email":      "ana.souza@example.com",
		"phone":      "+5511987654321",
		"tax_id":     map[string]any{"type": "br_cpf", "value": cpf},
		"birth_date": "1990-04-12",
		"address": map[string]any{
			"line1": "Avenida Paulista, 1578", "city": "São Paulo", "state": "SP",
			"postal_code": "01310-200", "country": "BR",
		},
		"metadata": map[string]any{"crm_id": "8812"},
	}
}

// createCustomer creates a customer and checks the 201.
func createCustomer(t testing.TB, c *simtest.Client, body any) customerJSON {
	t.Helper()
	var cust customerJSON
	expectCreated(t, c.Post("/v1/customers", body), "/v1/customers/", &cust)
	return cust
}

// verifiedCustomer creates a customer of a type and lets KYC finish.
func verifiedCustomer(t testing.TB, c *simtest.Client, typ string) customerJSON {
	t.Helper()
	body := map[string]any{
		"type": "individual", "name": "Jonas Becker", "email": "jonas.becker@example.de",
		"tax_id": map[string]any{"type": "de_tax_id", "value": "65929970489"},
	}
	if typ == "company" {
		body = map[string]any{
			"type": "company", "name": "Empresa Exemplo Ltda", "email": "finance@exemplo.com.br",
			"tax_id": map[string]any{"type": "br_cnpj", "value": "12.345.678/0001-95"},
		}
	}
	cust := createCustomer(t, c, body)
	advance(t, c, "30s")
	expectOK(t, c.Get("/v1/customers/"+cust.ID), &cust)
	if cust.Verification.Status != "verified" {
		t.Fatalf("customer %s is %s after KYC, want verified", cust.ID, cust.Verification.Status)
	}
	return cust
}

// openAccount opens an account and checks the 201.
func openAccount(t testing.TB, c *simtest.Client, body any) accountJSON {
	t.Helper()
	var a accountJSON
	expectCreated(t, c.Post("/v1/accounts", body), "/v1/accounts/", &a)
	return a
}

// freshAccount opens a zero-balance account in a currency for a new,
// verified individual and funds it with an inbound transfer of amount
// (none when 0).
func freshAccount(t testing.TB, c *simtest.Client, currency string, amount int64) accountJSON {
	t.Helper()
	cust := verifiedCustomer(t, c, "individual")
	a := openAccount(t, c, map[string]any{"customer_id": cust.ID, "currency": currency})
	if amount > 0 {
		inbound(t, c, a.ID, currency, amount)
	}
	return a
}

// inbound simulates money arriving on an account.
func inbound(t testing.TB, c *simtest.Client, accountID, currency string, amount int64) transactionJSON {
	t.Helper()
	var line transactionJSON
	r := c.Post("/v1/sandbox/inbound_transfers", map[string]any{"account_id": accountID, "amount": amount, "currency": currency})
	expectCreated(t, r, "", &line)
	return line
}

// accounts lists every account of the tenant.
func accounts(t testing.TB, c *simtest.Client) []accountJSON {
	t.Helper()
	var page listPage[accountJSON]
	expectOK(t, c.Get("/v1/accounts?limit=100"), &page)
	if page.HasMore {
		t.Fatalf("more than 100 accounts")
	}
	return page.Data
}

// richestAccount is the seeded account of a currency with the most money
// available.
func richestAccount(t testing.TB, c *simtest.Client, currency string) accountJSON {
	t.Helper()
	var best accountJSON
	bestAvail := int64(-1)
	for _, a := range accounts(t, c) {
		if a.Currency != currency {
			continue
		}
		if b := balances(t, c, a.ID); b.Available.Amount > bestAvail {
			best, bestAvail = a, b.Available.Amount
		}
	}
	if bestAvail < 0 {
		t.Fatalf("the tenant has no %s account", currency)
	}
	return best
}

// balances reads an account's balances and checks they agree with each other.
func balances(t testing.TB, c *simtest.Client, accountID string) balancesJSON {
	t.Helper()
	var b balancesJSON
	expectOK(t, c.Get("/v1/accounts/"+accountID+"/balances"), &b)
	if b.Object != "balances" || b.AccountID != accountID {
		t.Errorf("balances object %q for %q, want balances for %s", b.Object, b.AccountID, accountID)
	}
	cur := b.Booked.Currency
	for _, m := range []moneyJSON{b.Available, b.Pending, b.CreditLine} {
		if m.Currency != cur {
			t.Errorf("balances mix currencies: %+v", b)
		}
	}
	return b
}

// transactions walks an account's statement (query is extra query
// parameters, such as "status=booked") page by page, newest first.
func transactions(t testing.TB, c *simtest.Client, accountID, query string, limit int) []transactionJSON {
	t.Helper()
	return walk[transactionJSON](t, c, "/v1/accounts/"+accountID+"/transactions", query, limit, nil)
}

// walk collects every item of a list, page by page; between pages it calls
// between (when not nil) with the page number just read.
func walk[T any](t testing.TB, c *simtest.Client, path, query string, limit int, between func(page int)) []T {
	t.Helper()
	var out []T
	cursor := ""
	for page := 1; ; page++ {
		q := fmt.Sprintf("limit=%d", limit)
		if query != "" {
			q += "&" + query
		}
		if cursor != "" {
			q += "&cursor=" + cursor
		}
		var p listPage[T]
		expectOK(t, c.Get(path+"?"+q), &p)
		if len(p.Data) > limit {
			t.Fatalf("page of %d items for limit %d", len(p.Data), limit)
		}
		out = append(out, p.Data...)
		if !p.HasMore {
			if p.NextCursor != nil {
				t.Fatalf("last page has next_cursor %q", *p.NextCursor)
			}
			return out
		}
		if p.NextCursor == nil || *p.NextCursor == "" {
			t.Fatalf("has_more without next_cursor")
		}
		if len(p.Data) != limit {
			t.Fatalf("page %d has %d items and has_more; want full pages of %d", page, len(p.Data), limit)
		}
		cursor = *p.NextCursor
		if between != nil {
			between(page)
		}
		if page > 1000 {
			t.Fatalf("pagination does not end")
		}
	}
}

// advance moves the tenant's virtual clock by a duration.
func advance(t testing.TB, c *simtest.Client, by string) clockJSON {
	t.Helper()
	var out clockJSON
	expectOK(t, c.Post("/v1/sandbox/clock/advance", map[string]any{"by": by}), &out)
	return out
}

// advanceTo moves the tenant's virtual clock to an instant.
func advanceTo(t testing.TB, c *simtest.Client, to time.Time) clockJSON {
	t.Helper()
	var out clockJSON
	expectOK(t, c.Post("/v1/sandbox/clock/advance", map[string]any{"to": to.Format(time.RFC3339Nano)}), &out)
	if !out.Now.Equal(to) {
		t.Fatalf("clock at %s after advancing to %s", out.Now, to)
	}
	return out
}

// now reads the tenant's virtual clock.
func now(t testing.TB, c *simtest.Client) time.Time {
	t.Helper()
	var clk clockJSON
	expectOK(t, c.Get("/v1/sandbox/clock"), &clk)
	return clk.Now
}

// createTransfer posts a transfer that must be accepted (201, any status).
func createTransfer(t testing.TB, c *simtest.Client, body any) transferJSON {
	t.Helper()
	var tr transferJSON
	expectCreated(t, c.Post("/v1/transfers", body), "/v1/transfers/", &tr)
	return tr
}

// getTransfer reads a transfer.
func getTransfer(t testing.TB, c *simtest.Client, id string) transferJSON {
	t.Helper()
	var tr transferJSON
	expectOK(t, c.Get("/v1/transfers/"+id), &tr)
	return tr
}

// linesOf returns the statement lines of an account that a transfer (or
// inbound transfer) produced.
func linesOf(t testing.TB, c *simtest.Client, accountID, sourceID string) []transactionJSON {
	t.Helper()
	var out []transactionJSON
	// Seeded history is older than the clock's start; only lines made by
	// the test can come from sourceID.
	for _, l := range transactions(t, c, accountID, "from="+clockStart.Format(time.RFC3339), 100) {
		if l.Source != nil && l.Source.ID == sourceID {
			out = append(out, l)
		}
	}
	return out
}

// oneLine returns the single statement line a source left on an account.
func oneLine(t testing.TB, c *simtest.Client, accountID, sourceID string) transactionJSON {
	t.Helper()
	lines := linesOf(t, c, accountID, sourceID)
	if len(lines) != 1 {
		t.Fatalf("account %s has %d lines from %s, want 1", accountID, len(lines), sourceID)
	}
	return lines[0]
}

// checkRunningBalances checks a statement (newest first, as listed): taken
// in booking order, each booked line's running balance is the previous
// one plus its amount, the first one is its own amount, and the last one
// is the booked balance. Lines booked at the same instant were booked in
// the order they were created.
func checkRunningBalances(t testing.TB, lines []transactionJSON, booked int64) {
	t.Helper()
	type entry struct {
		line    transactionJSON
		created int // creation order: 0 = oldest
	}
	var bookedLines []entry
	for i, l := range lines {
		switch l.Status {
		case "booked":
			if l.RunningBalance == nil || l.BookedAt == nil {
				t.Fatalf("booked line %s without running_balance or booked_at", l.ID)
			}
			bookedLines = append(bookedLines, entry{l, len(lines) - 1 - i})
		default:
			if l.RunningBalance != nil || l.BookedAt != nil {
				t.Errorf("%s line %s has running_balance %v, booked_at %v; want null until booked", l.Status, l.ID, l.RunningBalance, l.BookedAt)
			}
		}
	}
	sort.SliceStable(bookedLines, func(i, j int) bool {
		a, b := bookedLines[i], bookedLines[j]
		if !a.line.BookedAt.Equal(*b.line.BookedAt) {
			return a.line.BookedAt.Before(*b.line.BookedAt)
		}
		return a.created < b.created
	})
	var running int64
	for _, e := range bookedLines {
		running += e.line.Amount
		if *e.line.RunningBalance != running {
			t.Fatalf("line %s (%d, booked %s): running_balance %d, want %d", e.line.ID, e.line.Amount, e.line.BookedAt, *e.line.RunningBalance, running)
		}
	}
	if running != booked {
		t.Errorf("booked lines sum to %d, booked balance is %d", running, booked)
	}
}

// verifyLedger checks the tenant's ledger invariants (balanced movements,
// balances equal to the sum of postings, statements equal to postings).
func verifyLedger(t testing.TB, srv *simtest.Server, c *simtest.Client) {
	t.Helper()
	if err := srv.Sim.VerifyTenant(c.Key); err != nil {
		t.Errorf("ledger invariants: %v", err)
	}
}

// ids returns the ids of items, in order.
func ids[T any](items []T, id func(T) string) []string {
	out := make([]string, 0, len(items))
	for _, it := range items {
		out = append(out, id(it))
	}
	return out
}

// expectNoDuplicates fails when a list of ids repeats one.
func expectNoDuplicates(t testing.TB, list []string) {
	t.Helper()
	seen := map[string]bool{}
	for _, id := range list {
		if seen[id] {
			t.Fatalf("%s appears twice in %v", id, list)
		}
		seen[id] = true
	}
}

// expectStatuses compares a transfer's status history with want.
func expectStatuses(t testing.TB, tr transferJSON, want ...string) {
	t.Helper()
	if got := tr.statuses(); !slices.Equal(got, want) {
		t.Fatalf("transfer %s status_history %v, want %v", tr.ID, got, want)
	}
	if last := tr.StatusHistory[len(tr.StatusHistory)-1]; last.Status != tr.Status {
		t.Errorf("status %s, but the history ends with %s", tr.Status, last.Status)
	}
	for i := 1; i < len(tr.StatusHistory); i++ {
		if tr.StatusHistory[i].At.Before(tr.StatusHistory[i-1].At) {
			t.Errorf("status_history goes back in time: %+v", tr.StatusHistory)
		}
	}
}

// ptr dereferences a nullable string for messages and comparisons.
func ptr(s *string) string {
	if s == nil {
		return "<null>"
	}
	return *s
}

// deref is a nullable string's value ("" for null).
func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// derefInt is a nullable integer's value (an impossible amount for null).
func derefInt(n *int64) int64 {
	if n == nil {
		return -1 << 62
	}
	return *n
}

// containsAll reports whether s contains every fragment.
func containsAll(s string, fragments ...string) bool {
	for _, f := range fragments {
		if !strings.Contains(s, f) {
			return false
		}
	}
	return true
}
