package simulator_test

import (
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sandbank/sandbank/simulator/bank"
	"github.com/sandbank/sandbank/simulator/checkdigit"
	"github.com/sandbank/sandbank/simulator/simtest"
)

var (
	accountIDPattern = regexp.MustCompile(`^acc_[0-9A-Za-z]{16}$`)
	uuidPattern      = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)
)

// checkIdentifiers checks that an account's identifiers are those of its
// currency and pass the validators real banks apply.
func checkIdentifiers(t testing.TB, a accountJSON) {
	t.Helper()
	ids := a.Identifiers
	wantNull := func(name string, v *string) {
		t.Helper()
		if v != nil {
			t.Errorf("%s account %s: %s is %q, want null", a.Currency, a.ID, name, *v)
		}
	}
	validIBAN := func(country string) string {
		t.Helper()
		if ids.IBAN == nil {
			t.Fatalf("%s account %s has no IBAN", a.Currency, a.ID)
		}
		if err := checkdigit.ValidIBAN(*ids.IBAN); err != nil {
			t.Errorf("%s account %s: %v", a.Currency, a.ID, err)
		}
		if !strings.HasPrefix(*ids.IBAN, country) {
			t.Errorf("%s account %s: IBAN %s is not %s", a.Currency, a.ID, *ids.IBAN, country)
		}
		return *ids.IBAN
	}
	switch a.Currency {
	case "BRL":
		br := ids.BR
		if br == nil {
			t.Fatalf("BRL account %s has no Brazilian identifiers", a.ID)
		}
		if br.ISPB != bank.BRISPB || br.BankCode != bank.BRBankCode || len(br.Branch) != 4 {
			t.Errorf("BRL account %s: %+v", a.ID, *br)
		}
		if !checkdigit.ValidBRAccount(br.Number, br.Digit) {
			t.Errorf("BRL account %s: digit %s does not check %s", a.ID, br.Digit, br.Number)
		}
		iban := validIBAN("BR")
		// BR BBAN: ISPB(8) branch(5) account and digit(10) type(1) holder(1).
		if want := br.ISPB + "0" + br.Branch + fmt.Sprintf("%010s", br.Number+br.Digit); !strings.HasPrefix(iban[4:], want) {
			t.Errorf("BRL account %s: IBAN %s does not carry %s", a.ID, iban, want)
		}
		accountType := iban[len(iban)-2 : len(iban)-1]
		if want := map[bool]string{true: "P", false: "C"}[a.Kind == "savings"]; accountType != want {
			t.Errorf("%s BRL account %s: IBAN account type %s, want %s", a.Kind, a.ID, accountType, want)
		}
		wantNull("bic", ids.BIC)
		wantNull("sort_code", ids.SortCode)
		wantNull("account_number", ids.AccountNumber)
		wantNull("routing_number", ids.RoutingNumber)
		if !uuidPattern.MatchString(a.pixKey("evp")) {
			t.Errorf("BRL account %s: random Pix key %q", a.ID, a.pixKey("evp"))
		}
	case "EUR":
		validIBAN("DE")
		if ids.BIC == nil || *ids.BIC != bank.DEBIC {
			t.Errorf("EUR account %s: BIC %s", a.ID, ptr(ids.BIC))
		}
		if ids.BR != nil {
			t.Errorf("EUR account %s has Brazilian identifiers", a.ID)
		}
		wantNull("sort_code", ids.SortCode)
		wantNull("account_number", ids.AccountNumber)
		wantNull("routing_number", ids.RoutingNumber)
	case "GBP":
		if ids.SortCode == nil || !checkdigit.ValidSortCode(*ids.SortCode) {
			t.Fatalf("GBP account %s: sort code %s", a.ID, ptr(ids.SortCode))
		}
		if ids.AccountNumber == nil || !checkdigit.ValidUKAccountNumber(*ids.AccountNumber) {
			t.Fatalf("GBP account %s: account number %s", a.ID, ptr(ids.AccountNumber))
		}
		if iban := validIBAN("GB"); iban != ibanOf(t, "GB", bank.GBBankCode+*ids.SortCode+*ids.AccountNumber) {
			t.Errorf("GBP account %s: IBAN %s does not carry sort code %s and number %s", a.ID, iban, *ids.SortCode, *ids.AccountNumber)
		}
		if ids.BIC == nil || *ids.BIC != bank.GBBIC {
			t.Errorf("GBP account %s: BIC %s", a.ID, ptr(ids.BIC))
		}
		wantNull("routing_number", ids.RoutingNumber)
	case "USD":
		if ids.RoutingNumber == nil || !checkdigit.ValidABARouting(*ids.RoutingNumber) {
			t.Errorf("USD account %s: routing number %s fails the ABA check", a.ID, ptr(ids.RoutingNumber))
		}
		if ids.AccountNumber == nil || len(*ids.AccountNumber) != 12 {
			t.Errorf("USD account %s: account number %s", a.ID, ptr(ids.AccountNumber))
		}
		wantNull("iban", ids.IBAN)
		wantNull("bic", ids.BIC)
		wantNull("sort_code", ids.SortCode)
	default:
		t.Errorf("account %s in %s", a.ID, a.Currency)
	}
	if a.Currency != "BRL" && len(a.PixKeys) != 0 {
		t.Errorf("%s account %s has Pix keys %v", a.Currency, a.ID, a.PixKeys)
	}
	if a.PixKeys == nil {
		t.Errorf("account %s: pix_keys is null, want []", a.ID)
	}
}

