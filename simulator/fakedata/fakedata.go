// Package fakedata generates a tenant's starting bank: customers in Brazil,
// Germany, the United Kingdom and the United States with valid national
// identifiers, accounts in BRL, EUR, GBP and USD with valid account
// identifiers, and about 90 days of statement history (salaries, rent,
// bills, card purchases at real-looking merchants, Pix, TED, SEPA and
// Faster Payments, fees) whose running balances never go below zero. All
// randomness comes from the one seeded faker it is given, so the same seed
// gives the same bank.
package fakedata

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/brianvoe/gofakeit/v7"

	"github.com/sandbank/sandbank/simulator/bank"
	"github.com/sandbank/sandbank/simulator/checkdigit"
)

// HistoryDays is how far back the generated statements go.
const HistoryDays = 90

// profile is the shape of one seeded customer.
type profile struct {
	country    string
	company    bool
	currencies []string
}

// profiles are the customers every tenant starts with.
var profiles = []profile{
	{"BR", false, []string{"BRL", "USD"}},
	{"BR", false, []string{"BRL"}},
	{"BR", false, []string{"BRL"}},
	{"BR", true, []string{"BRL"}},
	{"DE", false, []string{"EUR"}},
	{"GB", false, []string{"GBP"}},
	{"GB", true, []string{"GBP"}},
	{"US", false, []string{"USD"}},
}

// Generate builds a tenant's seed data ending at now.
func Generate(fake *gofakeit.Faker, now time.Time) (*bank.SeedData, error) {
	g := &generator{fake: fake, now: now.UTC(), seed: &bank.SeedData{}}
	for _, p := range profiles {
		c, err := g.customer(p)
		if err != nil {
			return nil, err
		}
		for _, cur := range p.currencies {
			a, err := g.account(c, cur)
			if err != nil {
				return nil, err
			}
			g.history(c, a)
		}
	}
	sort.SliceStable(g.seed.History, func(i, j int) bool { return g.seed.History[i].At.Before(g.seed.History[j].At) })
	return g.seed, nil
}

type generator struct {
	fake *gofakeit.Faker
	now  time.Time
	seed *bank.SeedData
}

func (g *generator) pick(list []string) string { return list[g.fake.IntN(len(list))] }

// between draws an amount in minor units in [lo, hi] major units.
func (g *generator) between(lo, hi float64) int64 {
	return int64(g.fake.IntRange(int(lo*100), int(hi*100)))
}

func (g *generator) customer(p profile) (*bank.Customer, error) {
	f := g.fake
	names := peopleNames[p.country]
	first, last := g.pick(names.first), g.pick(names.last)
	if p.country == "US" {
		first, last = f.FirstName(), f.LastName()
	}
	c := &bank.Customer{
		ID:           bank.NewID(f, "cus"),
		Type:         "individual",
		Verification: bank.Verification{Status: "verified"},
		CreatedAt:    g.now.AddDate(0, 0, -HistoryDays-f.IntRange(30, 900)).Truncate(time.Second),
		Metadata:     map[string]string{},
	}
	c.Address = g.address(p.country)
	if p.company {
		c.Type = "company"
		c.Name = g.companyName(p.country, last)
		words := strings.Fields(c.Name)
		c.Email = "finance@" + slug(words[0]+words[1]) + ".example"
	} else {
		c.Name = first + " " + last
		if p.country == "BR" {
			c.Name = first + " " + g.pick(names.last) + " " + last
		}
		c.Email = slug(first) + "." + slug(last) + "@example." + emailTLD[p.country]
		c.BirthDate = g.now.AddDate(-f.IntRange(21, 70), -f.IntRange(0, 11), -f.IntRange(0, 27)).Format(time.DateOnly)
	}
	c.Phone = g.phone(p.country)
	id, err := g.taxID(p.country, p.company)
	if err != nil {
		return nil, err
	}
	c.TaxID = id
	g.seed.Customers = append(g.seed.Customers, c)
	return c, nil
}

// emailTLD picks one of the domains reserved for examples (RFC 2606), so
// no generated address can reach a real mailbox.
var emailTLD = map[string]string{"BR": "com", "DE": "org", "GB": "net", "US": "com"}

func (g *generator) taxID(country string, company bool) (bank.TaxID, error) {
	f := g.fake
	switch {
	case country == "BR" && !company:
		for {
			cpf, err := checkdigit.NewCPF(f.DigitN(9))
			if err == nil {
				return bank.TaxID{Type: "br_cpf", Value: checkdigit.FormatCPF(cpf), Country: "BR"}, nil
			}
		}
	case country == "BR":
		cnpj, err := checkdigit.NewCNPJ(f.DigitN(8) + "0001")
		if err != nil {
			return bank.TaxID{}, err
		}
		return bank.TaxID{Type: "br_cnpj", Value: checkdigit.FormatCNPJ(cnpj), Country: "BR"}, nil
	case country == "DE":
		for {
			base := fmt.Sprintf("%d", f.IntRange(1, 9)) + f.DigitN(9)
			d, err := checkdigit.DETaxIDCheckDigit(base)
			if err == nil && checkdigit.ValidDETaxID(fmt.Sprintf("%s%d", base, d)) {
				return bank.TaxID{Type: "de_tax_id", Value: fmt.Sprintf("%s%d", base, d), Country: "DE"}, nil
			}
		}
	case country == "GB" && !company:
		for {
			nino := f.Lexify("??") + f.DigitN(6) + g.pick([]string{"A", "B", "C", "D"})
			nino = strings.ToUpper(nino)
			if checkdigit.ValidNINO(nino) {
				return bank.TaxID{Type: "gb_nino", Value: nino, Country: "GB"}, nil
			}
		}
	case country == "GB":
		return bank.TaxID{Type: "gb_crn", Value: fmt.Sprintf("%08d", f.IntRange(1000000, 14999999)), Country: "GB"}, nil
	case country == "US" && !company:
		ssn := fmt.Sprintf("%03d-%02d-%04d", f.IntRange(1, 665), f.IntRange(1, 99), f.IntRange(1, 9999))
		return bank.TaxID{Type: "us_ssn", Value: ssn, Country: "US"}, nil
	default:
		return bank.TaxID{Type: "us_ein", Value: fmt.Sprintf("%02d-%07d", f.IntRange(10, 16), f.IntRange(0, 9999999)), Country: "US"}, nil
	}
}

