package main

import (
	"bytes"
	"context"
	"strings"
	"text/template"

	"github.com/spf13/pflag"

	"github.com/wellknown-dev/wellknown/templates"
)

var completionCmd = &command{
	name:    "completion",
	summary: "print a shell completion script (bash, zsh or fish)",
	usage: `Usage: wellknown completion bash|zsh|fish

Examples:
  source <(wellknown completion bash)        in ~/.bashrc
  source <(wellknown completion zsh)         in ~/.zshrc
  wellknown completion fish | source         in ~/.config/fish/config.fish
  wellknown completion bash > /etc/bash_completion.d/wellknown

Prints a script that completes commands, subcommands and flags; flag
values and arguments complete as file names. The script is made from the
command table, so it always matches this wellknown.
` + exitStatusHelp,
}

// The command table holds completionCmd, whose run reads the table.
func init() { completionCmd.run = runCompletion }

// compCmd is one command as the completion templates see it.
type compCmd struct {
	Name     string // "keys generate"
	Last     string // "generate"
	Parent   string // "keys"; "" for a top-level command
	Summary  string
	Subs     string // the subcommands' last words, space-separated
	SubNames string // the parent's subcommands, for fish
	Flags    string // every flag, long and short, space-separated
	FlagList []compFlag
}

type compFlag struct {
	Long, Short string
	Value       bool // takes a value
}

func runCompletion(_ context.Context, e *env, _ *pflag.FlagSet, args []string) error {
	if len(args) != 1 {
		return usagef("completion takes one shell: bash, zsh or fish")
	}
	shell := args[0]
	if shell != "bash" && shell != "zsh" && shell != "fish" {
		return usagef("unknown shell %q: bash, zsh or fish", shell)
	}
	data := completionData()
	render := func(name string) (string, error) {
		t, err := templates.Parse(name, template.FuncMap{"fishq": fishQuote})
		if err != nil {
			return "", err
		}
		var b bytes.Buffer
		err = t.Execute(&b, data)
		return b.String(), err
	}
	var out string
	var err error
	switch shell {
	case "bash":
		out, err = render("completion.bash.tmpl")
	case "zsh":
		if data.Bash, err = render("completion.bash.tmpl"); err == nil {
			out, err = render("completion.zsh.tmpl")
		}
	case "fish":
		out, err = render("completion.fish.tmpl")
	}
	if err != nil {
		return err
	}
	_, err = e.stdout.Write([]byte(out))
	return err
}

type completion struct {
	Top      string // the top-level words
	Commands []compCmd
	Bash     string // the bash script, which the zsh one loads
}

func completionData() *completion {
	var d completion
	top := []string{"help", "--help", "--version"}
	var walk func(c *command, parent *command)
	walk = func(c *command, parent *command) {
		cc := compCmd{Name: c.name, Last: c.name[strings.LastIndex(c.name, " ")+1:], Summary: c.summary}
		if parent != nil {
			cc.Parent = parent.name
			var sibs []string
			for _, s := range parent.subcommands {
				sibs = append(sibs, s.name[len(parent.name)+1:])
			}
			cc.SubNames = strings.Join(sibs, " ")
		}
		var subs []string
		for _, s := range c.subcommands {
			subs = append(subs, s.name[len(c.name)+1:])
		}
		cc.Subs = strings.Join(subs, " ")
		fs := pflag.NewFlagSet(c.name, pflag.ContinueOnError)
		if c.flags != nil {
			c.flags(fs)
		}
		fs.BoolP("help", "h", false, "")
		var words []string
		fs.VisitAll(func(f *pflag.Flag) {
			words = append(words, "--"+f.Name)
			if f.Shorthand != "" {
				words = append(words, "-"+f.Shorthand)
			}
			cc.FlagList = append(cc.FlagList, compFlag{Long: f.Name, Short: f.Shorthand, Value: f.NoOptDefVal == ""})
		})
		cc.Flags = strings.Join(words, " ")
		d.Commands = append(d.Commands, cc)
		for _, s := range c.subcommands {
			walk(s, c)
		}
	}
	for _, c := range commands() {
		top = append(top, c.name)
		walk(c, nil)
	}
	d.Top = strings.Join(top, " ")
	return &d
}

// fishQuote writes s as a fish single-quoted string.
func fishQuote(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s) + "'"
}