func TestSeededAccounts(t *testing.T) {
	t.Parallel()
	srv := startBank(t)
	c := srv.Client(simtest.NewKey("seeded"))
	all := accounts(t, c)
	if len(all) != 9 {
		t.Errorf("%d seeded accounts, want 9", len(all))
	}
	currencies := map[string]int{}
	for _, a := range all {
		currencies[a.Currency]++
	}
	for _, cur := range bank.AccountCurrencies {
		if currencies[cur] == 0 {
			t.Errorf("no seeded %s account (have %v)", cur, currencies)
		}
	}
	for i := 1; i < len(all); i++ {
		if all[i].CreatedAt.After(all[i-1].CreatedAt) {
			t.Errorf("accounts not newest first: %s (%s) after %s (%s)", all[i].ID, all[i].CreatedAt, all[i-1].ID, all[i-1].CreatedAt)
		}
	}
	for _, a := range all {
		t.Run(a.Currency+"_"+a.ID, func(t *testing.T) {
			if !accountIDPattern.MatchString(a.ID) || a.Object != "account" || a.Status != "active" {
				t.Errorf("account %+v", a)
			}
			var cust customerJSON
			expectOK(t, c.Get("/v1/customers/"+a.CustomerID), &cust)
			if want := map[string]string{"individual": "checking", "company": "business"}[cust.Type]; a.Kind != want {
				t.Errorf("%s customer's account is %s, want %s", cust.Type, a.Kind, want)
			}
			checkIdentifiers(t, a)
			if a.Currency == "BRL" {
				taxKey := bank.NormalizeTaxID(cust.TaxID.Value)
				typ := map[string]string{"br_cpf": "cpf", "br_cnpj": "cnpj"}[cust.TaxID.Type]
				if a.pixKey(typ) != taxKey || a.pixKey("email") != cust.Email {
					t.Errorf("Pix keys %v, want the customer's %s %s and e-mail %s", a.PixKeys, typ, taxKey, cust.Email)
				}
			}

			var got accountJSON
			r := c.Get("/v1/accounts/" + a.ID)
			expectOK(t, r, &got)
			if got.ID != a.ID || got.Currency != a.Currency || got.Identifiers.IBAN != nil && *got.Identifiers.IBAN != *a.Identifiers.IBAN {
				t.Errorf("GET gives %+v, the list %+v", got, a)
			}

			b := balances(t, c, a.ID)
			if b.Booked.Currency != a.Currency || b.Pending.Amount != 0 || b.Available.Amount != b.Booked.Amount || b.CreditLine.Amount != 0 || !b.AsOf.Equal(clockStart) {
				t.Errorf("seeded balances %+v", b)
			}
			if b.Booked.Amount <= 0 {
				t.Errorf("seeded account with booked balance %d", b.Booked.Amount)
			}
			lines := transactions(t, c, a.ID, "", 100)
			if len(lines) < 10 {
				t.Errorf("only %d seeded lines", len(lines))
			}
			checkRunningBalances(t, lines, b.Booked.Amount)
			for _, l := range lines {
				if *l.RunningBalance < 0 {
					t.Errorf("seeded line %s leaves the account at %d", l.ID, *l.RunningBalance)
				}
				if l.Source == nil || l.Source.Type != "seed" || !l.CreatedAt.Before(clockStart) {
					t.Errorf("seeded line %s: source %+v, created %s", l.ID, l.Source, l.CreatedAt)
				}
			}
		})
	}
	verifyLedger(t, srv, c)
}

