package conformance

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
)

// Operation is one thing the adapter does with the client under test.
type Operation string

// The adapter protocol's operations (docs/conformance.md).
const (
	OpCreatePayment    Operation = "create_payment"
	OpCreateTransfer   Operation = "create_transfer"
	OpCreateRefund     Operation = "create_refund"
	OpGetPayment       Operation = "get_payment"
	OpListTransactions Operation = "list_transactions"
	OpServeWebhooks    Operation = "serve_webhooks"
	OpProcessedEvents  Operation = "processed_events"
)

// Operations lists every operation, in the protocol's order.
var Operations = []Operation{OpCreatePayment, OpCreateTransfer, OpCreateRefund, OpGetPayment, OpListTransactions, OpServeWebhooks, OpProcessedEvents}

// Env is where, and as whom, an adapter acts. An executable adapter gets
// it as SANDBANK_* environment variables.
type Env struct {
	BaseURL string // SANDBANK_BASE_URL
	APIKey  string // SANDBANK_API_KEY: a fresh tenant for each case
	Case    string // SANDBANK_CASE: the case and run, e.g. "RT-01" or "RT-08/7"
	// StateDir (SANDBANK_STATE_DIR) is a directory private to the case run
	// and shared by its invocations: serve_webhooks can record there what
	// processed_events later reports.
	StateDir string
	// OAuth client credentials for clients that use access tokens:
	// SANDBANK_CLIENT_ID, SANDBANK_CLIENT_SECRET, SANDBANK_TOKEN_URL.
	ClientID, ClientSecret, TokenURL string
}

// Vars renders the environment as KEY=value pairs.
func (e Env) Vars() []string {
	return []string{
		"SANDBANK_BASE_URL=" + e.BaseURL, "SANDBANK_API_KEY=" + e.APIKey, "SANDBANK_CASE=" + e.Case,
		"SANDBANK_STATE_DIR=" + e.StateDir, "SANDBANK_CLIENT_ID=" + e.ClientID,
		"SANDBANK_CLIENT_SECRET=" + e.ClientSecret, "SANDBANK_TOKEN_URL=" + e.TokenURL,
	}
}

// Adapter performs operations with the client under test: input is the
// operation's JSON input, output its JSON result. It returns
// ErrNotImplemented for an operation it does not support, and any other
// error when the client gave up. serve_webhooks blocks until ctx is done.
type Adapter interface {
	Perform(ctx context.Context, env Env, op Operation, input []byte) (output []byte, err error)
}

// ErrNotImplemented marks an operation an adapter does not support: the
// cases that need it are not applicable.
var ErrNotImplemented = errors.New("conformance: operation not implemented by the adapter")

// Inputs and outputs of the operations, as JSON.

// Card is a test card.
type Card struct {
	Number   string `json:"number"`
	ExpMonth int    `json:"exp_month"`
	ExpYear  int    `json:"exp_year"`
	CVC      string `json:"cvc"`
}

// PaymentInput asks for a card payment, confirmed and captured
// (POST /v1/payments with payment_method_data and confirm: true).
type PaymentInput struct {
	Amount      int64  `json:"amount"`
	Currency    string `json:"currency"`
	Card        Card   `json:"card"`
	Description string `json:"description"`
}

// TransferInput asks for a Pix transfer from one of the tenant's accounts
// (POST /v1/transfers, rail pix, creditor.pix_key).
type TransferInput struct {
	AccountID   string `json:"account_id"`
	Amount      int64  `json:"amount"`
	Currency    string `json:"currency"`
	PixKey      string `json:"pix_key"`
	Description string `json:"description"`
}

// RefundInput asks for a refund of a payment (POST /v1/refunds).
type RefundInput struct {
	PaymentID string `json:"payment_id"`
	Amount    int64  `json:"amount"`
}

// GetInput names a resource (GET /v1/payments/{id}).
type GetInput struct {
	ID string `json:"id"`
}

// ListInput asks for every transaction of an account, all pages
// (GET /v1/accounts/{id}/transactions?limit=page_size, then the cursors).
type ListInput struct {
	AccountID string `json:"account_id"`
	PageSize  int    `json:"page_size"`
}

// WebhookInput tells serve_webhooks where to listen and how to verify:
// http://127.0.0.1:{port}{path}, signatures per Standard Webhooks with
// secret (whsec_…).
type WebhookInput struct {
	Port   int    `json:"port"`
	Path   string `json:"path"`
	Secret string `json:"secret"`
	Scheme string `json:"scheme"` // standard
}

