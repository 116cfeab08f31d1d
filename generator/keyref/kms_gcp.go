package keyref

// Registers sigstore's gcpkms:// provider. Delete this file to build without
// its SDK.
import _ "github.com/sigstore/sigstore/pkg/signature/kms/gcp"
