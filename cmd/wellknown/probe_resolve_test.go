package main

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/wellknown-dev/wellknown/internal/sitetest"
	"github.com/wellknown-dev/wellknown/serve"
)

// TestProbeResolve checks a preview under the issuer it will be published
// at: serve --tls on a loopback port, a tree built for
// https://login.example.com, and probe --resolve sending that name to the
// preview, with TLS still checked against the real name.
func TestProbeResolve(t *testing.T) {
	const issuer = "https://login.example.com"
	dir := sitetest.Tree(t, issuer)

	// serve --tls with its own localhost certificate: the connection
	// reaches the preview, and the certificate is refused for the real name.
	tlsDir := t.TempDir()
	addr, stop := startServe(t, "--dir", dir, "--tls", "--tls-dir", tlsDir)
	port := portOf(t, addr)
	code, out, errOut := runCLI(context.Background(), "probe", issuer, "--dir", dir, "--timeout", "5s",
		"--resolve", "login.example.com:443:127.0.0.1:"+port, "--cacert", filepath.Join(tlsDir, serve.CertFile))
	if code != exitInvalid || !strings.Contains(out, "certificate is valid for localhost") || !strings.Contains(out, "not login.example.com") {
		t.Errorf("probe --resolve against a localhost certificate: exit %d\n%s%s", code, out, errOut)
	}
	stop()

	// With a certificate for the issuer's host in serve's --tls-dir, the
	// preview passes as the real site would.
	caFile := previewCert(t, tlsDir, "login.example.com")
	addr, stop = startServe(t, "--dir", dir, "--tls", "--tls-dir", tlsDir)
	defer stop()
	port = portOf(t, addr)
	for _, resolve := range []string{
		"login.example.com:443:127.0.0.1:" + port, // ADDR with its own port
		"LOGIN.example.com:443:[127.0.0.1]:" + port,
	} {
		code, out, errOut = runCLI(context.Background(), "probe", issuer, "--dir", dir, "--timeout", "5s", "--resolve", resolve, "--cacert", caFile)
		if code != exitOK || !strings.Contains(out, "ok: 10 files served as built") {
			t.Errorf("probe --resolve %s: exit %d\n%s%s", resolve, code, out, errOut)
		}
	}
	// curl's own form: the port of the URL is the port dialled. The
	// preview now serves a tree built for that port.
	next := dir + ".new"
	sitetest.Write(t, next, sitetest.Site(t, "https://login.example.com:"+port))
	os.RemoveAll(dir)
	if err := os.Rename(next, dir); err != nil {
		t.Fatal(err)
	}
	code, out, errOut = runCLI(context.Background(), "probe", "https://login.example.com:"+port, "--dir", dir,
		"--timeout", "5s", "--resolve", "login.example.com:"+port+":127.0.0.1", "--cacert", caFile)
	if code != exitOK {
		t.Errorf("probe --resolve HOST:PORT:ADDR: exit %d\n%s%s", code, out, errOut)
	}

	// An entry the URL does not reach is wrong usage, not a probe of the
	// real site; so is a malformed one.
	for _, bad := range []struct{ resolve, msg string }{
		{"login.example.com:8443:127.0.0.1", "no --resolve entry is for login.example.com:443"},
		{"login.example.com:127.0.0.1", `must be HOST:PORT:ADDR`},
		{"login.example.com:0:127.0.0.1", `port "0" is not a number from 1 to 65535`},
		{"login.example.com:443:127.0.0.1:99999", `port "99999" is not a number from 1 to 65535`},
	} {
		code, _, errOut = runCLI(context.Background(), "probe", issuer, "--dir", dir, "--resolve", bad.resolve)
		if code != exitUsage || !strings.Contains(errOut, bad.msg) {
			t.Errorf("--resolve %s: exit %d, want 2 with %q\n%s", bad.resolve, code, bad.msg, errOut)
		}
	}
}

func portOf(t *testing.T, rawURL string) string {
	t.Helper()
	u, err := url.Parse(rawURL)
	if err != nil {
		t.Fatal(err)
	}
	return u.Port()
}

// previewCert writes into serve's --tls-dir, under the names serve looks
// for, a certificate for host signed by a new CA, and returns the CA's file.
func previewCert(t *testing.T, tlsDir, host string) string {
	t.Helper()
	caKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	now := time.Now()
	caTmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "preview CA"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour), IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	ca, _ := x509.ParseCertificate(caDER)
	leaf := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: host},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour), DNSNames: []string{host, "localhost"},
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		KeyUsage: x509.KeyUsageDigitalSignature}
	der, err := x509.CreateCertificate(rand.Reader, leaf, ca, &key.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, _ := x509.MarshalPKCS8PrivateKey(key)
	write := func(name, typ string, b []byte, mode os.FileMode) string {
		p := filepath.Join(tlsDir, name)
		if err := os.WriteFile(p, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: b}), mode); err != nil {
			t.Fatal(err)
		}
		return p
	}
	write(serve.CertFile, "CERTIFICATE", der, 0o644)
	write(serve.KeyFile, "PRIVATE KEY", keyDER, 0o600)
	return write("ca.pem", "CERTIFICATE", caDER, 0o644)
}
