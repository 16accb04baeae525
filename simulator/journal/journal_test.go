package journal

import (
	"fmt"
	"net/http"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"
)

var wall0 = time.Date(2026, 11, 21, 14, 3, 7, 0, time.UTC)

func entry(i int, method, path, route, key string) *Entry {
	return &Entry{
		RequestID: fmt.Sprintf("req_%d", i), Method: method, Path: path, Route: route, IdempotencyKey: key,
		ArrivedAt: wall0.Add(time.Duration(i) * time.Second),
	}
}

func ids(es []Entry) []int64 {
	out := make([]int64, len(es))
	for i, e := range es {
		out[i] = e.ID
	}
	return out
}

func TestBeginAssignsIDsInArrivalOrder(t *testing.T) {
	j := New(10)
	var es []*Entry
	for i := range 3 {
		e := entry(i, "GET", "/v1/accounts", "/v1/accounts", "")
		j.Begin(e)
		es = append(es, e)
	}
	for i, e := range es {
		if e.ID != int64(i+1) {
			t.Fatalf("entry %d has ID %d", i, e.ID)
		}
		if e.Outcome != InFlight {
			t.Fatalf("a begun entry's outcome is %q, want in_flight", e.Outcome)
		}
	}
	if j.Len() != 3 {
		t.Fatalf("Len %d", j.Len())
	}
	j.Update(es[1], func(e *Entry) { e.Status, e.Outcome = 201, Completed })
	all := j.All()
	if got := ids(all); !reflect.DeepEqual(got, []int64{1, 2, 3}) {
		t.Fatalf("All ids %v", got)
	}
	if all[1].Status != 201 || all[1].Outcome != Completed {
		t.Fatalf("update lost: %+v", all[1])
	}
	// Query returns copies: changing them does not change the journal.
	all[0].Status = 999
	if j.All()[0].Status == 999 {
		t.Fatal("Query returned the journal's own entry, not a copy")
	}
	// An outcome set before Begin is kept.
	e := &Entry{Outcome: Hung}
	j.Begin(e)
	if e.Outcome != Hung {
		t.Fatalf("Begin overwrote outcome %q", e.Outcome)
	}
}

func TestRingEvictsOldestFirst(t *testing.T) {
	j := New(3)
	for i := range 8 {
		j.Begin(entry(i, "GET", "/p", "/p", ""))
		want := min(i+1, 3)
		if j.Len() != want {
			t.Fatalf("after %d entries Len %d, want %d", i+1, j.Len(), want)
		}
		all := j.All()
		var wantIDs []int64
		for id := int64(i + 1 - want + 1); id <= int64(i+1); id++ {
			wantIDs = append(wantIDs, id)
		}
		if got := ids(all); !reflect.DeepEqual(got, wantIDs) {
			t.Fatalf("after %d entries ids %v, want %v (oldest first)", i+1, got, wantIDs)
		}
	}
	if got := j.All()[0].RequestID; got != "req_5" {
		t.Fatalf("oldest kept is %s, want req_5", got)
	}
}

func TestCapacityBelowOneKeepsOne(t *testing.T) {
	for _, capacity := range []int{0, -5} {
		j := New(capacity)
		j.Begin(entry(1, "GET", "/a", "", ""))
		j.Begin(entry(2, "GET", "/b", "", ""))
		all := j.All()
		if len(all) != 1 || all[0].Path != "/b" || all[0].ID != 2 {
			t.Fatalf("New(%d): %+v", capacity, all)
		}
	}
}

func TestLargeRingGrowsPastInitialAllocation(t *testing.T) {
	j := New(1500)
	for i := range 1600 {
		j.Begin(entry(i, "GET", "/p", "", ""))
	}
	all := j.All()
	if len(all) != 1500 || all[0].ID != 101 || all[1499].ID != 1600 {
		t.Fatalf("len %d first %d last %d", len(all), all[0].ID, all[len(all)-1].ID)
	}
}

