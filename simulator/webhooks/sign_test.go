package webhooks

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"
)

// The published Standard Webhooks test vectors (reference/standards.md §1.4).
var standardVectors = []struct {
	name, secret, msgID string
	ts                  int64
	payload, want       string
	invalid             string
}{
	{
		name: "go library", secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", msgID: "msg_p5jXN8AQM9LWM0D4loKWxJek", ts: 1614265330,
		payload: `{"test": 2432232314}`, want: "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
		invalid: "v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc=",
	},
	{
		name: "rust library", secret: "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD", msgID: "msg_27UH4WbU6Z5A5EzD8u03UvzRbpk", ts: 1649367553,
		payload: `{"email":"test@example.com","username":"test_user"}`, want: "v1,tZ1I4/hDygAJgO5TYxiSd6Sd0kDW6hPenDe+bTa3Kkw=",
		invalid: "v1,R3PTzyfHASBKHH98a7yexTwaJ4yNIcGhFQc1yuN+BPU=",
	},
}

func standardHeaders(msgID string, ts int64, sig string) http.Header {
	h := http.Header{}
	h.Set(HeaderWebhookID, msgID)
	h.Set(HeaderWebhookTimestamp, strconv.FormatInt(ts, 10))
	if sig != "" {
		h.Set(HeaderWebhookSignature, sig)
	}
	return h
}

func TestStandardWebhooksTestVectors(t *testing.T) {
	for _, v := range standardVectors {
		t.Run(v.name, func(t *testing.T) {
			got, err := SignStandard([]string{v.secret}, v.msgID, time.Unix(v.ts, 0), []byte(v.payload))
			if err != nil {
				t.Fatal(err)
			}
			if got != v.want {
				t.Fatalf("signature %q, want %q", got, v.want)
			}
			// The same, computed here from the definition: HMAC-SHA256 keyed
			// with the base64-decoded secret over "id.timestamp.payload".
			key, _ := base64.StdEncoding.DecodeString(strings.TrimPrefix(v.secret, "whsec_"))
			m := hmac.New(sha256.New, key)
			m.Write([]byte(v.msgID + "." + strconv.FormatInt(v.ts, 10) + "." + v.payload))
			if def := "v1," + base64.StdEncoding.EncodeToString(m.Sum(nil)); def != v.want {
				t.Fatalf("by definition %q, want %q", def, v.want)
			}
			wh, err := standardwebhooks.NewWebhook(v.secret)
			if err != nil {
				t.Fatal(err)
			}
			verify := func(sig string) error {
				return wh.VerifyIgnoringTimestamp([]byte(v.payload), standardHeaders(v.msgID, v.ts, sig))
			}
			if err := verify(got); err != nil {
				t.Fatalf("the official library rejects our signature: %v", err)
			}
			// Negative vectors: a wrong signature, a partial one, none.
			for _, bad := range []string{v.invalid, "v1,", "v2," + strings.TrimPrefix(v.want, "v1,"), strings.TrimPrefix(v.want, "v1,")} {
				if err := verify(bad); !errors.Is(err, standardwebhooks.ErrNoMatchingSignature) {
					t.Errorf("%q: %v, want no matching signature", bad, err)
				}
			}
			if err := verify(""); !errors.Is(err, standardwebhooks.ErrRequiredHeaders) {
				t.Errorf("no signature: %v", err)
			}
			// A list with one valid token verifies.
			if err := verify(v.invalid + " v1,bm90IGEgc2lnbmF0dXJl " + got); err != nil {
				t.Errorf("a multi-signature header with one valid token: %v", err)
			}
			// And so does the library's own timestamp check, for a fresh timestamp.
			now := time.Now()
			fresh, _ := SignStandard([]string{v.secret}, v.msgID, now, []byte(v.payload))
			if err := wh.Verify([]byte(v.payload), standardHeaders(v.msgID, now.Unix(), fresh)); err != nil {
				t.Errorf("fresh signature: %v", err)
			}
			if err := wh.Verify([]byte(v.payload), standardHeaders(v.msgID, v.ts, got)); !errors.Is(err, standardwebhooks.ErrMessageTooOld) {
				t.Errorf("the vector's 2021 timestamp: %v, want too old", err)
			}
		})
	}
}

func TestStandardSigningRejectsEmptyAndMalformedSecrets(t *testing.T) {
	for _, secret := range []string{"whsec_", "", "whsec_not base64!"} {
		if _, err := SignStandard([]string{secret}, "msg_1", time.Unix(1, 0), []byte("{}")); err == nil {
			t.Errorf("secret %q was accepted", secret)
		}
	}
	if _, err := SignStandard(nil, "msg_1", time.Unix(1, 0), []byte("{}")); !errors.Is(err, ErrEmptySecret) {
		t.Errorf("no secrets: %v", err)
	}
	if _, err := SignStripe([]string{"whsec_"}, time.Unix(1, 0), []byte("{}")); !errors.Is(err, ErrEmptySecret) {
		t.Errorf("stripe, empty secret: %v", err)
	}
}

