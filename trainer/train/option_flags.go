package train

import "flag"

// OptionFlag is one option as the command line spells it.
type OptionFlag struct {
	Name    string // the flag's name, without dashes ("n_epochs")
	Value   string // its value in o
	Default string // its default
}

// Flags lists every option of o by flag name, in alphabetical order, with
// its value and default as the command line spells them: the one place
// that knows how each field is named, for messages and for `info`.
func (o *Options) Flags() []OptionFlag {
	var x Options
	fs := flag.NewFlagSet("options", flag.ContinueOnError)
	x.Register(fs) // the flags now point into x
	x = *o
	var out []OptionFlag
	fs.VisitAll(func(f *flag.Flag) {
		out = append(out, OptionFlag{Name: f.Name, Value: f.Value.String(), Default: f.DefValue})
	})
	return out
}

// NonDefault is the command line of the options that differ from their
// defaults, e.g. "--ngf 16 --n_epochs 50 --no_flip".
func (o *Options) NonDefault() []string {
	var args []string
	for _, f := range o.Flags() {
		switch {
		case f.Value == f.Default || f.Name == "continue_train":
		case f.Value == "true":
			args = append(args, "--"+f.Name)
		case f.Value == "false":
			args = append(args, "--"+f.Name+"=false")
		default:
			args = append(args, "--"+f.Name, f.Value)
		}
	}
	return args
}
