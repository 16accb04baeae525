package webhooks

import (
	"errors"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/sandbank/sandbank/simulator/events"
)

func init() {
	// What the simulator's areas register; the package tests stand alone.
	events.RegisterTypes("customer.created", "account.created",
		"transfer.created", "transfer.accepted", "transfer.processing", "transfer.settled", "transfer.rejected",
		"transaction.created", "transaction.booked")
}

var virtualNow = time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC)

func seeded() Rand { return rand.New(rand.NewPCG(7, 7)) }

func TestCheckURL(t *testing.T) {
	for _, ok := range []string{
		"http://localhost:4242/webhooks", "https://example.com", "https://example.com:8443/a/b?c=d", "HTTPS://EXAMPLE.COM/x",
		"http://127.0.0.1:9/x", "http://[::1]:8080/hook",
	} {
		if err := CheckURL(ok); err != nil {
			t.Errorf("%s: %v", ok, err)
		}
	}
	for raw, want := range map[string]string{
		"":                               "required",
		"ftp://example.com/x":            "http or https",
		"javascript:alert(1)":            "http or https",
		"/webhooks":                      "not absolute",
		"example.com/webhooks":           "not absolute",
		"http://":                        "no host",
		"https:///path":                  "no host",
		"http:example.com":               "no host",
		"https://user:pass@example.com/": "credentials",
		"https://token@example.com/":     "credentials",
		"https://example.com/#frag":      "fragment",
		"https://example.com:0/":         "port",
		"https://example.com:99999/":     "port",
		"https://exa mple.com/":          "white space",
		"https://example.com/" + strings.Repeat("a", MaxURLLength): "at most 2048",
	} {
		err := CheckURL(raw)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%.40q: %v, want an error mentioning %q", raw, err, want)
		}
	}
}

func TestEventFilters(t *testing.T) {
	for _, ok := range []string{"*", "transfer.settled", "transfer.*", "transaction.*", "customer.created"} {
		if err := CheckEventFilter(ok); err != nil {
			t.Errorf("%s: %v", ok, err)
		}
	}
	for _, bad := range []string{"transfer.nope", "payment.*", ".*", "trans*", "*.settled", "transfer.**", "transfer"} {
		if err := CheckEventFilter(bad); err == nil {
			t.Errorf("%q was accepted", bad)
		}
	}
	cases := []struct {
		filters []string
		typ     string
		want    bool
	}{
		{[]string{"*"}, "transfer.settled", true},
		{[]string{"transfer.settled"}, "transfer.settled", true},
		{[]string{"transfer.settled"}, "transfer.created", false},
		{[]string{"transfer.*"}, "transfer.created", true},
		{[]string{"transfer.*"}, "transaction.created", false},
		{[]string{"transfer.*"}, "transfers.created", false},
		{[]string{"customer.created", "transaction.*"}, "transaction.booked", true},
		{nil, "transfer.created", false},
	}
	for _, c := range cases {
		if got := MatchesEvent(c.filters, c.typ); got != c.want {
			t.Errorf("%v matches %s = %v, want %v", c.filters, c.typ, got, c.want)
		}
	}
}