func TestCreateAccount(t *testing.T) {
	t.Parallel()
	srv := startBank(t)
	names := map[string]string{"BRL": "Conta Corrente", "EUR": "Girokonto", "GBP": "Current Account", "USD": "Checking"}
	for _, cur := range bank.AccountCurrencies {
		t.Run("individual "+cur, func(t *testing.T) {
			c := srv.Client(simtest.NewKey("accnew"))
			cust := verifiedCustomer(t, c, "individual")
			at := now(t, c)
			r := c.Post("/v1/accounts", map[string]any{"customer_id": cust.ID, "currency": cur})
			var a accountJSON
			expectCreated(t, r, "/v1/accounts/", &a)
			switch {
			case !accountIDPattern.MatchString(a.ID):
				t.Errorf("id %q", a.ID)
			case a.Object != "account" || a.CustomerID != cust.ID || a.Currency != cur || a.Status != "active":
				t.Errorf("account %+v", a)
			case a.Kind != "checking":
				t.Errorf("kind %q, want checking by default", a.Kind)
			case a.Name != names[cur]:
				t.Errorf("name %q, want %q", a.Name, names[cur])
			case !a.CreatedAt.Equal(at):
				t.Errorf("created_at %s, want %s", a.CreatedAt, at)
			case a.Metadata == nil || len(a.Metadata) != 0:
				t.Errorf("metadata %v, want {}", a.Metadata)
			}
			checkIdentifiers(t, a)
			if cur == "BRL" && (len(a.PixKeys) != 1 || a.PixKeys[0].Type != "evp") {
				t.Errorf("new BRL account Pix keys %v, want one random key", a.PixKeys)
			}
			expectJournal(t, c, r, "createAccount", a.ID, "")

			b := balances(t, c, a.ID)
			for name, m := range map[string]moneyJSON{"booked": b.Booked, "available": b.Available, "pending": b.Pending, "credit_line": b.CreditLine} {
				if m.Amount != 0 || m.Currency != cur {
					t.Errorf("new account %s: %+v, want 0 %s", name, m, cur)
				}
			}
			var page listPage[transactionJSON]
			expectOK(t, c.Get("/v1/accounts/"+a.ID+"/transactions"), &page)
			if len(page.Data) != 0 || page.HasMore || page.NextCursor != nil {
				t.Errorf("new account statement %+v", page)
			}
			var got accountJSON
			expectOK(t, c.Get("/v1/accounts/"+a.ID), &got)
			if got.ID != a.ID || got.Name != a.Name || got.CreatedAt != a.CreatedAt {
				t.Errorf("GET %+v, created %+v", got, a)
			}
			verifyLedger(t, srv, c)
		})
	}

	t.Run("kinds", func(t *testing.T) {
		c := srv.Client(simtest.NewKey("acckind"))
		person := verifiedCustomer(t, c, "individual")
		company := verifiedCustomer(t, c, "company")
		cases := []struct {
			customer, kind, want string
		}{
			{company.ID, "", "business"},
			{company.ID, "checking", "checking"},
			{company.ID, "savings", "savings"},
			{person.ID, "savings", "savings"},
			{person.ID, "checking", "checking"},
		}
		for _, tc := range cases {
			body := map[string]any{"customer_id": tc.customer, "currency": "BRL"}
			if tc.kind != "" {
				body["kind"] = tc.kind
			}
			a := openAccount(t, c, body)
			if a.Kind != tc.want {
				t.Errorf("kind %q for %v, want %q", a.Kind, body, tc.want)
			}
			checkIdentifiers(t, a)
		}
		v := expectViolation(t, c.Post("/v1/accounts", map[string]any{"customer_id": person.ID, "currency": "EUR", "kind": "business"}), "invalid_kind", "/kind")
		if !strings.Contains(v.Detail, "compan") {
			t.Errorf("detail %q does not say business accounts are for companies", v.Detail)
		}
	})
	t.Run("name and metadata", func(t *testing.T) {
		c := srv.Client(simtest.NewKey("accname"))
		cust := verifiedCustomer(t, c, "individual")
		a := openAccount(t, c, map[string]any{"customer_id": cust.ID, "currency": "GBP", "name": "Holiday pot", "metadata": map[string]any{"ref": "42"}})
		if a.Name != "Holiday pot" || a.Metadata["ref"] != "42" {
			t.Errorf("name %q, metadata %v", a.Name, a.Metadata)
		}
	})
	t.Run("pending customer may open an account", func(t *testing.T) {
		c := srv.Client(simtest.NewKey("accpending"))
		cust := createCustomer(t, c, individualBody("111.444.777-35"))
		a := openAccount(t, c, map[string]any{"customer_id": cust.ID, "currency": "BRL"})
		if a.CustomerID != cust.ID {
			t.Errorf("customer %s", a.CustomerID)
		}
	})
	t.Run("customer not verified", func(t *testing.T) {
		for _, cpf := range []string{"529.982.247-25", "987.654.321-00"} {
			c := srv.Client(simtest.NewKey("accunverified"))
			cust := createCustomer(t, c, individualBody(cpf))
			advance(t, c, "30s")
			r := c.Post("/v1/accounts", map[string]any{"customer_id": cust.ID, "currency": "BRL"})
			v := expectViolation(t, r, "customer_not_verified", "/customer_id")
			if !containsAll(v.Detail, cust.ID) {
				t.Errorf("detail %q does not name the customer", v.Detail)
			}
			expectJournal(t, c, r, "createAccount", "", "customer_not_verified")
			if n := len(accounts(t, c)); n != 9 {
				t.Errorf("%d accounts after a refused opening, want the 9 seeded", n)
			}
		}
	})
	t.Run("invalid requests", func(t *testing.T) {
		c := srv.Client(simtest.NewKey("accbad"))
		cust := verifiedCustomer(t, c, "individual")
		other := srv.Client(simtest.NewKey("accother"))
		foreign := verifiedCustomer(t, other, "individual")
		cases := []struct {
			name    string
			body    any
			code    string
			pointer string
		}{
			{"unknown customer", map[string]any{"customer_id": "cus_0000000000000000", "currency": "BRL"}, "resource_missing", "/customer_id"},
			{"another tenant's customer", map[string]any{"customer_id": foreign.ID, "currency": "BRL"}, "resource_missing", "/customer_id"},
			{"malformed customer id", map[string]any{"customer_id": "acc_123", "currency": "BRL"}, "validation_failed", "/customer_id"},
			{"missing customer", map[string]any{"currency": "BRL"}, "validation_failed", "/customer_id"},
			{"missing currency", map[string]any{"customer_id": cust.ID}, "validation_failed", "/currency"},
			{"currency not held", map[string]any{"customer_id": cust.ID, "currency": "JPY"}, "validation_failed", "/currency"},
			{"currency lower case", map[string]any{"customer_id": cust.ID, "currency": "brl"}, "validation_failed", "/currency"},
			{"kind not in enum", map[string]any{"customer_id": cust.ID, "currency": "BRL", "kind": "investment"}, "validation_failed", "/kind"},
			{"empty name", map[string]any{"customer_id": cust.ID, "currency": "BRL", "name": ""}, "validation_failed", "/name"},
			{"unknown field", map[string]any{"customer_id": cust.ID, "currency": "BRL", "overdraft": 1000}, "validation_failed", "/overdraft"},
			{"metadata key too long", map[string]any{"customer_id": cust.ID, "currency": "BRL", "metadata": map[string]any{strings.Repeat("k", 41): "v"}}, "invalid_metadata", "/metadata/" + strings.Repeat("k", 41)},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				expectViolation(t, c.Post("/v1/accounts", tc.body), tc.code, tc.pointer)
			})
		}
	})
}

