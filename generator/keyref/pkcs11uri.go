package keyref

import (
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// Environment variables cosign reads for what a pkcs11: URI leaves out, read
// here too so one setup serves both tools.
const (
	ModulePathEnv = "COSIGN_PKCS11_MODULE_PATH"
	PINEnv        = "COSIGN_PKCS11_PIN"
)

// pkcs11URI is the part of an RFC 7512 URI that selects a signing key.
type pkcs11URI struct {
	Token      string // token label
	Serial     string // token serial number
	Slot       *int   // slot-id
	Object     string // key label
	ID         []byte // key CKA_ID
	ModulePath string
	PIN        string
	PINSource  string // where PIN came from, for messages: "pin-value", a file, a variable
}

// RFC 7512 §2.3 attribute names. Others are refused, so that a misspelt
// attribute is not silently dropped and another key picked.
var (
	pathAttrs = []string{"id", "library-description", "library-manufacturer", "library-version",
		"manufacturer", "model", "object", "serial", "slot-description", "slot-id",
		"slot-manufacturer", "token", "type"}
	queryAttrs = []string{"module-name", "module-path", "pin-source", "pin-value"}
)

// parsePKCS11 parses ref, filling what it leaves out from the environment as
// cosign does (COSIGN_PKCS11_MODULE_PATH, COSIGN_PKCS11_PIN). Errors never
// quote the PIN.
func parsePKCS11(ref string, getenv func(string) string) (*pkcs11URI, error) {
	body, ok := strings.CutPrefix(ref, PKCS11Prefix)
	if !ok {
		return nil, fmt.Errorf("not a pkcs11: URI")
	}
	path, query, _ := strings.Cut(body, "?")
	if strings.Contains(path, "pin-value") {
		// Quoting the attribute (or a label swallowing it, as in
		// "object=k&pin-value=…") would show the PIN.
		return nil, fmt.Errorf("pin-value is a query attribute: put it after \"?\"")
	}
	var u pkcs11URI
	seen := map[string]bool{}
	attrs := func(part, sep string, names []string, where string) (map[string]string, error) {
		out := map[string]string{}
		if part == "" {
			return out, nil
		}
		for _, a := range strings.Split(part, sep) {
			if a == "" {
				continue
			}
			name, raw, ok := strings.Cut(a, "=")
			if !ok {
				return nil, fmt.Errorf("%s attribute %q has no value (want name=value)", where, redactAttr(name))
			}
			if !slices.Contains(names, name) {
				return nil, fmt.Errorf("unknown %s attribute %q (RFC 7512 §2.3)", where, redactAttr(name))
			}
			if seen[name] {
				return nil, fmt.Errorf("attribute %s appears twice", name)
			}
			seen[name] = true
			v, err := url.PathUnescape(raw)
			if err != nil {
				if name == "pin-value" {
					return nil, fmt.Errorf("pin-value is not valid percent-encoding")
				}
				return nil, fmt.Errorf("attribute %s: %w", name, err)
			}
			out[name] = v
		}
		return out, nil
	}
	p, err := attrs(path, ";", pathAttrs, "path")
	if err != nil {
		return nil, err
	}
	q, err := attrs(query, "&", queryAttrs, "query")
	if err != nil {
		return nil, err
	}
	u.Token, u.Serial, u.Object = p["token"], p["serial"], p["object"]
	if id, ok := p["id"]; ok {
		u.ID = []byte(id)
	}
	if s, ok := p["slot-id"]; ok {
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 {
			return nil, fmt.Errorf("slot-id %q is not a slot number", s)
		}
		u.Slot = &n
	}
	if t, ok := p["type"]; ok && t != "private" {
		return nil, fmt.Errorf("type=%s cannot sign; a signing key is type=private (or leave type out)", t)
	}
	switch n := btoi(u.Token != "") + btoi(u.Serial != "") + btoi(u.Slot != nil); {
	case n == 0:
		return nil, fmt.Errorf("no token: name it with token=LABEL, serial= or slot-id=")
	case n > 1:
		return nil, fmt.Errorf("name the token one way only: token=, serial= or slot-id=")
	}
	if u.Object == "" && len(u.ID) == 0 {
		return nil, fmt.Errorf("no key: name it with object=LABEL or id=%%XX…")
	}
	if _, ok := q["module-name"]; ok {
		return nil, fmt.Errorf("module-name is not supported; give the library's absolute path as module-path=")
	}
	u.ModulePath = q["module-path"]
	if u.ModulePath == "" {
		u.ModulePath = getenv(ModulePathEnv)
	}
	if u.ModulePath == "" {
		return nil, fmt.Errorf("no PKCS #11 module: add ?module-path=/path/to/module.so or set %s", ModulePathEnv)
	}
	if !filepath.IsAbs(u.ModulePath) {
		return nil, fmt.Errorf("module-path %s is not an absolute path", u.ModulePath)
	}
	pv, hasValue := q["pin-value"]
	ps, hasSource := q["pin-source"]
	switch {
	case hasValue && hasSource:
		return nil, fmt.Errorf("give pin-value or pin-source, not both")
	case hasValue:
		u.PIN, u.PINSource = pv, "pin-value"
	case hasSource:
		pin, err := readPINSource(ps, getenv)
		if err != nil {
			return nil, err
		}
		u.PIN, u.PINSource = pin, "pin-source "+ps
	default:
		if v := getenv(PINEnv); v != "" {
			u.PIN, u.PINSource = v, PINEnv
		}
	}
	return &u, nil
}

// readPINSource reads the PIN that pin-source names: a file (file:PATH or
// an absolute path, RFC 7512 §2.3), or, as an extension for CI secrets, an
// environment variable (env:NAME). Trailing newlines are not part of it.
func readPINSource(src string, getenv func(string) string) (string, error) {
	if name, ok := strings.CutPrefix(src, EnvPrefix); ok {
		v := getenv(name)
		if v == "" {
			return "", fmt.Errorf("pin-source %s: environment variable %s is not set or empty", src, name)
		}
		return v, nil
	}
	path := src
	if u, err := url.Parse(src); err == nil && u.Scheme == "file" {
		path = u.Path
	}
	if !filepath.IsAbs(path) {
		return "", fmt.Errorf("pin-source %s: want file:/absolute/path or env:NAME", src)
	}
	data, err := ReadKeyFile(path)
	if err != nil {
		return "", fmt.Errorf("pin-source: %w", err)
	}
	return strings.TrimRight(string(data), "\r\n"), nil
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// Redact returns ref as messages may show it: a pkcs11: URI without its
// pin-value, anything else as it is. Only the RFC 7512 attributes that hold
// no secret are kept: a misspelt one ("0pin-value=…", found by fuzzing)
// might hold a PIN, so it is dropped too.
func Redact(ref string) string {
	body, ok := strings.CutPrefix(ref, PKCS11Prefix)
	if !ok {
		return ref
	}
	// Split at every separator, whichever part it is in: a PIN after a
	// mistyped separator ("object=k&pin-value=…" with no "?") is an
	// attribute too.
	var out strings.Builder
	out.WriteString(PKCS11Prefix)
	query := false
	for len(body) > 0 {
		i := strings.IndexAny(body, ";&?")
		attr := body
		if i >= 0 {
			attr, body = body[:i], body[i+1:]
		} else {
			body = ""
		}
		name, _, _ := strings.Cut(attr, "=")
		if attr != "" && name != "pin-value" && (slices.Contains(pathAttrs, name) || slices.Contains(queryAttrs, name)) {
			if slices.Contains(queryAttrs, name) && !query {
				out.WriteByte('?')
				query = true
			} else if out.Len() > len(PKCS11Prefix) && !(query && strings.HasSuffix(out.String(), "?")) {
				out.WriteByte(map[bool]byte{false: ';', true: '&'}[query])
			}
			out.WriteString(attr)
		}
	}
	return out.String()
}

// redactAttr is an attribute's name as an error may quote it: a name that
// mentions a PIN may be a misspelt pin-value with the PIN in it.
func redactAttr(name string) string {
	if strings.Contains(name, "pin") {
		return "pin…"
	}
	return name
}

// moduleError explains a module that cannot be loaded.
func moduleError(path string) error {
	if _, err := os.Stat(path); err != nil {
		return fmt.Errorf("cannot load the PKCS #11 module: %w", err)
	}
	return fmt.Errorf("cannot load the PKCS #11 module %s", path)
}
