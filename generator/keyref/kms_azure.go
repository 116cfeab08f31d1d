package keyref

// Registers sigstore's azurekms:// provider. Delete this file to build without
// its SDK.
import _ "github.com/sigstore/sigstore/pkg/signature/kms/azure"