func seeded(t *testing.T) *Journal {
	t.Helper()
	j := New(100)
	j.Begin(entry(1, "GET", "/v1/accounts", "/v1/accounts", ""))
	j.Begin(entry(2, "POST", "/v1/transfers", "/v1/transfers", "key-1"))
	j.Begin(entry(3, "GET", "/v1/transfers/trf_A", "/v1/transfers/{id}", ""))
	j.Begin(entry(4, "POST", "/v1/transfers", "/v1/transfers", "key-1"))
	j.Begin(entry(5, "GET", "/v1/transfers/trf_B", "/v1/transfers/{id}", ""))
	j.Begin(entry(6, "POST", "/v1/transfers/trf_A/cancel", "/v1/transfers/{id}/cancel", "key-2"))
	j.Begin(entry(7, "GET", "/nowhere", "", "")) // an unknown route has no template
	return j
}

func TestQueryFilters(t *testing.T) {
	j := seeded(t)
	cases := []struct {
		name string
		f    Filter
		want []int64
	}{
		{"none", Filter{}, []int64{1, 2, 3, 4, 5, 6, 7}},
		{"method", Filter{Method: "POST"}, []int64{2, 4, 6}},
		{"method is case-insensitive", Filter{Method: "post"}, []int64{2, 4, 6}},
		{"exact path", Filter{Path: "/v1/transfers/trf_A"}, []int64{3}},
		{"path template", Filter{Path: "/v1/transfers/{id}"}, []int64{3, 5}},
		{"path is not a prefix match", Filter{Path: "/v1/transfers"}, []int64{2, 4}},
		{"unknown route by exact path", Filter{Path: "/nowhere"}, []int64{7}},
		{"idempotency key", Filter{IdempotencyKey: "key-1"}, []int64{2, 4}},
		{"since is inclusive", Filter{Since: wall0.Add(5 * time.Second)}, []int64{5, 6, 7}},
		{"since after everything", Filter{Since: wall0.Add(time.Hour)}, nil},
		{"combined", Filter{Method: "GET", Path: "/v1/transfers/{id}", Since: wall0.Add(4 * time.Second)}, []int64{5}},
		{"no match", Filter{Method: "DELETE"}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, more := j.Query(tc.f, 0, 100)
			if !reflect.DeepEqual(ids(got), tc.want) && !(len(got) == 0 && len(tc.want) == 0) {
				t.Fatalf("ids %v, want %v", ids(got), tc.want)
			}
			if more {
				t.Fatal("more reported on a complete result")
			}
		})
	}
}

func TestQueryPaging(t *testing.T) {
	j := seeded(t)
	var got []int64
	after, pages := int64(0), 0
	for {
		page, more := j.Query(Filter{}, after, 3)
		pages++
		if len(page) > 3 {
			t.Fatalf("page of %d entries with limit 3", len(page))
		}
		got = append(got, ids(page)...)
		if !more {
			break
		}
		after = page[len(page)-1].ID
		if pages > 10 {
			t.Fatal("paging does not end")
		}
	}
	if pages != 3 || !reflect.DeepEqual(got, []int64{1, 2, 3, 4, 5, 6, 7}) {
		t.Fatalf("%d pages, ids %v", pages, got)
	}
	// A page that ends exactly at the last match reports no more.
	page, more := j.Query(Filter{Method: "POST"}, 0, 3)
	if len(page) != 3 || more {
		t.Fatalf("exact page: %v more=%v", ids(page), more)
	}
	// Filtered paging: "more" counts only matching entries.
	page, more = j.Query(Filter{Method: "POST"}, 0, 2)
	if !reflect.DeepEqual(ids(page), []int64{2, 4}) || !more {
		t.Fatalf("filtered first page %v more=%v", ids(page), more)
	}
	page, more = j.Query(Filter{Method: "POST"}, 4, 2)
	if !reflect.DeepEqual(ids(page), []int64{6}) || more {
		t.Fatalf("filtered second page %v more=%v", ids(page), more)
	}
	// A cursor past the end, or one pointing at evicted entries, still works.
	if page, more := j.Query(Filter{}, 100, 5); len(page) != 0 || more {
		t.Fatalf("after the end: %v %v", ids(page), more)
	}
}