func TestGetAndListAccounts(t *testing.T) {
	t.Parallel()
	srv := startBank(t)
	c := srv.Client(simtest.NewKey("acclist"))
	cust := verifiedCustomer(t, c, "individual")
	var mine []accountJSON
	for _, cur := range []string{"EUR", "BRL", "EUR"} {
		mine = append(mine, openAccount(t, c, map[string]any{"customer_id": cust.ID, "currency": cur}))
	}

	t.Run("unknown and malformed ids", func(t *testing.T) {
		for _, path := range []string{"/v1/accounts/acc_0000000000000000", "/v1/accounts/acc_0000000000000000/balances", "/v1/accounts/acc_0000000000000000/transactions"} {
			p := expectProblem(t, c.Get(path), http.StatusNotFound, "resource_missing")
			if !strings.Contains(p.Detail, "acc_0000000000000000") {
				t.Errorf("%s: detail %q", path, p.Detail)
			}
		}
		for _, path := range []string{"/v1/accounts/cus_123", "/v1/accounts/acc_!/balances", "/v1/accounts/12/transactions"} {
			expectViolation(t, c.Get(path), "validation_failed", "id")
		}
		other := srv.Client(simtest.NewKey("accother"))
		expectProblem(t, other.Get("/v1/accounts/"+mine[0].ID), http.StatusNotFound, "resource_missing")
		expectProblem(t, other.Get("/v1/accounts/"+mine[0].ID+"/balances"), http.StatusNotFound, "resource_missing")
	})
	t.Run("filter by customer", func(t *testing.T) {
		var p listPage[accountJSON]
		expectOK(t, c.Get("/v1/accounts?customer_id="+cust.ID), &p)
		want := []string{mine[2].ID, mine[1].ID, mine[0].ID}
		if got := ids(p.Data, func(a accountJSON) string { return a.ID }); !slices.Equal(got, want) {
			t.Errorf("customer's accounts %v, want %v (newest first)", got, want)
		}
		expectOK(t, c.Get("/v1/accounts?customer_id=cus_0000000000000000"), &p)
		if len(p.Data) != 0 {
			t.Errorf("unknown customer has %d accounts", len(p.Data))
		}
		expectViolation(t, c.Get("/v1/accounts?customer_id=nope"), "validation_failed", "customer_id")
	})
	t.Run("filter by currency", func(t *testing.T) {
		all := accounts(t, c)
		for _, cur := range bank.AccountCurrencies {
			got := walk[accountJSON](t, c, "/v1/accounts", "currency="+cur, 1, nil)
			var want []string
			for _, a := range all {
				if a.Currency == cur {
					want = append(want, a.ID)
				}
			}
			if g := ids(got, func(a accountJSON) string { return a.ID }); !slices.Equal(g, want) {
				t.Errorf("currency=%s: %v, want %v", cur, g, want)
			}
		}
		var p listPage[accountJSON]
		expectOK(t, c.Get("/v1/accounts?currency=EUR&customer_id="+cust.ID), &p)
		if len(p.Data) != 2 {
			t.Errorf("EUR accounts of the customer: %d, want 2", len(p.Data))
		}
		expectOK(t, c.Get("/v1/accounts?currency=JPY"), &p) // an ISO 4217 code no account holds
		if len(p.Data) != 0 {
			t.Errorf("JPY accounts: %d", len(p.Data))
		}
		expectViolation(t, c.Get("/v1/accounts?currency=XYZ"), "validation_failed", "currency")
	})
	t.Run("pagination", func(t *testing.T) {
		all := accounts(t, c)
		if len(all) != 12 {
			t.Fatalf("%d accounts, want 9 seeded and 3 opened", len(all))
		}
		walked := walk[accountJSON](t, c, "/v1/accounts", "", 5, nil)
		if g, w := ids(walked, func(a accountJSON) string { return a.ID }), ids(all, func(a accountJSON) string { return a.ID }); !slices.Equal(g, w) {
			t.Errorf("walk %v, one page %v", g, w)
		}
		var p listPage[customerJSON]
		expectOK(t, c.Get("/v1/customers?limit=1"), &p)
		expectViolation(t, c.Get("/v1/accounts?cursor="+*p.NextCursor), "invalid_cursor", "cursor")
		expectViolation(t, c.Get("/v1/accounts?limit=0"), "validation_failed", "limit")
		expectViolation(t, c.Get("/v1/accounts?limit=101"), "validation_failed", "limit")
		expectViolation(t, c.Get("/v1/accounts?currencies=EUR"), "validation_failed", "currencies")
	})
}