// Created is the result of a create operation.
type Created struct {
	ID string `json:"id"`
}

// PaymentOutput is the result of get_payment.
type PaymentOutput struct {
	ID     string `json:"id"`
	Status string `json:"status"`
}

// ListOutput is the result of list_transactions: every id, in the order
// the pages gave them.
type ListOutput struct {
	IDs []string `json:"ids"`
}

// Processed is the result of processed_events: the id of each event the
// receiver acted on, once per time it acted (an event processed twice
// appears twice), and optionally what it believes each resource's status
// is now.
type Processed struct {
	Events    []string          `json:"events"`
	Resources map[string]string `json:"resources,omitempty"`
}

// Client is the Go form of an adapter: the operations as methods. Embed
// Unimplemented to support only some. ClientAdapter turns it into an
// Adapter for Run.
type Client interface {
	CreatePayment(ctx context.Context, env Env, in PaymentInput) (Created, error)
	CreateTransfer(ctx context.Context, env Env, in TransferInput) (Created, error)
	CreateRefund(ctx context.Context, env Env, in RefundInput) (Created, error)
	GetPayment(ctx context.Context, env Env, in GetInput) (PaymentOutput, error)
	ListTransactions(ctx context.Context, env Env, in ListInput) (ListOutput, error)
	// ServeWebhooks runs the receiver until ctx is done.
	ServeWebhooks(ctx context.Context, env Env, in WebhookInput) error
	ProcessedEvents(ctx context.Context, env Env) (Processed, error)
}

// Unimplemented answers every operation with ErrNotImplemented.
type Unimplemented struct{}

func (Unimplemented) CreatePayment(context.Context, Env, PaymentInput) (Created, error) {
	return Created{}, ErrNotImplemented
}
func (Unimplemented) CreateTransfer(context.Context, Env, TransferInput) (Created, error) {
	return Created{}, ErrNotImplemented
}
func (Unimplemented) CreateRefund(context.Context, Env, RefundInput) (Created, error) {
	return Created{}, ErrNotImplemented
}
func (Unimplemented) GetPayment(context.Context, Env, GetInput) (PaymentOutput, error) {
	return PaymentOutput{}, ErrNotImplemented
}
func (Unimplemented) ListTransactions(context.Context, Env, ListInput) (ListOutput, error) {
	return ListOutput{}, ErrNotImplemented
}
func (Unimplemented) ServeWebhooks(context.Context, Env, WebhookInput) error {
	return ErrNotImplemented
}
func (Unimplemented) ProcessedEvents(context.Context, Env) (Processed, error) {
	return Processed{}, ErrNotImplemented
}

// ClientAdapter adapts a Go Client to the Adapter interface.
func ClientAdapter(c Client) Adapter { return clientAdapter{c} }

type clientAdapter struct{ c Client }

func (a clientAdapter) Perform(ctx context.Context, env Env, op Operation, input []byte) ([]byte, error) {
	var out any
	var err error
	switch op {
	case OpCreatePayment:
		out, err = call(input, func(in PaymentInput) (Created, error) { return a.c.CreatePayment(ctx, env, in) })
	case OpCreateTransfer:
		out, err = call(input, func(in TransferInput) (Created, error) { return a.c.CreateTransfer(ctx, env, in) })
	case OpCreateRefund:
		out, err = call(input, func(in RefundInput) (Created, error) { return a.c.CreateRefund(ctx, env, in) })
	case OpGetPayment:
		out, err = call(input, func(in GetInput) (PaymentOutput, error) { return a.c.GetPayment(ctx, env, in) })
	case OpListTransactions:
		out, err = call(input, func(in ListInput) (ListOutput, error) { return a.c.ListTransactions(ctx, env, in) })
	case OpServeWebhooks:
		out, err = call(input, func(in WebhookInput) (struct{}, error) { return struct{}{}, a.c.ServeWebhooks(ctx, env, in) })
	case OpProcessedEvents:
		out, err = a.c.ProcessedEvents(ctx, env)
	default:
		return nil, fmt.Errorf("conformance: unknown operation %q", op)
	}
	if err != nil {
		return nil, err
	}
	return json.Marshal(out)
}

func call[In, Out any](input []byte, f func(In) (Out, error)) (Out, error) {
	var in In
	if err := json.Unmarshal(input, &in); err != nil {
		var zero Out
		return zero, fmt.Errorf("conformance: bad input: %w", err)
	}
	return f(in)
}
