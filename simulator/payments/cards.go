package payments

import (
	"strings"
	"time"

	"github.com/sandbank/sandbank/simulator/checkdigit"
	"github.com/sandbank/sandbank/simulator/domain"
)

// PaymentMethod is a tokenized card. The number is accepted once and never
// kept: only what a payment needs to behave like that card does.
type PaymentMethod struct {
	Seq        uint64
	ID         string
	Type       string // card
	Card       Card
	Billing    BillingDetails
	CustomerID string
	Status     string // active | detached
	Created    time.Time
	Metadata   map[string]string
	behavior   cardBehavior
}

// Card is what may be shown of a card.
type Card struct {
	Brand, Last4, BIN, Funding, Country, Fingerprint, HolderName string
	ExpMonth, ExpYear                                            int
}

// BillingDetails are the cardholder's contact details.
type BillingDetails struct{ Name, Email string }

// cardBehavior is how the issuer, the network and the risk engine treat a
// card: the reference's magic numbers and Adyen's magic holder names.
type cardBehavior struct {
	code          string // the error code of a decline (card_declined, expired_card, …)
	declineCode   string
	threeDS       bool
	risk          string // "", elevated, highest
	riskTimeout   bool   // the fraud check does not answer
	issuerTimeout bool   // the issuer does not answer: processing, then try_again_later
	pending       bool   // the issuer answers late: processing, then authorized
	dispute       bool   // a dispute opens a simulated day after capture
	refundFails   bool   // refunds fail asynchronously
	instant       bool   // funds are available at once
}

// magicCards are the test card numbers and what they do (reference/domain.md §3.2).
var magicCards = map[string]cardBehavior{
	"4000002760003184": {threeDS: true},
	"4000000000000002": {code: "card_declined", declineCode: "generic_decline"},
	"4000000000009995": {code: "card_declined", declineCode: "insufficient_funds"},
	"4000000000009987": {code: "card_declined", declineCode: "lost_card"},
	"4000000000009979": {code: "card_declined", declineCode: "stolen_card"},
	"4000000000000069": {code: "expired_card", declineCode: "expired_card"},
	"4000000000000127": {code: "incorrect_cvc", declineCode: "incorrect_cvc"},
	"4000000000000119": {code: "processing_error", declineCode: "processing_error"},
	"4000000000000259": {dispute: true},
	"4100000000000019": {risk: "highest"},
	"4000000000009235": {risk: "elevated"},
	"4000000000000077": {instant: true},
	"4000000000007718": {riskTimeout: true},
	"4000000000007726": {issuerTimeout: true},
	"4000000000007734": {refundFails: true},
}

// magicHolders are Adyen's test holder names (any card number).
var magicHolders = map[string]cardBehavior{
	"NOT_ENOUGH_BALANCE": {code: "card_declined", declineCode: "insufficient_funds"},
	"CARD_EXPIRED":       {code: "expired_card", declineCode: "expired_card"},
	"BLOCK_CARD":         {code: "card_declined", declineCode: "pickup_card"},
	"ISSUER_UNAVAILABLE": {code: "card_declined", declineCode: "issuer_not_available"},
	"PENDING":            {pending: true},
}

// declineMessages explain the decline codes.
var declineMessages = map[string]string{
	"generic_decline":       "The card was declined.",
	"insufficient_funds":    "The card has insufficient funds.",
	"lost_card":             "The card was declined: reported lost.",
	"stolen_card":           "The card was declined: reported stolen.",
	"expired_card":          "The card has expired.",
	"incorrect_cvc":         "The card's security code is incorrect.",
	"processing_error":      "An error occurred while processing the card. Try again.",
	"fraudulent":            "The payment was blocked as likely fraudulent.",
	"try_again_later":       "The card issuer could not be reached. Try again later.",
	"pickup_card":           "The card was declined: it cannot be used (reported lost or stolen).",
	"issuer_not_available":  "The card issuer could not be reached.",
	"authentication_failed": "3-D Secure authentication failed.",
	"do_not_honor":          "The card was declined by the issuer.",
}

// CardInput is a card as a client sends it to be tokenized.
type CardInput struct {
	Number            string
	ExpMonth, ExpYear int
	CVC, HolderName   string
}

// PaymentMethodInput is a tokenization request.
type PaymentMethodInput struct {
	Card       CardInput
	Billing    BillingDetails
	CustomerID string
	Metadata   map[string]string
}

