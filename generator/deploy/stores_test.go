package deploy

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"gocloud.dev/blob"

	"github.com/wellknown-dev/wellknown/internal/peers"
	"github.com/wellknown-dev/wellknown/probe"
)

// The real servers .ci/run starts, each on 127.0.0.1 (see README, Deploy).
const how = "run .ci/run, or start the servers as it does"

var realStores = []*store{s3Store(), gcsStore(), azureStore()}

var bucketSeq atomic.Int64

// newBucketName is unique per test binary run and test, as every store's
// bucket naming rules allow.
func newBucketName() string {
	return fmt.Sprintf("wk-%d-%d", time.Now().UnixNano()%1e9, bucketSeq.Add(1))
}

// s3Env reads the versitygw address and keys and puts the keys where the
// AWS SDK's chain finds them, as a user's environment would.
func s3Env(t testing.TB) string {
	ep := peers.Server(t, "WELLKNOWN_S3_ENDPOINT", how)
	t.Setenv("AWS_ACCESS_KEY_ID", os.Getenv("WELLKNOWN_S3_ACCESS_KEY"))
	t.Setenv("AWS_SECRET_ACCESS_KEY", os.Getenv("WELLKNOWN_S3_SECRET_KEY"))
	t.Setenv("AWS_REGION", "us-east-1")
	return ep
}

// s3Bucket creates a bucket on the S3 server at ep and returns its URL.
func s3Bucket(t testing.TB, ep string) string {
	t.Helper()
	name := newBucketName()
	c := s3.New(s3.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(ep),
		UsePathStyle: true,
		Credentials:  credentials.NewStaticCredentialsProvider(os.Getenv("AWS_ACCESS_KEY_ID"), os.Getenv("AWS_SECRET_ACCESS_KEY"), ""),
	})
	if _, err := c.CreateBucket(context.Background(), &s3.CreateBucketInput{Bucket: aws.String(name)}); err != nil {
		t.Fatalf("create bucket on %s: %v", ep, err)
	}
	return "s3://" + name + "?" + url.Values{"endpoint": {ep}, "use_path_style": {"true"}, "region": {"us-east-1"}}.Encode()
}

func openURL(t testing.TB, u string) *blob.Bucket {
	t.Helper()
	b, err := Open(context.Background(), u)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	return b
}

// getSigned reads key over HTTP through a signed URL: what a browser
// would receive from the store itself.
func getSigned(t *testing.T, b *blob.Bucket, key string) (http.Header, []byte) {
	t.Helper()
	u, err := b.SignedURL(context.Background(), key, &blob.SignedURLOptions{Expiry: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	return httpGet(t, u)
}

func httpGet(t *testing.T, u string) (http.Header, []byte) {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s: %s: %s", u, resp.Status, body)
	}
	return resp.Header, body
}

func s3Store() *store {
	return &store{
		name: "s3",
		open: func(t *testing.T) *blob.Bucket { return openURL(t, s3Bucket(t, s3Env(t))) },
		get:  getSigned,
	}
}

// gcsStore is fake-gcs-server, reached as every GCS client reaches an
// emulator: STORAGE_EMULATOR_HOST.
func gcsStore() *store {
	s := &store{name: "gcs"}
	s.open = func(t *testing.T) *blob.Bucket {
		host := peers.Server(t, "WELLKNOWN_GCS_ENDPOINT", how)
		t.Setenv("STORAGE_EMULATOR_HOST", host)
		bucket := newBucketName()
		resp, err := http.Post("http://"+host+"/storage/v1/b?project=test", "application/json",
			strings.NewReader(`{"name":"`+bucket+`"}`))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Fatalf("create bucket: %s", resp.Status)
		}
		// fake-gcs-server serves objects publicly, as a bucket
		// readable by allUsers does at storage.googleapis.com.
		s.base = "http://" + host + "/" + bucket
		return openURL(t, "gs://"+bucket)
	}
	s.get = func(t *testing.T, _ *blob.Bucket, key string) (http.Header, []byte) {
		return httpGet(t, s.base+"/"+key)
	}
	return s
}