func TestBalances(t *testing.T) {
	t.Parallel()
	srv := startBank(t)
	c := srv.Client(simtest.NewKey("balances"))
	a := freshAccount(t, c, "BRL", 0)

	b := balances(t, c, a.ID)
	if b.Booked.Amount != 0 || b.Available.Amount != 0 || b.Pending.Amount != 0 {
		t.Fatalf("new account %+v", b)
	}

	line := inbound(t, c, a.ID, "BRL", 12345)
	b = balances(t, c, a.ID)
	if b.Booked.Amount != 12345 || b.Available.Amount != 12345 || b.Pending.Amount != 0 {
		t.Errorf("after an inbound 12345: %+v", b)
	}
	if line.RunningBalance == nil || *line.RunningBalance != 12345 {
		t.Errorf("inbound line running balance %v", line.RunningBalance)
	}

	// A TED in flight reserves money: pending debit, less available.
	tr := createTransfer(t, c, tedBody(a.ID, 5000, "12345678"))
	if tr.Status != "ACSP" {
		t.Fatalf("TED status %s", tr.Status)
	}
	b = balances(t, c, a.ID)
	if b.Booked.Amount != 12345 || b.Pending.Amount != -5000 || b.Available.Amount != 7345 {
		t.Errorf("with a pending TED of 5000: %+v", b)
	}
	// Pending credits are not available until booked.
	inbound(t, c, a.ID, "BRL", 1000)
	b = balances(t, c, a.ID)
	if b.Booked.Amount != 13345 || b.Pending.Amount != -5000 || b.Available.Amount != 8345 {
		t.Errorf("after another inbound 1000: %+v", b)
	}

	clk := advance(t, c, "30m")
	b = balances(t, c, a.ID)
	if b.Booked.Amount != 8345 || b.Pending.Amount != 0 || b.Available.Amount != 8345 {
		t.Errorf("after the TED settled: %+v", b)
	}
	if !b.AsOf.Equal(clk.Now) {
		t.Errorf("as_of %s, clock %s", b.AsOf, clk.Now)
	}
	checkRunningBalances(t, transactions(t, c, a.ID, "", 100), b.Booked.Amount)
	verifyLedger(t, srv, c)
}

