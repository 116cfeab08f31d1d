package hosting

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"

	"github.com/wellknown-dev/wellknown/generator/artifact"
	"github.com/wellknown-dev/wellknown/generator/headers"
	"github.com/wellknown-dev/wellknown/generator/immutable"
)

// File is one file of a host's configuration, written outside the served
// tree.
type File struct {
	Name string // slash-separated, relative to the output directory: "s3/objects.json"
	Body []byte
	Mode fs.FileMode
}

// A Format turns the published artifacts into one host's configuration.
type Format func(as []artifact.Artifact) ([]File, error)

// Formats are the hosts the hosting command writes for, by name.
var Formats = map[string]Format{
	"s3":           S3,
	"gcs":          GCS,
	"nginx":        Nginx,
	"caddy":        Caddy,
	"github-pages": GitHubPages,
}

// Next says, per format, what to run after writing it; the hosting
// command prints it.
var Next = map[string]string{
	"s3": "upload with: wellknown deploy s3://BUCKET (each object's headers, in a safe order, deletions included);\n" +
		"  then, once: aws cloudfront create-response-headers-policy --response-headers-policy-config file://OUT/s3/cloudfront-headers-policy.json\n",
	"gcs": "upload with: wellknown deploy gs://BUCKET (each object's headers, in a safe order, deletions included);\n" +
		"  then, once: gcloud storage buckets update gs://BUCKET --cors-file=OUT/gcs/cors.json\n",
}

