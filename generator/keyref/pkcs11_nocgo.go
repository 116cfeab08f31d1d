//go:build !cgo

package keyref

import "errors"

// PKCS11Supported reports whether this build can open pkcs11: URIs: it
// needs cgo to load the token's module.
const PKCS11Supported = false

func openPKCS11(ref string, o Options) (*Key, error) {
	if _, err := parsePKCS11(ref, o.getenv); err != nil {
		return nil, errRef(ref, err)
	}
	return nil, errRef(ref, errors.New("this wellknown was built without cgo, which PKCS #11 needs to load the token's module; build it with CGO_ENABLED=1"))
}
