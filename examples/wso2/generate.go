//go:build ignore

// Generates the certificate of each tenant of the WSO2 example:
//
//	go run examples/wso2/generate.go [DIR]
//
// into DIR/tenants/TENANT/wso2carbon.crt (DIR defaults to this example's
// directory). WSO2 Identity Server signs with a keystore per tenant
// (wso2carbon.jks for the super tenant); the site needs only each
// keystore's certificate, which is what
//
//	keytool -exportcert -rfc -keystore wso2carbon.jks -alias wso2carbon
//
// prints. The private keys made here are thrown away. The dates are fixed
// (2026-01-01 to 2036-01-01) so that the example builds the same way for ten
// years; rebuild the golden tree afterwards:
//
//	go test ./generator -run TestWSO2Golden -update
package main

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"log"
	"math/big"
	"os"
	"path/filepath"
	"runtime"
	"time"
)

func main() {
	_, self, _, _ := runtime.Caller(0)
	dir := filepath.Dir(self)
	if len(os.Args) > 1 {
		dir = os.Args[1]
	}
	for _, tenant := range []string{"carbon.super", "acme.com"} {
		key, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			log.Fatal(err)
		}
		serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 64))
		if err != nil {
			log.Fatal(err)
		}
		tmpl := &x509.Certificate{
			SerialNumber:          serial,
			Subject:               pkix.Name{CommonName: "is.example.com", Organization: []string{tenant}},
			NotBefore:             time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC),
			NotAfter:              time.Date(2036, 1, 1, 0, 0, 0, 0, time.UTC),
			KeyUsage:              x509.KeyUsageDigitalSignature,
			BasicConstraintsValid: true,
		}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
		if err != nil {
			log.Fatal(err)
		}
		out := filepath.Join(dir, "tenants", tenant, "wso2carbon.crt")
		if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
			log.Fatal(err)
		}
		if err := os.WriteFile(out, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644); err != nil {
			log.Fatal(err)
		}
	}
}