func TestQueryAfterEviction(t *testing.T) {
	j := New(4)
	for i := range 10 {
		j.Begin(entry(i, "GET", "/p", "", ""))
	}
	// Entries 1..6 are gone; a cursor from before the eviction resumes at the oldest kept.
	page, more := j.Query(Filter{}, 2, 2)
	if !reflect.DeepEqual(ids(page), []int64{7, 8}) || !more {
		t.Fatalf("page %v more=%v", ids(page), more)
	}
}

func TestResetKeepsOneEntry(t *testing.T) {
	j := seeded(t)
	keep := entry(99, "POST", "/_sandbank/reset", "/_sandbank/reset", "")
	j.Begin(keep)
	if keep.ID != 8 {
		t.Fatalf("keep ID %d", keep.ID)
	}
	j.Reset(keep)
	all := j.All()
	if len(all) != 1 || all[0].ID != 1 || all[0].RequestID != "req_99" || j.Len() != 1 {
		t.Fatalf("after Reset(keep): %+v", all)
	}
	if keep.ID != 1 {
		t.Fatalf("the kept entry's ID is %d, want 1", keep.ID)
	}
	// The kept entry can still be completed through Update.
	j.Update(keep, func(e *Entry) { e.Status = 200 })
	next := entry(100, "GET", "/_sandbank/journal", "", "")
	j.Begin(next)
	all = j.All()
	if next.ID != 2 || len(all) != 2 || all[0].Status != 200 {
		t.Fatalf("after reset: %+v", all)
	}

	j.Reset(nil)
	if j.Len() != 0 || len(j.All()) != 0 {
		t.Fatalf("Reset(nil) left %d entries", j.Len())
	}
	e := entry(1, "GET", "/", "", "")
	j.Begin(e)
	if e.ID != 1 {
		t.Fatalf("first ID after Reset(nil) is %d", e.ID)
	}
}

func TestResetAfterWrapAround(t *testing.T) {
	j := New(3)
	for i := range 5 { // head is now in the middle of the ring
		j.Begin(entry(i, "GET", "/p", "", ""))
	}
	keep := entry(50, "POST", "/_sandbank/reset", "", "")
	j.Begin(keep)
	j.Reset(keep)
	for i := range 4 {
		j.Begin(entry(60+i, "GET", "/q", "", ""))
	}
	all := j.All()
	if got := ids(all); !reflect.DeepEqual(got, []int64{3, 4, 5}) {
		t.Fatalf("ids %v, want [3 4 5]", got)
	}
	if all[0].RequestID != "req_61" {
		t.Fatalf("oldest %s", all[0].RequestID)
	}
}

func TestConcurrentUse(t *testing.T) {
	j := New(50)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 100 {
				e := entry(g*1000+i, "GET", "/p", "", "")
				j.Begin(e)
				j.Update(e, func(e *Entry) { e.Status = 200 })
				j.Query(Filter{Method: "GET"}, 0, 10)
				_ = j.Len()
			}
		}()
	}
	wg.Wait()
	all := j.All()
	if len(all) != 50 || all[49].ID != 800 || all[0].ID != 751 {
		t.Fatalf("len %d, ids %d..%d", len(all), all[0].ID, all[len(all)-1].ID)
	}
}

