package train

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// onResume is what --continue_train does with an option whose value
// differs from the one the checkpoint was made with.
type onResume int

const (
	// follows: the new value is used from now on and the change is logged.
	// The schedule (the learning rate is a function of the epoch, so a
	// finished run can be extended) and housekeeping.
	follows onResume = iota
	// keeps: the option only matters when a run starts; the checkpoint's
	// value stays and the new one is logged as ignored.
	keeps
	// refusedNets, refusedMethod, refusedData: the option changes the
	// networks, the training method or the training data, so the run
	// cannot continue with it.
	refusedNets
	refusedMethod
	refusedData
)

// resumeRules gives every option (by flag name) its rule;
// TestEveryOptionHasAResumeRule checks that none is missing.
var resumeRules = map[string]onResume{
	// The schedule and housekeeping.
	"n_epochs": follows, "n_epochs_decay": follows, "lr": follows, "lr_policy": follows,
	"save_latest_freq": follows, "save_epoch_freq": follows, "print_freq": follows, "num_threads": follows,
	"keep_checkpoints": follows, "export_dtype": follows, "no_export": follows,
	"name": follows, "checkpoints_dir": follows, "continue_train": follows,

	// Read only when a run starts.
	"epoch_count": keeps, "init_type": keeps, "init_gain": keeps, "init_upsample": keeps,
	"init_g": keeps, "init_g_a": keeps, "init_g_b": keeps,

	// The networks.
	"input_nc": refusedNets, "output_nc": refusedNets, "ngf": refusedNets, "ndf": refusedNets,
	"netG": refusedNets, "netD": refusedNets, "n_layers_D": refusedNets, "norm": refusedNets, "no_dropout": refusedNets,

	// The method: the losses, the optimizer, the image pool.
	"gan_mode": refusedMethod, "lambda_A": refusedMethod, "lambda_B": refusedMethod, "lambda_identity": refusedMethod,
	"beta1": refusedMethod, "pool_size": refusedMethod, "balance_upsample": refusedMethod,

	// The data: which images, how they are cut, in which order.
	"dataroot": refusedData, "a": refusedData, "b": refusedData, "phase": refusedData, "direction": refusedData,
	"preprocess": refusedData, "load_size": refusedData, "crop_size": refusedData, "no_flip": refusedData,
	"serial_batches": refusedData, "max_dataset_size": refusedData, "batch_size": refusedData, "seed": refusedData,
}

// whatChanges names what a refused option would change, for the message.
var whatChanges = map[onResume]string{
	refusedNets:   "the networks",
	refusedMethod: "the training method",
	refusedData:   "the training data",
}

// resumeOptions decides whether a run trained with was can continue with
// now. It logs each option that follows its new value ("--n_epochs: 10 →
// 20") or is ignored (when not left at its default), and returns the
// options to continue with: now, with the checkpoint's values for the
// options that only matter at the start. Options that change the
// networks, the method or the data are refused, all of them named in one
// error.
func resumeOptions(was, now *Options, log io.Writer) (Options, error) {
	if refused := refusedChanges(was, now); len(refused) > 0 {
		return Options{}, fmt.Errorf("cannot continue with these options:\n  %s\n"+
			"give the checkpoint's values to continue this run, or train a new one under another --name (--init_g starts it from this run's exported generators)",
			strings.Join(refused, "\n  "))
	}
	o := *now
	cur := now.Flags()
	for i, old := range was.Flags() {
		v := cur[i].Value
		if v == old.Value || old.Name == "continue_train" {
			continue
		}
		switch rulesFor(old.Name) {
		case follows:
			fmt.Fprintf(log, "--%s: %s → %s\n", old.Name, shown(old.Value), shown(v))
		case keeps:
			if v != cur[i].Default { // given on this command line, most likely
				fmt.Fprintf(log, "--%s %s ignored: %s\n", old.Name, shown(v), startOnly(old.Name, was))
			}
			if err := o.setFlag(old.Name, old.Value); err != nil {
				return Options{}, fmt.Errorf("--%s: %v", old.Name, err)
			}
		}
	}
	return o, nil
}

// refusedChanges lists the options that differ between was and now and
// would change the networks, the method or the data, one line each:
// "--ngf: the checkpoint was trained with 16, now 32; that changes the
// networks". Checkpoints of one run never differ so.
func refusedChanges(was, now *Options) []string {
	cur := now.Flags()
	var refused []string
	for i, old := range was.Flags() {
		v := cur[i].Value
		rule := rulesFor(old.Name)
		if v == old.Value || rule == follows || rule == keeps {
			continue
		}
		if isFolderOption(old.Name) && sameFolder(old.Value, v) {
			continue
		}
		refused = append(refused, fmt.Sprintf("--%s: the checkpoint was trained with %s, now %s; that changes %s",
			old.Name, shown(old.Value), shown(v), whatChanges[rule]))
	}
	return refused
}

// rulesFor is an option's rule; an option without one is refused as a
// change of the method, the safe guess.
func rulesFor(name string) onResume {
	if r, ok := resumeRules[name]; ok {
		return r
	}
	return refusedMethod
}

// startOnly says why an option that only matters at the start is ignored.
func startOnly(name string, was *Options) string {
	if name == "epoch_count" {
		return fmt.Sprintf("it sets where a new run starts; this run began at epoch %d and continues from the checkpoint", was.EpochCount)
	}
	return "it sets how a new run starts; the networks come from the checkpoint"
}

// shown writes an option's value for a message ("" for an empty one).
func shown(v string) string {
	if v == "" {
		return `""`
	}
	return v
}

func isFolderOption(name string) bool { return name == "dataroot" || name == "a" || name == "b" }

// sameFolder reports whether two spellings name the same folder: equal
// once cleaned, or the same folder on disk.
func sameFolder(a, b string) bool {
	if a == "" || b == "" {
		return a == b
	}
	if filepath.Clean(a) == filepath.Clean(b) {
		return true
	}
	sa, errA := os.Stat(a)
	sb, errB := os.Stat(b)
	return errA == nil && errB == nil && os.SameFile(sa, sb)
}

// setFlag sets one option by its flag name, as the command line would.
func (o *Options) setFlag(name, value string) error {
	var x Options
	fs := flag.NewFlagSet("options", flag.ContinueOnError)
	x.Register(fs)
	x = *o
	if err := fs.Set(name, value); err != nil {
		return err
	}
	*o = x
	return nil
}
