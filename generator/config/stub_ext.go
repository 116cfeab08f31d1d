package config

import "github.com/wellknown-dev/wellknown/generator/internal/yamlwalk"

// Federation is an OpenID Federation entity.
type Federation struct{}

func (s *Site) decodeFederation(w *yamlwalk.Walker, p yamlwalk.Pair) {
	w.Errorf(p.KNode, "federation is not supported yet")
}