// FormatNames returns the names of Formats, sorted.
func FormatNames() []string {
	names := make([]string, 0, len(Formats))
	for n := range Formats {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// Object is one entry of the object map written for S3 and GCS: what each
// object must carry, for a checker or another deploy tool to compare.
type Object struct {
	Key     string            `json:"key"`    // object name below the bucket prefix
	SHA256  string            `json:"sha256"` // hex, of the bytes
	Size    int               `json:"size"`
	Headers map[string]string `json:"headers"` // every response header, as in _headers
}

// ObjectMap is the machine-readable per-object header map.
type ObjectMap struct {
	Objects []Object `json:"objects"`
}

// Objects returns the object map of as, in upload order.
func Objects(as []artifact.Artifact) ([]byte, error) {
	fs, err := files(as)
	if err != nil {
		return nil, err
	}
	var m ObjectMap
	for _, f := range uploadOrder(fs) {
		sum := f.a.SHA256()
		o := Object{Key: f.Path, SHA256: hex.EncodeToString(sum[:]), Size: f.a.Len(), Headers: map[string]string{}}
		for _, h := range f.Header {
			o.Headers[h.Name] = h.Value
		}
		m.Objects = append(m.Objects, o)
	}
	return marshal(m)
}

func marshal(v any) ([]byte, error) {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

// uploadOrder puts what others point to before what points: immutable
// copies, then keys, clients and signatures, then the index and the
// metadata documents. A client that reads the new metadata during an upload
// then never finds a dangling reference.
func uploadOrder(fs []file) []file {
	rank := func(f file) int {
		switch {
		case immutable.IsCopy(f.Path):
			return 0
		case f.Path == immutable.IndexPath || headers.WellKnownName(f.Path) != "":
			return 2
		}
		return 1
	}
	out := slices.Clone(fs)
	slices.SortStableFunc(out, func(x, y file) int { return rank(x) - rank(y) })
	return out
}

// sameEverywhere returns the one value every file has for header name, or
// an error when files differ: bucket- and distribution-wide settings can
// only express a header that all files share.
func sameEverywhere(fs []file, name string) (string, error) {
	var v string
	for i, f := range fs {
		if i == 0 {
			v = f.get(name)
		} else if f.get(name) != v {
			return "", fmt.Errorf("%s: %s is %q but %s has %q; a bucket-wide setting cannot express both",
				f.Path, name, f.get(name), fs[0].Path, v)
		}
	}
	return v, nil
}

// S3 writes the object map and a CloudFront response headers policy. S3
// stores Content-Type and Cache-Control per object, which wellknown deploy
// sets; CORS and nosniff can only come from CloudFront, for every file at
// once. The upload script this wrote before is gone: a script of one aws
// process per file could not delete, notice a header change or resume.
func S3(as []artifact.Artifact) ([]File, error) {
	fs, err := files(as)
	if err != nil {
		return nil, fmt.Errorf("s3: %w", err)
	}
	objects, err := Objects(as)
	if err != nil {
		return nil, fmt.Errorf("s3: %w", err)
	}
	policy, err := cloudFrontPolicy(fs)
	if err != nil {
		return nil, fmt.Errorf("s3: %w", err)
	}
	return []File{
		{Name: "s3/cloudfront-headers-policy.json", Body: policy, Mode: 0o644},
		{Name: "s3/objects.json", Body: objects, Mode: 0o644},
	}, nil
}

func cloudFrontPolicy(fs []file) ([]byte, error) {
	type items struct {
		Quantity int      `json:"Quantity"`
		Items    []string `json:"Items"`
	}
	list := func(s ...string) items { return items{len(s), s} }
	acao, err := sameEverywhere(fs, "Access-Control-Allow-Origin")
	if err != nil {
		return nil, err
	}
	nosniff, err := sameEverywhere(fs, "X-Content-Type-Options")
	if err != nil {
		return nil, err
	}
	p := map[string]any{
		"Name":    "wellknown-metadata",
		"Comment": "Generated by wellknown: CORS and nosniff for public OAuth metadata",
	}
	if acao != "" {
		p["CorsConfig"] = map[string]any{
			"AccessControlAllowOrigins":     list(acao),
			"AccessControlAllowHeaders":     list(headers.Preflight["Access-Control-Allow-Headers"]),
			"AccessControlAllowMethods":     list("GET", "HEAD", "OPTIONS"),
			"AccessControlAllowCredentials": false,
			"AccessControlMaxAgeSec":        86400,
			"OriginOverride":                true,
		}
	}
	if strings.EqualFold(nosniff, "nosniff") {
		p["SecurityHeadersConfig"] = map[string]any{
			"ContentTypeOptions": map[string]any{"Override": true},
		}
	}
	return marshal(p)
}

// GCS writes the object map and the bucket's CORS configuration; the
// objects go up with wellknown deploy. Like S3, Cloud Storage keeps Content-Type and
// Cache-Control per object and CORS per bucket.
func GCS(as []artifact.Artifact) ([]File, error) {
	fs, err := files(as)
	if err != nil {
		return nil, fmt.Errorf("gcs: %w", err)
	}
	objects, err := Objects(as)
	if err != nil {
		return nil, fmt.Errorf("gcs: %w", err)
	}
	acao, err := sameEverywhere(fs, "Access-Control-Allow-Origin")
	if err != nil {
		return nil, fmt.Errorf("gcs: %w", err)
	}
	cors := []map[string]any{}
	if acao != "" {
		cors = append(cors, map[string]any{
			"origin":         []string{acao},
			"method":         []string{"GET", "HEAD", "OPTIONS"},
			"responseHeader": []string{"Content-Type", "Cache-Control", "ETag"},
			"maxAgeSeconds":  86400,
		})
	}
	corsJSON, err := marshal(cors)
	if err != nil {
		return nil, fmt.Errorf("gcs: %w", err)
	}
	return []File{
		{Name: "gcs/cors.json", Body: corsJSON, Mode: 0o644},
		{Name: "gcs/objects.json", Body: objects, Mode: 0o644},
	}, nil
}

// serverFile is a file as the GitHub Pages warning sees it.
type serverFile struct {
	file
	ContentType string
}

func serverFiles(as []artifact.Artifact) ([]serverFile, error) {
	fs, err := files(as)
	if err != nil {
		return nil, err
	}
	var all []serverFile
	for _, f := range fs {
		all = append(all, serverFile{file: f, ContentType: f.get("Content-Type")})
	}
	return all, nil
}

// GitHubPagesWarning states which declared headers GitHub Pages will not
// send for as and what that breaks. The build prints it when the site is
// published on GitHub Pages; .nojekyll is already in the tree (Control).
func GitHubPagesWarning(as []artifact.Artifact) (string, error) {
	// The build asks with the control files already in the tree; they are
	// not served, so they lose nothing.
	all, err := serverFiles(Published(as))
	if err != nil {
		return "", fmt.Errorf("github-pages: %w", err)
	}
	var extensionless []serverFile
	for _, f := range all {
		if path.Ext(f.Path) == "" {
			extensionless = append(extensionless, f)
		}
	}
	b, err := render("github-pages.txt.tmpl", map[string]any{"Files": all, "Extensionless": extensionless})
	if err != nil {
		return "", fmt.Errorf("github-pages: %w", err)
	}
	return string(b), nil
}

// GitHubPages writes the warning as a file, for the hosting command.
func GitHubPages(as []artifact.Artifact) ([]File, error) {
	w, err := GitHubPagesWarning(as)
	if err != nil {
		return nil, err
	}
	return []File{{Name: "github-pages/WARNING.txt", Body: []byte(w), Mode: 0o644}}, nil
}
