//go:build cgo

package keyref

import (
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/ThalesGroup/crypto11"
	"github.com/miekg/pkcs11"
)

// PKCS11Supported reports whether this build can open pkcs11: URIs: it
// needs cgo to load the token's module.
const PKCS11Supported = true

// openPKCS11 logs in to the token and finds the key pair. The session stays
// open until Key.Close; crypto11 shares one module instance per path, so
// several keys of one token cost one module load.
func openPKCS11(ref string, o Options) (*Key, error) {
	u, err := parsePKCS11(ref, o.getenv)
	if err != nil {
		return nil, errRef(ref, err)
	}
	if u.PIN == "" {
		// The build runs unattended: there is no prompt to ask with.
		return nil, errRef(ref, fmt.Errorf("%w: add pin-source=file:/path or pin-source=env:NAME, or set %s", errNoPIN, PINEnv))
	}
	if info, err := os.Stat(u.ModulePath); err != nil {
		return nil, errRef(ref, fmt.Errorf("PKCS #11 module: %w", err))
	} else if !info.Mode().IsRegular() {
		return nil, errRef(ref, fmt.Errorf("PKCS #11 module %s is not a regular file", u.ModulePath))
	}
	cfg := &crypto11.Config{
		Path:        u.ModulePath,
		TokenLabel:  u.Token,
		TokenSerial: u.Serial,
		SlotNumber:  u.Slot,
		Pin:         u.PIN,
	}
	ctx, err := crypto11.Configure(cfg)
	if err != nil {
		return nil, errRef(ref, pkcs11Error(err, u))
	}
	var id, label []byte
	if len(u.ID) > 0 {
		id = u.ID
	}
	if u.Object != "" {
		label = []byte(u.Object)
	}
	found, err := ctx.FindKeyPairs(id, label)
	if err == nil && len(found) == 0 {
		err = errNoObject
	}
	if err == nil && len(found) > 1 {
		err = fmt.Errorf("%d key pairs match; add id= to pick one", len(found))
	}
	if err != nil {
		ctx.Close()
		return nil, errRef(ref, pkcs11Error(err, u))
	}
	return &Key{Signer: found[0], close: ctx.Close}, nil
}

var errNoObject = errors.New("no key pair")

// pkcs11Error says what went wrong in words a user can act on, without the
// PIN.
func pkcs11Error(err error, u *pkcs11URI) error {
	var pe pkcs11.Error
	switch {
	case errors.Is(err, errNoObject):
		what := "object=" + u.Object
		if len(u.ID) > 0 {
			what = fmt.Sprintf("id=%x", u.ID)
		}
		return fmt.Errorf("the token holds no key pair with %s (a private key with a CKA_ID, and its public key or certificate)", what)
	case errors.As(err, &pe):
		switch pe {
		case pkcs11.CKR_PIN_INCORRECT:
			return fmt.Errorf("login failed: wrong PIN (from %s)", u.PINSource)
		case pkcs11.CKR_PIN_LOCKED:
			return fmt.Errorf("login failed: the PIN is locked")
		case pkcs11.CKR_USER_NOT_LOGGED_IN:
			return fmt.Errorf("the token needs a PIN: add pin-source= or set %s", PINEnv)
		}
		return fmt.Errorf("PKCS #11: %w", err)
	case strings.Contains(err.Error(), "could not find PKCS#11 token"):
		return fmt.Errorf("no such token in module %s", u.ModulePath)
	case strings.Contains(err.Error(), "failed to create module context"):
		return moduleError(u.ModulePath)
	}
	return err
}
