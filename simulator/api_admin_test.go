package simulator_test

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sandbank/sandbank/simulator"
	"github.com/sandbank/sandbank/simulator/simtest"
)

// apiWall is a wall clock the test sets by hand (Config.Wall), so that
// arrival times in the journal are known without sleeping.
type apiWall struct{ ns atomic.Int64 }

func newAPIWall(t time.Time) *apiWall {
	w := &apiWall{}
	w.set(t)
	return w
}

func (w *apiWall) now() time.Time      { return time.Unix(0, w.ns.Load()).UTC() }
func (w *apiWall) set(t time.Time)     { w.ns.Store(t.UnixNano()) }
func (w *apiWall) add(d time.Duration) { w.ns.Add(int64(d)) }

type apiJournalPage struct {
	Data       []map[string]any `json:"data"`
	HasMore    bool             `json:"has_more"`
	NextCursor *string          `json:"next_cursor"`
}

func apiJournalQuery(t testing.TB, c *simtest.Client, query string) apiJournalPage {
	t.Helper()
	var page apiJournalPage
	apiJSON(t, c.Get("/_sandbank/journal?"+query), http.StatusOK, &page)
	return page
}

func apiEntryIDs(entries []map[string]any) []int {
	out := make([]int, len(entries))
	for i, e := range entries {
		out[i] = int(e["id"].(float64))
	}
	return out
}

func apiHeader(e map[string]any, name string) []string {
	headers, _ := e["headers"].(map[string]any)
	vs, _ := headers[name].([]any)
	var out []string
	for _, v := range vs {
		out = append(out, v.(string))
	}
	return out
}

var apiConnID = regexp.MustCompile(`^conn_[0-9]+$`)

