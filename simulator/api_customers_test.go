package simulator_test

import (
	"encoding/base64"
	"fmt"
	"maps"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sandbank/sandbank/simulator/simtest"
)

var customerIDPattern = regexp.MustCompile(`^cus_[0-9A-Za-z]{16}$`)

func TestCreateCustomer(t *testing.T) {
	t.Parallel()
	srv := startBank(t)
	cases := []struct {
		name        string
		body        map[string]any
		wantType    string
		wantCountry string
		wantAddress bool
	}{
		{
			name:     "individual br_cpf formatted with address",
			body:     individualBody("111.444.777-35"),
			wantType: "individual", wantCountry: "BR", wantAddress: true,
		},
		{
			name: "individual br_cpf digits only without address",
			body: map[string]any{
				"type": "individual", "name": "Bruno Lima", "email": "bruno@example.com.br",
				"tax_id": map[string]any{"type": "br_cpf", "value": "12345678909"},
			},
			wantType: "individual", wantCountry: "BR",
		},
		{
			name: "company br_cnpj without address",
			body: map[string]any{
				"type": "company", "name": "Empresa Exemplo Ltda", "email": "finance@exemplo.com.br",
				"phone":  "+551133334444",
				"tax_id": map[string]any{"type": "br_cnpj", "value": "12.345.678/0001-95"},
			},
			wantType: "company", wantCountry: "BR",
		},
		{
			name: "individual gb_nino with address without state",
			body: map[string]any{
				"type": "individual", "name": "Oliver Smith", "email": "oliver@example.co.uk",
				"phone": "+447700900123", "birth_date": "1985-07-01",
				"tax_id":  map[string]any{"type": "gb_nino", "value": "AB 12 34 56 C"},
				"address": map[string]any{"line1": "10 Downing Street", "city": "London", "postal_code": "SW1A 2AA", "country": "GB"},
			},
			wantType: "individual", wantCountry: "GB", wantAddress: true,
		},
		{
			name: "individual us_ssn with address",
			body: map[string]any{
				"type": "individual", "name": "Jane Doe", "email": "jane.doe@example.com",
				"tax_id":  map[string]any{"type": "us_ssn", "value": "123-45-6789"},
				"address": map[string]any{"line1": "1 Main St", "line2": "Apt 4", "city": "Springfield", "state": "IL", "postal_code": "62701", "country": "US"},
			},
			wantType: "individual", wantCountry: "US", wantAddress: true,
		},
		{
			name: "individual de_tax_id",
			body: map[string]any{
				"type": "individual", "name": "Jonas Becker", "email": "jonas@example.de",
				"tax_id": map[string]any{"type": "de_tax_id", "value": "65929970489"},
			},
			wantType: "individual", wantCountry: "DE",
		},
		{
			name: "company gb_crn",
			body: map[string]any{
				"type": "company", "name": "Walker & Wilson Ltd", "email": "finance@walker.co.uk",
				"tax_id": map[string]any{"type": "gb_crn", "value": "SC123456"},
			},
			wantType: "company", wantCountry: "GB",
		},
		{
			name: "company us_ein",
			body: map[string]any{
				"type": "company", "name": "Acme Inc", "email": "ap@acme.example.com",
				"tax_id": map[string]any{"type": "us_ein", "value": "12-3456789"},
			},
			wantType: "company", wantCountry: "US",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := srv.Client(simtest.NewKey("cuscreate"))
			r := c.Post("/v1/customers", tc.body)
			var cust customerJSON
			expectCreated(t, r, "/v1/customers/", &cust)

			if !customerIDPattern.MatchString(cust.ID) {
				t.Errorf("id %q", cust.ID)
			}
			taxID := tc.body["tax_id"].(map[string]any)
			switch {
			case cust.Object != "customer":
				t.Errorf("object %q", cust.Object)
			case cust.Type != tc.wantType:
				t.Errorf("type %q, want %q", cust.Type, tc.wantType)
			case cust.Name != tc.body["name"] || cust.Email != tc.body["email"]:
				t.Errorf("name/email %q %q, sent %v %v", cust.Name, cust.Email, tc.body["name"], tc.body["email"])
			case cust.TaxID.Type != taxID["type"] || cust.TaxID.Value != taxID["value"] || cust.TaxID.Country != tc.wantCountry:
				t.Errorf("tax_id %+v, sent %v (country %s)", cust.TaxID, taxID, tc.wantCountry)
			case cust.Verification.Status != "pending" || cust.Verification.FailureReason != nil:
				t.Errorf("verification %+v, want pending with no failure reason", cust.Verification)
			case !cust.CreatedAt.Equal(clockStart):
				t.Errorf("created_at %s, want the virtual clock %s", cust.CreatedAt, clockStart)
			}
			if phone, ok := tc.body["phone"]; ok != (cust.Phone != nil) || (ok && *cust.Phone != phone) {
				t.Errorf("phone %s, sent %v", ptr(cust.Phone), phone)
			}
			if bd, ok := tc.body["birth_date"]; ok != (cust.BirthDate != nil) || (ok && *cust.BirthDate != bd) {
				t.Errorf("birth_date %s, sent %v", ptr(cust.BirthDate), bd)
			}
			if wantMeta, _ := tc.body["metadata"].(map[string]any); len(wantMeta) != len(cust.Metadata) {
				t.Errorf("metadata %v, sent %v", cust.Metadata, wantMeta)
			} else if cust.Metadata == nil {
				t.Errorf("metadata is null, want {}")
			}
			if tc.wantAddress != (cust.Address != nil) {
				t.Fatalf("address %+v, want present=%v", cust.Address, tc.wantAddress)
			}
			if a := cust.Address; a != nil {
				sent := tc.body["address"].(map[string]any)
				if a.Line1 != sent["line1"] || a.City != sent["city"] || a.PostalCode != sent["postal_code"] || a.Country != sent["country"] {
					t.Errorf("address %+v, sent %v", a, sent)
				}
				if l2, ok := sent["line2"]; ok != (a.Line2 != nil) || (ok && *a.Line2 != l2) {
					t.Errorf("address line2 %s, sent %v", ptr(a.Line2), l2)
				}
				if st, ok := sent["state"]; ok != (a.State != nil) || (ok && *a.State != st) {
					t.Errorf("address state %s, sent %v", ptr(a.State), st)
				}
			}

			// GET returns the same representation.
			got := c.Get("/v1/customers/" + cust.ID)
			expectOK(t, got, nil)
			if string(got.Body) != string(r.Body) {
				t.Errorf("GET differs from the create response:\n%s\n%s", got.Body, r.Body)
			}
			expectJournal(t, c, r, "createCustomer", cust.ID, "")
			expectJournal(t, c, got, "getCustomer", cust.ID, "")
		})
	}
}

