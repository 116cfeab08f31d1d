//go:build !cgo

package keyref

import (
	"strings"
	"testing"
)

// A build without cgo compiles, and a pkcs11: URI fails in words.
func TestPKCS11WithoutCgo(t *testing.T) {
	_, err := Open("pkcs11:token=t;object=k?module-path=/m.so&pin-value=1234", Options{})
	if err == nil || !strings.Contains(err.Error(), "built without cgo") || strings.Contains(err.Error(), "1234") {
		t.Fatalf("error %v, want one saying cgo is needed, without the PIN", err)
	}
}
