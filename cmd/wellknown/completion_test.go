package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/wellknown-dev/wellknown/internal/peers"
)

// completionScript writes the script for shell to a file.
func completionScript(t *testing.T, shell string) string {
	t.Helper()
	code, out, errOut := runCLI(context.Background(), "completion", shell)
	if code != exitOK {
		t.Fatalf("completion %s: exit %d: %s", shell, code, errOut)
	}
	p := filepath.Join(t.TempDir(), "wellknown."+shell)
	if err := os.WriteFile(p, []byte(out), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// completeCases are command lines (the last word being completed) and
// words the completion must offer, and one it must not.
var completeCases = []struct {
	line    string
	want    []string
	notWant string
}{
	{"wellknown ", []string{"build", "keys", "completion", "probe"}, "--json"},
	{"wellknown ke", []string{"keys"}, "build"},
	{"wellknown keys ", []string{"generate", "import", "list", "rotate"}, "build"},
	{"wellknown keys generate --t", []string{"--type"}, "--json"},
	{"wellknown build --s", []string{"--sign-key", "--strict"}, "--type"},
	{"wellknown --config x.yaml check --j", []string{"--json"}, ""},
	{"wellknown probe --re", []string{"--resolve"}, ""},
}

// TestCompletionBash runs the bash script in bash, as bash's completion
// would: COMP_WORDS and COMP_CWORD set, the function called, COMPREPLY read.
func TestCompletionBash(t *testing.T) {
	bash := peers.Shell(t, "bash")
	script := completionScript(t, "bash")
	for _, tc := range completeCases {
		t.Run(tc.line, func(t *testing.T) {
			words := strings.Split(tc.line, " ")
			var quoted []string
			for _, w := range words {
				quoted = append(quoted, "'"+w+"'")
			}
			prog := "source " + script + "\nCOMP_WORDS=(" + strings.Join(quoted, " ") + ")\nCOMP_CWORD=" +
				itoa(len(words)-1) + "\n_wellknown\nprintf '%s\\n' \"${COMPREPLY[@]}\"\ncomplete -p wellknown\n"
			out, err := exec.Command(bash, "--norc", "-c", prog).CombinedOutput()
			if err != nil {
				t.Fatalf("bash: %v\n%s", err, out)
			}
			checkWords(t, string(out), tc.want, tc.notWant)
			if !strings.Contains(string(out), "complete -o default -F _wellknown wellknown") {
				t.Errorf("not registered:\n%s", out)
			}
		})
	}
}

// TestCompletionZsh loads the zsh script, which runs the bash function
// through bashcompinit, and calls it as bashcompinit's _bash_complete does.
func TestCompletionZsh(t *testing.T) {
	zsh := peers.Shell(t, "zsh")
	script := completionScript(t, "zsh")
	for _, tc := range completeCases {
		t.Run(tc.line, func(t *testing.T) {
			words := strings.Split(tc.line, " ")
			var quoted []string
			for _, w := range words {
				quoted = append(quoted, "'"+w+"'")
			}
			// As bashcompinit's _bash_complete sets them: zsh's own
			// 1-based array, and the index of the current word from 0.
			prog := "source " + script + "\nCOMP_WORDS=(" + strings.Join(quoted, " ") + ")\nCOMP_CWORD=" +
				itoa(len(words)-1) + "\n_wellknown\nprint -l -- \"${COMPREPLY[@]}\"\n"
			cmd := exec.Command(zsh, "-f", "-c", prog)
			cmd.Env = append(os.Environ(), "HOME="+t.TempDir()) // compinit writes its cache there
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("zsh: %v\n%s", err, out)
			}
			checkWords(t, string(out), tc.want, tc.notWant)
		})
	}
}

// TestCompletionFish asks fish itself what it completes (complete -C).
func TestCompletionFish(t *testing.T) {
	fish := peers.Shell(t, "fish")
	script := completionScript(t, "fish")
	for _, tc := range completeCases {
		t.Run(tc.line, func(t *testing.T) {
			cmd := exec.Command(fish, "--no-config", "-c", "source "+script+"; complete -C '"+tc.line+"'")
			cmd.Env = append(os.Environ(), "HOME="+t.TempDir())
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("fish: %v\n%s", err, out)
			}
			var words []string
			for _, l := range strings.Split(string(out), "\n") {
				words = append(words, strings.SplitN(l, "\t", 2)[0])
			}
			checkWords(t, strings.Join(words, "\n"), tc.want, tc.notWant)
		})
	}
}

func checkWords(t *testing.T, out string, want []string, notWant string) {
	t.Helper()
	got := map[string]bool{}
	for _, l := range strings.Split(out, "\n") {
		got[strings.TrimSpace(l)] = true
	}
	for _, w := range want {
		if !got[w] {
			t.Errorf("%q not offered; got:\n%s", w, out)
		}
	}
	if notWant != "" && got[notWant] {
		t.Errorf("%q offered; got:\n%s", notWant, out)
	}
}

func itoa(n int) string { return strconv.Itoa(n) }
