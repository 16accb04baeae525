package fakedata

import (
	"fmt"
	"sort"
	"time"

	"github.com/sandbank/sandbank/simulator/bank"
	"github.com/sandbank/sandbank/simulator/checkdigit"
)

// event is a candidate history entry. Debits that the balance cannot cover
// at their time are dropped, so statements never go negative; optional
// spending (card purchases, money to friends) is dropped already when it
// would eat into the account's reserve, as people keep money for the bills.
type event struct {
	at       time.Time
	amount   int64 // signed
	counter  string
	details  bank.Details
	optional bool
}

// history generates about HistoryDays of statement lines for an account.
func (g *generator) history(c *bank.Customer, a *bank.Account) {
	start := time.Date(g.now.Year(), g.now.Month(), g.now.Day(), 0, 0, 0, 0, time.UTC).AddDate(0, 0, -HistoryDays)
	var evs []event
	add := func(e event) {
		if e.at.Before(g.now) {
			evs = append(evs, e)
		}
	}
	company := c.Type == "company"
	opening := g.between(1500, 12000)
	if company {
		opening = g.between(25000, 150000)
	}
	if a.Currency == "USD" && c.Address != nil && c.Address.Country == "BR" {
		opening = g.between(300, 2500) // a Brazilian's dollar account: travel money
	}
	add(event{at: start.Add(8 * time.Hour), amount: opening, counter: "equity", details: bank.Details{
		Type: "opening_balance", Description: openingText[a.Currency], Category: "opening_balance",
	}})

	employer := g.employer(a.Currency)
	secondary := a.Currency == "USD" && c.Address != nil && c.Address.Country == "BR"
	for day := start; day.Before(g.now); day = day.AddDate(0, 0, 1) {
		switch {
		case secondary:
			g.travelDay(day, a, add)
		case company:
			g.companyDay(day, a, add)
		default:
			g.personDay(day, a, employer, add)
		}
	}
	sort.SliceStable(evs, func(i, j int) bool { return evs[i].at.Before(evs[j].at) })
	reserve := reserves[a.Currency]
	if company {
		reserve *= 10
	}
	var balance int64
	for _, e := range evs {
		floor := int64(0)
		if e.optional {
			floor = reserve
		}
		if e.amount < 0 && balance+e.amount < floor {
			continue
		}
		balance += e.amount
		g.seed.History = append(g.seed.History, bank.HistoryEntry{AccountID: a.ID, At: e.at, Amount: e.amount, Counter: e.counter, Details: e.details})
	}
}

// reserves is what an individual keeps for the month's bills (minor units).
var reserves = map[string]int64{"BRL": 300000, "EUR": 120000, "GBP": 100000, "USD": 150000}

var salaryRange = map[string][2]float64{"BRL": {4500, 18000}, "EUR": {2800, 5500}, "GBP": {2200, 5000}, "USD": {1800, 4200}}

var openingText = map[string]string{"BRL": "Saldo inicial", "EUR": "Anfangssaldo", "GBP": "Opening balance", "USD": "Opening balance"}

// at returns a time on day between the given hours.
func (g *generator) at(day time.Time, fromHour, toHour int) time.Time {
	return day.Add(time.Duration(g.fake.IntRange(fromHour*3600, toHour*3600-1)) * time.Second)
}

type employerInfo struct{ name, taxID string }

func (g *generator) employer(currency string) employerInfo {
	f := g.fake
	switch currency {
	case "BRL":
		cnpj, _ := checkdigit.NewCNPJ(f.DigitN(8) + "0001")
		return employerInfo{g.companyName("BR", g.pick(peopleNames["BR"].last)), checkdigit.FormatCNPJ(cnpj)}
	case "EUR":
		return employerInfo{g.companyName("DE", g.pick(peopleNames["DE"].last)), ""}
	case "GBP":
		return employerInfo{g.companyName("GB", g.pick(peopleNames["GB"].last)), ""}
	}
	return employerInfo{g.fake.Company() + " Inc", ""}
}

// personDay adds what an individual's account sees on one day.
func (g *generator) personDay(day time.Time, a *bank.Account, emp employerInfo, add func(event)) {
	f := g.fake
	cur := a.Currency
	dom := day.Day()
	rail := map[string]string{"BRL": "pix", "EUR": "sepa", "GBP": "fps", "USD": "ach"}[cur]
	switch {
	case cur == "BRL" && dom == 5, cur == "EUR" && dom == 28, cur == "GBP" && dom == 25, cur == "USD" && (dom == 1 || dom == 15):
		r := salaryRange[cur]
		salaryRail := map[string]string{"BRL": "clearing:ted", "EUR": "clearing:sepa", "GBP": "clearing:fps", "USD": "clearing:ach"}[cur]
		add(event{at: g.at(day, 6, 9), amount: g.between(r[0], r[1]), counter: salaryRail, details: bank.Details{
			Type: "salary", Description: salaryText[cur] + " " + emp.name, Category: "salary",
			Counterparty: &bank.Counterparty{Name: emp.name, TaxID: emp.taxID},
		}})
	}
	for _, bill := range monthlyBills[cur] {
		if dom != bill.day {
			continue
		}
		typ := bill.typ
		d := bank.Details{Type: typ, Description: bill.name, Category: bill.category, Counterparty: &bank.Counterparty{Name: bill.name}}
		if typ == "pix" {
			d.EndToEndID = g.foreignE2E(day)
			d.Counterparty.Name = g.pick(peopleNames["BR"].first) + " " + g.pick(peopleNames["BR"].last)
			d.Description = bill.name + " - " + d.Counterparty.Name
		}
		add(event{at: g.at(day, 8, 12), amount: -g.between(bill.lo, bill.hi), counter: "clearing:" + counterRail(typ), details: d})
	}
	if fee, ok := monthlyFees[cur]; ok && dom == 1 {
		add(event{at: g.at(day, 3, 5), amount: -fee.amount, counter: "fees", details: bank.Details{Type: "fee", Description: fee.text, Category: "bank_fees"}})
	}
	// Card purchases: none to three a day.
	for range f.IntN(4) {
		m := merchants[cur][f.IntN(len(merchants[cur]))]
		add(event{at: g.at(day, 7, 23), amount: -g.between(m.lo, m.hi), counter: "card", optional: true, details: bank.Details{
			Type: "card", Description: m.name, Category: m.category,
			Merchant: &bank.Merchant{Name: m.name, MCC: m.mcc, City: m.city, Country: countryOf[cur]},
		}})
	}
	// Now and then, money to or from a friend.
	if f.IntN(9) == 0 {
		friend := g.pick(peopleNames[countryOf[cur]].first) + " " + g.pick(peopleNames[countryOf[cur]].last)
		out := f.Bool()
		amount := g.between(15, 350)
		d := bank.Details{Type: rail, Counterparty: &bank.Counterparty{Name: friend}}
		if rail == "pix" {
			d.EndToEndID = g.foreignE2E(day)
		}
		if out {
			amount = -amount
			d.Category, d.Description = "transfer_out", transferText[cur][0]+" "+friend
		} else {
			d.Category, d.Description = "transfer_in", transferText[cur][1]+" "+friend
		}
		add(event{at: g.at(day, 9, 22), amount: amount, counter: "clearing:" + rail, optional: true, details: d})
	}
}