// tedBody is a valid TED from an account.
func tedBody(debtor string, amount int64, accountNumber string) map[string]any {
	return map[string]any{
		"rail": "ted", "debtor_account_id": debtor, "amount": amount, "currency": "BRL",
		"creditor": map[string]any{
			"bank_code": "341", "branch": "0001", "account_number": accountNumber, "account_digit": "5",
			"name": "Maria Silva", "tax_id": "111.444.777-35",
		},
	}
}

func TestTransactions(t *testing.T) {
	t.Parallel()
	srv := startBank(t)
	c := srv.Client(simtest.NewKey("statement"))
	acct := richestAccount(t, c, "BRL")
	// Some lines of every status: a pending TED, a canceled (voided) TED,
	// a settled Pix and an inbound credit.
	pending := createTransfer(t, c, tedBody(acct.ID, 700, "11112222"))
	canceled := createTransfer(t, c, tedBody(acct.ID, 800, "33334444"))
	expectOK(t, c.Post("/v1/transfers/"+canceled.ID+"/cancel", nil), nil)
	settled := createTransfer(t, c, map[string]any{"rail": "pix", "debtor_account_id": acct.ID, "amount": 900, "currency": "BRL", "creditor": map[string]any{"pix_key": "maria@example.com"}})
	advance(t, c, "2s")
	inbound(t, c, acct.ID, "BRL", 1500)

	all := transactions(t, c, acct.ID, "", 100)
	bal := balances(t, c, acct.ID)

	t.Run("lines", func(t *testing.T) {
		if len(all) < 20 {
			t.Fatalf("only %d lines", len(all))
		}
		for i, l := range all {
			if l.Object != "transaction" || l.AccountID != acct.ID || l.Currency != "BRL" {
				t.Errorf("line %+v", l)
			}
			if (l.Amount < 0) != (l.CreditDebit == "debit") || l.Amount == 0 {
				t.Errorf("line %s: amount %d is %s", l.ID, l.Amount, l.CreditDebit)
			}
			if l.Status == "booked" && l.ValueDate != l.BookedAt.Format(time.DateOnly) {
				t.Errorf("line %s: value_date %s, booked %s", l.ID, l.ValueDate, l.BookedAt)
			}
			if i > 0 && l.CreatedAt.After(all[i-1].CreatedAt) {
				t.Errorf("not newest first: %s (%s) after %s (%s)", l.ID, l.CreatedAt, all[i-1].ID, all[i-1].CreatedAt)
			}
		}
		checkRunningBalances(t, all, bal.Booked.Amount)
		if want := int64(-700); bal.Pending.Amount != want || bal.Available.Amount != bal.Booked.Amount+want {
			t.Errorf("balances %+v, want pending %d", bal, want)
		}
		statusOf := map[string]string{}
		for _, l := range all {
			if l.Source != nil {
				statusOf[l.Source.ID] = l.Status
			}
		}
		for id, want := range map[string]string{pending.ID: "pending", canceled.ID: "voided", settled.ID: "booked"} {
			if statusOf[id] != want {
				t.Errorf("line of %s is %q, want %s", id, statusOf[id], want)
			}
		}
	})
	t.Run("pagination walk collects every line once", func(t *testing.T) {
		for _, limit := range []int{2, 7, 100} {
			walked := transactions(t, c, acct.ID, "", limit)
			got := ids(walked, func(l transactionJSON) string { return l.ID })
			expectNoDuplicates(t, got)
			if want := ids(all, func(l transactionJSON) string { return l.ID }); !slices.Equal(got, want) {
				t.Errorf("limit %d: walk of %d lines differs from %d", limit, len(got), len(want))
			}
		}
	})

	// filtered is what a filter should return, computed from the whole statement.
	filtered := func(keep func(transactionJSON) bool) []string {
		var out []string
		for _, l := range all {
			if keep(l) {
				out = append(out, l.ID)
			}
		}
		return out
	}
	// The seeded history's most common line type.
	counts := map[string]int{}
	commonType := ""
	for _, l := range all {
		counts[l.Type]++
		if counts[l.Type] > counts[commonType] {
			commonType = l.Type
		}
	}
	day := func(s string) time.Time { d, _ := time.Parse(time.DateOnly, s); return d }
	instant := func(s string) time.Time { d, _ := time.Parse(time.RFC3339, s); return d }
	cases := []struct {
		name  string
		query string
		keep  func(transactionJSON) bool
	}{
		{"from a date", "from=2026-02-15", func(l transactionJSON) bool { return !l.CreatedAt.Before(day("2026-02-15")) }},
		{"to a date (exclusive)", "to=2026-01-10", func(l transactionJSON) bool { return l.CreatedAt.Before(day("2026-01-10")) }},
		{"from and to dates", "from=2026-01-01&to=2026-02-01", func(l transactionJSON) bool {
			return !l.CreatedAt.Before(day("2026-01-01")) && l.CreatedAt.Before(day("2026-02-01"))
		}},
		{"from a date-time", "from=2026-02-20T10:30:00Z", func(l transactionJSON) bool { return !l.CreatedAt.Before(instant("2026-02-20T10:30:00Z")) }},
		{"to a date-time with offset", "to=2026-02-20T07:30:00-03:00", func(l transactionJSON) bool { return l.CreatedAt.Before(instant("2026-02-20T10:30:00Z")) }},
		{"from now", "from=2026-03-02T12:00:00Z", func(l transactionJSON) bool { return !l.CreatedAt.Before(clockStart) }},
		{"empty range", "from=2026-02-01&to=2026-02-01", func(transactionJSON) bool { return false }},
		{"type " + commonType, "type=" + commonType, func(l transactionJSON) bool { return l.Type == commonType }},
		{"type pix", "type=pix", func(l transactionJSON) bool { return l.Type == "pix" }},
		{"type ted", "type=ted", func(l transactionJSON) bool { return l.Type == "ted" }},
		{"status booked", "status=booked", func(l transactionJSON) bool { return l.Status == "booked" }},
		{"status pending", "status=pending", func(l transactionJSON) bool { return l.Status == "pending" }},
		{"status voided", "status=voided", func(l transactionJSON) bool { return l.Status == "voided" }},
		{"type and status", "type=ted&status=pending", func(l transactionJSON) bool { return l.Type == "ted" && l.Status == "pending" }},
		{"everything", "from=2026-01-15&to=2026-03-01T00:00:00Z&status=booked&type=" + commonType, func(l transactionJSON) bool {
			return !l.CreatedAt.Before(day("2026-01-15")) && l.CreatedAt.Before(day("2026-03-01")) && l.Type == commonType && l.Status == "booked"
		}},
	}
	for _, tc := range cases {
		t.Run("filter "+tc.name, func(t *testing.T) {
			want := filtered(tc.keep)
			for _, limit := range []int{5, 100} {
				got := ids(transactions(t, c, acct.ID, tc.query, limit), func(l transactionJSON) string { return l.ID })
				if !slices.Equal(got, want) {
					t.Errorf("?%s (limit %d): %d lines, want %d", tc.query, limit, len(got), len(want))
				}
			}
		})
	}
	t.Run("filters select something", func(t *testing.T) {
		for _, q := range []string{"type=" + commonType, "from=2026-01-15&to=2026-03-01T00:00:00Z&status=booked&type=" + commonType, "status=pending", "status=voided", "from=2026-02-15", "to=2026-01-10"} {
			if len(transactions(t, c, acct.ID, q, 100)) == 0 {
				t.Errorf("?%s selects nothing: the seed data no longer exercises it", q)
			}
		}
	})
	t.Run("bad parameters", func(t *testing.T) {
		base := "/v1/accounts/" + acct.ID + "/transactions?"
		for _, tc := range []struct{ query, param string }{
			{"limit=0", "limit"},
			{"limit=101", "limit"},
			{"limit=-5", "limit"},
			{"limt=5", "limt"},
			{"from=yesterday", "from"},
			{"from=2026-02-30", "from"},
			{"to=2026-02-01T25:00:00Z", "to"},
			{"type=transfer", "type"},
			{"status=settled", "status"},
			{"cursor=" + "Y3VzOjE", "cursor"}, // a customers cursor
		} {
			code := "validation_failed"
			if tc.param == "cursor" {
				code = "invalid_cursor"
			}
			v := expectViolation(t, c.Get(base+tc.query), code, tc.param)
			if v.In != "query" {
				t.Errorf("?%s: in %q, want query", tc.query, v.In)
			}
		}
	})
	verifyLedger(t, srv, c)
}