func TestStoreEndpoints(t *testing.T) {
	s := NewStore()
	r := seeded()
	_, err := s.Create(EndpointInput{URL: "ftp://x", EnabledEvents: []string{"*"}}, virtualNow, r)
	var we *Error
	if !errors.As(err, &we) || we.Field != "/url" || we.Code != "invalid_url" {
		t.Fatalf("bad URL: %v", err)
	}
	_, err = s.Create(EndpointInput{URL: "http://x", EnabledEvents: []string{"transfer.*", "nope.*"}}, virtualNow, r)
	if !errors.As(err, &we) || we.Field != "/enabled_events/1" {
		t.Fatalf("bad filter: %v", err)
	}
	_, err = s.Create(EndpointInput{URL: "http://x", EnabledEvents: nil}, virtualNow, r)
	if !errors.As(err, &we) || we.Field != "/enabled_events" {
		t.Fatalf("no filters: %v", err)
	}
	var created []Endpoint
	for i := range 5 {
		ep, err := s.Create(EndpointInput{URL: "http://localhost/" + string(rune('a'+i)), EnabledEvents: []string{"transfer.*"}, Metadata: map[string]string{"i": "x"}}, virtualNow, r)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(ep.ID, "we_") || len(ep.ID) != 19 || ep.Status != StatusEnabled || ep.SignatureScheme != SchemeStandard || !strings.HasPrefix(ep.Secret, "whsec_") {
			t.Fatalf("endpoint %+v", ep)
		}
		created = append(created, ep)
	}
	// Deterministic: the same seed gives the same ids and secrets.
	again, _ := NewStore().Create(EndpointInput{URL: "http://x", EnabledEvents: []string{"*"}}, virtualNow, seeded())
	first, _ := NewStore().Create(EndpointInput{URL: "http://x", EnabledEvents: []string{"*"}}, virtualNow, seeded())
	if again.ID != first.ID || again.Secret != first.Secret {
		t.Fatal("the same seed gave another endpoint")
	}
	// Copies: changing what Get returns changes nothing stored.
	got, _ := s.Get(created[0].ID)
	got.EnabledEvents[0], got.Metadata["i"] = "mutated", "mutated"
	if again, _ := s.Get(created[0].ID); again.EnabledEvents[0] != "transfer.*" || again.Metadata["i"] != "x" {
		t.Fatal("Get shares the stored endpoint")
	}
	// Newest first, by cursor.
	page, next := s.List(0, 2)
	if len(page) != 2 || page[0].ID != created[4].ID || page[1].ID != created[3].ID || next == 0 {
		t.Fatalf("first page %v next %d", ids(page), next)
	}
	page, next = s.List(next, 2)
	if len(page) != 2 || page[0].ID != created[2].ID || next == 0 {
		t.Fatalf("second page %v", ids(page))
	}
	page, next = s.List(next, 2)
	if len(page) != 1 || page[0].ID != created[0].ID || next != 0 {
		t.Fatalf("last page %v next %d", ids(page), next)
	}
	// Update, disable, re-enable.
	disabled := StatusDisabled
	ep, err := s.Update(created[1].ID, EndpointUpdate{Status: &disabled}, virtualNow.Add(time.Minute))
	if err != nil || ep.Status != StatusDisabled || ep.DisabledReason == "" || !ep.UpdatedAt.Equal(virtualNow.Add(time.Minute)) {
		t.Fatalf("disable: %+v %v", ep, err)
	}
	if subs := s.Subscribers("transfer.settled"); len(subs) != 4 {
		t.Fatalf("%d subscribers, want the 4 enabled endpoints", len(subs))
	}
	if subs := s.Subscribers("customer.created"); len(subs) != 0 {
		t.Fatalf("customer.created reaches %v", ids(subs))
	}
	enabled := StatusEnabled
	if ep, _ = s.Update(created[1].ID, EndpointUpdate{Status: &enabled, EnabledEvents: []string{"*"}}, virtualNow); ep.Status != StatusEnabled || ep.DisabledReason != "" || ep.EnabledEvents[0] != "*" {
		t.Fatalf("re-enabled: %+v", ep)
	}
	bad := "gopher://x"
	if _, err := s.Update(created[1].ID, EndpointUpdate{URL: &bad}, virtualNow); !errors.As(err, &we) || we.Field != "/url" {
		t.Fatalf("update with a bad URL: %v", err)
	}
	if _, err := s.Update("we_missing", EndpointUpdate{Status: &enabled}, virtualNow); !errors.As(err, &we) || !we.NotFound {
		t.Fatalf("update of a missing endpoint: %v", err)
	}
	// Delete.
	if err := s.Delete(created[2].ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Get(created[2].ID); !errors.As(err, &we) || !we.NotFound || !strings.HasPrefix(we.Message, "no such webhook endpoint") {
		t.Fatalf("get after delete: %v", err)
	}
	if err := s.Delete(created[2].ID); err == nil {
		t.Fatal("deleted twice")
	}
	if s.Len() != 4 {
		t.Fatalf("%d endpoints", s.Len())
	}
	s.Reset()
	if s.Len() != 0 {
		t.Fatal("reset kept endpoints")
	}
}

func ids(eps []Endpoint) []string {
	var out []string
	for _, e := range eps {
		out = append(out, e.ID)
	}
	return out
}

func TestStoreRotation(t *testing.T) {
	s := NewStore()
	r := seeded()
	ep, _ := s.Create(EndpointInput{URL: "http://x", EnabledEvents: []string{"*"}}, virtualNow, r)
	wall := time.Date(2026, 11, 21, 14, 0, 0, 0, time.UTC)
	first := ep.Secret
	ep, err := s.Rotate(ep.ID, time.Hour, wall, virtualNow, r)
	if err != nil || ep.Secret == first {
		t.Fatalf("rotate: %v", err)
	}
	second := ep.Secret
	if got := ep.Secrets(wall.Add(59 * time.Minute)); len(got) != 2 || got[0] != second || got[1] != first {
		t.Fatalf("during the overlap: %v", got)
	}
	if until := ep.PreviousValidUntil(wall); !until.Equal(wall.Add(time.Hour)) {
		t.Fatalf("previous valid until %s", until)
	}
	if got := ep.Secrets(wall.Add(time.Hour)); len(got) != 1 || got[0] != second {
		t.Fatalf("after the overlap: %v", got)
	}
	// 0 retires the current secret at once; earlier ones keep their own expiry.
	ep, _ = s.Rotate(ep.ID, 0, wall.Add(time.Minute), virtualNow, r)
	if got := ep.Secrets(wall.Add(2 * time.Minute)); len(got) != 2 || got[0] != ep.Secret || got[1] != first {
		t.Fatalf("after rotating with 0: %v", got)
	}
	// Old rotated-out secrets are bounded.
	for range 20 {
		ep, _ = s.Rotate(ep.ID, time.Hour, wall, virtualNow, r)
	}
	if n := len(ep.Secrets(wall)); n != 1+maxPreviousSecrets {
		t.Fatalf("%d valid secrets after many rotations", n)
	}
	if _, err := s.Rotate("we_missing", 0, wall, virtualNow, r); err == nil {
		t.Fatal("rotated a missing endpoint")
	}
}

func TestStoreAttemptLogIsBounded(t *testing.T) {
	s := NewStore()
	ep, _ := s.Create(EndpointInput{URL: "http://x", EnabledEvents: []string{"*"}}, virtualNow, seeded())
	gen, _ := s.newDelivery(ep.ID, "evt_1")
	for i := range MaxAttemptsPerEndpoint + 5 {
		if !s.record(&Attempt{EndpointID: ep.ID, Attempt: i + 1}, gen, "") {
			t.Fatal("not recorded")
		}
	}
	var all []Attempt
	before := uint64(0)
	for {
		page, next, err := s.Attempts(ep.ID, before, 100)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, page...)
		if next == 0 {
			break
		}
		before = next
	}
	if len(all) != MaxAttemptsPerEndpoint || all[0].Attempt != MaxAttemptsPerEndpoint+5 || all[len(all)-1].Attempt != 6 {
		t.Fatalf("%d attempts kept, newest %d, oldest %d", len(all), all[0].Attempt, all[len(all)-1].Attempt)
	}
	// A record from before a reset is dropped.
	s.Reset()
	ep, _ = s.Create(EndpointInput{URL: "http://x", EnabledEvents: []string{"*"}}, virtualNow, seeded())
	if s.record(&Attempt{EndpointID: ep.ID}, gen, "") {
		t.Fatal("an attempt of before the reset was recorded")
	}
	if _, _, err := s.Attempts("we_missing", 0, 10); err == nil {
		t.Fatal("attempts of a missing endpoint")
	}
}
