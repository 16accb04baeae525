package simulator

import (
	"errors"
	"net/http"
	"time"

	"github.com/sandbank/sandbank/openapi"
	"github.com/sandbank/sandbank/simulator/boletos"
	"github.com/sandbank/sandbank/simulator/domain"
	"github.com/sandbank/sandbank/simulator/events"
)

// The boleto operations: registration, retrieval, lookup by barcode or
// linha digitável, cancellation, and the sandbox payment. Each runs under
// its tenant's lock.

func init() {
	events.RegisterTypes("boleto.registered", "boleto.paid", "boleto.settled", "boleto.overdue", "boleto.written_off", "boleto.canceled")
	registerView(func(b *boletos.Boleto) (string, any) { return b.ID, viewBoleto(b, b.UpdatedAt) })
}

func (s *Server) boletoHandlers() map[string]handlerFunc {
	return map[string]handlerFunc{
		"createBoleto": s.createBoleto,
		"listBoletos":  s.listBoletos,
		"lookupBoleto": s.lookupBoleto,
		"getBoleto":    s.getBoleto,
		"cancelBoleto": s.cancelBoleto,
		"payBoleto":    s.payBoleto,
	}
}

// boletoAddress is a payer's address as sent and as shown.
type boletoAddress struct {
	Line1      string `json:"line1"`
	City       string `json:"city"`
	State      string `json:"state"`
	PostalCode string `json:"postal_code"`
}

func (s *Server) createBoleto(c *call) *response {
	var req struct {
		AccountID string `json:"account_id"`
		Amount    int64  `json:"amount"`
		Currency  string `json:"currency"`
		DueDate   string `json:"due_date"`
		Payer     struct {
			Name    string         `json:"name"`
			TaxID   string         `json:"tax_id"`
			Address *boletoAddress `json:"address"`
		} `json:"payer"`
		Description string `json:"description"`
		Fine        *struct {
			Percentage string `json:"percentage"`
		} `json:"fine"`
		Interest *struct {
			MonthlyPercentage string `json:"monthly_percentage"`
		} `json:"interest"`
		Discount *struct {
			Amount int64  `json:"amount"`
			Until  string `json:"until"`
		} `json:"discount"`
		Pix            bool              `json:"pix"`
		DaysToWriteOff *int              `json:"days_to_write_off"`
		Metadata       map[string]string `json:"metadata"`
	}
	if resp := c.decode(&req); resp != nil {
		return resp
	}
	in := boletos.Input{
		AccountID: req.AccountID, Amount: req.Amount, Currency: req.Currency, DueDate: req.DueDate,
		Payer:       boletos.PayerInput{Name: req.Payer.Name, TaxID: req.Payer.TaxID},
		Description: req.Description, Pix: req.Pix, DaysToWriteOff: req.DaysToWriteOff, Metadata: req.Metadata,
	}
	if a := req.Payer.Address; a != nil {
		addr := boletos.Address(*a)
		in.Payer.Address = &addr
	}
	if f := req.Fine; f != nil {
		in.Fine = &f.Percentage
	}
	if i := req.Interest; i != nil {
		in.Interest = &i.MonthlyPercentage
	}
	if d := req.Discount; d != nil {
		in.Discount = &boletos.DiscountInput{Amount: d.Amount, Until: d.Until}
	}
	b, err := c.tenant.boletos.Register(in)
	if err != nil {
		return c.boletoError(err, "body")
	}
	c.resourceID = b.ID
	return c.created("/v1/boletos/"+b.ID, viewBoleto(b, c.tenant.clock.Now()))
}

func (s *Server) getBoleto(c *call) *response {
	b, err := c.tenant.boletos.Get(c.params["id"])
	if err != nil {
		return c.domainError(err)
	}
	c.resourceID = b.ID
	return c.json(http.StatusOK, viewBoleto(b, c.tenant.clock.Now()))
}