func TestMaskCredential(t *testing.T) {
	cases := []struct{ in, want string }{
		{"sk_test_4eC39HqLyjWDarjtT1zdp7dc", "sk_test_************p7dc"},
		{"Bearer sk_test_4eC39HqLyjWDarjtT1zdp7dc", "Bearer sk_test_************p7dc"},
		{"Bearer sk_test_abcdefgh12345678", "Bearer sk_test_************5678"},
		{"Bearer at_Qm9uZEphbWVz", "Bearer at_********bWVz"},
		{"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "whsec_************LaSw"},
		{"ci_test_4eC39HqLyjWDarjtT1zdp7dc", "ci_test_************p7dc"},
		{"Basic c2tfdGVzdF9hYmNkZWZnaDEyMzQ1Njc4Og==", "Basic ************Og=="},
		{"opaque-secret-value", "************alue"},
		{"abcde", "*****"},
		{"abcdefghijk", "***********"},
		{"abcdefghijkl", "********ijkl"},
		{"abcd", "****"},
		{"ab", "**"},
		{"", ""},
		{"sk_test_", "sk_test_"},
		{"Bearer ", "Bearer "},
	}
	for _, tc := range cases {
		if got := MaskCredential(tc.in); got != tc.want {
			t.Errorf("MaskCredential(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestMaskCredentialNeverLeaksTheSecret(t *testing.T) {
	for _, n := range []int{5, 8, 16, 17, 24, 64, 128} {
		secret := strings.Repeat("Z", n-4) + "0123"
		for _, v := range []string{secret, "sk_test_" + secret, "Bearer sk_test_" + secret, "Bearer at_" + secret} {
			masked := MaskCredential(v)
			if strings.Contains(masked, secret) || strings.Contains(masked, strings.Repeat("Z", max(n-4, 1))) {
				t.Errorf("MaskCredential(%q) = %q leaks the secret", v, masked)
			}
			if n >= 12 && !strings.HasSuffix(masked, "0123") {
				t.Errorf("MaskCredential(%q) = %q does not keep the last four characters", v, masked)
			}
		}
	}
}

func TestMaskHeaders(t *testing.T) {
	h := http.Header{}
	h.Set("Authorization", "Bearer sk_test_4eC39HqLyjWDarjtT1zdp7dc")
	h.Set("Cookie", "session=abcdefghijklmnop")
	h.Set("X-Api-Key", "sk_test_AAAAAAAAAAAAAAAAAAAA")
	h.Set("Webhook-Signature", "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")
	h.Set("X-Client-Secret", "hunter2hunter2")
	h.Set("X-Refresh-Token", "rt_123456789")
	h.Set("X-Password", "correcthorse")
	h.Set("Content-Type", "application/json")
	h.Set("Idempotency-Key", `"4f1c2a7e-9b1d-4c55-8f0e-2d6a1b9c3e70"`)
	h.Add("X-Multi-Token", "first-secret-1111")
	h.Add("X-Multi-Token", "second-secret-2222")

	m := MaskHeaders(h)
	want := map[string]string{
		"Authorization":     "Bearer sk_test_************p7dc",
		"Cookie":            "************mnop",
		"X-Api-Key":         "sk_test_************AAAA",
		"Webhook-Signature": "************1OE=",
		"X-Client-Secret":   "**********ter2",
		"X-Refresh-Token":   "********6789",
		"X-Password":        "********orse",
		"Content-Type":      "application/json",
		"Idempotency-Key":   `"4f1c2a7e-9b1d-4c55-8f0e-2d6a1b9c3e70"`,
	}
	for name, w := range want {
		if got := m.Get(name); got != w {
			t.Errorf("%s: %q, want %q", name, got, w)
		}
	}
	if got := m.Values("X-Multi-Token"); !reflect.DeepEqual(got, []string{"************1111", "************2222"}) {
		t.Errorf("multi-valued secret header: %q", got)
	}
	for name, vs := range m {
		for _, v := range vs {
			for _, secret := range []string{"4eC39HqLyjWDarjtT1zdp7dc", "abcdefghijklmnop", "hunter2hunter2", "correcthorse", "first-secret", "second-secret"} {
				if strings.Contains(v, secret) {
					t.Errorf("%s leaks %q: %q", name, secret, v)
				}
			}
		}
	}
	// The original headers are untouched.
	if h.Get("Authorization") != "Bearer sk_test_4eC39HqLyjWDarjtT1zdp7dc" {
		t.Fatal("MaskHeaders modified its input")
	}
	if len(MaskHeaders(nil)) != 0 {
		t.Fatal("MaskHeaders(nil) is not empty")
	}
}
