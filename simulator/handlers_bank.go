package simulator

import (
	"net/http"

	"github.com/sandbank/sandbank/simulator/bank"
)

// The bank's operations. Each handler runs under its tenant's lock, turns
// the validated request into a domain call and renders the result.

// addressInput is bank.Address as sent (a null line2 or state decodes as "").
type addressInput struct {
	Line1      string `json:"line1"`
	Line2      string `json:"line2"`
	City       string `json:"city"`
	State      string `json:"state"`
	PostalCode string `json:"postal_code"`
	Country    string `json:"country"`
}

type createCustomerRequest struct {
	Type  string `json:"type"`
	Name  string `json:"name"`
	Email string `json:"email"`
	Phone string `json:"phone"`
	TaxID struct {
		Type  string `json:"type"`
		Value string `json:"value"`
	} `json:"tax_id"`
	BirthDate string            `json:"birth_date"`
	Address   *addressInput     `json:"address"`
	Metadata  map[string]string `json:"metadata"`
}

func (s *Server) createCustomer(c *call) *response {
	var req createCustomerRequest
	if resp := c.decode(&req); resp != nil {
		return resp
	}
	in := bank.CustomerInput{
		Type: req.Type, Name: req.Name, Email: req.Email, Phone: req.Phone,
		TaxID:     bank.TaxID{Type: req.TaxID.Type, Value: req.TaxID.Value},
		BirthDate: req.BirthDate, Metadata: req.Metadata,
	}
	if a := req.Address; a != nil {
		addr := bank.Address(*a)
		in.Address = &addr
	}
	cust, err := c.tenant.bank.CreateCustomer(in)
	if err != nil {
		return c.domainError(err)
	}
	c.resourceID = cust.ID
	return c.created("/v1/customers/"+cust.ID, viewCustomer(cust))
}

func (s *Server) getCustomer(c *call) *response {
	cust, err := c.tenant.bank.Customer(c.params["id"])
	if err != nil {
		return c.domainError(err)
	}
	c.resourceID = cust.ID
	return c.json(http.StatusOK, viewCustomer(cust))
}

func (s *Server) listCustomers(c *call) *response {
	before, limit, resp := c.page("cus")
	if resp != nil {
		return resp
	}
	page := c.tenant.bank.Customers(bank.CustomerFilter{Type: c.query("type"), Email: c.query("email")}, before, limit)
	return c.json(http.StatusOK, listOf(page, "cus", viewCustomer))
}

func (s *Server) createAccount(c *call) *response {
	var req struct {
		CustomerID string            `json:"customer_id"`
		Currency   string            `json:"currency"`
		Kind       string            `json:"kind"`
		Name       string            `json:"name"`
		Metadata   map[string]string `json:"metadata"`
	}
	if resp := c.decode(&req); resp != nil {
		return resp
	}
	a, err := c.tenant.bank.OpenAccount(bank.AccountInput{CustomerID: req.CustomerID, Currency: req.Currency, Kind: req.Kind, Name: req.Name, Metadata: req.Metadata})
	if err != nil {
		return c.domainError(err)
	}
	c.resourceID = a.ID
	return c.created("/v1/accounts/"+a.ID, viewAccount(a))
}

func (s *Server) getAccount(c *call) *response {
	a, err := c.tenant.bank.Account(c.params["id"])
	if err != nil {
		return c.domainError(err)
	}
	c.resourceID = a.ID
	return c.json(http.StatusOK, viewAccount(a))
}

func (s *Server) listAccounts(c *call) *response {
	before, limit, resp := c.page("acc")
	if resp != nil {
		return resp
	}
	page := c.tenant.bank.Accounts(bank.AccountFilter{CustomerID: c.query("customer_id"), Currency: c.query("currency")}, before, limit)
	return c.json(http.StatusOK, listOf(page, "acc", viewAccount))
}

func (s *Server) getAccountBalances(c *call) *response {
	b, err := c.tenant.bank.Balances(c.params["id"])
	if err != nil {
		return c.domainError(err)
	}
	c.resourceID = b.AccountID
	return c.json(http.StatusOK, viewBalances(b))
}

func (s *Server) listAccountTransactions(c *call) *response {
	before, limit, resp := c.page("txn")
	if resp != nil {
		return resp
	}
	f := bank.TransactionFilter{From: c.queryTime("from"), To: c.queryTime("to"), Type: c.query("type"), Status: c.query("status")}
	page, err := c.tenant.bank.Transactions(c.params["id"], f, before, limit)
	if err != nil {
		return c.domainError(err)
	}
	c.resourceID = c.params["id"]
	return c.json(http.StatusOK, listOf(page, "txn", viewTransaction))
}

type creditorInput struct {
	AccountID     string `json:"account_id"`
	Name          string `json:"name"`
	PixKey        string `json:"pix_key"`
	IBAN          string `json:"iban"`
	BIC           string `json:"bic"`
	SortCode      string `json:"sort_code"`
	AccountNumber string `json:"account_number"`
	BankCode      string `json:"bank_code"`
	Branch        string `json:"branch"`
	AccountDigit  string `json:"account_digit"`
	TaxID         string `json:"tax_id"`
}

func (s *Server) createTransfer(c *call) *response {
	var req struct {
		Rail                  string            `json:"rail"`
		DebtorAccountID       string            `json:"debtor_account_id"`
		Amount                int64             `json:"amount"`
		Currency              string            `json:"currency"`
		Creditor              creditorInput     `json:"creditor"`
		RemittanceInformation string            `json:"remittance_information"`
		Metadata              map[string]string `json:"metadata"`
	}
	if resp := c.decode(&req); resp != nil {
		return resp
	}
	t, err := c.tenant.bank.CreateTransfer(bank.TransferInput{
		Rail: req.Rail, DebtorAccountID: req.DebtorAccountID, Amount: req.Amount, Currency: req.Currency,
		RemittanceInformation: req.RemittanceInformation, Metadata: req.Metadata, Creditor: bank.Creditor(req.Creditor),
	})
	if err != nil {
		return c.domainError(err)
	}
	c.resourceID = t.ID
	return c.created("/v1/transfers/"+t.ID, viewTransfer(t))
}

func (s *Server) getTransfer(c *call) *response {
	t, err := c.tenant.bank.Transfer(c.params["id"])
	if err != nil {
		return c.domainError(err)
	}
	c.resourceID = t.ID
	return c.json(http.StatusOK, viewTransfer(t))
}

func (s *Server) cancelTransfer(c *call) *response {
	t, err := c.tenant.bank.CancelTransfer(c.params["id"])
	if err != nil {
		return c.domainError(err)
	}
	c.resourceID = t.ID
	return c.json(http.StatusOK, viewTransfer(t))
}

func (s *Server) listTransfers(c *call) *response {
	before, limit, resp := c.page("trf")
	if resp != nil {
		return resp
	}
	f := bank.TransferFilter{Status: c.query("status"), Rail: c.query("rail"), DebtorAccountID: c.query("debtor_account_id")}
	page := c.tenant.bank.Transfers(f, before, limit)
	return c.json(http.StatusOK, listOf(page, "trf", viewTransfer))
}
