package keyref

// Registers sigstore's hashivault:// provider. Delete this file to build without
// its SDK.
import _ "github.com/sigstore/sigstore/pkg/signature/kms/hashivault"
