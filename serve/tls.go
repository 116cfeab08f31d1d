package serve

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"time"

	"github.com/wellknown-dev/wellknown/internal/gitignore"
)

// Names of the preview certificate and key in their directory.
const (
	CertFile = "localhost.pem"
	KeyFile  = "localhost-key.pem"
)

// keyRule keeps the preview key out of git when its directory is in a
// work tree (a --tls-dir inside the site, a configuration directory kept in
// git).
var keyRule = gitignore.Rule{
	Pattern: KeyFile,
	Comment: []string{"The private key of wellknown serve --tls, a certificate authority for", "localhost that a client under test trusts: never commit it."},
}

// KeepKeyOutOfGit makes dir, creating it, and makes sure that git never
// takes the preview key LocalCert writes there (see gitignore.Keep). Call
// it before LocalCert.
func KeepKeyOutOfGit(dir string) (*gitignore.Kept, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	kept, _, err := gitignore.Keep(dir, KeyFile, keyRule, func(name string) string { return filepath.Join(dir, name) })
	return kept, err
}

// LocalCert returns the self-signed certificate for localhost, 127.0.0.1
// and ::1 kept in dir, creating it the first time. It is written once so a
// relying party under test can trust it once; it is made again only when it
// no longer loads or has expired. The key is written 0600 with O_EXCL.
func LocalCert(dir string) (certPath, keyPath string, created bool, err error) {
	certPath, keyPath = filepath.Join(dir, CertFile), filepath.Join(dir, KeyFile)
	if c, err := tls.LoadX509KeyPair(certPath, keyPath); err == nil && time.Now().Before(c.Leaf.NotAfter) {
		return certPath, keyPath, false, nil
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", "", false, err
	}
	for _, p := range []string{certPath, keyPath} {
		if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return "", "", false, err
		}
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return "", "", false, err
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return "", "", false, err
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: "localhost", Organization: []string{"wellknown serve (preview only)"}},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.AddDate(1, 0, 0),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true, // so clients can add it as a trust anchor
		MaxPathLenZero:        true,
		DNSNames:              []string{"localhost"},
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return "", "", false, err
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return "", "", false, err
	}
	if err := writeExcl(keyPath, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}), 0o600); err != nil {
		return "", "", false, err
	}
	if err := writeExcl(certPath, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644); err != nil {
		return "", "", false, err
	}
	return certPath, keyPath, true, nil
}

func writeExcl(p string, b []byte, mode fs.FileMode) error {
	f, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, mode)
	if err != nil {
		return err
	}
	if _, err := f.Write(b); err != nil {
		f.Close()
		return fmt.Errorf("%s: %w", p, err)
	}
	return f.Close()
}
