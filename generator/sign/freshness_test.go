package sign_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	protobundle "github.com/sigstore/protobuf-specs/gen/pb-go/bundle/v1"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/wellknown-dev/wellknown/generator/artifact"
	"github.com/wellknown-dev/wellknown/generator/manifest"
	"github.com/wellknown-dev/wellknown/generator/sign"
)

var (
	jan = time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)
	feb = time.Date(2027, 2, 1, 0, 0, 0, 0, time.UTC)
	// fixedFresh is a freshness for outputs compared byte for byte.
	fixedFresh = manifest.At(jan, 30*24*time.Hour)
)

func treeAt(t *testing.T, s *sign.Signer, f manifest.Freshness, as []artifact.Artifact) map[string][]byte {
	t.Helper()
	extra, err := sign.Artifacts(as, s, f)
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{}
	for _, a := range append(as, extra...) {
		files[a.Path] = a.Body
	}
	return files
}

// TestVerifyExpiry: a tree is valid until the second before its expiry and
// refused from then on, naming the date (TUF's freeze rule).
func TestVerifyExpiry(t *testing.T) {
	k := roundTripKeys(t)[0]
	f := manifest.At(jan, 30*24*time.Hour)
	files := treeAt(t, loadSigner(t, k), f, site())
	r := sign.Verify(files, sign.VerifyOptions{Key: k.priv.Public(), Now: f.Expires.Add(-time.Second)})
	if r.Status() != sign.Valid {
		t.Fatalf("before expiry: %v %v", r.Status(), r.Problems)
	}
	if r.Freshness != f {
		t.Errorf("report freshness %v, want %v", r.Freshness, f)
	}
	r = sign.Verify(files, sign.VerifyOptions{Key: k.priv.Public(), Now: f.Expires})
	if r.Status() != sign.Invalid || len(r.Problems) != 1 || r.Problems[0].Path != sign.ManifestPath ||
		!strings.Contains(r.Problems[0].Msg, "expired on 2027-01-31T00:00:00Z") {
		t.Fatalf("at expiry: %v %v", r.Status(), r.Problems)
	}
	// Without a trusted key too: an expired tree is never merely untrusted.
	if r := sign.Verify(files, sign.VerifyOptions{Now: feb}); r.Status() != sign.Invalid {
		t.Errorf("untrusted and expired: %v", r.Status())
	}
}

// TestVerifyRollback applies TUF's rollback rule against an installed tree.
func TestVerifyRollback(t *testing.T) {
	k := roundTripKeys(t)[0]
	s := loadSigner(t, k)
	month := 90 * 24 * time.Hour
	older := treeAt(t, s, manifest.At(jan, month), site())
	newer := treeAt(t, s, manifest.At(feb, month), site())
	other := site()
	other[2].Body = []byte(`{"keys":[{}]}`)
	sameVersion := treeAt(t, s, manifest.At(feb, month), other)
	now := feb.Add(time.Hour)
	check := func(files map[string][]byte, installed map[string][]byte, allow bool) *sign.Report {
		return sign.Verify(files, sign.VerifyOptions{Key: k.priv.Public(), Now: now,
			Installed: installed[sign.ManifestPath], InstalledName: "dest", AllowRollback: allow})
	}
	if r := check(newer, older, false); r.Status() != sign.Valid {
		t.Errorf("upgrade: %v %v", r.Status(), r.Problems)
	}
	if r := check(newer, newer, false); r.Status() != sign.Valid {
		t.Errorf("same tree again: %v %v", r.Status(), r.Problems)
	}
	r := check(older, newer, false)
	if r.Status() != sign.Invalid || !named(r.Problems, sign.ManifestPath) {
		t.Fatalf("rollback: %v %v", r.Status(), r.Problems)
	}
	for _, want := range []string{"rollback", "version 1798761600 (built 2027-01-01T00:00:00Z)", "dest", "version 1801440000 (built 2027-02-01T00:00:00Z)"} {
		if !strings.Contains(r.Problems[0].Msg, want) {
			t.Errorf("rollback message %q lacks %q", r.Problems[0].Msg, want)
		}
	}
	if r := check(older, newer, true); r.Status() != sign.Valid {
		t.Errorf("allowed rollback: %v %v", r.Status(), r.Problems)
	}
	r = check(sameVersion, newer, false)
	if r.Status() != sign.Invalid || !strings.Contains(r.Problems[0].Msg, "same version as dest but other content") {
		t.Errorf("same version, other content: %v %v", r.Status(), r.Problems)
	}
	r = sign.Verify(newer, sign.VerifyOptions{Key: k.priv.Public(), Now: now, Installed: []byte("garbage\n"), InstalledName: "dest"})
	if r.Status() != sign.Invalid || !strings.Contains(r.Verdict("x")+r.Problems[0].Msg, "cannot read the version of dest") {
		t.Errorf("unreadable installed manifest: %v %v", r.Status(), r.Problems)
	}
}

// TestBundleForm: the Sigstore bundles decode with sigstore's own types as
// a v0.3 message signature over the file's SHA-256, with cosign's key hint,
// and are compact, stable JSON.
func TestBundleForm(t *testing.T) {
	k := roundTripKeys(t)[0]
	s := loadSigner(t, k)
	files := signedTree(t, s)
	for _, p := range []string{sign.BundlePath("jwks.json"), sign.ManifestBundle} {
		body := files[p]
		var b protobundle.Bundle
		if err := protojson.Unmarshal(body, &b); err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		if b.GetMediaType() != "application/vnd.dev.sigstore.bundle.v0.3+json" {
			t.Errorf("%s: media type %q", p, b.GetMediaType())
		}
		if b.GetVerificationMaterial().GetPublicKey().GetHint() == "" || len(b.GetVerificationMaterial().GetTlogEntries()) != 0 {
			t.Errorf("%s: verification material %v", p, b.GetVerificationMaterial())
		}
		if ms := b.GetMessageSignature(); ms.GetMessageDigest().GetAlgorithm().String() != "SHA2_256" || len(ms.GetSignature()) == 0 {
			t.Errorf("%s: message signature %v", p, ms)
		}
		var compact json.RawMessage
		if err := json.Unmarshal(body, &compact); err != nil || strings.ContainsAny(string(body), " \n") {
			t.Errorf("%s is not compact JSON: %s", p, body)
		}
	}
}
