// Package train is the CycleGAN training method of the official PyTorch
// code (models/cycle_gan_model.py, train.py), step for step: options,
// losses, Adam, the image pool, the linear learning-rate decay, one
// iteration (forward, G step with the discriminators frozen, D step),
// and resumable checkpoints.
package train

import (
	"flag"
	"fmt"
	"github.com/cyclegan-go/cyclegan/nn"
	"math"
	"path/filepath"
	"strconv"
	"strings"
)

// Options are the official options (base_options.py, train_options.py,
// cycle_gan_model.py), spelled as there, plus the few this trainer adds
// (-a/-b folders, --seed, --keep_checkpoints, --init_g*).
type Options struct {
	// Data
	Dataroot       string
	DirA, DirB     string
	Phase          string
	Preprocess     string
	LoadSize       int
	CropSize       int
	NoFlip         bool
	SerialBatches  bool
	MaxDatasetSize int
	BatchSize      int
	NumThreads     int
	Direction      string

	// Networks
	InputNC, OutputNC int
	NGF, NDF          int
	NetG, NetD        string
	NLayersD          int
	Norm              string
	InitType          string
	InitGain          float64
	InitUpsample      string // "normal" (official) or "bilinear" (init_upsample.go)
	BalanceUpsample   bool   // keep the transposed convolutions' phases at equal gain (init_upsample.go)
	NoDropout         bool

	// Method
	GANMode        string
	LambdaA        float64
	LambdaB        float64
	LambdaIdentity float64
	LR             float64
	Beta1          float64
	LRPolicy       string
	NEpochs        int
	NEpochsDecay   int
	EpochCount     int
	PoolSize       int
	Seed           uint64

	// Run
	Name            string
	CheckpointsDir  string
	ContinueTrain   bool
	SaveLatestFreq  int
	SaveEpochFreq   int
	PrintFreq       int
	KeepCheckpoints int
	InitG           string
	InitGA, InitGB  string
	ExportDType     string
	NoExport        bool
}

// Defaults returns the official defaults for CycleGAN.
func Defaults() Options {
	var o Options
	fs := flag.NewFlagSet("defaults", flag.ContinueOnError)
	o.Register(fs)
	return o
}

