package deploy

import (
	"context"
	"fmt"
	"testing"
)

// benchClients is the registry size of generator's BenchmarkBuildRegistry.
const benchClients = 10_000

// registry builds the example site with n more clients, signed: about
// 2n+30 files.
func registry(b *testing.B, n int, changed int) string {
	extra := make(map[string]string, n)
	for i := range n {
		name := fmt.Sprintf("Native app %d", i)
		if i == changed {
			name += " (renamed)"
		}
		extra[fmt.Sprintf("client-%05d", i)] = fmt.Sprintf(`application_type: native
client_name: %s
redirect_uris: [http://127.0.0.1/callback, com.example.app%d:/oauth2redirect]
grant_types: [authorization_code, refresh_token]
token_endpoint_auth_method: none
scope: openid offline_access
`, name, i)
	}
	return signedTree(b, extra)
}

// BenchmarkDeployRegistry deploys the signed 10,000-client site to the S3
// server .ci/run starts (versitygw): into an empty bucket, again with
// nothing changed (one listing and one HEAD per object, no upload), and
// with one client renamed (its document, the index, the page, their
// signatures and the manifest). objects/op is what was written or deleted.
//
//	go test ./generator/deploy -run XXX -bench DeployRegistry -benchtime 3x
func BenchmarkDeployRegistry(b *testing.B) {
	ep := s3Env(b)
	v1 := registry(b, benchClients, -1)
	v2 := registry(b, benchClients, benchClients/2)
	opt := Options{Workers: 16, MaxDeletes: 256}
	run := func(b *testing.B, u, dir string) int {
		bk := openURL(b, u)
		p, err := deployTo(b, context.Background(), bk, dir, opt)
		if err != nil {
			b.Fatal(err)
		}
		return len(p.Actions)
	}
	b.Run("first", func(b *testing.B) {
		sent := 0
		for b.Loop() {
			b.StopTimer()
			u := s3Bucket(b, ep)
			b.StartTimer()
			sent = run(b, u, v1)
		}
		b.ReportMetric(float64(sent), "objects/op")
	})
	u := s3Bucket(b, ep)
	run(b, u, v1)
	b.Run("unchanged", func(b *testing.B) {
		sent := 0
		for b.Loop() {
			sent = run(b, u, v1)
		}
		b.ReportMetric(float64(sent), "objects/op")
	})
	b.Run("one-client", func(b *testing.B) {
		sent, i := 0, 0
		for b.Loop() {
			// Each step is one client changed, in turn renamed and
			// back.
			dir := v2
			if i%2 == 1 {
				dir = v1
			}
			i++
			sent = run(b, u, dir)
		}
		b.ReportMetric(float64(sent), "objects/op")
	})
}