func TestCreateCustomerInvalid(t *testing.T) {
	t.Parallel()
	srv := startBank(t)
	// with returns the valid individual body changed by edit.
	with := func(edit func(b map[string]any)) map[string]any {
		b := individualBody("111.444.777-35")
		b["tax_id"] = maps.Clone(b["tax_id"].(map[string]any))
		b["address"] = maps.Clone(b["address"].(map[string]any))
		edit(b)
		return b
	}
	company := func(edit func(b map[string]any)) map[string]any {
		return with(func(b map[string]any) {
			b["type"] = "company"
			b["name"] = "Empresa Exemplo Ltda"
			b["tax_id"] = map[string]any{"type": "br_cnpj", "value": "12.345.678/0001-95"}
			delete(b, "birth_date")
			edit(b)
		})
	}
	const contract = "validation_failed"
	cases := []struct {
		name    string
		body    any
		code    string
		pointer string
	}{
		{"missing type", with(func(b map[string]any) { delete(b, "type") }), contract, "/type"},
		{"missing name", with(func(b map[string]any) { delete(b, "name") }), contract, "/name"},
		{"missing email", with(func(b map[string]any) { delete(b, "email") }), contract, "/email"},
		{"missing tax_id", with(func(b map[string]any) { delete(b, "tax_id") }), contract, "/tax_id"},
		{"missing tax_id value", with(func(b map[string]any) { delete(b["tax_id"].(map[string]any), "value") }), contract, "/tax_id/value"},
		{"missing tax_id type", with(func(b map[string]any) { delete(b["tax_id"].(map[string]any), "type") }), contract, "/tax_id/type"},
		{"missing address line1", with(func(b map[string]any) { delete(b["address"].(map[string]any), "line1") }), contract, "/address/line1"},
		{"missing address city", with(func(b map[string]any) { delete(b["address"].(map[string]any), "city") }), contract, "/address/city"},
		{"missing address postal_code", with(func(b map[string]any) { delete(b["address"].(map[string]any), "postal_code") }), contract, "/address/postal_code"},
		{"missing address country", with(func(b map[string]any) { delete(b["address"].(map[string]any), "country") }), contract, "/address/country"},
		{"type not in enum", with(func(b map[string]any) { b["type"] = "person" }), contract, "/type"},
		{"name is a number", with(func(b map[string]any) { b["name"] = 42 }), contract, "/name"},
		{"name is empty", with(func(b map[string]any) { b["name"] = "" }), contract, "/name"},
		{"email is a number", with(func(b map[string]any) { b["email"] = 7 }), contract, "/email"},
		{"phone is a number", with(func(b map[string]any) { b["phone"] = 5511987654321 }), contract, "/phone"},
		{"phone is null", with(func(b map[string]any) { b["phone"] = nil }), contract, "/phone"},
		{"tax_id is a string", with(func(b map[string]any) { b["tax_id"] = "111.444.777-35" }), contract, "/tax_id"},
		{"tax_id type not in enum", with(func(b map[string]any) { b["tax_id"].(map[string]any)["type"] = "fr_insee" }), contract, "/tax_id/type"},
		{"birth_date is a number", with(func(b map[string]any) { b["birth_date"] = 19900412 }), contract, "/birth_date"},
		{"birth_date not a date", with(func(b map[string]any) { b["birth_date"] = "1990-13-45" }), contract, "/birth_date"},
		{"address is a string", with(func(b map[string]any) { b["address"] = "Avenida Paulista" }), contract, "/address"},
		{"address country lower case", with(func(b map[string]any) { b["address"].(map[string]any)["country"] = "br" }), contract, "/address/country"},
		{"metadata value is a number", with(func(b map[string]any) { b["metadata"] = map[string]any{"crm_id": 8812} }), contract, "/metadata/crm_id"},
		{"unknown field", with(func(b map[string]any) { b["nickname"] = "Bia" }), contract, "/nickname"},
		{"unknown field in tax_id", with(func(b map[string]any) { b["tax_id"].(map[string]any)["country"] = "BR" }), contract, "/tax_id/country"},
		{"unknown field in address", with(func(b map[string]any) { b["address"].(map[string]any)["district"] = "Bela Vista" }), contract, "/address/district"},
		{"email without domain", with(func(b map[string]any) { b["email"] = "ana@" }), contract, "/email"},
		{"email without at", with(func(b map[string]any) { b["email"] = "ana.souza.example.com" }), contract, "/email"},
		{"email with display name", with(func(b map[string]any) { b["email"] = "Ana <ana@example.com>" }), contract, "/email"},
		{"phone without plus", with(func(b map[string]any) { b["phone"] = "11987654321" }), contract, "/phone"},
		{"phone too short", with(func(b map[string]any) { b["phone"] = "+12345" }), contract, "/phone"},
		{"phone with spaces", with(func(b map[string]any) { b["phone"] = "+55 11 98765 4321" }), contract, "/phone"},
		{"phone starting with zero", with(func(b map[string]any) { b["phone"] = "+05511987654321" }), contract, "/phone"},
		{"CPF with wrong check digits", with(func(b map[string]any) { b["tax_id"].(map[string]any)["value"] = "123.456.789-00" }), "invalid_tax_id", "/tax_id/value"},
		{"CPF of one repeated digit", with(func(b map[string]any) { b["tax_id"].(map[string]any)["value"] = "111.111.111-11" }), "invalid_tax_id", "/tax_id/value"},
		{"CPF too short", with(func(b map[string]any) { b["tax_id"].(map[string]any)["value"] = "1234567890" }), "invalid_tax_id", "/tax_id/value"},
		{"CNPJ with wrong check digits", company(func(b map[string]any) { b["tax_id"].(map[string]any)["value"] = "12.345.678/0001-96" }), "invalid_tax_id", "/tax_id/value"},
		{"NINO with a bad suffix", with(func(b map[string]any) {
			b["tax_id"] = map[string]any{"type": "gb_nino", "value": "AB123456E"}
		}), "invalid_tax_id", "/tax_id/value"},
		{"SSN with area 000", with(func(b map[string]any) {
			b["tax_id"] = map[string]any{"type": "us_ssn", "value": "000-12-3456"}
		}), "invalid_tax_id", "/tax_id/value"},
		{"German tax id with a wrong check digit", with(func(b map[string]any) {
			b["tax_id"] = map[string]any{"type": "de_tax_id", "value": "65929970488"}
		}), "invalid_tax_id", "/tax_id/value"},
		{"individual with a CNPJ", with(func(b map[string]any) {
			b["tax_id"] = map[string]any{"type": "br_cnpj", "value": "12.345.678/0001-95"}
		}), "invalid_tax_id", "/tax_id/type"},
		{"individual with an EIN", with(func(b map[string]any) {
			b["tax_id"] = map[string]any{"type": "us_ein", "value": "12-3456789"}
		}), "invalid_tax_id", "/tax_id/type"},
		{"company with a CPF", company(func(b map[string]any) {
			b["tax_id"] = map[string]any{"type": "br_cpf", "value": "111.444.777-35"}
		}), "invalid_tax_id", "/tax_id/type"},
		{"company with a NINO", company(func(b map[string]any) {
			b["tax_id"] = map[string]any{"type": "gb_nino", "value": "AB123456C"}
		}), "invalid_tax_id", "/tax_id/type"},
		{"BR address without state", with(func(b map[string]any) { delete(b["address"].(map[string]any), "state") }), "invalid_address", "/address/state"},
		{"BR address with null state", with(func(b map[string]any) { b["address"].(map[string]any)["state"] = nil }), "invalid_address", "/address/state"},
		{"company with birth_date", company(func(b map[string]any) { b["birth_date"] = "2001-01-01" }), "invalid_birth_date", "/birth_date"},
		{"future birth_date", with(func(b map[string]any) { b["birth_date"] = "2030-01-01" }), "invalid_birth_date", "/birth_date"},
		{"birth_date tomorrow", with(func(b map[string]any) { b["birth_date"] = "2026-03-03" }), "invalid_birth_date", "/birth_date"},
		{"metadata key over 40 characters", with(func(b map[string]any) {
			b["metadata"] = map[string]any{"crm_id": "1", strings.Repeat("k", 41): "v"}
		}), "invalid_metadata", "/metadata/" + strings.Repeat("k", 41)},
		{"metadata key empty", with(func(b map[string]any) { b["metadata"] = map[string]any{"": "v"} }), "invalid_metadata", "/metadata/"},
		{"metadata key with a slash", with(func(b map[string]any) {
			b["metadata"] = map[string]any{"a/" + strings.Repeat("x", 40): "v"}
		}), "invalid_metadata", "/metadata/a~1" + strings.Repeat("x", 40)},
		{"metadata with 21 keys", with(func(b map[string]any) {
			m := map[string]any{}
			for i := range 21 {
				m[fmt.Sprintf("k%d", i)] = "v"
			}
			b["metadata"] = m
		}), contract, "/metadata"},
		{"metadata value over 500 characters", with(func(b map[string]any) { b["metadata"] = map[string]any{"k": strings.Repeat("v", 501)} }), contract, "/metadata/k"},
		{"body is an array", "[]", contract, ""},
	}
	c := srv.Client(simtest.NewKey("cusbad"))
	var checks []journalCheck
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := c.Post("/v1/customers", tc.body)
			expectViolation(t, r, tc.code, tc.pointer)
			checks = append(checks, journalCheck{r, "createCustomer", "", tc.code})
		})
	}
	t.Run("journal and nothing created", func(t *testing.T) {
		expectJournalAll(t, c, checks)
		var page listPage[customerJSON]
		expectOK(t, c.Get("/v1/customers?limit=100"), &page)
		if len(page.Data) != 8 {
			t.Errorf("%d customers after only refused requests, want the 8 seeded", len(page.Data))
		}
		var clk clockJSON
		expectOK(t, c.Get("/v1/sandbox/clock"), &clk)
		if clk.PendingJobs != 0 {
			t.Errorf("refused requests scheduled %d KYC jobs", clk.PendingJobs)
		}
	})

	t.Run("every violation is listed", func(t *testing.T) {
		c := srv.Client(simtest.NewKey("cusbad"))
		r := c.Post("/v1/customers", with(func(b map[string]any) {
			delete(b, "name")
			b["email"] = "nope"
			b["phone"] = "123"
			b["extra"] = true
		}))
		p := expectProblem(t, r, http.StatusBadRequest, "validation_failed")
		got := p.Fields()
		slices.Sort(got)
		if want := []string{"/email", "/extra", "/name", "/phone"}; !slices.Equal(got, want) {
			t.Errorf("violations at %v, want %v; body: %s", got, want, r.Body)
		}
		if p.Detail != "4 problems in the request" {
			t.Errorf("detail %q", p.Detail)
		}
		for _, e := range p.Errors {
			if e.In != "body" {
				t.Errorf("violation %+v: in %q, want body", e, e.In)
			}
		}
	})
	t.Run("metadata at its limits is accepted", func(t *testing.T) {
		c := srv.Client(simtest.NewKey("cusmeta"))
		m := map[string]any{strings.Repeat("é", 40): strings.Repeat("v", 500)}
		for i := range 19 {
			m[fmt.Sprintf("key_%02d", i)] = "v"
		}
		cust := createCustomer(t, c, with(func(b map[string]any) { b["metadata"] = m }))
		if len(cust.Metadata) != 20 || cust.Metadata[strings.Repeat("é", 40)] != strings.Repeat("v", 500) {
			t.Errorf("metadata %d pairs", len(cust.Metadata))
		}
	})
	t.Run("tax id detail gives an example", func(t *testing.T) {
		c := srv.Client(simtest.NewKey("cusbad"))
		r := c.Post("/v1/customers", with(func(b map[string]any) { b["tax_id"].(map[string]any)["value"] = "123.456.789-00" }))
		v := expectViolation(t, r, "invalid_tax_id", "/tax_id/value")
		if !containsAll(v.Detail, "123.456.789-00", "br_cpf") {
			t.Errorf("detail %q does not name the value and its type", v.Detail)
		}
	})
	t.Run("malformed JSON", func(t *testing.T) {
		c := srv.Client(simtest.NewKey("cusbad"))
		p := expectProblem(t, c.Post("/v1/customers", `{"type": "individual",`), http.StatusBadRequest, "malformed_json")
		if p.Detail == "" {
			t.Error("no detail")
		}
	})
	t.Run("empty body", func(t *testing.T) {
		c := srv.Client(simtest.NewKey("cusbad"))
		expectProblem(t, c.Post("/v1/customers", ""), http.StatusBadRequest, "validation_failed")
	})
	t.Run("wrong content type", func(t *testing.T) {
		c := srv.Client(simtest.NewKey("cusbad"))
		r := c.Do(http.MethodPost, "/v1/customers", `type=individual`, "Content-Type", "application/x-www-form-urlencoded")
		expectProblem(t, r, http.StatusUnsupportedMediaType, "unsupported_media_type")
	})
}

