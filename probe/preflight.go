package probe

import (
	"context"
	"io"
	"net/http"
	"strings"

	"github.com/wellknown-dev/wellknown/generator/artifact"
	"github.com/wellknown-dev/wellknown/generator/headers"
)

// Preflight sends one CORS preflight, as a browser does before a
// cross-origin GET that carries an Authorization header, to the first
// published file that allows CORS (a metadata document if there is one),
// and returns a warning when the answer is not a 2xx that allows the
// origin. Cloudflare Pages and Netlify answer every OPTIONS with 405: simple
// GETs still get the CORS headers, so most clients work, but a browser
// client that adds a header of its own cannot fetch the metadata. It is a
// warning, not a Problem, since no host that reads _headers can do better.
func Preflight(ctx context.Context, c *http.Client, site string, as []artifact.Artifact) []Problem {
	if c == nil {
		c = Client(http.DefaultClient)
	}
	var target *artifact.Artifact
	for i, a := range as {
		if a.Header.Get("Access-Control-Allow-Origin") == "" {
			continue
		}
		if target == nil || (headers.WellKnownName(a.Path) != "" && headers.WellKnownName(target.Path) == "") {
			target = &as[i]
		}
	}
	if target == nil {
		return nil
	}
	u := strings.TrimSuffix(site, "/") + target.URLPath()
	req, err := http.NewRequestWithContext(ctx, http.MethodOptions, u, nil)
	if err != nil {
		return []Problem{{URL: u, Msg: "warning: " + err.Error()}}
	}
	req.Header.Set("Origin", Origin)
	req.Header.Set("Access-Control-Request-Method", "GET")
	req.Header.Set("Access-Control-Request-Headers", "authorization")
	res, err := c.Do(req)
	if err != nil {
		return []Problem{{URL: u, Msg: "warning: CORS preflight: " + err.Error()}}
	}
	io.Copy(io.Discard, io.LimitReader(res.Body, maxBody))
	res.Body.Close()
	const effect = "; browser clients that send a header of their own (Authorization, say) cannot fetch it cross-origin, " +
		"while simple GETs still work (Cloudflare Pages and Netlify answer every OPTIONS with 405: put a Worker or an edge function in front to answer preflights)"
	switch {
	case res.StatusCode/100 != 2:
		return []Problem{{URL: u, Msg: "warning: a CORS preflight (OPTIONS) gets " + res.Status + effect}}
	case res.Header.Get("Access-Control-Allow-Origin") == "":
		return []Problem{{URL: u, Msg: "warning: a CORS preflight (OPTIONS) gets " + res.Status + " without Access-Control-Allow-Origin" + effect}}
	}
	return nil
}
