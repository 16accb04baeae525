package bank

import (
	"strings"
	"time"

	"github.com/sandbank/sandbank/simulator/checkdigit"
)

// Customer is a person or company that holds accounts.
type Customer struct {
	Seq          uint64
	ID           string
	Type         string // individual | company
	Name         string
	Email        string
	Phone        string
	TaxID        TaxID
	BirthDate    string // YYYY-MM-DD, "" when unknown or a company
	Address      *Address
	Verification Verification
	CreatedAt    time.Time
	Metadata     map[string]string
}

// TaxID is a national identifier: br_cpf, br_cnpj, gb_nino, gb_crn,
// us_ssn, us_ein or de_tax_id.
type TaxID struct {
	Type, Value, Country string
}

// Address is a postal address.
type Address struct {
	Line1, Line2, City, State, PostalCode, Country string
}

// Verification is the state of a customer's identity check (KYC).
type Verification struct {
	Status        string // pending | verified | requires_input | rejected
	FailureReason string
}

// KYC magic CPFs (reference/domain.md).
const (
	KYCVerifiedCPF      = "11144477735"
	KYCRequiresInputCPF = "52998224725"
	KYCRejectedCPF      = "98765432100"
)

// KYCDelay is how long identity verification takes on the virtual clock.
const KYCDelay = 30 * time.Second

// CustomerInput is what a client sends to create a customer.
type CustomerInput struct {
	Type      string
	Name      string
	Email     string
	Phone     string
	TaxID     TaxID
	BirthDate string
	Address   *Address
	Metadata  map[string]string
}

// taxIDRules says which customer type and country each tax id belongs to
// and how to check it.
var taxIDRules = map[string]struct {
	country string
	types   string // which customer types may carry it
	valid   func(string) bool
	example string
}{
	"br_cpf":    {"BR", "individual", checkdigit.ValidCPF, "123.456.789-09"},
	"br_cnpj":   {"BR", "company", checkdigit.ValidCNPJ, "12.345.678/0001-95"},
	"gb_nino":   {"GB", "individual", checkdigit.ValidNINO, "AB123456C"},
	"gb_crn":    {"GB", "company", validCompanyNumber, "09446231"},
	"us_ssn":    {"US", "individual", checkdigit.ValidSSN, "123-45-6789"},
	"us_ein":    {"US", "company", checkdigit.ValidEIN, "12-3456789"},
	"de_tax_id": {"DE", "individual", checkdigit.ValidDETaxID, "65929970489"},
}

// validCompanyNumber checks a Companies House registration number: eight
// digits, or two letters (SC, NI, OC, …) and six digits.
func validCompanyNumber(s string) bool {
	if len(s) != 8 {
		return false
	}
	for i, c := range s {
		isDigit := c >= '0' && c <= '9'
		isUpper := c >= 'A' && c <= 'Z'
		if i < 2 && !isDigit && !isUpper {
			return false
		}
		if i >= 2 && !isDigit {
			return false
		}
	}
	return true
}

// NormalizeTaxID strips the punctuation people write CPFs, CNPJs, NINOs and
// SSNs with, and upper-cases letters.
func NormalizeTaxID(v string) string {
	var b strings.Builder
	for _, c := range strings.ToUpper(v) {
		if (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') {
			b.WriteRune(c)
		}
	}
	return b.String()
}

// CreateCustomer creates a customer whose verification completes later on
// the virtual clock.
func (b *Bank) CreateCustomer(in CustomerInput) (*Customer, error) {
	if err := checkMetadata(in.Metadata); err != nil {
		return nil, err
	}
	rule, ok := taxIDRules[in.TaxID.Type]
	if !ok {
		return nil, invalid("invalid_tax_id", "/tax_id/type", "unknown tax id type %q", in.TaxID.Type)
	}
	if !strings.Contains(rule.types, in.Type) {
		return nil, invalid("invalid_tax_id", "/tax_id/type", "a %s is for a %s customer, not an %s one", in.TaxID.Type, rule.types, in.Type)
	}
	value := in.TaxID.Value
	if in.TaxID.Type != "br_cpf" && in.TaxID.Type != "br_cnpj" {
		value = NormalizeTaxID(value)
	}
	if !rule.valid(value) {
		return nil, invalid("invalid_tax_id", "/tax_id/value", "%q is not a valid %s (for example %s)", in.TaxID.Value, in.TaxID.Type, rule.example)
	}
	if in.Address != nil && in.Address.Country == "BR" && in.Address.State == "" {
		return nil, invalid("invalid_address", "/address/state", "a Brazilian address needs its state (UF), for example SP")
	}
	if in.Type == "company" && in.BirthDate != "" {
		return nil, invalid("invalid_birth_date", "/birth_date", "a company has no birth date")
	}
	if in.BirthDate != "" {
		bd, err := time.Parse(time.DateOnly, in.BirthDate)
		if err != nil || !bd.Before(b.Now()) {
			return nil, invalid("invalid_birth_date", "/birth_date", "the birth date must be a past date")
		}
	}
	now := b.Now()
	c := &Customer{
		Seq:          b.nextSeq(),
		ID:           b.NewID("cus"),
		Type:         in.Type,
		Name:         in.Name,
		Email:        in.Email,
		Phone:        in.Phone,
		TaxID:        TaxID{Type: in.TaxID.Type, Value: in.TaxID.Value, Country: rule.country},
		BirthDate:    in.BirthDate,
		Address:      in.Address,
		Verification: Verification{Status: "pending"},
		CreatedAt:    now,
		Metadata:     in.Metadata,
	}
	b.addCustomer(c)
	b.Emit("customer.created", c)
	b.Clock.Schedule(now.Add(KYCDelay), "customer.verify", c.ID, func(time.Time) {
		c.Verification = kycOutcome(c.TaxID)
		b.Emit("customer.verification_updated", c)
	})
	return c, nil
}

func kycOutcome(id TaxID) Verification {
	if id.Type == "br_cpf" {
		switch NormalizeTaxID(id.Value) {
		case KYCRequiresInputCPF:
			return Verification{Status: "requires_input", FailureReason: "document_unreadable"}
		case KYCRejectedCPF:
			return Verification{Status: "rejected", FailureReason: "identity_mismatch"}
		}
	}
	return Verification{Status: "verified"}
}

func (b *Bank) addCustomer(c *Customer) {
	b.customers = append(b.customers, c)
	b.customerByID[c.ID] = c
}

// Customer returns a customer by id.
func (b *Bank) Customer(id string) (*Customer, error) {
	if c, ok := b.customerByID[id]; ok {
		return c, nil
	}
	return nil, notFound("customer", id)
}

// CustomerFilter narrows a customer list.
type CustomerFilter struct {
	Type, Email string
}

// Customers lists customers, newest first.
func (b *Bank) Customers(f CustomerFilter, before uint64, limit int) Page[*Customer] {
	return paginate(b.customers, func(c *Customer) uint64 { return c.Seq }, before, limit, func(c *Customer) bool {
		return (f.Type == "" || c.Type == f.Type) && (f.Email == "" || strings.EqualFold(c.Email, f.Email))
	})
}
