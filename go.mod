module github.com/wellknown-dev/wellknown

go 1.26

require (
	github.com/coreos/go-oidc/v3 v3.21.0
	github.com/go-jose/go-jose/v4 v4.1.8
	github.com/rogpeppe/go-internal v1.16.0
	// Pinned: v1.11.x declares go 1.27 and this module builds with Go 1.26
	// (see generator/sign/doc.go). Move to v1.11 with the toolchain.
	github.com/sigstore/sigstore v1.10.11
	github.com/spf13/pflag v1.1.0
	github.com/youmark/pkcs8 v0.0.0-20240726163527-a2c0da244d78
	golang.org/x/sys v0.47.0
	gopkg.in/yaml.v3 v3.0.1
)

require golang.org/x/text v0.41.0

require (
	github.com/sigstore/protobuf-specs v0.5.2
	google.golang.org/protobuf v1.36.12
)

require (
	github.com/google/go-containerregistry v0.21.9 // indirect
	github.com/opencontainers/go-digest v1.0.0 // indirect
	github.com/secure-systems-lab/go-securesystemslib v0.11.1 // indirect
	golang.org/x/crypto v0.55.0 // indirect
	golang.org/x/oauth2 v0.36.0 // indirect
	golang.org/x/term v0.45.0 // indirect
	golang.org/x/tools v0.48.0 // indirect
	google.golang.org/genproto/googleapis/api v0.0.0-20260727163830-6c54dddc4772 // indirect
)