// Register declares every option on fs with its official default and help.
func (o *Options) Register(fs *flag.FlagSet) {
	fs.StringVar(&o.Dataroot, "dataroot", "", "dataset folder in the official layout: trainA, trainB (and testA, testB for sample grids)")
	fs.StringVar(&o.DirA, "a", "", "folder of domain A images (instead of --dataroot)")
	fs.StringVar(&o.DirB, "b", "", "folder of domain B images (instead of --dataroot)")
	fs.StringVar(&o.Phase, "phase", "train", "subfolders of --dataroot to train on: <phase>A and <phase>B")
	fs.StringVar(&o.Preprocess, "preprocess", "resize_and_crop", "scaling and cropping at load time: resize_and_crop | scale_width_and_crop | crop | none")
	fs.IntVar(&o.LoadSize, "load_size", 286, "scale images to this size")
	fs.IntVar(&o.CropSize, "crop_size", 256, "then crop to this size")
	fs.BoolVar(&o.NoFlip, "no_flip", false, "do not flip the images for data augmentation")
	fs.BoolVar(&o.SerialBatches, "serial_batches", false, "take images in order (no shuffling, B paired with A by index)")
	fs.IntVar(&o.MaxDatasetSize, "max_dataset_size", 0, "use at most this many images per epoch (0 = all)")
	fs.IntVar(&o.BatchSize, "batch_size", 1, "input batch size")
	fs.IntVar(&o.NumThreads, "num_threads", 4, "goroutines decoding and augmenting images ahead of the training step")
	fs.StringVar(&o.Direction, "direction", "AtoB", "AtoB or BtoA (BtoA swaps the domains)")

	fs.IntVar(&o.InputNC, "input_nc", 3, "number of input image channels (only 3, RGB, is supported)")
	fs.IntVar(&o.OutputNC, "output_nc", 3, "number of output image channels (only 3, RGB, is supported)")
	fs.IntVar(&o.NGF, "ngf", 64, "number of generator filters in the last conv layer")
	fs.IntVar(&o.NDF, "ndf", 64, "number of discriminator filters in the first conv layer")
	fs.StringVar(&o.NetG, "netG", "resnet_9blocks", "generator architecture: resnet_9blocks | resnet_6blocks")
	fs.StringVar(&o.NetD, "netD", "basic", "discriminator architecture: basic (70x70 PatchGAN) | n_layers (uses --n_layers_D)")
	fs.IntVar(&o.NLayersD, "n_layers_D", 3, "number of layers of the discriminator with --netD n_layers")
	fs.StringVar(&o.Norm, "norm", "instance", "normalization: instance (the only one supported)")
	fs.StringVar(&o.InitType, "init_type", "normal", "network initialization: normal (the only one supported)")
	fs.Float64Var(&o.InitGain, "init_gain", 0.02, "standard deviation of the normal initialization")
	fs.StringVar(&o.InitUpsample, "init_upsample", "normal", "initialization of the generators' transposed convolutions: normal (official) | bilinear (each starts as a bilinear 2x upsampling of a random channel mix: no checkerboard at the start; not an official option)")
	fs.BoolVar(&o.BalanceUpsample, "balance_upsample", false, "after every generator step, project the generators' transposed convolutions onto kernels whose four output phases have equal gain, so that they cannot paint a checkerboard on smooth regions (not an official option)")
	fs.BoolVar(&o.NoDropout, "no_dropout", true, "no dropout in the generator (CycleGAN's default)")

	fs.StringVar(&o.GANMode, "gan_mode", "lsgan", "GAN objective: lsgan (the only one supported)")
	fs.Float64Var(&o.LambdaA, "lambda_A", 10, "weight for cycle loss (A -> B -> A)")
	fs.Float64Var(&o.LambdaB, "lambda_B", 10, "weight for cycle loss (B -> A -> B)")
	fs.Float64Var(&o.LambdaIdentity, "lambda_identity", 0.5, "weight of the identity loss, relative to lambda_A/lambda_B (0 disables it)")
	fs.Float64Var(&o.LR, "lr", 0.0002, "initial learning rate for Adam")
	fs.Float64Var(&o.Beta1, "beta1", 0.5, "momentum term of Adam")
	fs.StringVar(&o.LRPolicy, "lr_policy", "linear", "learning rate policy: linear (the only one supported)")
	fs.IntVar(&o.NEpochs, "n_epochs", 100, "number of epochs with the initial learning rate")
	fs.IntVar(&o.NEpochsDecay, "n_epochs_decay", 100, "number of epochs to linearly decay the learning rate to zero")
	fs.IntVar(&o.EpochCount, "epoch_count", 1, "the starting epoch count")
	fs.IntVar(&o.PoolSize, "pool_size", 50, "size of the image buffer that stores previously generated images")
	fs.Uint64Var(&o.Seed, "seed", 0, "random seed for initialization, data order, augmentation and the image pool (default 0)")

	fs.StringVar(&o.Name, "name", "experiment_name", "name of the experiment; the run lives in <checkpoints_dir>/<name>")
	fs.StringVar(&o.CheckpointsDir, "checkpoints_dir", "./checkpoints", "models, logs and samples are saved here")
	fs.BoolVar(&o.ContinueTrain, "continue_train", false, "continue training from the run's latest valid checkpoint (the schedule and housekeeping options may change, e.g. a larger --n_epochs_decay extends a finished run)")
	fs.IntVar(&o.SaveLatestFreq, "save_latest_freq", 5000, "save a checkpoint every this many training images")
	fs.IntVar(&o.SaveEpochFreq, "save_epoch_freq", 5, "also export the generators every this many epochs")
	fs.IntVar(&o.PrintFreq, "print_freq", 100, "log the losses every this many training images")
	fs.IntVar(&o.KeepCheckpoints, "keep_checkpoints", 3, "number of most recent checkpoints kept")
	fs.StringVar(&o.InitG, "init_g", "", "weight file to start both generators from (fine-tuning); discriminators start fresh")
	fs.StringVar(&o.InitGA, "init_g_a", "", "weight file to start G_A (A -> B) from")
	fs.StringVar(&o.InitGB, "init_g_b", "", "weight file to start G_B (B -> A) from")
	fs.StringVar(&o.ExportDType, "export_dtype", "int8", "storage of the weight file exported at the end: int8 | f16 | f32")
	fs.BoolVar(&o.NoExport, "no_export", false, "do not export a weight file at the end of training")
}

// NBlocks is the number of ResNet blocks --netG asks for.
func (o *Options) NBlocks() (int, error) {
	switch o.NetG {
	case "resnet_9blocks":
		return 9, nil
	case "resnet_6blocks":
		return 6, nil
	}
	if n, ok := strings.CutPrefix(o.NetG, "resnet_"); ok {
		if b, err := strconv.Atoi(strings.TrimSuffix(n, "blocks")); err == nil && b >= 0 && strings.HasSuffix(n, "blocks") {
			return b, nil
		}
	}
	return 0, fmt.Errorf("--netG %q: want resnet_9blocks or resnet_6blocks (unet generators are not supported)", o.NetG)
}

