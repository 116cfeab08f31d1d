package sign_test

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sigstore/sigstore/pkg/cryptoutils"

	"github.com/wellknown-dev/wellknown/generator/artifact"
	"github.com/wellknown-dev/wellknown/generator/sign"
)

// transit answers the two calls sigstore's hashivault:// provider makes,
// as Vault's transit engine does, signing with key, and records how many
// signatures were asked for at once. Each sign request waits until want
// requests are in flight (or 3 seconds have passed), so the peak does not
// depend on how fast this machine is.
type transit struct {
	key  *ecdsa.PrivateKey
	want int

	mu     sync.Mutex
	cond   *sync.Cond
	late   bool // waiting is over, whatever the peak
	now    int
	peak   int
	signed int
}

func (v *transit) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.Method == http.MethodGet && r.URL.Path == "/v1/transit/keys/publisher":
		pem, err := cryptoutils.MarshalPublicKeyToPEM(v.key.Public())
		if err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
		fmt.Fprintf(w, `{"data":{"latest_version":1,"type":"ecdsa-p256","keys":{"1":{"name":"P-256","public_key":%q}}}}`, pem)
	case r.Method != http.MethodGet && r.URL.Path == "/v1/transit/sign/publisher/sha2-256":
		var req struct {
			Input     string `json:"input"`
			Prehashed bool   `json:"prehashed"`
		}
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil || !req.Prehashed {
			http.Error(w, fmt.Sprintf("bad request: %v", err), 400)
			return
		}
		digest, err := base64.StdEncoding.DecodeString(req.Input)
		if err != nil {
			http.Error(w, err.Error(), 400)
			return
		}
		v.enter()
		defer v.leave()
		sig, err := v.key.Sign(rand.Reader, digest, crypto.SHA256)
		if err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
		fmt.Fprintf(w, `{"data":{"signature":"vault:v1:%s"}}`, base64.StdEncoding.EncodeToString(sig))
	default:
		http.Error(w, "not found", 404)
	}
}

func (v *transit) enter() {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.now++
	v.peak = max(v.peak, v.now)
	v.cond.Broadcast()
	for v.peak < v.want && !v.late {
		v.cond.Wait()
	}
}

func (v *transit) leave() {
	v.mu.Lock()
	v.now--
	v.signed++
	v.mu.Unlock()
}

// TestKMSInFlight: per-file signing with a key in a KMS keeps
// sign.RemoteInFlight requests in flight, not one per core, since each
// waits on a round trip; and never more.
func TestKMSInFlight(t *testing.T) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	v := &transit{key: key, want: sign.RemoteInFlight}
	v.cond = sync.NewCond(&v.mu)
	stop := time.AfterFunc(3*time.Second, func() {
		v.mu.Lock()
		v.late = true
		v.cond.Broadcast()
		v.mu.Unlock()
	})
	defer stop.Stop()
	srv := httptest.NewServer(v)
	defer srv.Close()
	t.Setenv("VAULT_ADDR", srv.URL)
	t.Setenv("VAULT_TOKEN", "test-token")
	s, err := sign.LoadSigner("hashivault://publisher", func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()

	var as []artifact.Artifact
	for i := range 4 * sign.RemoteInFlight {
		as = append(as, artifact.Artifact{Path: fmt.Sprintf("clients/c%d.json", i), Body: fmt.Appendf(nil, `{"client_name":"c%d"}`, i)})
	}
	extra, err := sign.Artifacts(as, s, testFresh)
	if err != nil {
		t.Fatal(err)
	}
	v.mu.Lock()
	peak, signed := v.peak, v.signed
	v.mu.Unlock()
	if peak != sign.RemoteInFlight {
		t.Errorf("at most %d signatures in flight, want %d", peak, sign.RemoteInFlight)
	}
	if signed != len(as)+1 {
		t.Errorf("the KMS signed %d times, want %d", signed, len(as)+1)
	}
	files := map[string][]byte{}
	for _, a := range append(as, extra...) {
		files[a.Path] = a.Body
	}
	if r := sign.Verify(files, sign.VerifyOptions{Key: key.Public()}); r.Status() != sign.Valid {
		t.Errorf("%s: %v", r.Status(), r.Problems)
	}
	if !strings.HasPrefix(s.Ref(), "hashivault://") {
		t.Errorf("ref %q", s.Ref())
	}
}