func TestAdminJournalRecordsRequests(t *testing.T) {
	wall := newAPIWall(time.Date(2026, 11, 21, 14, 3, 7, 125_000_000, time.UTC))
	srv := simtest.Start(t, simulator.Config{Wall: wall.now})
	key := simtest.NewKey("journal")
	c := srv.Client(key)
	_, acc := apiFundedAccount(t, c, 100_000)
	advance(t, c, "1h")

	body, _ := json.Marshal(apiTEDTransfer(acc, 2500))
	wall.add(time.Minute)
	arrived := wall.now()
	r := c.Post("/v1/transfers", body, "Idempotency-Key", `"idem-1"`, "X-Request-Id", "client-trace-7")
	var tr struct {
		ID string `json:"id"`
	}
	apiJSON(t, r, http.StatusCreated, &tr)
	if r.Header.Get("X-Request-Id") != "client-trace-7" {
		t.Errorf("X-Request-Id not echoed: %q", r.Header.Get("X-Request-Id"))
	}

	e := journalEntry(t, c, r)
	sum := sha256.Sum256(body)
	want := map[string]any{
		"method": "POST", "path": "/v1/transfers", "query": "", "route": "/v1/transfers", "operation_id": "createTransfer",
		"status": 201.0, "outcome": "completed", "body_sha256": hex.EncodeToString(sum[:]), "body_bytes": float64(len(body)),
		"idempotency_key": "idem-1", "replayed": false, "problem_code": nil, "resource_id": tr.ID, "fault": nil,
		"virtual_time": "2026-03-02T13:00:00Z", "arrived_at": arrived.Format(time.RFC3339Nano),
		"request_id": r.Header.Get("Request-Id"),
	}
	for k, v := range want {
		if e[k] != v {
			t.Errorf("%s = %#v, want %#v", k, e[k], v)
		}
	}
	if id, _ := e["connection_id"].(string); !apiConnID.MatchString(id) {
		t.Errorf("connection_id %q", id)
	}
	if d, ok := e["duration_us"].(float64); !ok || d < 0 {
		t.Errorf("duration_us %v", e["duration_us"])
	}
	if m, ok := e["monotonic_ns"].(float64); !ok || m <= 0 {
		t.Errorf("monotonic_ns %v", e["monotonic_ns"])
	}
	if got := apiHeader(e, "Authorization"); len(got) != 1 || got[0] != "Bearer sk_test_************"+key[len(key)-4:] {
		t.Errorf("Authorization %v", got)
	}
	if got := apiHeader(e, "Idempotency-Key"); len(got) != 1 || got[0] != `"idem-1"` {
		t.Errorf("Idempotency-Key header as sent: %v", got)
	}
	if got := apiHeader(e, "Content-Type"); len(got) != 1 || got[0] != "application/json" {
		t.Errorf("Content-Type %v", got)
	}

	// The replay is journaled as such, with the same resource.
	r2 := c.Post("/v1/transfers", body, "Idempotency-Key", "idem-1")
	apiJSON(t, r2, http.StatusCreated, nil)
	if r2.Header.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("not a replay: %v", r2.Header)
	}
	e2 := journalEntry(t, c, r2)
	if e2["replayed"] != true || e2["resource_id"] != tr.ID || e2["status"] != 201.0 || e2["idempotency_key"] != "idem-1" || e2["body_sha256"] != e["body_sha256"] {
		t.Errorf("replay entry %v", e2)
	}
	if e2["request_id"] == e["request_id"] {
		t.Error("the replay has the first request's request id")
	}

	// A template route, a query string, a problem, a request without a body.
	r3 := c.Get("/v1/accounts/" + acc + "/transactions?limit=2&type=pix")
	apiJSON(t, r3, http.StatusOK, nil)
	e3 := journalEntry(t, c, r3)
	if e3["route"] != "/v1/accounts/{id}/transactions" || e3["path"] != "/v1/accounts/"+acc+"/transactions" || e3["query"] != "limit=2&type=pix" ||
		e3["operation_id"] != "listAccountTransactions" || e3["body_sha256"] != nil || e3["body_bytes"] != 0.0 || e3["idempotency_key"] != nil || e3["resource_id"] != acc {
		t.Errorf("GET entry %v", e3)
	}
	r4 := c.Get("/v1/transfers/trf_doesnotexist0000")
	apiProblem(t, r4, http.StatusNotFound, "resource_missing")
	if e4 := journalEntry(t, c, r4); e4["problem_code"] != "resource_missing" || e4["status"] != 404.0 || e4["resource_id"] != nil {
		t.Errorf("404 entry %v", e4)
	}
	// An unparseable key is journaled as sent.
	r5 := c.Post("/v1/transfers", body, "Idempotency-Key", "a,b")
	apiProblem(t, r5, http.StatusBadRequest, "invalid_idempotency_key")
	if e5 := journalEntry(t, c, r5); e5["idempotency_key"] != "a,b" || e5["problem_code"] != "invalid_idempotency_key" {
		t.Errorf("bad key entry %v", e5)
	}

	// The full key appears nowhere in the journal.
	raw := c.Get("/_sandbank/journal?limit=100")
	if strings.Contains(string(raw.Body), key) || strings.Contains(string(raw.Body), strings.TrimPrefix(key, "sk_test_")) {
		t.Fatal("the journal holds the API key")
	}
}

func TestAdminJournalConnectionIDs(t *testing.T) {
	srv := simtest.Start(t, simulator.Config{})
	key := simtest.NewKey("conn")
	client := func() *simtest.Client {
		c := srv.Client(key)
		c.HTTP = &http.Client{Transport: &http.Transport{}}
		t.Cleanup(c.HTTP.CloseIdleConnections)
		return c
	}
	c1, c2 := client(), client()
	a := journalEntry(t, c1, c1.Get("/v1/accounts"))
	b := journalEntry(t, c1, c1.Get("/v1/customers"))
	d := journalEntry(t, c1, c2.Get("/v1/customers"))
	if a["connection_id"] != b["connection_id"] {
		t.Errorf("two requests on one kept-alive connection: %v, %v", a["connection_id"], b["connection_id"])
	}
	if a["connection_id"] == d["connection_id"] {
		t.Errorf("two connections share the id %v", a["connection_id"])
	}
}

