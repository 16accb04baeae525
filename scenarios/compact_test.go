package scenarios

import (
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

func mustCompact(t testing.TB, s string) *Injection {
	t.Helper()
	in, err := ParseCompact(s)
	if err != nil {
		t.Fatalf("ParseCompact(%q): %v", s, err)
	}
	if in == nil {
		t.Fatalf("ParseCompact(%q) = pass", s)
	}
	return in
}

func TestParseCompactPrimaryParameter(t *testing.T) {
	cases := []struct {
		in     string
		typ    string
		phase  Phase
		fault  Fault
		params map[string]any
	}{
		{"status=503", "status", Before, &Status{Code: 503}, map[string]any{"code": uint64(503)}},
		{"latency=200ms", "latency", Before, &Latency{Duration: Duration(200 * time.Millisecond)}, map[string]any{"duration": "200ms"}},
		{"hang=2s", "hang", Before, &Hang{Duration: Duration(2 * time.Second)}, map[string]any{"duration": "2s"}},
		{"rate_limit=2s", "rate_limit", Before, &RateLimit{RetryAfter: Duration(2 * time.Second)}, map[string]any{"retry_after": "2s"}},
		{"slow_body=100", "slow_body", AfterCommit, &SlowBody{BytesPerSecond: 100}, map[string]any{"bytes_per_second": uint64(100)}},
		{"malformed=invalid_json", "malformed", AfterCommit, &Malformed{Mode: "invalid_json"}, map[string]any{"mode": "invalid_json"}},
		{"duplicate=3", "duplicate", AfterCommit, &Duplicate{Count: 3}, map[string]any{"count": uint64(3)}},
		{"reset", "reset", Before, &Reset{}, map[string]any{}},
		{"close", "close", Before, &Close{}, map[string]any{}},
		{"hang", "hang", Before, &Hang{}, map[string]any{}},
		{"rate_limit", "rate_limit", Before, &RateLimit{}, map[string]any{}},
		{"malformed", "malformed", AfterCommit, &Malformed{}, map[string]any{}},
		{"duplicate", "duplicate", AfterCommit, &Duplicate{}, map[string]any{}},
		{"slow_body", "slow_body", AfterCommit, &SlowBody{}, map[string]any{}},
		// Spaces and case around the type and values are forgiven.
		{" Status = 503 ; retry_after = 2 ", "status", Before, &Status{Code: 503, RetryAfter: Duration(2 * time.Second)},
			map[string]any{"code": uint64(503), "retry_after": uint64(2)}},
		{"latency;median=250ms;sigma=0.6", "latency", Before,
			&Latency{Median: Duration(250 * time.Millisecond), Sigma: 0.6}, map[string]any{"median": "250ms", "sigma": 0.6}},
		{"latency;min=1ms;max=1.5", "latency", Before,
			&Latency{Min: Duration(time.Millisecond), Max: Duration(1500 * time.Millisecond)}, map[string]any{"min": "1ms", "max": 1.5}},
		{"hang=1m;then=reset", "hang", Before, &Hang{Duration: Duration(time.Minute), Then: "reset"},
			map[string]any{"duration": "1m", "then": "reset"}},
		{"malformed=wrong_length;extra_bytes=10;phase=before", "malformed", Before,
			&Malformed{Mode: "wrong_length", ExtraBytes: 10}, map[string]any{"mode": "wrong_length", "extra_bytes": uint64(10)}},
		{"rate_limit=1s;limit=5;window=10s;retry_after_format=date", "rate_limit", Before,
			&RateLimit{RetryAfter: Duration(time.Second), Limit: 5, Window: Duration(10 * time.Second), RetryAfterFormat: "date"},
			map[string]any{"retry_after": "1s", "limit": uint64(5), "window": "10s", "retry_after_format": "date"}},
	}
	for _, c := range cases {
		in := mustCompact(t, c.in)
		if in.Type != c.typ || in.Phase != c.phase {
			t.Errorf("%q: type %q phase %q, want %q %q", c.in, in.Type, in.Phase, c.typ, c.phase)
		}
		if !reflect.DeepEqual(in.Fault, c.fault) {
			t.Errorf("%q: fault %#v, want %#v", c.in, in.Fault, c.fault)
		}
		if !reflect.DeepEqual(in.Params, c.params) {
			t.Errorf("%q: params %#v, want %#v", c.in, in.Params, c.params)
		}
	}
}

func TestParseCompactEveryTypeIsCovered(t *testing.T) {
	// Every registered type parses on its own (a guard for new types: give
	// them a case above and a round trip below).
	for _, ft := range FaultTypes() {
		s := ft.Name
		switch ft.Name {
		case "status":
			s = "status=418"
		case "latency":
			s = "latency=1ms"
		}
		in := mustCompact(t, s)
		if in.Type != ft.Name || in.Phase != ft.DefaultPhase {
			t.Errorf("%s: %+v", ft.Name, in)
		}
		if ft.Primary != "" {
			if !slices.Contains(faultParams(in.Fault), ft.Primary) {
				t.Errorf("%s: primary %q is not one of its parameters %v", ft.Name, ft.Primary, faultParams(in.Fault))
			}
		}
	}
}

func TestParseCompactPresets(t *testing.T) {
	for _, code := range []string{"500", "502", "503", "504"} {
		in := mustCompact(t, code)
		st, ok := in.Fault.(*Status)
		if !ok || in.Type != code || in.Phase != Before || len(in.Params) != 0 {
			t.Fatalf("%s: %+v", code, in)
		}
		if want := map[string]int{"500": 500, "502": 502, "503": 503, "504": 504}[code]; st.Code != want {
			t.Errorf("%s: code %d", code, st.Code)
		}
		ft, _ := Lookup(code)
		if ft.Base != "status" || ft.Preset["code"] == nil {
			t.Errorf("%s: preset %+v", code, ft)
		}
	}
	// A preset takes the status parameters on top of its code.
	in := mustCompact(t, "503;retry-after=3s;retry-after-format=date;phase=after_commit")
	if st := in.Fault.(*Status); st.Code != 503 || st.RetryAfter.D() != 3*time.Second || st.RetryAfterFormat != "date" || in.Phase != AfterCommit {
		t.Fatalf("%+v %+v", in, st)
	}
	// ...and can even override it.
	if st := mustCompact(t, "503;code=500").Fault.(*Status); st.Code != 500 {
		t.Fatalf("code over a preset: %d", st.Code)
	}
	// The presets are not shared: parsing one does not change another.
	a, b := mustCompact(t, "503"), mustCompact(t, "503;code=504")
	if a.Fault.(*Status).Code != 503 || b.Fault.(*Status).Code != 504 {
		t.Fatal("preset faults share state")
	}
}

func TestParseCompactNormalisesKeys(t *testing.T) {
	pairs := [][2]string{
		{"status=503;retry-after=2", "status=503;retry_after=2"},
		{"status=503;Retry-After=2", "status=503;retry_after=2"},
		{"reset;phase=after-commit", "reset;phase=after_commit"},
		{"rate_limit;retry-after-format=date", "rate_limit;retry_after_format=date"},
		{"slow_body=10;;", "slow_body=10"},
	}
	for _, p := range pairs {
		a, b := mustCompact(t, p[0]), mustCompact(t, p[1])
		if !reflect.DeepEqual(a, b) {
			t.Errorf("%q and %q differ:\n%#v\n%#v", p[0], p[1], a, b)
		}
	}
	if in := mustCompact(t, "reset;phase=after-commit"); in.Phase != AfterCommit {
		t.Fatalf("phase: %q", in.Phase)
	}
}

func TestParseCompactBooleansWithoutValue(t *testing.T) {
	in := mustCompact(t, "hang;headers")
	if h := in.Fault.(*Hang); !h.Headers || h.Duration != 0 {
		t.Fatalf("%+v", h)
	}
	if !reflect.DeepEqual(in.Params, map[string]any{"headers": true}) {
		t.Fatalf("%#v", in.Params)
	}
	if h := mustCompact(t, "hang;headers=false").Fault.(*Hang); h.Headers {
		t.Fatal("headers=false")
	}
}

func TestParseCompactPass(t *testing.T) {
	for _, s := range []string{"pass", "PASS", " pass "} {
		in, err := ParseCompact(s)
		if in != nil || err != nil {
			t.Errorf("%q: %v %v", s, in, err)
		}
	}
	// pass takes nothing.
	for _, s := range []string{"pass=1", "pass;phase=before"} {
		if in, err := ParseCompact(s); err == nil {
			t.Errorf("%q accepted: %+v", s, in)
		}
	}
}

func TestParseCompactErrors(t *testing.T) {
	known := faultTypeNames()
	cases := map[string]string{
		"":                                       "empty fault: write a type such as status=503, reset or latency=200ms",
		"   ":                                    "empty fault: write a type such as status=503, reset or latency=200ms",
		";phase=before":                          "empty fault: write a type such as status=503, reset or latency=200ms",
		"frobnicate":                             `unknown fault type "frobnicate" (known: ` + known + `)`,
		"latenzy=200ms":                          `unknown fault type "latenzy" (known: ` + known + `) (did you mean latency?)`,
		"rest":                                   `unknown fault type "rest" (known: ` + known + `) (did you mean reset?)`,
		"reset=1":                                "reset takes no value: write reset, not reset=1",
		"close=now":                              "close takes no value: write close, not close=now",
		"status=503;code=500":                    "code is given twice",
		"status=503;retry-after=1;retry_after=2": "retry_after is given twice",
		"reset;phase=sometime":                   `phase "sometime": want before, in_flight or after_commit`,
		"slow_body;phase=before":                 "a slow_body fault cannot act before the operation (it can: after_commit)",
		"duplicate=2;phase=before":               "a duplicate fault cannot act before the operation (it can: after_commit)",
		"status=99":                              "status: code: want an HTTP status from 100 to 599",
		"status=600":                             "status: code: want an HTTP status from 100 to 599",
		"status":                                 "status: code: want an HTTP status from 100 to 599",
		"status=abc":                             "status: code: expected a whole number, got a string",
		"status=503;retry_after_format=iso":      "status: retry_after_format: want seconds or date",
		"latency=1s;min=1ms;max=2ms":             "latency: give exactly one of duration, min and max, or median and sigma",
		"latency":                                "latency: give exactly one of duration, min and max, or median and sigma",
		"latency;min=2ms;max=1ms":                "latency: max must be greater than min",
		"latency;median=1s;sigma=4":              "latency: a log-normal latency needs median > 0 and 0 < sigma ≤ 3",
		"latency=fast":                           `latency: "fast" is not a duration: write 200ms, 2s or 1m`,
		"latency=-1s":                            `latency: a duration cannot be negative: "-1s"`,
		"duplicate=1":                            "duplicate: count: want 2 to 10",
		"duplicate=11":                           "duplicate: count: want 2 to 10",
		"malformed=weird":                        "malformed: mode: want truncated, invalid_json or wrong_length",
		"malformed;extra_bytes=-1":               "malformed: extra_bytes: want a positive number",
		"hang;then=explode":                      "hang: then: want close or reset",
		"hang;headers=maybe":                     "hang: headers: expected true or false, got a string",
		"rate_limit;limit=-1":                    "rate_limit: limit: want a positive quota",
		"slow_body=-5":                           "slow_body: bytes_per_second: want 1 to 10485760",
		"status=503;bogus=1":                     `status: unknown parameter "bogus" (parameters: code, headers, body, retry_after, retry_after_format)`,
		"status=503;reatry_after=1":              `status: unknown parameter "reatry_after" (did you mean retry_after?) (parameters: code, headers, body, retry_after, retry_after_format)`,
		"reset;colour=red":                       `reset: unknown parameter "colour"`,
	}
	for s, want := range cases {
		in, err := ParseCompact(s)
		if err == nil {
			t.Errorf("%q accepted: %+v", s, in)
			continue
		}
		if err.Error() != want {
			t.Errorf("%q:\n got %s\nwant %s", s, err, want)
		}
	}
}

func TestParseCompactQuotesAwkwardValues(t *testing.T) {
	// Values YAML would read as something else stay strings.
	in := mustCompact(t, "malformed=invalid_json;phase=after_commit")
	if in.Fault.(*Malformed).Mode != "invalid_json" {
		t.Fatal(in)
	}
	if got := yamlScalar("a: b"); got != `"a: b"` {
		t.Fatalf("yamlScalar = %s", got)
	}
	if got := yamlScalar(""); got != `""` {
		t.Fatalf("yamlScalar(empty) = %s", got)
	}
	if got := yamlScalar("200ms"); got != "200ms" {
		t.Fatalf("yamlScalar = %s", got)
	}
	// A value with a colon or a hash is an error in its own words, not a YAML
	// structure.
	_, err := ParseCompact("hang;then=a: b")
	if err == nil || err.Error() != "hang: then: want close or reset" {
		t.Fatalf("%v", err)
	}
	_, err = ParseCompact("malformed=#x")
	if err == nil || err.Error() != "malformed: mode: want truncated, invalid_json or wrong_length" {
		t.Fatalf("%v", err)
	}
}

func TestInjectionStringRoundTrips(t *testing.T) {
	for _, s := range []string{
		"status=503", "status=503;retry-after=2", "status=429;retry_after=1500ms;retry_after_format=date",
		"latency=200ms", "latency;min=1ms;max=2ms", "latency;median=250ms;sigma=0.6", "latency=1s;phase=after_commit",
		"hang=2s", "hang", "hang;headers", "hang=1s;headers;then=reset", "hang;phase=after_commit",
		"rate_limit=2s", "rate_limit;limit=5;window=10s",
		"slow_body=100", "slow_body",
		"malformed=invalid_json", "malformed=truncated;phase=before", "malformed=wrong_length;extra_bytes=3",
		"duplicate=3", "duplicate",
		"reset", "reset;phase=after-commit", "close", "close;phase=after_commit",
		"500", "502", "503", "504", "503;retry-after=3s;retry-after-format=date", "504;phase=after_commit",
	} {
		a := mustCompact(t, s)
		str := a.String()
		b, err := ParseCompact(str)
		if err != nil {
			t.Errorf("%q renders as %q, which does not parse: %v", s, str, err)
			continue
		}
		if !reflect.DeepEqual(a, b) {
			t.Errorf("%q → %q → %#v, want %#v", s, str, b, a)
		}
		if b.String() != str {
			t.Errorf("String is not stable: %q then %q", str, b.String())
		}
	}
	// The rendering itself: sorted parameters, the phase only when not the default.
	for s, want := range map[string]string{
		"status=503;retry-after=2":     "status;code=503;retry_after=2",
		"503":                          "503",
		"reset;phase=after-commit":     "reset;phase=after_commit",
		"malformed=invalid_json":       "malformed;mode=invalid_json",
		"malformed;phase=after_commit": "malformed",
		"hang;headers":                 "hang;headers=true",
	} {
		if got := mustCompact(t, s).String(); got != want {
			t.Errorf("String(%q) = %q, want %q", s, got, want)
		}
	}
}

func TestInjectionCopies(t *testing.T) {
	for s, want := range map[string]int{"duplicate": 2, "duplicate=3": 3, "duplicate=10": 10, "503": 1, "reset": 1} {
		if got := mustCompact(t, s).Copies(); got != want {
			t.Errorf("%s: Copies() = %d, want %d", s, got, want)
		}
	}
}

func TestRegistry(t *testing.T) {
	types := FaultTypes()
	var names []string
	for _, ft := range types {
		names = append(names, ft.Name)
		if ft.Summary == "" || ft.New == nil || (ft.DefaultPhase != Before && ft.DefaultPhase != AfterCommit) {
			t.Errorf("%s is incomplete: %+v", ft.Name, ft)
		}
		if got, ok := Lookup(ft.Name); !ok || got != ft {
			t.Errorf("Lookup(%s)", ft.Name)
		}
		// The default phase is one the fault accepts.
		if err := checkPhase(ft.Name, ft.New(), ft.DefaultPhase); err != nil {
			t.Errorf("%s: %v", ft.Name, err)
		}
	}
	want := "500, 502, 503, 504, close, duplicate, hang, latency, malformed, rate_limit, reset, risk_timeout, slow_body, status, webhook_bad_signature, webhook_delay, webhook_duplicate, webhook_fail, webhook_out_of_order, webhook_stale_timestamp"
	if strings.Join(names, ", ") != want || faultTypeNames() != want {
		t.Fatalf("fault types: %s", strings.Join(names, ", "))
	}
	if _, ok := Lookup("nope"); ok {
		t.Fatal("Lookup(nope)")
	}
	defer func() {
		if recover() == nil {
			t.Fatal("registering a type twice must panic")
		}
		if ft, _ := Lookup("reset"); ft.Summary == "dup" {
			t.Fatal("the duplicate replaced the original")
		}
	}()
	Register(&FaultType{Name: "reset", Summary: "dup", New: func() Fault { return &Reset{} }})
}

func TestDurationUnmarshal(t *testing.T) {
	for in, want := range map[string]time.Duration{
		"200ms": 200 * time.Millisecond, "1.5s": 1500 * time.Millisecond, "1m": time.Minute,
		"2": 2 * time.Second, "0.25": 250 * time.Millisecond, `"3s"`: 3 * time.Second, `'4'`: 4 * time.Second, "0": 0,
	} {
		var d Duration
		if err := d.UnmarshalYAML([]byte(in)); err != nil || d.D() != want {
			t.Errorf("%s: %v %v", in, d.D(), err)
		}
	}
	for in, want := range map[string]string{
		"-1s":   `a duration cannot be negative: "-1s"`,
		"-1":    `"-1" is not a duration: write 200ms, 2s or 1m`,
		"fast":  `"fast" is not a duration: write 200ms, 2s or 1m`,
		"1e9":   `"1e9" is not a duration: write 200ms, 2s or 1m`,
		"":      `"" is not a duration: write 200ms, 2s or 1m`,
		"2 sec": `"2 sec" is not a duration: write 200ms, 2s or 1m`,
	} {
		var d Duration
		if err := d.UnmarshalYAML([]byte(in)); err == nil || err.Error() != want {
			t.Errorf("%q: %v, want %s", in, err, want)
		}
	}
}
