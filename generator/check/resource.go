package check

import (
	"encoding/json"
	"fmt"
	"net/url"
)

// protectedResource checks an RFC 9728 document: a resource identifier
// that is https without a fragment, https authorization servers and key
// set, and known bearer methods.
func protectedResource(body []byte) []string {
	var doc struct {
		Resource             string   `json:"resource"`
		AuthorizationServers []string `json:"authorization_servers"`
		JWKSURI              *string  `json:"jwks_uri"`
		BearerMethods        []string `json:"bearer_methods_supported"`
	}
	if err := json.Unmarshal(body, &doc); err != nil {
		return []string{"not RFC 9728 metadata: " + err.Error()}
	}
	var errs []string
	if !isHTTPS(doc.Resource) {
		errs = append(errs, fmt.Sprintf("resource %q is not an https URL without a fragment (RFC 9728 §2)", doc.Resource))
	}
	for _, as := range doc.AuthorizationServers {
		if !isHTTPS(as) {
			errs = append(errs, fmt.Sprintf("authorization server %q is not an https URL (RFC 9728 §2)", as))
		}
	}
	if doc.JWKSURI != nil && !isHTTPS(*doc.JWKSURI) {
		errs = append(errs, fmt.Sprintf("jwks_uri %q is not https (RFC 9728 §2)", *doc.JWKSURI))
	}
	for _, m := range doc.BearerMethods {
		if m != "header" && m != "body" && m != "query" {
			errs = append(errs, fmt.Sprintf("bearer method %q is not header, body or query (RFC 9728 §2)", m))
		}
	}
	return errs
}

func isHTTPS(v string) bool {
	u, err := url.Parse(v)
	return err == nil && u.Scheme == "https" && u.Host != "" && u.Fragment == "" && u.User == nil
}