func TestAdminJournalFilters(t *testing.T) {
	w1 := time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)
	w2 := w1.Add(time.Hour)
	wall := newAPIWall(w1)
	srv := simtest.Start(t, simulator.Config{Wall: wall.now})
	c := srv.Client(simtest.NewKey("filters"))
	accs := apiListIDs(t, c, "/v1/accounts")                                                     // 1 GET
	c.Get("/v1/accounts/" + accs[0])                                                             // 2
	c.Get("/v1/accounts/" + accs[1])                                                             // 3
	c.Post("/v1/sandbox/clock/advance", map[string]string{"by": "1s"}, "Idempotency-Key", "k-1") // 4
	wall.set(w2)
	c.Get("/v1/accounts/" + accs[0] + "/balances")                                               // 5
	c.Post("/v1/sandbox/clock/advance", map[string]string{"by": "2s"}, "Idempotency-Key", "k-2") // 6
	c.Post("/v1/sandbox/clock/advance", map[string]string{"by": "3s"}, "Idempotency-Key", "k-1") // 7: mismatch

	cases := []struct {
		query string
		want  []int
	}{
		{"method=POST", []int{4, 6, 7}},
		{"path=" + url.QueryEscape("/v1/accounts/"+accs[0]), []int{2}},
		{"path=" + url.QueryEscape("/v1/accounts/{id}"), []int{2, 3}},
		{"path=%2Fv1%2Faccounts%2F%7Bid%7D%2Fbalances", []int{5}},
		{"path=/v1/sandbox/clock/advance&method=POST", []int{4, 6, 7}},
		{"idempotency_key=k-1", []int{4, 7}},
		{"idempotency_key=k-2&method=POST", []int{6}},
		{"since=" + url.QueryEscape(w2.Format(time.RFC3339)) + "&method=POST", []int{6, 7}},
		{"since=" + url.QueryEscape(w2.Add(-time.Nanosecond).Format(time.RFC3339Nano)) + "&path=" + url.QueryEscape("/v1/accounts/{id}/balances"), []int{5}},
		{"since=" + url.QueryEscape(w1.Add(-time.Hour).Format(time.RFC3339)) + "&method=POST&idempotency_key=k-1", []int{4, 7}},
		{"method=PATCH", nil},
		{"path=/v1/accounts/acc_other", nil},
	}
	for _, tc := range cases {
		page := apiJournalQuery(t, c, tc.query)
		if got := apiEntryIDs(page.Data); !slices.Equal(got, tc.want) && !(len(got) == 0 && len(tc.want) == 0) {
			t.Errorf("%s: ids %v, want %v", tc.query, got, tc.want)
		}
		if page.HasMore || page.NextCursor != nil {
			t.Errorf("%s: has_more on a complete page", tc.query)
		}
	}
	// The mismatch (entry 7) is recorded with its problem.
	page := apiJournalQuery(t, c, "idempotency_key=k-1")
	if last := page.Data[len(page.Data)-1]; last["problem_code"] != "idempotency_key_mismatch" || last["status"] != 422.0 {
		t.Errorf("entry 7 %v", last)
	}
	// Bad filter values are named.
	apiInvalid(t, c.Get("/_sandbank/journal?since=2026-11-21"), "query:since")
	apiInvalid(t, c.Get("/_sandbank/journal?method=get"), "query:method")
	apiInvalid(t, c.Get("/_sandbank/journal?status=200"), "query:status")
}

func TestAdminJournalPaging(t *testing.T) {
	srv := simtest.Start(t, simulator.Config{})
	c := srv.Client(simtest.NewKey("paging"))
	for i := range 7 {
		c.Post("/v1/sandbox/clock/advance", map[string]string{"by": fmt.Sprintf("%ds", i+1)})
	}
	// A filtered walk: exact pages.
	var ids []int
	query := "method=POST&limit=3"
	for pages := 1; ; pages++ {
		page := apiJournalQuery(t, c, query)
		if len(page.Data) > 3 {
			t.Fatalf("page of %d", len(page.Data))
		}
		ids = append(ids, apiEntryIDs(page.Data)...)
		if !page.HasMore {
			if page.NextCursor != nil || pages != 3 {
				t.Fatalf("last page %d: next_cursor %v", pages, page.NextCursor)
			}
			break
		}
		if page.NextCursor == nil || !regexp.MustCompile(`^[A-Za-z0-9_-]+$`).MatchString(*page.NextCursor) {
			t.Fatalf("cursor %v", page.NextCursor)
		}
		query = "method=POST&limit=3&cursor=" + *page.NextCursor
	}
	if !slices.Equal(ids, []int{1, 2, 3, 4, 5, 6, 7}) {
		t.Fatalf("ids %v", ids)
	}
	// The unfiltered walk (every page read adds an entry) still ends and
	// sees every entry once, in order.
	all := c.Journal()
	got := apiEntryIDs(all)
	for i, id := range got {
		if id != i+1 {
			t.Fatalf("ids %v are not 1..n", got)
		}
	}
	if len(got) < 10 {
		t.Fatalf("only %d entries", len(got))
	}
	// A limit of exactly the number of matches: no more pages.
	if page := apiJournalQuery(t, c, "method=POST&limit=7"); len(page.Data) != 7 || page.HasMore {
		t.Fatalf("exact page: %d more=%v", len(page.Data), page.HasMore)
	}
	// Cursors that are not journal cursors are refused.
	var customers struct {
		NextCursor string `json:"next_cursor"`
	}
	apiJSON(t, c.Get("/v1/customers?limit=1"), http.StatusOK, &customers)
	for _, cur := range []string{customers.NextCursor, "bm90LWEtY3Vyc29y", "anJuOjA"} {
		apiProblem(t, c.Get("/_sandbank/journal?cursor="+cur), http.StatusBadRequest, "invalid_cursor")
	}
	apiInvalid(t, c.Get("/_sandbank/journal?limit=0"), "query:limit")
}