// GeneratorConfig is the architecture of the run's generators (--input_nc,
// --output_nc, --ngf, --netG).
func (o *Options) GeneratorConfig() (nn.GeneratorConfig, error) {
	nb, err := o.NBlocks()
	if err != nil {
		return nn.GeneratorConfig{}, err
	}
	return nn.GeneratorConfig{InputNC: o.InputNC, OutputNC: o.OutputNC, NGF: o.NGF, NBlocks: nb}, nil
}

// DLayers is the discriminator depth --netD and --n_layers_D ask for.
func (o *Options) DLayers() (int, error) {
	switch o.NetD {
	case "basic":
		return 3, nil
	case "n_layers":
		if o.NLayersD < 1 {
			return 0, fmt.Errorf("--n_layers_D %d: must be at least 1", o.NLayersD)
		}
		return o.NLayersD, nil
	}
	return 0, fmt.Errorf("--netD %q: want basic or n_layers (pixel is not supported)", o.NetD)
}

// Validate checks the options before anything is read or trained.
func (o *Options) Validate() error {
	if _, err := o.NBlocks(); err != nil {
		return err
	}
	if _, err := o.DLayers(); err != nil {
		return err
	}
	checks := []struct {
		bad bool
		msg string
	}{
		{o.Dataroot == "" && (o.DirA == "" || o.DirB == ""), "give --dataroot DIR (with trainA, trainB) or both -a DIR and -b DIR"},
		{o.Dataroot != "" && (o.DirA != "" || o.DirB != ""), "give either --dataroot or -a/-b, not both"},
		{o.InputNC != 3 || o.OutputNC != 3, "--input_nc and --output_nc must be 3 (RGB)"},
		{o.NGF < 1 || o.NDF < 1, "--ngf and --ndf must be positive"},
		{o.Norm != "instance", "--norm: only instance is supported"},
		{o.InitType != "normal", "--init_type: only normal is supported"},
		{o.InitUpsample != "normal" && o.InitUpsample != "bilinear", "--init_upsample: want normal or bilinear"},
		{o.GANMode != "lsgan", "--gan_mode: only lsgan is supported"},
		{o.LRPolicy != "linear", "--lr_policy: only linear is supported"},
		{!o.NoDropout, "--no_dropout=false: dropout in the generator is not supported"},
		{o.Direction != "AtoB" && o.Direction != "BtoA", "--direction: want AtoB or BtoA"},
		{!(o.LR > 0) || math.IsInf(o.LR, 0), "--lr must be positive"},
		{!(o.Beta1 >= 0 && o.Beta1 < 1), "--beta1 must be in [0, 1)"},
		{o.LambdaA < 0 || o.LambdaB < 0 || o.LambdaIdentity < 0, "--lambda_A, --lambda_B, --lambda_identity must not be negative"},
		{o.NEpochs < 0 || o.NEpochsDecay < 0 || o.NEpochs+o.NEpochsDecay < 1, "--n_epochs + --n_epochs_decay must be at least 1"},
		{o.EpochCount < 1, "--epoch_count must be at least 1"},
		{o.PoolSize < 0, "--pool_size must not be negative"},
		{o.BatchSize < 1, "--batch_size must be at least 1"},
		{o.SaveLatestFreq < 1, "--save_latest_freq must be at least 1"},
		{o.KeepCheckpoints < 1, "--keep_checkpoints must be at least 1"},
		{o.Name == "" || strings.ContainsAny(o.Name, `/\`), "--name must be a plain folder name"},
		{o.InitG != "" && (o.InitGA != "" || o.InitGB != ""), "give either --init_g or --init_g_a/--init_g_b"},
	}
	for _, c := range checks {
		if c.bad {
			return fmt.Errorf("%s", c.msg)
		}
	}
	return nil
}

// RunDir is <checkpoints_dir>/<name>.
func (o *Options) RunDir() string { return filepath.Join(o.CheckpointsDir, o.Name) }

// TotalEpochs is the last epoch number (inclusive).
func (o *Options) TotalEpochs() int { return o.NEpochs + o.NEpochsDecay }

// LRAt is the learning rate used during epoch (1-based, as counted from
// --epoch_count): the official 'linear' LambdaLR rule
// lr * (1 - max(0, epoch + epoch_count - n_epochs) / (n_epochs_decay + 1))
// with the scheduler stepped once at each epoch's end, so that during
// epoch E the scheduler's counter is E - epoch_count.
func (o *Options) LRAt(epoch int) float64 {
	l := 1.0 - float64(max(0, epoch-o.NEpochs))/float64(o.NEpochsDecay+1)
	return o.LR * l
}
