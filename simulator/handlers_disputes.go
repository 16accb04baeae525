package simulator

import (
	"net/http"
	"time"

	"github.com/sandbank/sandbank/simulator/events"
	"github.com/sandbank/sandbank/simulator/payments"
)

// The dispute operations: listing and reading disputes, adding and
// submitting evidence, accepting a loss, and the sandbox's cardholder
// disputing a payment.

func init() {
	events.RegisterTypes("dispute.created", "dispute.funds_withdrawn", "dispute.updated", "dispute.funds_reinstated", "dispute.closed")
	registerView(func(d *payments.Dispute) (string, any) { return d.ID, viewDispute(d) })
}

func (s *Server) disputeHandlers() map[string]handlerFunc {
	return map[string]handlerFunc{
		"listDisputes":   s.listDisputes,
		"getDispute":     s.getDispute,
		"updateDispute":  s.updateDispute,
		"closeDispute":   s.closeDispute,
		"disputePayment": s.disputePayment,
	}
}

func (s *Server) listDisputes(c *call) *response {
	before, limit, resp := c.page("dp")
	if resp != nil {
		return resp
	}
	f := payments.DisputeFilter{PaymentID: c.query("payment_id"), Status: c.query("status")}
	return c.json(http.StatusOK, listOf(c.tenant.payments.Disputes(f, before, limit), "dp", viewDispute))
}

func (s *Server) getDispute(c *call) *response {
	d, err := c.tenant.payments.Dispute(c.params["id"])
	return c.disputeResult(d, err)
}

func (s *Server) updateDispute(c *call) *response {
	var req struct {
		Evidence map[string]string `json:"evidence"`
		Submit   bool              `json:"submit"`
		Metadata map[string]string `json:"metadata"`
	}
	if resp := c.decodeOptional(&req); resp != nil {
		return resp
	}
	d, err := c.tenant.payments.UpdateDispute(c.params["id"], payments.DisputeUpdate{Evidence: req.Evidence, Submit: req.Submit, Metadata: req.Metadata})
	return c.disputeResult(d, err)
}

func (s *Server) closeDispute(c *call) *response {
	d, err := c.tenant.payments.CloseDispute(c.params["id"])
	return c.disputeResult(d, err)
}

func (s *Server) disputePayment(c *call) *response {
	var req struct {
		Reason string `json:"reason"`
	}
	if resp := c.decodeOptional(&req); resp != nil {
		return resp
	}
	d, err := c.tenant.payments.OpenDispute(c.params["id"], req.Reason)
	if err != nil {
		return c.domainError(err)
	}
	c.resourceID = d.ID
	return c.created("/v1/disputes/"+d.ID, viewDispute(d))
}

func (c *call) disputeResult(d *payments.Dispute, err error) *response {
	if err != nil {
		return c.domainError(err)
	}
	c.resourceID = d.ID
	return c.json(http.StatusOK, viewDispute(d))
}

type evidenceView struct {
	CustomerName           *string `json:"customer_name"`
	CustomerEmail          *string `json:"customer_email"`
	ProductDescription     *string `json:"product_description"`
	ShippingTrackingNumber *string `json:"shipping_tracking_number"`
	ReceiptURL             *string `json:"receipt_url"`
	CustomerCommunication  *string `json:"customer_communication"`
	UncategorizedText      *string `json:"uncategorized_text"`
}

type disputeView struct {
	ID                  string            `json:"id"`
	Object              string            `json:"object"`
	PaymentID           string            `json:"payment_id"`
	Amount              int64             `json:"amount"`
	Currency            string            `json:"currency"`
	Reason              string            `json:"reason"`
	Status              string            `json:"status"`
	Evidence            evidenceView      `json:"evidence"`
	EvidenceDueBy       time.Time         `json:"evidence_due_by"`
	SubmittedAt         *time.Time        `json:"submitted_at"`
	Fee                 int64             `json:"fee"`
	LiableRecipientID   *string           `json:"liable_recipient_id"`
	BalanceTransactions []string          `json:"balance_transactions"`
	CreatedAt           time.Time         `json:"created_at"`
	UpdatedAt           time.Time         `json:"updated_at"`
	Metadata            map[string]string `json:"metadata"`
}

func viewDispute(d *payments.Dispute) disputeView {
	ev := d.Evidence
	return disputeView{
		ID: d.ID, Object: "dispute", PaymentID: d.PaymentID, Amount: d.Amount, Currency: d.Currency, Reason: d.Reason, Status: d.Status,
		Evidence: evidenceView{
			strPtr(ev["customer_name"]), strPtr(ev["customer_email"]), strPtr(ev["product_description"]),
			strPtr(ev["shipping_tracking_number"]), strPtr(ev["receipt_url"]), strPtr(ev["customer_communication"]),
			strPtr(ev["uncategorized_text"]),
		},
		EvidenceDueBy: d.EvidenceDueBy, SubmittedAt: timePtr(d.SubmittedAt), Fee: d.Fee, LiableRecipientID: strPtr(d.LiableRecipientID),
		BalanceTransactions: append([]string{}, d.BalanceTransactions...), CreatedAt: d.Created, UpdatedAt: d.Updated,
		Metadata: orEmpty(d.Metadata),
	}
}
