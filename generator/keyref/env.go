package keyref

import (
	"fmt"
	"strings"
)

// openEnv reads a PEM private key from the environment variable that
// env:NAME names: the way a CI secret reaches the build without a file.
// The value is parsed in memory and never written anywhere.
func openEnv(ref string, o Options) (*Key, error) {
	name := strings.TrimPrefix(ref, EnvPrefix)
	if name == "" || strings.ContainsAny(name, "= \t\n") {
		return nil, fmt.Errorf("%s: want env:NAME, the name of an environment variable holding a PEM private key", ref)
	}
	v := o.getenv(name)
	if v == "" {
		return nil, fmt.Errorf("%s: environment variable %s is not set or empty", ref, name)
	}
	// A GitHub Actions secret pasted without its final newline, or with
	// CRLF line ends, is still the same PEM.
	s, err := ParsePEM([]byte(strings.ReplaceAll(v, "\r\n", "\n")), o.Getenv)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", ref, err)
	}
	return &Key{Signer: s}, nil
}