func TestCustomerKYC(t *testing.T) {
	t.Parallel()
	srv := startBank(t)
	cases := []struct {
		name, cpf, want, reason string
	}{
		{"verified", "111.444.777-35", "verified", ""},
		{"any other CPF is verified", "123.456.789-09", "verified", ""},
		{"requires_input", "529.982.247-25", "requires_input", "document_unreadable"},
		{"requires_input digits only", "52998224725", "requires_input", "document_unreadable"},
		{"rejected", "987.654.321-00", "rejected", "identity_mismatch"},
		{"rejected digits only", "98765432100", "rejected", "identity_mismatch"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := srv.Client(simtest.NewKey("kyc"))
			cust := createCustomer(t, c, individualBody(tc.cpf))
			if cust.Verification.Status != "pending" {
				t.Fatalf("new customer is %s, want pending", cust.Verification.Status)
			}
			var clk clockJSON
			expectOK(t, c.Get("/v1/sandbox/clock"), &clk)
			if clk.PendingJobs != 1 || clk.NextJobAt == nil || !clk.NextJobAt.Equal(clockStart.Add(30*time.Second)) {
				t.Errorf("clock %+v, want one job due at +30s", clk)
			}

			adv := advance(t, c, "29s")
			if len(adv.Ran) != 0 {
				t.Errorf("jobs ran before 30 s: %+v", adv.Ran)
			}
			expectOK(t, c.Get("/v1/customers/"+cust.ID), &cust)
			if cust.Verification.Status != "pending" {
				t.Fatalf("after 29 s the customer is %s, want pending", cust.Verification.Status)
			}

			adv = advance(t, c, "1s")
			want := []ranJSON{{At: clockStart.Add(30 * time.Second), Job: "customer.verify", ResourceID: cust.ID}}
			if !slices.EqualFunc(adv.Ran, want, func(a, b ranJSON) bool { return a.At.Equal(b.At) && a.Job == b.Job && a.ResourceID == b.ResourceID }) {
				t.Errorf("ran %+v, want %+v", adv.Ran, want)
			}
			expectOK(t, c.Get("/v1/customers/"+cust.ID), &cust)
			if cust.Verification.Status != tc.want || deref(cust.Verification.FailureReason) != tc.reason {
				t.Errorf("verification %s (%s), want %s (%s)", cust.Verification.Status, ptr(cust.Verification.FailureReason), tc.want, tc.reason)
			}
			// The outcome is final.
			advance(t, c, "P1D")
			var later customerJSON
			expectOK(t, c.Get("/v1/customers/"+cust.ID), &later)
			if later.Verification.Status != cust.Verification.Status || deref(later.Verification.FailureReason) != deref(cust.Verification.FailureReason) {
				t.Errorf("verification changed later: %+v → %+v", cust.Verification, later.Verification)
			}
		})
	}
	t.Run("non-Brazilian customers are verified", func(t *testing.T) {
		c := srv.Client(simtest.NewKey("kyc"))
		cust := verifiedCustomer(t, c, "individual") // de_tax_id; fails unless verified
		if cust.TaxID.Type != "de_tax_id" {
			t.Fatalf("tax id %s", cust.TaxID.Type)
		}
	})
}

