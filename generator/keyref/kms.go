package keyref

import (
	"context"
	"crypto"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/sigstore/sigstore/pkg/signature"
	"github.com/sigstore/sigstore/pkg/signature/kms"
	"github.com/sigstore/sigstore/pkg/signature/options"
)

// openKMS opens a key of a sigstore KMS provider (registered by the kms_*.go
// files) and fetches its public key, so an unreachable KMS fails here, once,
// within the timeout, and not at the first of thousands of signatures.
// Credentials come from each provider's own chain (AWS_*, GOOGLE_*, AZURE_*,
// VAULT_ADDR and VAULT_TOKEN), never from the reference.
func openKMS(ref string, o Options) (*Key, error) {
	var sv kms.SignerVerifier
	var pub crypto.PublicKey
	err := bounded(o.timeout(), func(ctx context.Context) error {
		var err error
		if sv, err = kms.Get(ctx, ref, crypto.SHA256, options.WithContext(ctx)); err != nil {
			return err
		}
		pub, err = sv.PublicKey(options.WithContext(ctx))
		return err
	})
	if err != nil {
		return nil, errRef(ref, err)
	}
	return &Key{Signer: &kmsSigner{sv: sv, pub: pub, ref: ref, timeout: o.timeout()}}, nil
}

var errTimeout = errors.New("the KMS did not answer in time")

// bounded runs f with a deadline and returns by it even when f ignores its
// context (sigstore's hashivault provider does): a KMS that does not answer
// costs the build one timeout, never a hang. The providers' own clients
// retry a bounded few times (the AWS, Google and Vault SDK defaults).
func bounded(d time.Duration, f func(context.Context) error) error {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- f(ctx) }()
	select {
	case err := <-done:
		if err != nil && ctx.Err() != nil {
			return fmt.Errorf("%w (%s): %w", errTimeout, d, err)
		}
		return err
	case <-ctx.Done():
		return fmt.Errorf("%w (%s)", errTimeout, d)
	}
}

// kmsSigner signs a digest through the KMS, each call bounded by timeout.
type kmsSigner struct {
	sv      signature.SignerVerifier
	pub     crypto.PublicKey
	ref     string
	timeout time.Duration
}

func (k *kmsSigner) Public() crypto.PublicKey { return k.pub }

func (k *kmsSigner) Sign(_ io.Reader, digest []byte, opts crypto.SignerOpts) ([]byte, error) {
	hash := crypto.SHA256
	if opts != nil {
		hash = opts.HashFunc()
	}
	var sig []byte
	err := bounded(k.timeout, func(ctx context.Context) error {
		var err error
		sig, err = k.sv.SignMessage(nil, options.WithContext(ctx), options.WithDigest(digest), options.WithCryptoSignerOpts(hash))
		return err
	})
	if err != nil {
		return nil, errRef(k.ref, err)
	}
	return sig, nil
}
