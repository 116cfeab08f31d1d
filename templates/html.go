package templates

import "html/template"

// ParseHTML returns the named page template. Pages go through html/template,
// which escapes every value for where it lands (text, attribute, URL), so
// that a client name such as <script> is shown, never run.
func ParseHTML(name string, funcs template.FuncMap) (*template.Template, error) {
	return template.New(name).Funcs(funcs).Option("missingkey=error").ParseFS(files, name)
}