func TestGetCustomer(t *testing.T) {
	t.Parallel()
	srv := startBank(t)
	c := srv.Client(simtest.NewKey("cusget"))
	cust := createCustomer(t, c, individualBody("111.444.777-35"))

	t.Run("seeded customers are verified", func(t *testing.T) {
		var page listPage[customerJSON]
		expectOK(t, c.Get("/v1/customers?limit=100"), &page)
		if len(page.Data) != 9 {
			t.Fatalf("%d customers, want 8 seeded and 1 created", len(page.Data))
		}
		for _, s := range page.Data[1:] {
			if s.Verification.Status != "verified" || !s.CreatedAt.Before(clockStart) {
				t.Errorf("seeded customer %s: %s, created %s", s.ID, s.Verification.Status, s.CreatedAt)
			}
			var got customerJSON
			expectOK(t, c.Get("/v1/customers/"+s.ID), &got)
			if got.ID != s.ID || got.Name != s.Name || got.TaxID != s.TaxID {
				t.Errorf("GET %s gives %+v, list gave %+v", s.ID, got, s)
			}
		}
	})
	t.Run("unknown id", func(t *testing.T) {
		r := c.Get("/v1/customers/cus_0000000000000000")
		p := expectProblem(t, r, http.StatusNotFound, "resource_missing")
		if !containsAll(p.Detail, "cus_0000000000000000") || p.Instance != "/v1/customers/cus_0000000000000000" {
			t.Errorf("problem %+v does not name the id", p)
		}
		expectJournal(t, c, r, "getCustomer", "", "resource_missing")
	})
	t.Run("malformed ids", func(t *testing.T) {
		for _, id := range []string{"acc_2Hc9LpQ7xW3mZr8K", "cus_", "cus_abc-def", "12345", "cus_" + strings.Repeat("a", 65)} {
			expectViolation(t, c.Get("/v1/customers/"+id), "validation_failed", "id")
		}
	})
	t.Run("another tenant's customer", func(t *testing.T) {
		other := srv.Client(simtest.NewKey("cusother"))
		expectProblem(t, other.Get("/v1/customers/"+cust.ID), http.StatusNotFound, "resource_missing")
	})
	t.Run("no credentials", func(t *testing.T) {
		anon := srv.Client("")
		r := anon.Get("/v1/customers/" + cust.ID)
		r.ExpectProblem(t, http.StatusUnauthorized, "missing_credentials")
	})
}

