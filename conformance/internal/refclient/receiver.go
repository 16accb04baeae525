package refclient

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"

	"github.com/sandbank/sandbank/conformance"
)

// The webhook receiver: verify, deduplicate by webhook-id, act, and keep
// what it did in the case's state directory, where ProcessedEvents (in
// this process or another) reads it.

type state struct {
	Events    []string          `json:"events"`
	Seen      map[string]bool   `json:"seen"`
	Resources map[string]string `json:"resources"`
}

var stateMu sync.Mutex

func statePath(env conformance.Env) string {
	return filepath.Join(env.StateDir, "refclient-state.json")
}

func loadState(env conformance.Env) (state, error) {
	s := state{Seen: map[string]bool{}, Resources: map[string]string{}}
	raw, err := os.ReadFile(statePath(env))
	if errors.Is(err, os.ErrNotExist) {
		return s, nil
	}
	if err != nil {
		return s, err
	}
	err = json.Unmarshal(raw, &s)
	if s.Seen == nil {
		s.Seen = map[string]bool{}
	}
	if s.Resources == nil {
		s.Resources = map[string]string{}
	}
	return s, err
}

func saveState(env conformance.Env, s state) error {
	raw, _ := json.Marshal(s)
	tmp := statePath(env) + ".tmp"
	if err := os.WriteFile(tmp, raw, 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, statePath(env))
}

// ServeWebhooks runs the receiver on 127.0.0.1:port until ctx is done.
func (c *Client) ServeWebhooks(ctx context.Context, env conformance.Env, in conformance.WebhookInput) error {
	wh, err := standardwebhooks.NewWebhook(in.Secret)
	if err != nil {
		return fmt.Errorf("webhook secret: %w", err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST "+in.Path, func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		if err != nil {
			http.Error(w, "bad body", http.StatusBadRequest)
			return
		}
		if c.Flaw != AcceptsForged {
			if err := wh.Verify(body, r.Header); err != nil {
				http.Error(w, "signature: "+err.Error(), http.StatusBadRequest)
				return
			}
		}
		var ev struct {
			ID   string `json:"id"`
			Type string `json:"type"`
			Data struct {
				ID string `json:"id"`
			} `json:"data"`
		}
		if err := json.Unmarshal(body, &ev); err != nil {
			http.Error(w, "not an event", http.StatusBadRequest)
			return
		}
		if err := c.act(r.Context(), env, r.Header.Get("webhook-id"), ev.ID, ev.Type, ev.Data.ID); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
	ln, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", in.Port))
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		_ = srv.Shutdown(sctx)
	}()
	if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// act processes an event once (unless the flaw says otherwise): it
// records it and re-reads the payment, so that the state it keeps is the
// provider's, whatever order events arrive in.
func (c *Client) act(ctx context.Context, env conformance.Env, deliveryID, eventID, eventType, resourceID string) error {
	stateMu.Lock()
	s, err := loadState(env)
	if err != nil {
		stateMu.Unlock()
		return err
	}
	if s.Seen[deliveryID] && c.Flaw != ProcessesDuplicates {
		stateMu.Unlock()
		return nil
	}
	s.Seen[deliveryID] = true
	s.Events = append(s.Events, eventID)
	err = saveState(env, s)
	stateMu.Unlock()
	if err != nil || !strings.HasPrefix(eventType, "payment.") || resourceID == "" {
		return err
	}
	p, err := c.GetPayment(ctx, env, conformance.GetInput{ID: resourceID})
	if err != nil {
		return err
	}
	stateMu.Lock()
	defer stateMu.Unlock()
	if s, err = loadState(env); err != nil {
		return err
	}
	s.Resources[resourceID] = p.Status
	return saveState(env, s)
}

// ProcessedEvents reports what the receiver acted on.
func (c *Client) ProcessedEvents(ctx context.Context, env conformance.Env) (conformance.Processed, error) {
	stateMu.Lock()
	defer stateMu.Unlock()
	s, err := loadState(env)
	return conformance.Processed{Events: s.Events, Resources: s.Resources}, err
}
