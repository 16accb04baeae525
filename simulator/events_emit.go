package simulator

import (
	"encoding/json"
	"fmt"
	"reflect"

	"github.com/sandbank/sandbank/simulator/bank"
	"github.com/sandbank/sandbank/simulator/events"
)

// resourceViews renders each resource type events carry, as the API shows
// it; each area registers its own types (registerView), so an event is a
// snapshot of exactly what GET would have returned at that moment.
var resourceViews = map[reflect.Type]func(any) (id string, view any){}

func registerView[T any](render func(T) (string, any)) {
	var zero T
	resourceViews[reflect.TypeOf(zero)] = func(v any) (string, any) { return render(v.(T)) }
}

func init() {
	events.RegisterTypes("customer.created", "customer.verification_updated", "account.created",
		"transfer.created", "transfer.accepted", "transfer.processing", "transfer.settled", "transfer.rejected", "transfer.canceled",
		"transaction.created", "transaction.booked", "transaction.voided")
	registerView(func(c *bank.Customer) (string, any) { return c.ID, viewCustomer(c) })
	registerView(func(a *bank.Account) (string, any) { return a.ID, viewAccount(a) })
	registerView(func(t *bank.Transfer) (string, any) { return t.ID, viewTransfer(t) })
	registerView(func(t *bank.Transaction) (string, any) { return t.ID, viewTransaction(t) })
}

// emitter turns a domain's state changes into the tenant's events. It
// runs under the tenant's lock (domains change state only there), so it
// may draw the event's id from the tenant's seeded faker.
func (s *Server) emitter(t *tenant) events.Emitter {
	return func(eventType string, resource any) {
		render, ok := resourceViews[reflect.TypeOf(resource)]
		if !ok {
			s.log.Error("an event for a resource type without a view", "event", eventType, "type", fmt.Sprintf("%T", resource))
			return
		}
		id, view := render(resource)
		data, err := json.Marshal(view)
		if err != nil {
			s.log.Error("rendering an event failed", "event", eventType, "err", err)
			return
		}
		ev := &events.Event{ID: bank.NewID(t.bank.Faker(), "evt"), Type: eventType, Created: t.clock.Now(), ResourceID: id, Data: data}
		t.events.Append(ev)
		s.onEvent(t, ev)
	}
}