// Azurite's well-known development account (documented by Microsoft; not
// a secret).
const (
	azuriteAccount = "devstoreaccount1"
	azuriteKey     = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
)

func azureStore() *store {
	return &store{
		name: "azure",
		open: func(t *testing.T) *blob.Bucket {
			hostport := peers.Server(t, "WELLKNOWN_AZURE_BLOB_ENDPOINT", how)
			t.Setenv("AZURE_STORAGE_ACCOUNT", azuriteAccount)
			t.Setenv("AZURE_STORAGE_KEY", azuriteKey)
			name := newBucketName()
			cred, err := azblob.NewSharedKeyCredential(azuriteAccount, azuriteKey)
			if err != nil {
				t.Fatal(err)
			}
			c, err := azblob.NewClientWithSharedKeyCredential("http://"+hostport+"/"+azuriteAccount+"/", cred, nil)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := c.CreateContainer(context.Background(), name, nil); err != nil {
				t.Fatalf("create container: %v", err)
			}
			return openURL(t, "azblob://"+name+"?"+url.Values{"domain": {hostport}, "protocol": {"http"}, "localemu": {"true"}}.Encode())
		},
		get: getSigned,
	}
}

// A missing bucket and refused credentials fail the listing, before any
// write, naming the URL without credentials, with a hint.
func TestS3Faults(t *testing.T) {
	ep := s3Env(t)
	dir := signedTree(t, nil)
	missing := "s3://no-such-bucket?" + url.Values{"endpoint": {ep}, "use_path_style": {"true"}}.Encode()
	_, err := deployTo(t, context.Background(), openURL(t, missing), dir, Options{Workers: 2})
	if err == nil || !strings.Contains(err.Error(), "NoSuchBucket") || !strings.Contains(Hint(err), "create the bucket") {
		t.Errorf("missing bucket: %v (%s)", err, Hint(err))
	}
	u := s3Bucket(t, ep)
	t.Setenv("AWS_SECRET_ACCESS_KEY", "not-the-secret")
	_, err = deployTo(t, context.Background(), openURL(t, u), dir, Options{Workers: 2})
	if err == nil || strings.Contains(err.Error(), "not-the-secret") || !strings.Contains(Hint(err), "refused the credentials") {
		t.Errorf("wrong secret: %v (%s)", err, Hint(err))
	}
	down := "s3://b?" + url.Values{"endpoint": {"http://127.0.0.1:1"}, "use_path_style": {"true"}}.Encode()
	_, err = deployTo(t, context.Background(), openURL(t, down), dir, Options{Workers: 2})
	if err == nil || !strings.Contains(Hint(err), "nothing answers") {
		t.Errorf("unreachable: %v (%s)", err, Hint(err))
	}
}

// What a deployed GCS bucket serves over HTTP, checked by probe, the check
// deploy --probe runs: bytes, Content-Type and Cache-Control as built. Only
// what no object can carry (CORS, nosniff) and the issuer (the tree's is not
// the emulator's URL) may differ.
func TestGCSProbe(t *testing.T) {
	s := gcsStore()
	b := s.open(t)
	dir := signedTree(t, nil)
	mustDeploy(t, b, dir)
	files, err := Read(dir)
	if err != nil {
		t.Fatal(err)
	}
	ps := probe.Check(context.Background(), probe.Client(http.DefaultClient), s.base, Artifacts(files))
	for _, p := range ps {
		switch {
		case strings.Contains(p.Msg, "Access-Control-Allow-Origin"),
			strings.Contains(p.Msg, "X-Content-Type-Options"),
			strings.Contains(p.Msg, "issuer"):
		default:
			t.Errorf("%s", p)
		}
	}
	if len(ps) == 0 {
		t.Error("probe found no CORS problem: does the emulator now set CORS per object?")
	}
}
