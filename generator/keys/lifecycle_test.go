package keys_test

import (
	"crypto/elliptic"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/wellknown-dev/wellknown/generator/config"
	"github.com/wellknown-dev/wellknown/generator/keys"
	tk "github.com/wellknown-dev/wellknown/internal/testkeys"
)

// TestReadablePrivateKeyWarns: a private key others can read is a warning,
// as with ssh and age-keygen; public halves may be world-readable.
func TestReadablePrivateKeyWarns(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no Unix permissions")
	}
	for _, tc := range []struct {
		mode os.FileMode
		want string
	}{
		{0o600, ""},
		{0o640, "keys/k.pem: warning: private key is readable by its group (mode 0640)"},
		{0o644, "keys/k.pem: warning: private key is readable by every user (mode 0644)"},
	} {
		dir := t.TempDir()
		k := tk.EC(t, elliptic.P256())
		p := tk.Write(t, dir, "k.pem", tk.PKCS8(t, k))
		tk.Write(t, dir, "pub.pem", tk.PKIX(t, tk.EC(t, elliptic.P256())))
		if err := os.Chmod(p, tc.mode); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(filepath.Join(dir, "pub.pem"), 0o644); err != nil {
			t.Fatal(err)
		}
		_, d := load(t, dir, nil, "")
		var got []string
		for _, w := range d.Warnings() {
			got = append(got, w.String())
		}
		switch {
		case tc.want == "" && len(got) != 0:
			t.Errorf("mode %04o: want no warning, got %q", tc.mode, got)
		case tc.want != "" && (len(got) != 1 || !strings.HasPrefix(got[0], tc.want) || !strings.Contains(got[0], "hint: chmod 600 keys/k.pem")):
			t.Errorf("mode %04o: want %q with a chmod hint, got %q", tc.mode, tc.want, got)
		}
	}
}

func TestGenerateEveryType(t *testing.T) {
	for _, typ := range keys.Types {
		if testing.Short() && typ == "rsa-4096" {
			continue
		}
		t.Run(typ, func(t *testing.T) {
			k, err := keys.Generate(typ)
			if err != nil {
				t.Fatal(err)
			}
			priv, err := keys.PrivatePEM(k)
			if err != nil {
				t.Fatal(err)
			}
			cert, err := keys.SelfSign(k, "test "+typ, now, 30)
			if err != nil {
				t.Fatal(err)
			}
			dir := t.TempDir()
			tk.Write(t, dir, "k.pem", priv)
			tk.Write(t, dir, "k.crt", cert)
			ks := mustLoad(t, dir)
			if len(ks) != 1 || len(ks[0].JWK.Certificates) != 1 || ks[0].Signer == nil {
				t.Fatalf("want one key with its certificate and private half, got %+v", ks)
			}
			if pub, err := keys.ReadPublic(cert); err != nil || !slices.Equal(ks[0].Files, []string{"keys/k.pem", "keys/k.crt"}) || pub.Chain[0].NotAfter != now.AddDate(0, 0, 30) {
				t.Errorf("ReadPublic(cert) = %v, %v", pub, err)
			}
			if _, err := keys.ReadPublic(priv); !errors.Is(err, keys.ErrPrivate) {
				t.Errorf("ReadPublic(private key) = %v, want ErrPrivate", err)
			}
		})
	}
	if _, err := keys.Generate("dsa-1024"); err == nil || !strings.Contains(err.Error(), "ec-p256, ec-p384") {
		t.Errorf("unknown type: %v", err)
	}
}

func TestKeepExpired(t *testing.T) {
	dir := t.TempDir()
	tk.Write(t, dir, "old.pem", tk.PKCS8(t, tk.EC(t, elliptic.P256())))
	tk.Write(t, dir, "new.pem", tk.PKCS8(t, tk.EC(t, elliptic.P256())))
	s := []config.KeySettings{{File: "old.pem", State: config.Retired, PublishedUntil: now.AddDate(0, 0, -1)}}
	ks, d := keys.Load(keys.Options{Dir: dir, Display: "keys", Settings: s, Now: now, KeepExpired: true,
		Password: func() ([]byte, bool) { return nil, false }})
	if d.HasErrors() || len(ks) != 2 || ks[1].Settings == nil || ks[1].Settings.File != "old.pem" {
		t.Fatalf("want both keys, the retired one with its settings: %v %v", ks, d.Err())
	}
}