// TestTransactionCursorAcrossInserts walks a statement while new lines
// arrive between pages: the walk returns exactly the lines that existed
// when it began.
func TestTransactionCursorAcrossInserts(t *testing.T) {
	t.Parallel()
	srv := startBank(t)
	c := srv.Client(simtest.NewKey("txnwalk"))
	acct := richestAccount(t, c, "EUR")
	snapshot := ids(transactions(t, c, acct.ID, "", 100), func(l transactionJSON) string { return l.ID })

	walked := walk[transactionJSON](t, c, "/v1/accounts/"+acct.ID+"/transactions", "", 6, func(page int) {
		inbound(t, c, acct.ID, "EUR", int64(100*page))
		createTransfer(t, c, map[string]any{
			"rail": "sepa", "debtor_account_id": acct.ID, "amount": 50, "currency": "EUR",
			"creditor": map[string]any{"iban": "DE89370400440532013000", "name": "Jonas Becker"},
		})
	})
	got := ids(walked, func(l transactionJSON) string { return l.ID })
	expectNoDuplicates(t, got)
	if !slices.Equal(got, snapshot) {
		t.Errorf("walk across inserts returned %d lines, the snapshot had %d", len(got), len(snapshot))
	}
	inserts := (len(snapshot)+5)/6 - 1 // one round between each two pages
	if inserts < 2 {
		t.Fatalf("only %d lines: the walk does not cross pages", len(snapshot))
	}
	if after := transactions(t, c, acct.ID, "", 100); len(after) != len(snapshot)+2*inserts {
		t.Errorf("%d lines after the walk, want %d", len(after), len(snapshot)+2*inserts)
	}
	verifyLedger(t, srv, c)
}
