package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
)

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){"wellknown": main})
}

// TestScripts runs the CLI as a user would, one script per behaviour under
// testdata/script. Each script starts with a copy of the example site
// (site.yaml, keys/, clients/) in $WORK/example.
func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir: "testdata/script",
		Setup: func(env *testscript.Env) error {
			dst := filepath.Join(env.WorkDir, "example")
			if err := copyFile("../../site.yaml", filepath.Join(dst, "site.yaml")); err != nil {
				return err
			}
			for _, dir := range []string{"keys", "clients"} {
				entries, err := os.ReadDir(filepath.Join("../..", dir))
				if err != nil {
					return err
				}
				for _, e := range entries {
					if err := copyFile(filepath.Join("../..", dir, e.Name()), filepath.Join(dst, dir, e.Name())); err != nil {
						return err
					}
				}
			}
			return nil
		},
	})
}

func copyFile(src, dst string) error {
	b, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	return os.WriteFile(dst, b, 0o600)
}
