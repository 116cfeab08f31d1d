package config

import (
	"strings"

	"github.com/wellknown-dev/wellknown/generator/artifact"
	"github.com/wellknown-dev/wellknown/generator/internal/yamlwalk"
	"github.com/wellknown-dev/wellknown/generator/metadata"
)

// ClientMode is how a client's identifier is made.
type ClientMode string

const (
	// PreRegistered clients have a stable client_id the authorization
	// server already knows: the slug, or one the file sets.
	PreRegistered ClientMode = "pre_registered"
	// MetadataDocument clients use the URL of their published document as
	// their client_id (OAuth Client ID Metadata Document).
	MetadataDocument ClientMode = "metadata_document"
)

// Defaults of the clients: section.
const (
	DefaultClientsDir  = "clients"
	DefaultClientsPath = "clients"
)

// Clients is the clients: section of site.yaml.
type Clients struct {
	Dir  string     // relative to the site's Dir
	Mode ClientMode // the default for files that do not set mode
	Path string     // where documents are published, below the site root; no slashes at either end
	// DirSet records that the directory was named explicitly: a missing
	// default directory means "no clients", a missing named one is an error.
	DirSet bool
}

var clientFields = []string{"dir", "mode", "path"}

func defaultClients() Clients {
	return Clients{Dir: DefaultClientsDir, Mode: PreRegistered, Path: DefaultClientsPath}
}

func (s *Site) decodeClients(w *yamlwalk.Walker, p yamlwalk.Pair) {
	fields, ok := w.Mapping(p.Val, "clients")
	if !ok {
		return
	}
	for _, f := range fields {
		s.pos["clients."+f.Key] = w.Pos(f.Val)
		switch f.Key {
		case "dir":
			if v, ok := w.Str(f.Val, "clients.dir"); ok {
				if v == "" {
					w.Errorf(f.Val, "clients.dir must not be empty")
				}
				s.Clients.Dir, s.Clients.DirSet = v, true
			}
		case "mode":
			if v, ok := w.Str(f.Val, "clients.mode"); ok {
				if m, good := ParseClientMode(v); good {
					s.Clients.Mode = m
				} else {
					w.Errorf(f.Val, "clients.mode must be pre_registered or metadata_document, not %q", v)
				}
			}
		case "path":
			if v, ok := w.Str(f.Val, "clients.path"); ok {
				v = strings.Trim(v, "/")
				if err := artifact.CheckPath(v); err != nil || strings.ContainsAny(v, "?#%") {
					w.Errorf(f.Val, "clients.path %q must be a directory below the site root, such as /clients/", v)
				} else {
					s.Clients.Path = v
				}
			}
		default:
			w.Unknown(f, " in clients", clientFields)
		}
	}
}

// ParseClientMode reads a mode as site.yaml and client files write it.
func ParseClientMode(v string) (ClientMode, bool) {
	switch m := ClientMode(v); m {
	case PreRegistered, MetadataDocument:
		return m, true
	}
	return "", false
}

// Advertise adds a metadata field the build derives from other inputs, such
// as client_id_metadata_document_supported when the site publishes Client ID
// Metadata Documents. A value site.yaml already sets is kept: the clients
// phase reports one that disagrees.
func (s *Site) Advertise(name string, v any) {
	if _, ok := s.Lookup(name); ok {
		return
	}
	f, ok := metadata.Lookup(name)
	if !ok {
		panic("config: Advertise of unknown metadata field " + name)
	}
	s.Metadata = append(s.Metadata, Value{Field: f, Value: v, Pos: s.Where("clients")})
}
