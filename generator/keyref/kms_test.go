package keyref

import (
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// TestKMSUnreachable: a hashivault:// key whose server refuses connections
// fails, naming the reference. (sigstore's hashivault provider reads
// VAULT_ADDR and VAULT_TOKEN from the process environment.)
func TestKMSUnreachable(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close() // nothing listens there now
	t.Setenv("VAULT_ADDR", "http://"+addr)
	t.Setenv("VAULT_TOKEN", "test-token")
	_, err = Open("hashivault://publisher", Options{Timeout: 10 * time.Second})
	if err == nil || !strings.HasPrefix(err.Error(), "hashivault://publisher: ") {
		t.Fatalf("error %v, want one naming hashivault://publisher", err)
	}
}

// TestKMSNoRetryStorm: a KMS that answers every request with an error is
// asked a bounded few times, not once per retry of a long backoff, and one
// that never answers costs one timeout.
func TestKMSNoRetryStorm(t *testing.T) {
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		http.Error(w, `{"errors":["unavailable"]}`, http.StatusServiceUnavailable)
	}))
	defer srv.Close()
	t.Setenv("VAULT_ADDR", srv.URL)
	t.Setenv("VAULT_TOKEN", "test-token")
	t.Setenv("VAULT_MAX_RETRIES", "") // the SDK's default, as a user has it
	if _, err := Open("hashivault://publisher", Options{Timeout: 20 * time.Second}); err == nil {
		t.Fatal("opened a key on a failing KMS")
	}
	if n := hits.Load(); n < 1 || n > 3 {
		t.Errorf("the KMS was asked %d times; want 1 to 3 (the Vault SDK's two retries)", n)
	}

	hang := make(chan struct{})
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-hang }))
	defer func() { close(hang); slow.Close() }()
	t.Setenv("VAULT_ADDR", slow.URL)
	_, err := Open("hashivault://publisher", Options{Timeout: 500 * time.Millisecond})
	if !errors.Is(err, errTimeout) {
		t.Fatalf("error %v, want the timeout", err)
	}
}
