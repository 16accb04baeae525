package webhooks

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"
)

// Signature schemes an endpoint can choose.
const (
	// SchemeStandard is Standard Webhooks: webhook-id, webhook-timestamp
	// and webhook-signature ("v1,<base64 HMAC-SHA256>"), keyed with the
	// base64-decoded secret.
	SchemeStandard = "standard_webhooks"
	// SchemeStripe is Stripe's: Stripe-Signature: t=<unix>,v1=<hex
	// HMAC-SHA256>, keyed with the whole secret string.
	SchemeStripe = "stripe"
)

// Header names of a delivery.
const (
	HeaderWebhookID        = "webhook-id"
	HeaderWebhookTimestamp = "webhook-timestamp"
	HeaderWebhookSignature = "webhook-signature"
	HeaderStripeSignature  = "Stripe-Signature"
	HeaderDeliveryID       = "Sandbank-Delivery-Id"
	HeaderDeliveryAttempt  = "Sandbank-Delivery-Attempt"
	UserAgent              = "sandbank-webhooks/1"
)

// SecretPrefix starts every signing secret.
const SecretPrefix = "whsec_"

// secretBytes is how many random bytes a new secret has (Standard
// Webhooks asks for 24 to 64).
const secretBytes = 24

// ErrEmptySecret is returned for a secret with no key material ("whsec_").
var ErrEmptySecret = errors.New("webhooks: the secret is empty")

// Rand is the random source new ids and secrets are drawn from: the
// tenant's seeded faker, so that the same requests give the same secrets.
type Rand interface{ IntN(n int) int }

// NewSecret draws a secret: "whsec_" and the base64 of 24 random bytes.
func NewSecret(r Rand) string {
	b := make([]byte, secretBytes)
	for i := range b {
		b[i] = byte(r.IntN(256))
	}
	return SecretPrefix + base64.StdEncoding.EncodeToString(b)
}

const idAlphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

// newID draws "<prefix>_" and 16 base62 characters.
func newID(r Rand, prefix string) string {
	buf := make([]byte, 0, len(prefix)+17)
	buf = append(buf, prefix...)
	buf = append(buf, '_')
	for range 16 {
		buf = append(buf, idAlphabet[r.IntN(len(idAlphabet))])
	}
	return string(buf)
}

// standardKey checks a Standard Webhooks secret: "whsec_" (optional) and
// non-empty base64.
func standardKey(secret string) error {
	raw := strings.TrimPrefix(secret, SecretPrefix)
	key, err := base64.StdEncoding.DecodeString(raw)
	if err != nil {
		return fmt.Errorf("webhooks: the secret is not base64 after %q: %w", SecretPrefix, err)
	}
	if len(key) == 0 {
		return ErrEmptySecret
	}
	return nil
}

// SignStandard returns the webhook-signature header of a Standard Webhooks
// delivery: one "v1,<base64>" token per secret, space-separated (several
// during a rotation), each the HMAC-SHA256 of "msgID.timestamp.payload".
// The signing itself is the official library's.
func SignStandard(secrets []string, msgID string, ts time.Time, payload []byte) (string, error) {
	if len(secrets) == 0 {
		return "", ErrEmptySecret
	}
	tokens := make([]string, 0, len(secrets))
	for _, s := range secrets {
		if err := standardKey(s); err != nil {
			return "", err
		}
		wh, err := standardwebhooks.NewWebhook(s)
		if err != nil {
			return "", err
		}
		tok, err := wh.Sign(msgID, ts, payload)
		if err != nil {
			return "", err
		}
		tokens = append(tokens, tok)
	}
	return strings.Join(tokens, " "), nil
}

// SignStripe returns the Stripe-Signature header: "t=<unix>" and one
// "v1=<hex>" per secret, each the HMAC-SHA256 of "<t>.<payload>" keyed
// with the secret string as raw bytes (not base64-decoded).
func SignStripe(secrets []string, ts time.Time, payload []byte) (string, error) {
	if len(secrets) == 0 {
		return "", ErrEmptySecret
	}
	t := strconv.FormatInt(ts.Unix(), 10)
	parts := []string{"t=" + t}
	for _, s := range secrets {
		if strings.TrimPrefix(s, SecretPrefix) == "" {
			return "", ErrEmptySecret
		}
		parts = append(parts, "v1="+stripeMAC(s, t, payload))
	}
	return strings.Join(parts, ","), nil
}

func stripeMAC(secret, t string, payload []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(t))
	m.Write([]byte{'.'})
	m.Write(payload)
	return hex.EncodeToString(m.Sum(nil))
}

// VerifyStripe checks a Stripe-Signature header against a secret within
// tolerance of now (older is rejected; 0 skips the check), as Stripe's
// libraries do. It exists for sandbank's tests and docs; receivers use
// their own library.
func VerifyStripe(header string, payload []byte, secret string, now time.Time, tolerance time.Duration) error {
	var t string
	var sigs []string
	for _, kv := range strings.Split(header, ",") {
		k, v, ok := strings.Cut(kv, "=")
		if !ok {
			continue
		}
		switch k {
		case "t":
			t = v
		case "v1":
			sigs = append(sigs, v)
		}
	}
	ts, err := strconv.ParseInt(t, 10, 64)
	if err != nil {
		return errors.New("stripe-signature: no valid timestamp")
	}
	if tolerance > 0 && now.Sub(time.Unix(ts, 0)) > tolerance {
		return errors.New("stripe-signature: timestamp too old")
	}
	want := stripeMAC(secret, t, payload)
	for _, s := range sigs {
		if hmac.Equal([]byte(s), []byte(want)) {
			return nil
		}
	}
	return errors.New("stripe-signature: no matching v1 signature")
}
