package sitetest

import (
	"fmt"
	"testing"

	"github.com/wellknown-dev/wellknown/generator/artifact"
	"github.com/wellknown-dev/wellknown/generator/headers"
	"github.com/wellknown-dev/wellknown/generator/hosting"
	"github.com/wellknown-dev/wellknown/generator/immutable"
)

// WithClients returns Site(issuer) with n more client documents under
// clients/, so that _headers covers them with one directory rule and host
// configurations derived from it are tested on what a registry looks like.
func WithClients(t testing.TB, issuer string, n int) []artifact.Artifact {
	t.Helper()
	as := Rendered(issuer)
	for i := range n {
		id := fmt.Sprintf("%s/clients/c%05d.json", issuer, i)
		as = append(as, artifact.Artifact{
			Path: fmt.Sprintf("clients/c%05d.json", i),
			Body: fmt.Appendf(nil, `{"client_id":%q,"client_name":"Client %d","redirect_uris":["https://app%d.example/cb"]}`+"\n", id, i, i),
		})
	}
	as, err := immutable.Add(as)
	if err != nil {
		t.Fatal(err)
	}
	if as, err = headers.Apply(as, headers.DefaultPolicy()); err != nil {
		t.Fatal(err)
	}
	if as, err = hosting.Control(as); err != nil {
		t.Fatal(err)
	}
	return as
}
