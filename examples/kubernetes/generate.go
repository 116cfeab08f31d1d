//go:build ignore

// Writes keys/sa.pub, the example's service-account public key, a fresh
// RSA 2048 key:
//
//	go run examples/kubernetes/generate.go [DIR]
//
// into DIR (default: this example's directory). Its private half is thrown
// away: the site never needs it, since kube-apiserver signs the tokens. For
// a real cluster, copy the control plane's public key instead (kubeadm:
// /etc/kubernetes/pki/sa.pub). Rebuild the golden tree afterwards:
//
//	go test ./generator -run TestKubernetesGolden -update
package main

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"log"
	"os"
	"path/filepath"
	"runtime"
)

func main() {
	_, self, _, _ := runtime.Caller(0)
	dir := filepath.Dir(self)
	if len(os.Args) > 1 {
		dir = os.Args[1]
	}
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		log.Fatal(err)
	}
	der, err := x509.MarshalPKIXPublicKey(&key.PublicKey)
	if err != nil {
		log.Fatal(err)
	}
	out := filepath.Join(dir, "keys", "sa.pub")
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile(out, pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}), 0o644); err != nil {
		log.Fatal(err)
	}
}
