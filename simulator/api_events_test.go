package simulator_test

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/sandbank/sandbank/simulator"
	"github.com/sandbank/sandbank/simulator/simtest"
)

// The event log through the API: one event per state change, in order,
// each carrying the resource as it was; lists with filters and cursors.

// transferEventOf is the event each transfer status emits.
var transferEventOf = map[string]string{
	"RCVD": "transfer.created", "ACTC": "transfer.accepted", "ACSP": "transfer.processing",
	"ACSC": "transfer.settled", "RJCT": "transfer.rejected", "CANC": "transfer.canceled",
}

// eventsOf lists a resource's events, oldest first.
func eventsOf(t *testing.T, c *simtest.Client, resourceID string) []whEventJSON {
	t.Helper()
	evs := walk[whEventJSON](t, c, "/v1/events", "resource_id="+resourceID, 100, nil)
	slices.Reverse(evs)
	return evs
}

// TestEventsOnePerTransferStateChange is the property "one event per state
// change" for transfers of every rail and ending: for every transfer, its
// transfer.* events are its status_history, one for one, in order, each
// carrying the transfer as it was right after that change.
func TestEventsOnePerTransferStateChange(t *testing.T) {
	t.Parallel()
	srv := startBank(t)
	c := srv.Client(simtest.NewKey("evprop"))
	brl := freshAccount(t, c, "BRL", 1_000_000)
	brl2 := freshAccount(t, c, "BRL", 0)
	eur := freshAccount(t, c, "EUR", 100_000)
	gbp := freshAccount(t, c, "GBP", 100_000)
	pix := func(key string) map[string]any { return map[string]any{"pix_key": key, "name": "Maria Silva"} }
	ted := externalRails[2].creditor
	var transfers []string
	mk := func(body map[string]any) string {
		tr := createTransfer(t, c, body)
		transfers = append(transfers, tr.ID)
		return tr.ID
	}
	mk(transferBody("internal", brl.ID, "BRL", 1000, map[string]any{"account_id": brl2.ID}))
	mk(transferBody("pix", brl.ID, "BRL", 2000, pix("maria.silva@example.com")))
	mk(transferBody("pix", brl.ID, "BRL", 2000, pix("x@reject-ac04.sandbox.test")))
	mk(transferBody("pix", brl.ID, "BRL", 2000, pix("x@timeout.sandbox.test")))
	mk(transferBody("pix", brl.ID, "BRL", 999_999_999, pix("maria.silva@example.com"))) // AM04 at once
	canceled := mk(transferBody("ted", brl.ID, "BRL", 3000, ted))
	mk(transferBody("ted", brl.ID, "BRL", 3000, withCreditor(ted, map[string]any{"account_number": "98760001"})))
	mk(transferBody("sepa", eur.ID, "EUR", 4000, externalRails[3].creditor))
	mk(transferBody("fps", gbp.ID, "GBP", 5000, withCreditor(externalRails[1].creditor, map[string]any{"account_number": "43210004"})))
	mk(transferBody("fps", gbp.ID, "GBP", 5000, externalRails[1].creditor))
	expectOK(t, c.Post("/v1/transfers/"+canceled+"/cancel", nil), nil)
	advance(t, c, "2s")
	advance(t, c, "1m")
	advance(t, c, "96h")

	seen := map[string]bool{}
	for _, id := range transfers {
		tr := getTransfer(t, c, id)
		var evs []whEventJSON
		for _, ev := range eventsOf(t, c, id) {
			if strings.HasPrefix(ev.Type, "transfer.") {
				evs = append(evs, ev)
			}
		}
		if len(evs) != len(tr.StatusHistory) {
			t.Fatalf("%s (%s %v): %d transfer events for %d status changes", id, tr.Rail, tr.statuses(), len(evs), len(tr.StatusHistory))
		}
		for i, h := range tr.StatusHistory {
			ev := evs[i]
			seen[h.Status] = true
			if ev.Type != transferEventOf[h.Status] {
				t.Fatalf("%s: event %d is %s for status %s", id, i, ev.Type, h.Status)
			}
			var then transferJSON
			if err := json.Unmarshal(ev.Data, &then); err != nil {
				t.Fatal(err)
			}
			if then.ID != id || then.Status != h.Status || len(then.StatusHistory) != i+1 || !ev.CreatedAt.Equal(h.At) {
				t.Fatalf("%s: event %d (%s at %s) carries status %s with %d history entries; the change was %s at %s",
					id, i, ev.Type, ev.CreatedAt, then.Status, len(then.StatusHistory), h.Status, h.At)
			}
		}
		// The last event is the transfer as GET shows it now.
		whSameJSON(t, evs[len(evs)-1].Data, c.Get("/v1/transfers/"+id).Expect(t, http.StatusOK).Body)
	}
	for status := range transferEventOf {
		if !seen[status] {
			t.Errorf("no transfer reached %s: the property did not cover it", status)
		}
	}
	// Statement lines too: created first, then at most one booking or voiding,
	// the last event carrying the line as it is now.
	for _, acc := range []accountJSON{brl, brl2, eur, gbp} {
		raw := map[string]json.RawMessage{}
		for _, r := range walk[json.RawMessage](t, c, "/v1/accounts/"+acc.ID+"/transactions", "", 100, nil) {
			var id struct {
				ID string `json:"id"`
			}
			json.Unmarshal(r, &id)
			raw[id.ID] = r
		}
		for _, line := range transactions(t, c, acc.ID, "", 100) {
			evs := eventsOf(t, c, line.ID)
			if len(evs) == 0 || len(evs) > 2 || evs[0].Type != "transaction.created" {
				t.Fatalf("line %s (%s): events %+v", line.ID, line.Status, evs)
			}
			if len(evs) == 2 && evs[1].Type != "transaction."+line.Status {
				t.Fatalf("line %s is %s; its second event is %s", line.ID, line.Status, evs[1].Type)
			}
			whSameJSON(t, evs[len(evs)-1].Data, raw[line.ID])
		}
	}
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// dataID is the id of the resource an event carries.
func dataID(t *testing.T, e whEventJSON) string {
	t.Helper()
	var v struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal(e.Data, &v); err != nil {
		t.Fatal(err)
	}
	return v.ID
}

func TestEventsListFiltersAndCursors(t *testing.T) {
	t.Parallel()
	srv := startBank(t)
	c := srv.Client(simtest.NewKey("evlist"))
	debtor := freshAccount(t, c, "BRL", 100_000)
	creditor := freshAccount(t, c, "BRL", 0)
	tr := createTransfer(t, c, transferBody("internal", debtor.ID, "BRL", 700, map[string]any{"account_id": creditor.ID}))
	createTransfer(t, c, transferBody("pix", debtor.ID, "BRL", 700, map[string]any{"pix_key": "maria.silva@example.com"}))

	all := walk[whEventJSON](t, c, "/v1/events", "", 100, nil)
	paged := walk[whEventJSON](t, c, "/v1/events", "", 3, nil)
	if len(all) < 10 || !slices.EqualFunc(all, paged, func(a, b whEventJSON) bool { return a.ID == b.ID }) {
		t.Fatalf("%d events; paged by 3 %d", len(all), len(paged))
	}
	expectNoDuplicates(t, ids(all, func(e whEventJSON) string { return e.ID }))
	for i, ev := range all {
		if ev.Object != "event" || !strings.HasPrefix(ev.ID, "evt_") || len(ev.Data) == 0 {
			t.Fatalf("event %+v", ev)
		}
		if i > 0 && ev.CreatedAt.After(all[i-1].CreatedAt) {
			t.Fatalf("events are not newest first: %s after %s", ev.CreatedAt, all[i-1].CreatedAt)
		}
	}
	count := func(pred func(whEventJSON) bool) int {
		n := 0
		for _, ev := range all {
			if pred(ev) {
				n++
			}
		}
		return n
	}
	for query, pred := range map[string]func(whEventJSON) bool{
		"type=transfer.settled":                func(e whEventJSON) bool { return e.Type == "transfer.settled" },
		"type=transfer.*":                      func(e whEventJSON) bool { return strings.HasPrefix(e.Type, "transfer.") },
		"type=transaction.*":                   func(e whEventJSON) bool { return strings.HasPrefix(e.Type, "transaction.") },
		"type=customer.created":                func(e whEventJSON) bool { return e.Type == "customer.created" },
		"resource_id=" + tr.ID:                 func(e whEventJSON) bool { return dataID(t, e) == tr.ID },
		"type=transfer.*&resource_id=" + tr.ID: func(e whEventJSON) bool { return strings.HasPrefix(e.Type, "transfer.") && dataID(t, e) == tr.ID },
	} {
		got := walk[whEventJSON](t, c, "/v1/events", query, 2, nil)
		if want := count(pred); len(got) != want || want == 0 {
			t.Fatalf("%s: %d events, want %d", query, len(got), want)
		}
		for _, ev := range got {
			if !pred(ev) {
				t.Fatalf("%s: got %s", query, ev.Type)
			}
		}
	}
	// Retrieval answers the very event the list shows.
	r := c.Get("/v1/events/" + all[3].ID)
	expectOK(t, r, nil)
	whSameJSON(t, r.Body, mustJSON(t, all[3]))
	p := expectProblem(t, c.Get("/v1/events/evt_doesnotexist0000"), http.StatusNotFound, "resource_missing")
	if p.Detail != "no such event: evt_doesnotexist0000" {
		t.Fatalf("detail %q", p.Detail)
	}
	expectViolation(t, c.Get("/v1/events/trf_x"), "validation_failed", "id")
	expectViolation(t, c.Get("/v1/events?type=Transfer%20Settled"), "validation_failed", "type")
	expectViolation(t, c.Get("/v1/events?resource_id=nope"), "validation_failed", "resource_id")
	expectViolation(t, c.Get("/v1/events?cursor=bm9wZQ"), "invalid_cursor", "cursor")
	var trPage listPage[transferJSON]
	expectOK(t, c.Get("/v1/transfers?limit=1"), &trPage)
	expectViolation(t, c.Get("/v1/events?cursor="+*trPage.NextCursor), "invalid_cursor", "cursor")
	// An unknown type is not an error: nothing has it.
	var none listPage[whEventJSON]
	expectOK(t, c.Get("/v1/events?type=payment.succeeded"), &none)
	if len(none.Data) != 0 {
		t.Fatal("events of a type never emitted")
	}
}

// TestEventsAndEndpointsAreDeterministic: the same seed, key and requests
// give the same event ids, endpoint ids and signing secrets.
func TestEventsAndEndpointsAreDeterministic(t *testing.T) {
	t.Parallel()
	run := func() (events []string, endpoint, secret string) {
		srv := simtest.Start(t, simulator.Config{Seed: 99})
		c := srv.Client("sk_test_deterministicEvents01")
		ep := whCreate(t, c, map[string]any{"url": "http://127.0.0.1:9/x", "enabled_events": []string{"transfer.*"}})
		debtor := freshAccount(t, c, "BRL", 10_000)
		createTransfer(t, c, transferBody("pix", debtor.ID, "BRL", 100, map[string]any{"pix_key": "maria.silva@example.com"}))
		advance(t, c, "2s")
		for _, ev := range walk[whEventJSON](t, c, "/v1/events", "", 100, nil) {
			events = append(events, ev.ID+" "+ev.Type)
		}
		return events, ep.ID, ep.Secret
	}
	e1, id1, s1 := run()
	e2, id2, s2 := run()
	if !slices.Equal(e1, e2) || id1 != id2 || s1 != s2 || len(e1) == 0 {
		t.Fatalf("two runs differ:\n%v %s %s\n%v %s %s", e1, id1, s1, e2, id2, s2)
	}
}