func (g *generator) phone(country string) string {
	f := g.fake
	switch country {
	case "BR":
		return "+55" + g.pick([]string{"11", "21", "31", "41", "51", "61", "71", "81"}) + "9" + f.DigitN(8)
	case "DE":
		return "+4915" + f.DigitN(9)
	case "GB":
		return "+447" + f.DigitN(9)
	}
	return fmt.Sprintf("+1%d%s", f.IntRange(201, 989), f.DigitN(7))
}

func (g *generator) address(country string) *bank.Address {
	f := g.fake
	switch country {
	case "US":
		return &bank.Address{Line1: f.Street(), City: f.City(), State: f.StateAbr(), PostalCode: f.Zip(), Country: "US"}
	}
	places := cities[country]
	pl := places[g.fake.IntN(len(places))]
	a := &bank.Address{City: pl.city, State: pl.state, Country: country, PostalCode: f.Numerify(pl.postal)}
	street := g.pick(streets[country])
	number := f.IntRange(1, 1999)
	switch country {
	case "BR":
		a.Line1 = fmt.Sprintf("%s, %d", street, number)
		if f.Bool() {
			a.Line2 = fmt.Sprintf("Apto %d", f.IntRange(11, 184))
		}
	case "DE":
		a.Line1 = fmt.Sprintf("%s %d", street, number%200+1)
	case "GB":
		a.Line1 = fmt.Sprintf("%d %s", number%300+1, street)
		a.PostalCode = strings.ToUpper(f.Lexify(pl.postal))
		a.PostalCode = f.Numerify(a.PostalCode)
	}
	return a
}

func (g *generator) companyName(country, surname string) string {
	switch country {
	case "BR":
		return g.pick([]string{"Padaria", "Comércio", "Tecnologia", "Distribuidora", "Consultoria", "Transportes"}) + " " + surname + " Ltda"
	case "GB":
		return surname + " & " + g.pick(peopleNames["GB"].last) + " Ltd"
	case "DE":
		return surname + " " + g.pick([]string{"Handels", "Bau", "Software", "Logistik"}) + " GmbH"
	}
	return g.fake.Company() + " Inc"
}

func (g *generator) account(c *bank.Customer, currency string) (*bank.Account, error) {
	kind := "checking"
	if c.Type == "company" {
		kind = "business"
	}
	ids, err := bank.NewIdentifiers(g.fake, currency, kind)
	if err != nil {
		return nil, err
	}
	names := map[string]string{"BRL": "Conta Corrente", "EUR": "Girokonto", "GBP": "Current Account", "USD": "Checking"}
	if kind == "business" {
		names = map[string]string{"BRL": "Conta PJ", "GBP": "Business Current Account", "EUR": "Geschäftskonto", "USD": "Business Checking"}
	}
	a := &bank.Account{
		ID: bank.NewID(g.fake, "acc"), CustomerID: c.ID, Currency: currency, Kind: kind, Status: "active",
		Name: names[currency], Identifiers: ids, CreatedAt: c.CreatedAt, Metadata: map[string]string{},
	}
	if currency == "BRL" {
		switch c.TaxID.Type {
		case "br_cpf":
			a.PixKeys = append(a.PixKeys, bank.PixKey{Type: "cpf", Key: bank.NormalizeTaxID(c.TaxID.Value)})
		case "br_cnpj":
			a.PixKeys = append(a.PixKeys, bank.PixKey{Type: "cnpj", Key: bank.NormalizeTaxID(c.TaxID.Value)})
		}
		a.PixKeys = append(a.PixKeys, bank.PixKey{Type: "email", Key: c.Email}, bank.PixKey{Type: "evp", Key: g.fake.UUID()})
	}
	g.seed.Accounts = append(g.seed.Accounts, a)
	return a, nil
}

func slug(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if folded, ok := foldAccents[r]; ok {
			r = folded
		}
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
		}
	}
	return b.String()
}

var foldAccents = map[rune]rune{
	'á': 'a', 'à': 'a', 'â': 'a', 'ã': 'a', 'ä': 'a', 'é': 'e', 'ê': 'e', 'è': 'e', 'í': 'i', 'ó': 'o',
	'ô': 'o', 'õ': 'o', 'ö': 'o', 'ú': 'u', 'ü': 'u', 'ç': 'c', 'ß': 's',
}