func TestListCustomers(t *testing.T) {
	t.Parallel()
	srv := startBank(t)
	c := srv.Client(simtest.NewKey("cuslist"))
	var created []customerJSON
	for i, cpf := range []string{"111.444.777-35", "123.456.789-09", "529.982.247-25", "987.654.321-00", "12345678909"} {
		b := individualBody(cpf)
		b["email"] = fmt.Sprintf("person%d@example.com", i)
		created = append(created, createCustomer(t, c, b))
	}
	company := createCustomer(t, c, map[string]any{
		"type": "company", "name": "Empresa Exemplo Ltda", "email": "Finance@Exemplo.com.br",
		"tax_id": map[string]any{"type": "br_cnpj", "value": "12.345.678/0001-95"},
	})
	created = append(created, company)
	const total = 8 + 6

	t.Run("newest first, pages of 5", func(t *testing.T) {
		var p1 listPage[customerJSON]
		expectOK(t, c.Get("/v1/customers?limit=5"), &p1)
		if len(p1.Data) != 5 || !p1.HasMore || p1.NextCursor == nil {
			t.Fatalf("first page: %d items, has_more %v, next_cursor %v", len(p1.Data), p1.HasMore, p1.NextCursor)
		}
		for i, cust := range p1.Data {
			if want := created[len(created)-1-i].ID; cust.ID != want {
				t.Errorf("item %d is %s, want %s (newest first)", i, cust.ID, want)
			}
		}
		all := walk[customerJSON](t, c, "/v1/customers", "", 5, nil)
		if len(all) != total {
			t.Fatalf("walk found %d customers, want %d", len(all), total)
		}
		expectNoDuplicates(t, ids(all, func(c customerJSON) string { return c.ID }))
		for i := 1; i < len(all); i++ {
			if all[i].CreatedAt.After(all[i-1].CreatedAt) {
				t.Errorf("%s (created %s) listed after the older %s", all[i].ID, all[i].CreatedAt, all[i-1].ID)
			}
		}
		// The default page is 20, so everything fits and there is no cursor.
		var def listPage[customerJSON]
		expectOK(t, c.Get("/v1/customers"), &def)
		if len(def.Data) != total || def.HasMore || def.NextCursor != nil {
			t.Errorf("default page: %d items, has_more %v, next_cursor %v", len(def.Data), def.HasMore, def.NextCursor)
		}
		if got := ids(def.Data, func(c customerJSON) string { return c.ID }); !slices.Equal(got, ids(all, func(c customerJSON) string { return c.ID })) {
			t.Errorf("one page %v differs from the walk %v", got, ids(all, func(c customerJSON) string { return c.ID }))
		}
	})
	t.Run("exact fit has no next page", func(t *testing.T) {
		var p listPage[customerJSON]
		expectOK(t, c.Get(fmt.Sprintf("/v1/customers?limit=%d", total)), &p)
		if len(p.Data) != total || p.HasMore || p.NextCursor != nil {
			t.Errorf("limit=%d: %d items, has_more %v, next_cursor %v", total, len(p.Data), p.HasMore, p.NextCursor)
		}
		expectOK(t, c.Get(fmt.Sprintf("/v1/customers?limit=%d", total-1)), &p)
		if len(p.Data) != total-1 || !p.HasMore || p.NextCursor == nil {
			t.Errorf("limit=%d: %d items, has_more %v", total-1, len(p.Data), p.HasMore)
		}
		var last listPage[customerJSON]
		expectOK(t, c.Get("/v1/customers?limit=5&cursor="+*p.NextCursor), &last)
		if len(last.Data) != 1 || last.HasMore || last.NextCursor != nil {
			t.Errorf("last page: %d items, has_more %v, next_cursor %v", len(last.Data), last.HasMore, last.NextCursor)
		}
	})
	t.Run("filter by type", func(t *testing.T) {
		companies := walk[customerJSON](t, c, "/v1/customers", "type=company", 2, nil)
		if len(companies) != 3 { // two seeded (BR, GB) and one created
			t.Errorf("%d companies, want 3", len(companies))
		}
		if len(companies) > 0 && companies[0].ID != company.ID {
			t.Errorf("newest company is %s, want %s", companies[0].ID, company.ID)
		}
		for _, cust := range companies {
			if cust.Type != "company" {
				t.Errorf("type=company lists %s (%s)", cust.ID, cust.Type)
			}
		}
		individuals := walk[customerJSON](t, c, "/v1/customers", "type=individual", 4, nil)
		if len(individuals)+len(companies) != total {
			t.Errorf("%d individuals and %d companies, want %d in all", len(individuals), len(companies), total)
		}
		expectViolation(t, c.Get("/v1/customers?type=person"), "validation_failed", "type")
	})
	t.Run("filter by email", func(t *testing.T) {
		var p listPage[customerJSON]
		expectOK(t, c.Get("/v1/customers?email=person2@example.com"), &p)
		if len(p.Data) != 1 || p.Data[0].ID != created[2].ID {
			t.Errorf("email filter found %v, want %s", ids(p.Data, func(c customerJSON) string { return c.ID }), created[2].ID)
		}
		expectOK(t, c.Get("/v1/customers?email=finance@exemplo.com.br"), &p)
		if len(p.Data) != 1 || p.Data[0].ID != company.ID {
			t.Errorf("e-mail matching ignores case: found %d", len(p.Data))
		}
		expectOK(t, c.Get("/v1/customers?email=nobody@example.com"), &p)
		if len(p.Data) != 0 || p.HasMore || p.NextCursor != nil {
			t.Errorf("unknown e-mail: %+v", p)
		}
		expectOK(t, c.Get("/v1/customers?type=company&email=person2@example.com"), &p)
		if len(p.Data) != 0 {
			t.Errorf("type and email combine: found %d", len(p.Data))
		}
		expectViolation(t, c.Get("/v1/customers?email=not-an-email"), "validation_failed", "email")
	})
	t.Run("limit bounds", func(t *testing.T) {
		for _, l := range []string{"0", "101", "-1", "ten", "2.5"} {
			expectViolation(t, c.Get("/v1/customers?limit="+l), "validation_failed", "limit")
		}
		var p listPage[customerJSON]
		expectOK(t, c.Get("/v1/customers?limit=1"), &p)
		if len(p.Data) != 1 {
			t.Errorf("limit=1 gives %d", len(p.Data))
		}
		expectOK(t, c.Get("/v1/customers?limit=100"), &p)
		if len(p.Data) != total {
			t.Errorf("limit=100 gives %d", len(p.Data))
		}
	})
	t.Run("unknown query parameter", func(t *testing.T) {
		v := expectViolation(t, c.Get("/v1/customers?limt=5"), "validation_failed", "limt")
		if v.In != "query" {
			t.Errorf("in %q, want query", v.In)
		}
	})
	t.Run("cursors", func(t *testing.T) {
		cursorOf := func(raw string) string { return base64.RawURLEncoding.EncodeToString([]byte(raw)) }
		var accPage listPage[accountJSON]
		expectOK(t, c.Get("/v1/accounts?limit=1"), &accPage)
		if accPage.NextCursor == nil {
			t.Fatal("the accounts list has no second page")
		}
		var txnCursor string
		{
			var tx listPage[transactionJSON]
			expectOK(t, c.Get("/v1/accounts/"+accPage.Data[0].ID+"/transactions?limit=1"), &tx)
			txnCursor = *tx.NextCursor
		}
		for name, cur := range map[string]string{
			"garbage":                  "bm90YWN1cnNvcg",
			"not base64":               "____",
			"an accounts cursor":       *accPage.NextCursor,
			"a transactions cursor":    txnCursor,
			"a transfers cursor":       cursorOf("trf:5"),
			"sequence zero":            cursorOf("cus:0"),
			"negative sequence":        cursorOf("cus:-3"),
			"no sequence":              cursorOf("cus:"),
			"no kind":                  cursorOf("5"),
			"sequence is not a number": cursorOf("cus:abc"),
		} {
			t.Run(name, func(t *testing.T) {
				r := c.Get("/v1/customers?cursor=" + cur)
				v := expectViolation(t, r, "invalid_cursor", "cursor")
				if v.In != "query" {
					t.Errorf("in %q, want query", v.In)
				}
				expectJournal(t, c, r, "listCustomers", "", "invalid_cursor")
			})
		}
		// Cursors that break the contract's pattern are refused before.
		for _, cur := range []string{"abc%21", "a+b", "a=b"} {
			expectViolation(t, c.Get("/v1/customers?cursor="+cur), "validation_failed", "cursor")
		}
		// A cursor past every item gives an empty last page.
		var p listPage[customerJSON]
		expectOK(t, c.Get("/v1/customers?cursor="+cursorOf("cus:1")), &p)
		if len(p.Data) != 0 || p.HasMore || p.NextCursor != nil {
			t.Errorf("cursor before the first item: %+v", p)
		}
	})
}
