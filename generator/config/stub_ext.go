package config

import "github.com/wellknown-dev/wellknown/generator/internal/yamlwalk"

// Resource is a protected resource (RFC 9728).
type Resource struct{}

// Federation is an OpenID Federation entity.
type Federation struct{}

func (s *Site) decodeResources(w *yamlwalk.Walker, p yamlwalk.Pair) {
	w.Errorf(p.KNode, "resources are not supported yet")
}

func (s *Site) decodeFederation(w *yamlwalk.Walker, p yamlwalk.Pair) {
	w.Errorf(p.KNode, "federation is not supported yet")
}