func TestStandardSignatureDuringRotation(t *testing.T) {
	v := standardVectors[0]
	other := standardVectors[1].secret
	got, err := SignStandard([]string{v.secret, other}, v.msgID, time.Unix(v.ts, 0), []byte(v.payload))
	if err != nil {
		t.Fatal(err)
	}
	tokens := strings.Split(got, " ")
	if len(tokens) != 2 || tokens[0] != v.want {
		t.Fatalf("signature header %q: want the current secret's token first, then the previous one's", got)
	}
	for i, secret := range []string{v.secret, other} {
		wh, _ := standardwebhooks.NewWebhook(secret)
		if err := wh.VerifyIgnoringTimestamp([]byte(v.payload), standardHeaders(v.msgID, v.ts, got)); err != nil {
			t.Errorf("secret %d does not verify the rotated header: %v", i, err)
		}
		if err := wh.VerifyIgnoringTimestamp([]byte(v.payload), standardHeaders(v.msgID, v.ts, tokens[i])); err != nil {
			t.Errorf("secret %d does not verify its own token: %v", i, err)
		}
		if err := wh.VerifyIgnoringTimestamp([]byte(v.payload), standardHeaders(v.msgID, v.ts, tokens[1-i])); err == nil {
			t.Errorf("secret %d verifies the other secret's token", i)
		}
	}
}

func TestStripeSignature(t *testing.T) {
	secret := "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD"
	payload := []byte(`{"id":"evt_1","object":"event"}`)
	ts := time.Unix(1700000000, 0)
	got, err := SignStripe([]string{secret}, ts, payload)
	if err != nil {
		t.Fatal(err)
	}
	// By definition: hex HMAC-SHA256 keyed with the secret string as raw
	// bytes (not base64-decoded) over "t.payload".
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte("1700000000." + string(payload)))
	want := "t=1700000000,v1=" + hex.EncodeToString(m.Sum(nil))
	if got != want {
		t.Fatalf("Stripe-Signature %q, want %q", got, want)
	}
	if err := VerifyStripe(got, payload, secret, ts.Add(time.Minute), 5*time.Minute); err != nil {
		t.Fatal(err)
	}
	if err := VerifyStripe(got, payload, secret, ts.Add(6*time.Minute), 5*time.Minute); err == nil {
		t.Error("a 6-minute-old signature verified with a 5-minute tolerance")
	}
	if err := VerifyStripe(got, append([]byte(nil), append(payload, ' ')...), secret, ts, 0); err == nil {
		t.Error("a changed payload verified")
	}
	// Keyed with the decoded secret (the Standard Webhooks way) it is a different MAC.
	key, _ := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, "whsec_"))
	m = hmac.New(sha256.New, key)
	m.Write([]byte("1700000000." + string(payload)))
	if strings.Contains(got, hex.EncodeToString(m.Sum(nil))) {
		t.Error("the Stripe scheme used the decoded key")
	}
	// Rotation: one v1 per secret, each verifying with its own.
	other := "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	both, _ := SignStripe([]string{secret, other}, ts, payload)
	if strings.Count(both, ",v1=") != 2 || !strings.HasPrefix(both, want+",v1=") {
		t.Fatalf("rotated Stripe-Signature %q", both)
	}
	for _, s := range []string{secret, other} {
		if err := VerifyStripe(both, payload, s, ts, 5*time.Minute); err != nil {
			t.Errorf("%s: %v", s, err)
		}
	}
}

func TestNewSecretIsDeterministicAndWellFormed(t *testing.T) {
	a := NewSecret(rand.New(rand.NewPCG(1, 2)))
	b := NewSecret(rand.New(rand.NewPCG(1, 2)))
	c := NewSecret(rand.New(rand.NewPCG(3, 4)))
	if a != b || a == c {
		t.Fatalf("secrets %q %q %q: want the same seed to give the same secret, another seed another", a, b, c)
	}
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(a, "whsec_"))
	if !strings.HasPrefix(a, "whsec_") || err != nil || len(key) != 24 {
		t.Fatalf("secret %q: want whsec_ and 24 base64 bytes (%v, %d)", a, err, len(key))
	}
	if _, err := standardwebhooks.NewWebhook(a); err != nil {
		t.Fatal(err)
	}
}