func TestAdminJournalRingBound(t *testing.T) {
	srv := simtest.Start(t, simulator.Config{JournalSize: 5})
	c := srv.Client(simtest.NewKey("ring"))
	for range 8 {
		c.Get("/v1/sandbox/clock")
	}
	page := apiJournalQuery(t, c, "limit=100")
	if got := apiEntryIDs(page.Data); !slices.Equal(got, []int{5, 6, 7, 8, 9}) {
		t.Fatalf("ids %v, want the newest five [5..9]", got)
	}
	if last := page.Data[4]; last["operation_id"] != "getJournal" {
		t.Fatalf("the newest entry is %v, want the journal read itself", last["operation_id"])
	}
	info := apiTenant(t, c)
	if info.Counts.JournalEntries != 5 {
		t.Fatalf("counts.journal_entries %d, want 5", info.Counts.JournalEntries)
	}
	// Paging across the ring still works.
	page = apiJournalQuery(t, c, "limit=2")
	if got := apiEntryIDs(page.Data); !slices.Equal(got, []int{7, 8}) || !page.HasMore {
		t.Fatalf("first page %v", got)
	}
}

func TestAdminResetRestoresTheSeededState(t *testing.T) {
	cfg := simulator.Config{Seed: 42}
	srv := simtest.Start(t, cfg)
	key := simtest.NewKey("reset")
	c := srv.Client(key)

	lists := []string{"/v1/customers?limit=100", "/v1/accounts?limit=100", "/v1/transfers?limit=100", "/v1/sandbox/clock", "/_sandbank/settings"}
	fresh := map[string]string{}
	for _, p := range lists {
		r := c.Get(p)
		apiJSON(t, r, http.StatusOK, nil)
		fresh[p] = string(r.Body)
	}
	accs := apiListIDs(t, c, "/v1/accounts")
	for _, acc := range accs {
		p := "/v1/accounts/" + acc + "/transactions?limit=100"
		fresh[p] = string(c.Get(p).Body)
		lists = append(lists, p)
	}
	initial := apiTenant(t, c)

	// Change everything a tenant can change.
	cust, acc := apiFundedAccount(t, c, 100_000)
	apiJSON(t, c.Post("/v1/transfers", apiTEDTransfer(acc, 100), "Idempotency-Key", "reset-key"), http.StatusCreated, nil)
	advance(t, c, "2h")
	apiJSON(t, c.Patch("/_sandbank/settings", map[string]any{"idempotency": map[string]string{"profile": "stripe", "key": "required"}}), http.StatusOK, nil)
	changed := apiTenant(t, c)
	if changed.Counts.Customers != initial.Counts.Customers+1 || changed.Counts.Transfers != 1 || changed.Counts.IdempotencyKeys != 1 || changed.Clock != "2026-03-02T14:00:00Z" {
		t.Fatalf("the changes did not take: %+v", changed)
	}

	r := c.Post("/_sandbank/reset", nil)
	var after apiTenantInfo
	apiJSON(t, r, http.StatusOK, &after)
	if after.Seed != initial.Seed || after.Key != initial.Key || after.Clock != "2026-03-02T12:00:00Z" ||
		after.Counts.Customers != initial.Counts.Customers || after.Counts.Accounts != initial.Counts.Accounts ||
		after.Counts.Transactions != initial.Counts.Transactions || after.Counts.Transfers != 0 ||
		after.Counts.IdempotencyKeys != 0 || after.Counts.JournalEntries != 1 {
		t.Fatalf("after reset %+v, initially %+v", after, initial)
	}

	// The journal starts again with the reset request as entry 1.
	page := apiJournalQuery(t, c, "limit=100")
	if len(page.Data) != 2 {
		t.Fatalf("journal after reset has %d entries: %v", len(page.Data), page.Data)
	}
	first := page.Data[0]
	if first["id"] != 1.0 || first["operation_id"] != "resetTenant" || first["status"] != 200.0 || first["outcome"] != "completed" || first["request_id"] != r.Header.Get("Request-Id") {
		t.Fatalf("entry 1 %v", first)
	}
	if page.Data[1]["id"] != 2.0 || page.Data[1]["operation_id"] != "getJournal" {
		t.Fatalf("entry 2 %v", page.Data[1])
	}

	// Data, clock and settings are the seeded ones again, byte for byte.
	for _, p := range lists {
		if got := string(c.Get(p).Body); got != fresh[p] {
			t.Errorf("%s after reset differs:\n%s\nwas\n%s", p, got, fresh[p])
		}
	}
	apiProblem(t, c.Get("/v1/customers/"+cust), http.StatusNotFound, "resource_missing")
	// The idempotency key is forgotten: another body with it is a new request.
	var cust2 struct {
		ID string `json:"id"`
	}
	apiJSON(t, c.Post("/v1/customers", map[string]any{
		"type": "individual", "name": "Ana Beatriz Souza", "email": "ana.souza@example.com",
		"tax_id": map[string]string{"type": "br_cpf", "value": "111.444.777-35"},
	}, "Idempotency-Key", "reset-key"), http.StatusCreated, &cust2)
	// Same seed, same requests: the same id as before the reset.
	if cust2.ID != cust {
		t.Errorf("the same request after reset created %s, before %s", cust2.ID, cust)
	}

	// A fresh server with the same seed gives the same key the same bank.
	other := simtest.Start(t, cfg).Client(key)
	for _, p := range lists {
		if got := string(other.Get(p).Body); got != fresh[p] {
			t.Errorf("%s on a fresh server differs", p)
		}
	}
	if info := apiTenant(t, other); info.Seed != initial.Seed {
		t.Errorf("seed %s on a fresh server, %s here", info.Seed, initial.Seed)
	}
	// Another key is another bank.
	if got := apiListIDs(t, srv.Client(simtest.NewKey("resetother")), "/v1/accounts"); slices.Equal(got, accs) {
		t.Error("two keys got the same accounts")
	}
	if err := srv.Sim.VerifyTenant(key); err != nil {
		t.Fatal(err)
	}
}