// companyDay adds a small business's receipts and payments for one day.
func (g *generator) companyDay(day time.Time, a *bank.Account, add func(event)) {
	f := g.fake
	cur := a.Currency
	rail := map[string]string{"BRL": "pix", "GBP": "fps", "EUR": "sepa", "USD": "ach"}[cur]
	if day.Weekday() != time.Sunday {
		for range 1 + f.IntN(5) {
			client := g.pick(peopleNames[countryOf[cur]].first) + " " + g.pick(peopleNames[countryOf[cur]].last)
			d := bank.Details{Type: rail, Category: "sales", Counterparty: &bank.Counterparty{Name: client}}
			switch {
			case cur == "BRL" && f.IntN(3) == 0:
				d.Type, d.Description = "boleto", fmt.Sprintf("Liquidação boleto %s", f.DigitN(8))
			case cur == "BRL":
				d.Description, d.EndToEndID = "Pix recebido de "+client, g.foreignE2E(day)
			default:
				d.Description = fmt.Sprintf("Invoice INV-%s %s", f.DigitN(4), client)
			}
			add(event{at: g.at(day, 8, 20), amount: g.between(60, 2800), counter: "clearing:" + counterRail(d.Type), details: d})
		}
	}
	if day.Weekday() == time.Wednesday {
		supplier := g.companyName(countryOf[cur], g.pick(peopleNames[countryOf[cur]].last))
		d := bank.Details{Type: rail, Category: "suppliers", Description: supplierText[cur] + " " + supplier, Counterparty: &bank.Counterparty{Name: supplier}}
		if rail == "pix" {
			d.EndToEndID = g.foreignE2E(day)
		}
		add(event{at: g.at(day, 10, 16), amount: -g.between(800, 9000), counter: "clearing:" + rail, optional: true, details: d})
	}
	if day.Day() == 5 {
		payRail := map[string]string{"BRL": "ted", "GBP": "fps", "EUR": "sepa", "USD": "ach"}[cur]
		add(event{at: g.at(day, 7, 9), amount: -g.between(12000, 45000), counter: "clearing:" + payRail, details: bank.Details{
			Type: payRail, Description: payrollText[cur], Category: "payroll",
		}})
	}
	if day.Day() == 20 {
		typ := map[string]string{"BRL": "boleto", "GBP": "fps", "EUR": "sepa", "USD": "ach"}[cur]
		add(event{at: g.at(day, 9, 12), amount: -g.between(900, 7500), counter: "clearing:" + counterRail(typ), details: bank.Details{
			Type: typ, Description: taxText[cur], Category: "taxes",
		}})
	}
	if day.Day() == 1 {
		add(event{at: g.at(day, 3, 5), amount: -businessFee[cur], counter: "fees", details: bank.Details{Type: "fee", Description: businessFeeText[cur], Category: "bank_fees"}})
	}
}

// travelDay adds the rare card use of a travel-money account.
func (g *generator) travelDay(day time.Time, a *bank.Account, add func(event)) {
	f := g.fake
	if f.IntN(7) == 0 {
		m := merchants["USD"][f.IntN(len(merchants["USD"]))]
		add(event{at: g.at(day, 9, 22), amount: -g.between(m.lo, m.hi), counter: "card", details: bank.Details{
			Type: "card", Description: m.name, Category: m.category,
			Merchant: &bank.Merchant{Name: m.name, MCC: m.mcc, City: m.city, Country: "US"},
		}})
	}
	if day.Day() == 10 && f.Bool() {
		add(event{at: g.at(day, 10, 15), amount: g.between(200, 1500), counter: "clearing:ach", details: bank.Details{
			Type: "ach", Description: "Currency exchange deposit", Category: "transfer_in",
		}})
	}
}

func counterRail(typ string) string {
	if typ == "boleto" {
		return "boleto"
	}
	return typ
}

// foreignE2E is a Pix end-to-end id issued by another participant.
func (g *generator) foreignE2E(day time.Time) string {
	f := g.fake
	return "E" + f.DigitN(8) + g.at(day, 8, 20).Format("200601021504") + f.Password(true, true, true, false, false, 11)
}
