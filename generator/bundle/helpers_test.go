package bundle_test

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"testing"

	"github.com/wellknown-dev/wellknown/generator/artifact"
	"github.com/wellknown-dev/wellknown/generator/sign"
)

// signedSite returns a small signed tree and the signer's key.
func signedSite(t testing.TB) (map[string][]byte, *ecdsa.PrivateKey) {
	t.Helper()
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	s, err := sign.NewSigner(priv)
	if err != nil {
		t.Fatal(err)
	}
	as := []artifact.Artifact{
		{Path: ".well-known/openid-configuration", Body: []byte(`{"issuer":"https://example.com"}`)},
		{Path: "jwks.json", Body: []byte(`{"keys":[]}`)},
		{Path: "clients/app.json", Body: []byte(`{"client_name":"App"}`)},
	}
	extra, err := sign.Artifacts(as, s, testFresh)
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{}
	for _, a := range append(as, extra...) {
		files[a.Path] = a.Body
	}
	return files, priv
}

// member is one tar entry of a hand-made archive.
type member struct {
	hdr  tar.Header
	body []byte
}

func reg(name, body string) member {
	return member{tar.Header{Typeflag: tar.TypeReg, Name: name, Mode: 0o644, Size: int64(len(body))}, []byte(body)}
}

// archive builds a tar.gz from members as given, however hostile.
func archive(t testing.TB, ms ...member) []byte {
	t.Helper()
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	for _, m := range ms {
		hdr := m.hdr
		if err := tw.WriteHeader(&hdr); err != nil {
			t.Fatalf("%s: %v", hdr.Name, err)
		}
		if _, err := tw.Write(m.body); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := gz.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}