// TestAdminResetRequestIDsStayUnique: request ids restart with the reset
// (the same requests give the same ids), but never repeat within the journal.
func TestAdminResetRequestIDsStayUnique(t *testing.T) {
	srv := simtest.Start(t, simulator.Config{})
	c := srv.Client(simtest.NewKey("resetids"))
	c.Get("/v1/accounts")
	reset := c.Post("/_sandbank/reset", nil)
	apiJSON(t, reset, http.StatusOK, nil)
	var after []*simtest.Response
	for range 4 {
		after = append(after, c.Get("/v1/sandbox/clock"))
	}
	entries := c.Journal()
	seen := map[any]bool{}
	for _, e := range entries {
		if seen[e["request_id"]] {
			t.Fatalf("request id %v appears twice in the journal: %v", e["request_id"], entries)
		}
		seen[e["request_id"]] = true
	}
	if e := journalEntry(t, c, reset); e["operation_id"] != "resetTenant" || e["id"] != 1.0 {
		t.Fatalf("the reset's Request-Id names %v", e)
	}
	for _, r := range after {
		if e := journalEntry(t, c, r); e["operation_id"] != "getClock" {
			t.Fatalf("Request-Id %s names %v", r.Header.Get("Request-Id"), e)
		}
	}
	// A fresh tenant making the same requests after its own reset gets the same ids.
	c2 := simtest.Start(t, simulator.Config{}).Client(c.Key)
	c2.Get("/v1/customers")
	c2.Post("/_sandbank/reset", nil)
	if got := c2.Get("/v1/sandbox/clock").Header.Get("Request-Id"); got != after[0].Header.Get("Request-Id") {
		t.Fatalf("request ids after a reset are not deterministic: %s vs %s", got, after[0].Header.Get("Request-Id"))
	}
}