func (s *Server) listBoletos(c *call) *response {
	before, limit, resp := c.page("bol")
	if resp != nil {
		return resp
	}
	f := boletos.Filter{Status: c.query("status"), PayerTaxID: c.query("payer_tax_id")}
	f.DueFrom, _ = boletos.ParseDate(c.query("due_date_from")) // validated by the contract; "" gives the zero date
	f.DueTo, _ = boletos.ParseDate(c.query("due_date_to"))
	if !f.DueFrom.IsZero() && !f.DueTo.IsZero() && f.DueTo.Before(f.DueFrom) {
		return c.problem(openapi.CodeValidationFailed, "due_date_to is before due_date_from",
			openapi.Violation{Parameter: "due_date_to", In: "query", Detail: "must not be before due_date_from"})
	}
	now := c.tenant.clock.Now()
	page := c.tenant.boletos.List(f, before, limit)
	return c.json(http.StatusOK, listOf(page, "bol", func(b *boletos.Boleto) boletoView { return viewBoleto(b, now) }))
}

func (s *Server) lookupBoleto(c *call) *response {
	barcode, line := c.query("barcode"), c.query("digitable_line")
	var code, param string
	switch {
	case barcode != "" && line != "":
		return c.problem(openapi.CodeValidationFailed, "send either barcode or digitable_line, not both",
			openapi.Violation{Parameter: "digitable_line", In: "query", Detail: "cannot be combined with barcode"})
	case barcode != "":
		code, param = barcode, "barcode"
	case line != "":
		code, param = line, "digitable_line"
	default:
		return c.problem(openapi.CodeValidationFailed, "say which boleto to find",
			openapi.Violation{Parameter: "barcode", In: "query", Detail: "send barcode (44 digits) or digitable_line (47 digits)"})
	}
	b, err := c.tenant.boletos.Lookup(code, param)
	if err != nil {
		return c.boletoError(err, "query")
	}
	c.resourceID = b.ID
	return c.json(http.StatusOK, viewBoleto(b, c.tenant.clock.Now()))
}

func (s *Server) cancelBoleto(c *call) *response {
	b, err := c.tenant.boletos.Cancel(c.params["id"])
	if err != nil {
		return c.domainError(err)
	}
	c.resourceID = b.ID
	return c.json(http.StatusOK, viewBoleto(b, c.tenant.clock.Now()))
}

func (s *Server) payBoleto(c *call) *response {
	var req struct {
		Amount *int64  `json:"amount"`
		PaidAt *string `json:"paid_at"`
		Via    string  `json:"via"`
	}
	if resp := c.decodeOptional(&req); resp != nil {
		return resp
	}
	in := boletos.PayInput{Amount: req.Amount, Via: req.Via}
	if req.PaidAt != nil {
		t, err := time.Parse(time.RFC3339Nano, *req.PaidAt) // validated by the contract
		if err != nil {
			return c.problem(openapi.CodeValidationFailed, "paid_at is not an RFC 3339 instant",
				openapi.Violation{Pointer: "/paid_at", In: "body", Detail: err.Error()})
		}
		in.PaidAt = t.UTC()
	}
	b, err := c.tenant.boletos.Pay(c.params["id"], in)
	if err != nil {
		return c.boletoError(err, "body")
	}
	c.resourceID = b.ID
	return c.json(http.StatusOK, viewBoleto(b, c.tenant.clock.Now()))
}

// boletoError renders a domain error like domainError does, keeping the
// error's extension members (amount_due, check_digit) and naming a query
// parameter instead of a body field when the input came from the query.
func (c *call) boletoError(err error, in string) *response {
	var be *domain.Error
	if !errors.As(err, &be) || be.Kind != domain.Invalid || (be.Extra == nil && in == "body") {
		return c.domainError(err)
	}
	v := openapi.Violation{Pointer: be.Field, In: "body", Detail: be.Message, Code: be.Code}
	if in == "query" {
		v = openapi.Violation{Parameter: be.Field, In: "query", Detail: be.Message, Code: be.Code}
	}
	p := c.newProblem(http.StatusBadRequest, be.Code, "The request cannot be carried out", be.Message)
	p.Errors, p.Extra = []openapi.Violation{v}, be.Extra
	return c.problemResponse(p)
}

type boletoPayerView struct {
	Name      string         `json:"name"`
	TaxID     string         `json:"tax_id"`
	TaxIDType string         `json:"tax_id_type"`
	Address   *boletoAddress `json:"address"`
}

type boletoFineView struct {
	Percentage string `json:"percentage"`
}

