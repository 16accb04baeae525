package simulator

import "github.com/sandbank/sandbank/simulator/events"

// onEvent is called for every event a tenant's domain emits (under the
// tenant's lock); the webhook dispatcher hooks in here.
func (s *Server) onEvent(t *tenant, ev *events.Event) {}
