package simulator

import (
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"sort"

	"github.com/gorilla/mux"

	"github.com/sandbank/sandbank/openapi"
)

// operationHandlers maps every operationId of the contract to its handler.
// The router is built from the document, so a route cannot exist without
// an operation; New fails if an operation has no handler.
func (s *Server) operationHandlers() map[string]handlerFunc {
	all := map[string]handlerFunc{}
	for _, area := range []map[string]handlerFunc{
		s.systemHandlers(), s.bankHandlers(), s.sandboxHandlers(), s.adminHandlers(),
		s.paymentHandlers(), s.payoutHandlers(), s.disputeHandlers(), s.eventHandlers(), s.pixHandlers(), s.boletoHandlers(),
	} {
		for id, h := range area {
			if _, dup := all[id]; dup {
				panic("simulator: two handlers for " + id)
			}
			all[id] = h
		}
	}
	return all
}

func (s *Server) systemHandlers() map[string]handlerFunc {
	return map[string]handlerFunc{
		"getHealth":      s.getHealth,
		"getOpenAPIJSON": s.getOpenAPIJSON,
		"getOpenAPIYAML": s.getOpenAPIYAML,
		"createToken":    s.createToken,
	}
}

func (s *Server) bankHandlers() map[string]handlerFunc {
	return map[string]handlerFunc{
		"listCustomers":           s.listCustomers,
		"createCustomer":          s.createCustomer,
		"getCustomer":             s.getCustomer,
		"listAccounts":            s.listAccounts,
		"createAccount":           s.createAccount,
		"getAccount":              s.getAccount,
		"getAccountBalances":      s.getAccountBalances,
		"listAccountTransactions": s.listAccountTransactions,
		"listTransfers":           s.listTransfers,
		"createTransfer":          s.createTransfer,
		"getTransfer":             s.getTransfer,
		"cancelTransfer":          s.cancelTransfer,
	}
}

func (s *Server) sandboxHandlers() map[string]handlerFunc {
	return map[string]handlerFunc{
		"getClock":              s.getClock,
		"advanceClock":          s.advanceClock,
		"createInboundTransfer": s.createInboundTransfer,
	}
}

func (s *Server) adminHandlers() map[string]handlerFunc {
	return map[string]handlerFunc{
		"getJournal":           s.getJournal,
		"listScenarios":        s.listScenarios,
		"getScenario":          s.getScenario,
		"putScenario":          s.putScenario,
		"deleteScenario":       s.deleteScenario,
		"listLibraryScenarios": s.listLibraryScenarios,
		"resetTenant":          s.resetTenant,
		"getTenant":            s.getTenant,
		"getSettings":          s.getSettings,
		"updateSettings":       s.updateSettings,
	}
}

// HandledOperations lists the operationIds the server has handlers for.
func (s *Server) HandledOperations() []string {
	ids := make([]string, 0, len(s.handlers))
	for id := range s.handlers {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

// buildRouter registers one gorilla/mux route per path template of the
// contract; the method is dispatched from the document's operations.
func (s *Server) buildRouter() error {
	s.router = mux.NewRouter()
	s.opsByPath = map[string]map[string]*openapi.Operation{}
	for _, op := range s.doc.Operations() {
		if _, ok := s.handlers[op.ID]; !ok {
			return fmt.Errorf("simulator: operation %s (%s %s) has no handler", op.ID, op.Method, op.Path)
		}
		if s.opsByPath[op.Path] == nil {
			s.opsByPath[op.Path] = map[string]*openapi.Operation{}
			s.router.NewRoute().Path(op.Path).Name(op.Path)
		}
		s.opsByPath[op.Path][op.Method] = op
	}
	for id := range s.handlers {
		if _, ok := s.doc.Operation(id); !ok {
			return fmt.Errorf("simulator: handler %s has no operation in the contract", id)
		}
	}
	return nil
}

// OperationFor finds the operation a request addresses (for test helpers
// that validate responses).
func (s *Server) OperationFor(method, path string) (*openapi.Operation, bool) {
	var m mux.RouteMatch
	req := newMatchRequest(method, path)
	if !s.router.Match(req, &m) || m.Route == nil {
		return nil, false
	}
	op, ok := s.opsByPath[m.Route.GetName()][method]
	return op, ok
}

func (s *Server) logLevel(status int) slog.Level {
	if status >= 500 {
		return slog.LevelError
	}
	return slog.LevelInfo
}

func newMatchRequest(method, path string) *http.Request {
	return &http.Request{Method: method, URL: &url.URL{Path: path}, Header: http.Header{}}
}
