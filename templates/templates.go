// Package templates holds the text formats wellknown writes for hosts
// (_headers, server snippets, warnings), rendered with
// text/template. JSON output is never templated: it goes through
// encoding/json so that it is always well formed.
package templates

import (
	"embed"
	"text/template"
)

//go:embed *.tmpl
var files embed.FS

// Parse returns the named template (a file name in this directory) with the
// given functions.
func Parse(name string, funcs template.FuncMap) (*template.Template, error) {
	return template.New(name).Funcs(funcs).Option("missingkey=error").ParseFS(files, name)
}

// Raw returns the bytes of a file in this directory that is not a
// template, such as a script a page embeds and allows by its hash.
func Raw(name string) ([]byte, error) { return files.ReadFile(name) }

// ParseWorkflow returns a GitHub Actions workflow template. Workflows use
// ${{ }} for their own expressions, so these templates take [[ ]] instead.
func ParseWorkflow(name string) (*template.Template, error) {
	return template.New(name).Delims("[[", "]]").Option("missingkey=error").ParseFS(files, name)
}