type boletoInterestView struct {
	MonthlyPercentage string `json:"monthly_percentage"`
}

type boletoDiscountView struct {
	Amount int64  `json:"amount"`
	Until  string `json:"until"`
}

type boletoView struct {
	ID             string              `json:"id"`
	Object         string              `json:"object"`
	Status         string              `json:"status"`
	AccountID      string              `json:"account_id"`
	Amount         int64               `json:"amount"`
	Currency       string              `json:"currency"`
	DueDate        string              `json:"due_date"`
	BankCode       string              `json:"bank_code"`
	NossoNumero    string              `json:"nosso_numero"`
	Barcode        string              `json:"barcode"`
	DigitableLine  string              `json:"digitable_line"`
	Payer          boletoPayerView     `json:"payer"`
	Description    *string             `json:"description"`
	Fine           *boletoFineView     `json:"fine"`
	Interest       *boletoInterestView `json:"interest"`
	Discount       *boletoDiscountView `json:"discount"`
	Pix            bool                `json:"pix"`
	PixCopiaECola  *string             `json:"pix_copia_e_cola"`
	DaysToWriteOff int                 `json:"days_to_write_off"`
	AmountDue      *int64              `json:"amount_due"`
	CreatedAt      time.Time           `json:"created_at"`
	PaidAt         *time.Time          `json:"paid_at"`
	PaidAmount     *int64              `json:"paid_amount"`
	PaidVia        *string             `json:"paid_via"`
	SettlesOn      *string             `json:"settles_on"`
	SettledAt      *time.Time          `json:"settled_at"`
	OverdueAt      *time.Time          `json:"overdue_at"`
	WrittenOffAt   *time.Time          `json:"written_off_at"`
	CanceledAt     *time.Time          `json:"canceled_at"`
	TransactionID  *string             `json:"transaction_id"`
	Metadata       map[string]string   `json:"metadata"`
}

// viewBoleto renders a boleto as the API shows it at the instant now
// (amount_due depends on the date).
func viewBoleto(b *boletos.Boleto, now time.Time) boletoView {
	v := boletoView{
		ID: b.ID, Object: "boleto", Status: b.Status, AccountID: b.AccountID, Amount: b.Amount, Currency: b.Currency,
		DueDate: b.DueDate.Format(time.DateOnly), BankCode: boletos.BankCode, NossoNumero: b.NossoNumeroPrinted(),
		Barcode: b.Barcode, DigitableLine: b.DigitableLine,
		Payer:       boletoPayerView{Name: b.Payer.Name, TaxID: b.Payer.TaxID, TaxIDType: b.Payer.TaxIDType},
		Description: strPtr(b.Description), Pix: b.Hybrid(), PixCopiaECola: strPtr(b.PixCopiaECola),
		DaysToWriteOff: b.DaysToWriteOff, CreatedAt: b.CreatedAt, PaidAt: timePtr(b.PaidAt), PaidVia: strPtr(b.PaidVia),
		SettledAt: timePtr(b.SettledAt), OverdueAt: timePtr(b.OverdueAt), WrittenOffAt: timePtr(b.WrittenOffAt),
		CanceledAt: timePtr(b.CanceledAt), TransactionID: strPtr(b.TransactionID), Metadata: orEmpty(b.Metadata),
	}
	if a := b.Payer.Address; a != nil {
		addr := boletoAddress(*a)
		v.Payer.Address = &addr
	}
	if f := b.Fine; f != nil {
		v.Fine = &boletoFineView{boletos.FormatPercent(f.BasisPoints)}
	}
	if i := b.Interest; i != nil {
		v.Interest = &boletoInterestView{boletos.FormatPercent(i.MonthlyBasisPoints)}
	}
	if d := b.Discount; d != nil {
		v.Discount = &boletoDiscountView{d.Amount, d.Until.Format(time.DateOnly)}
	}
	if due, ok := b.AmountDue(now); ok {
		v.AmountDue = &due
	}
	if !b.PaidAt.IsZero() {
		paid := b.PaidAmount
		v.PaidAmount = &paid
	}
	if !b.SettlesOn.IsZero() {
		on := b.SettlesOn.Format(time.DateOnly)
		v.SettlesOn = &on
	}
	return v
}