// CreatePaymentMethod tokenizes a card. An impossible card (a number that
// fails the Luhn check) is declined as card networks do, with 402
// incorrect_number; a past expiry or a malformed CVC is invalid input.
func (p *Provider) CreatePaymentMethod(in PaymentMethodInput, field string) (*PaymentMethod, error) {
	if err := domain.CheckMetadata(in.Metadata); err != nil {
		return nil, err
	}
	if in.CustomerID != "" && p.Bank != nil {
		if _, err := p.Bank.Customer(in.CustomerID); err != nil {
			return nil, domain.MissingRef("customer", "/customer_id", in.CustomerID)
		}
	}
	pan := strings.NewReplacer(" ", "", "-", "").Replace(in.Card.Number)
	if len(pan) < 12 || len(pan) > 19 || !checkdigit.IsDigits(pan) {
		return nil, domain.InvalidField("invalid_number", field+"/number", "a card number has 12 to 19 digits")
	}
	if !checkdigit.ValidLuhn(pan) {
		return nil, &domain.Error{Kind: domain.Declined, Code: "incorrect_number", Field: field + "/number",
			Message: "The card number is incorrect (it fails the Luhn check).", Extra: map[string]any{"decline_code": "incorrect_number"}}
	}
	brand := brandOf(pan)
	now := p.Now()
	exp := time.Date(in.Card.ExpYear, time.Month(in.Card.ExpMonth)+1, 1, 0, 0, 0, 0, time.UTC)
	if in.Card.ExpMonth < 1 || in.Card.ExpMonth > 12 {
		return nil, domain.InvalidField("invalid_expiry_month", field+"/exp_month", "the expiry month is 1 to 12")
	}
	if !exp.After(now) {
		return nil, domain.InvalidField("invalid_expiry_year", field+"/exp_year", "the card expired in %02d/%d (the sandbox's date is %s)", in.Card.ExpMonth, in.Card.ExpYear, now.Format("2006-01-02"))
	}
	cvcLen := 3
	if brand == "amex" {
		cvcLen = 4
	}
	if in.Card.CVC != "" && (len(in.Card.CVC) != cvcLen || !checkdigit.IsDigits(in.Card.CVC)) {
		return nil, domain.InvalidField("invalid_cvc", field+"/cvc", "a %s security code has %d digits", brand, cvcLen)
	}
	behavior := magicCards[pan]
	holder := strings.TrimSpace(in.Card.HolderName)
	if hb, ok := magicHolders[strings.ToUpper(holder)]; ok && behavior == (cardBehavior{}) {
		behavior = hb
	}
	m := &PaymentMethod{
		Seq: p.nextSeq(), ID: p.newID("pm"), Type: "card", Billing: in.Billing, CustomerID: in.CustomerID,
		Status: "active", Created: now, Metadata: in.Metadata, behavior: behavior,
		Card: Card{
			Brand: brand, Last4: pan[len(pan)-4:], BIN: pan[:6], Funding: fundingOf(pan), Country: countryOf(brand, pan),
			Fingerprint: p.fingerprint(pan), HolderName: holder, ExpMonth: in.Card.ExpMonth, ExpYear: in.Card.ExpYear,
		},
	}
	p.methods = append(p.methods, m)
	p.methodByID[m.ID] = m
	p.Emit("payment_method.created", m)
	return m, nil
}

// brandOf reads the brand from the number's prefix (IIN ranges).
func brandOf(pan string) string {
	p2, p4, p6 := pan[:2], pan[:4], pan[:6]
	switch {
	case strings.HasPrefix(pan, "4011") || strings.HasPrefix(pan, "4312") || strings.HasPrefix(pan, "4389") || strings.HasPrefix(pan, "4514") ||
		strings.HasPrefix(pan, "4576") || strings.HasPrefix(pan, "5041") || strings.HasPrefix(pan, "5066") || strings.HasPrefix(pan, "5067") ||
		strings.HasPrefix(pan, "509") || strings.HasPrefix(pan, "6277") || strings.HasPrefix(pan, "6362") || strings.HasPrefix(pan, "6363") ||
		strings.HasPrefix(pan, "6504") || strings.HasPrefix(pan, "6505") || strings.HasPrefix(pan, "6516") || strings.HasPrefix(pan, "6550"):
		return "elo"
	case p6 == "606282" || p4 == "3841":
		return "hipercard"
	case pan[0] == '4':
		return "visa"
	case p2 >= "51" && p2 <= "55", p4 >= "2221" && p4 <= "2720":
		return "mastercard"
	case p2 == "34" || p2 == "37":
		return "amex"
	case p4 == "6011" || p2 == "65":
		return "discover"
	case p2 == "36" || p2 == "38" || (p2 == "30" && pan[2] <= '5'):
		return "diners"
	case p2 == "35":
		return "jcb"
	}
	return "unknown"
}

// fundingOf: Stripe's debit and prepaid test cards; credit otherwise.
func fundingOf(pan string) string {
	switch pan {
	case "4000056655665556", "5200828282828210":
		return "debit"
	case "5105105105105100":
		return "prepaid"
	}
	return "credit"
}

func countryOf(brand, pan string) string {
	switch {
	case brand == "elo" || brand == "hipercard":
		return "BR"
	case strings.HasPrefix(pan, "4000007600000002"):
		return "BR"
	}
	return "US"
}

// PaymentMethod returns a payment method by id.
func (p *Provider) PaymentMethod(id string) (*PaymentMethod, error) {
	if m, ok := p.methodByID[id]; ok {
		return m, nil
	}
	return nil, domain.NotFoundError("payment method", id)
}

// PaymentMethods lists payment methods, newest first.
func (p *Provider) PaymentMethods(customerID string, before uint64, limit int) domain.Page[*PaymentMethod] {
	return domain.Paginate(p.methods, func(m *PaymentMethod) uint64 { return m.Seq }, before, limit, func(m *PaymentMethod) bool {
		return customerID == "" || m.CustomerID == customerID
	})
}

// DetachPaymentMethod makes a payment method unusable for new payments.
func (p *Provider) DetachPaymentMethod(id string) (*PaymentMethod, error) {
	m, err := p.PaymentMethod(id)
	if err != nil {
		return nil, err
	}
	if m.Status == "detached" {
		return nil, domain.StateError("payment_method_detached", "payment method %s is already detached", m.ID)
	}
	m.Status = "detached"
	p.Emit("payment_method.detached", m)
	return m, nil
}