func TestAdminResetKeepsConfiguredDefaults(t *testing.T) {
	srv := simtest.Start(t, simulator.Config{IdempotencyProfile: "stripe", IdempotencyKey: "required", IdempotencyTTL: 2 * time.Hour})
	c := srv.Client(simtest.NewKey("defaults"))
	want := `{"object":"settings","idempotency":{"profile":"stripe","key":"required","ttl_seconds":7200},"rate_limit":{"requests_per_second":0,"burst":1},"payments":{"risk":{"timeout_ms":2000,"on_timeout":"allow","offline_limit":50000},"amount_declines":false}}`
	if got := strings.TrimSpace(c.Get("/_sandbank/settings").String()); got != want {
		t.Fatalf("settings %s", got)
	}
	apiJSON(t, c.Patch("/_sandbank/settings", `{"idempotency":{"profile":"ietf","key":"optional"}}`), http.StatusOK, nil)
	apiJSON(t, c.Post("/_sandbank/reset", "{}"), http.StatusOK, nil)
	if got := strings.TrimSpace(c.Get("/_sandbank/settings").String()); got != want {
		t.Fatalf("settings after reset %s, want the server's defaults %s", got, want)
	}
}

func TestAdminTenant(t *testing.T) {
	created := time.Date(2026, 11, 21, 14, 3, 7, 987_000_000, time.UTC)
	wall := newAPIWall(created)
	srv := simtest.Start(t, simulator.Config{Seed: 7, Wall: wall.now})
	key := simtest.NewKey("tenantinfo")
	c := srv.Client(key)
	apiJSON(t, c.Get("/v1/sandbox/clock"), http.StatusOK, nil) // provisions the tenant
	wall.add(time.Hour)                                        // later requests do not change created_at

	r := c.Get("/_sandbank/tenant")
	var info apiTenantInfo
	apiJSON(t, r, http.StatusOK, &info)
	// The key itself is masked. (oauth_client_id is the key's suffix by design:
	// see the contract's createToken; the caller holds the key anyway.)
	var view map[string]any
	r.Decode(t, &view)
	delete(view, "oauth_client_id")
	if raw, _ := json.Marshal(view); strings.Contains(string(raw), strings.TrimPrefix(key, "sk_test_")) {
		t.Fatalf("the tenant view holds the key: %s", r.Body)
	}
	if info.Object != "tenant" || info.Key != "sk_test_************"+key[len(key)-4:] || info.OAuthClientID != simulator.OAuthClientID(key) ||
		info.Clock != "2026-03-02T12:00:00Z" || info.CreatedAt != "2026-11-21T14:03:07Z" {
		t.Fatalf("tenant %+v", info)
	}
	if _, err := strconv.ParseUint(info.Seed, 10, 64); err != nil {
		t.Fatalf("seed %q is not a decimal uint64", info.Seed)
	}
	// Counts agree with what the API lists.
	customers := apiListIDs(t, c, "/v1/customers")
	accounts := apiListIDs(t, c, "/v1/accounts")
	txns := 0
	for _, acc := range accounts {
		txns += len(apiListIDs(t, c, "/v1/accounts/"+acc+"/transactions"))
	}
	if info.Counts.Customers != len(customers) || info.Counts.Accounts != len(accounts) || info.Counts.Transactions != txns ||
		info.Counts.Transfers != 0 || info.Counts.IdempotencyKeys != 0 || info.Counts.JournalEntries != 2 {
		t.Fatalf("counts %+v; listed %d customers, %d accounts, %d transactions", info.Counts, len(customers), len(accounts), txns)
	}
	apiJSON(t, c.Post("/v1/sandbox/clock/advance", map[string]string{"by": "1m"}, "Idempotency-Key", "one"), http.StatusOK, nil)
	info = apiTenant(t, c)
	if info.Counts.IdempotencyKeys != 1 || info.Clock != "2026-03-02T12:01:00Z" || info.Counts.JournalEntries != len(c.Journal())-1 { // the journal read adds itself
		t.Fatalf("counts after a keyed request %+v", info.Counts)
	}
	// The seed depends on the server seed and the key, and on nothing else.
	same := apiTenant(t, simtest.Start(t, simulator.Config{Seed: 7}).Client(key))
	otherSeed := apiTenant(t, simtest.Start(t, simulator.Config{Seed: 8}).Client(key))
	otherKey := apiTenant(t, srv.Client(simtest.NewKey("tenantinfo")))
	if same.Seed != info.Seed || otherSeed.Seed == info.Seed || otherKey.Seed == info.Seed {
		t.Fatalf("seeds: %s, same server seed %s, other server seed %s, other key %s", info.Seed, same.Seed, otherSeed.Seed, otherKey.Seed)
	}
}

func TestAdminSettings(t *testing.T) {
	srv := simtest.Start(t, simulator.Config{})
	c := srv.Client(simtest.NewKey("settings"))
	_, acc := apiFundedAccount(t, c, 100_000)
	type settings struct {
		Object      string `json:"object"`
		Idempotency struct {
			Profile    string `json:"profile"`
			Key        string `json:"key"`
			TTLSeconds int    `json:"ttl_seconds"`
		} `json:"idempotency"`
	}
	get := func() settings {
		var s settings
		apiJSON(t, c.Get("/_sandbank/settings"), http.StatusOK, &s)
		return s
	}
	s := get()
	if s.Object != "settings" || s.Idempotency.Profile != "ietf" || s.Idempotency.Key != "optional" || s.Idempotency.TTLSeconds != 86400 {
		t.Fatalf("defaults %+v", s)
	}

	// Omitted fields keep their value.
	var patched settings
	apiJSON(t, c.Patch("/_sandbank/settings", map[string]any{"idempotency": map[string]string{"profile": "stripe"}}), http.StatusOK, &patched)
	if patched.Idempotency.Profile != "stripe" || patched.Idempotency.Key != "optional" {
		t.Fatalf("after profile=stripe %+v", patched)
	}
	apiJSON(t, c.Patch("/_sandbank/settings", map[string]any{"idempotency": map[string]string{"key": "required"}}), http.StatusOK, &patched)
	if patched.Idempotency.Profile != "stripe" || patched.Idempotency.Key != "required" || get() != patched {
		t.Fatalf("after key=required %+v (GET %+v)", patched, get())
	}
	// The settings act: money-moving POSTs need a key; others do not; the
	// Stripe profile answers a reused key with 400 idempotency_error.
	apiProblem(t, c.Post("/v1/transfers", apiTEDTransfer(acc, 100)), http.StatusBadRequest, "idempotency_key_required")
	apiJSON(t, c.Post("/v1/sandbox/clock/advance", map[string]string{"by": "1s"}), http.StatusOK, nil)
	apiJSON(t, c.Post("/v1/transfers", apiTEDTransfer(acc, 100), "Idempotency-Key", "s-1"), http.StatusCreated, nil)
	apiProblem(t, c.Post("/v1/transfers", apiTEDTransfer(acc, 101), "Idempotency-Key", "s-1"), http.StatusBadRequest, "idempotency_error")

	// Unknown fields and values are refused, naming them; nothing changes.
	bad := []struct {
		body   string
		fields []string
	}{
		{`{"idempotency":{"profile":"paypal"}}`, []string{"/idempotency/profile"}},
		{`{"idempotency":{"key":"sometimes"}}`, []string{"/idempotency/key"}},
		{`{"idempotency":{"ttl_seconds":60}}`, []string{"/idempotency/ttl_seconds"}},
		{`{"idempotency":{"profile":"ietf","mode":"strict"}}`, []string{"/idempotency/mode"}},
		{`{"webhooks":{"url":"http://x"}}`, []string{"/webhooks"}},
		{`{"idempotency":{}}`, []string{"/idempotency"}},
		{`{"idempotency":null}`, []string{"/idempotency"}},
		{`{"idempotency":{"profile":1}}`, []string{"/idempotency/profile"}},
		{`{}`, []string{""}},
		{`[]`, []string{""}},
	}
	for _, tc := range bad {
		apiInvalid(t, c.Patch("/_sandbank/settings", tc.body), tc.fields...)
	}
	if got := get(); got != patched {
		t.Fatalf("refused PATCHes changed the settings: %+v", got)
	}
	apiProblem(t, c.Patch("/_sandbank/settings", `{"idempotency":`), http.StatusBadRequest, "malformed_json")
	apiProblem(t, c.Patch("/_sandbank/settings", `{"idempotency":{"key":"optional"}}`, "Content-Type", "text/plain"), http.StatusUnsupportedMediaType, "unsupported_media_type")
}
