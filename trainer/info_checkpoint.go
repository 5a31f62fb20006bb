package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/cyclegan-go/cyclegan/trainer/train"
)

// infoTrainingCheckpoint describes a checkpoint written by `cyclegan
// train` (state_NNNNNNNNN.ckpt): where the run stands, its networks, and
// the options it was trained with. A checkpoint whose checksum does not
// hold is an error naming the problem.
func infoTrainingCheckpoint(w io.Writer, path string) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	st, err := train.DecodeState(b)
	if err != nil {
		return fmt.Errorf("%s: not a valid training checkpoint: %v", path, err)
	}
	o := &st.Options
	bw := bufio.NewWriter(w)
	defer bw.Flush()
	fmt.Fprintf(bw, "%s: training checkpoint, checksum verified, %s\n", path, byteSize(int64(len(b))))
	fmt.Fprintf(bw, "  run:         %s, step %d, %s images seen\n", o.Name, st.Steps, thousands(int64(st.TotalIters)))
	fmt.Fprintf(bw, "  position:    %s\n", checkpointPosition(st))
	fmt.Fprintf(bw, "  lr:          %.4g (--lr %g until epoch %d, then linear decay over %d epochs)\n",
		o.LRAt(min(st.Epoch, o.TotalEpochs())), o.LR, o.NEpochs, o.NEpochsDecay)
	for _, group := range [][]string{{"G_A", "G_B"}, {"D_A", "D_B"}} {
		var tensors, params int
		for _, name := range group {
			for _, a := range st.Nets[name] {
				tensors++
				params += len(a.Data)
			}
		}
		arch := fmt.Sprintf("netG %s, ngf %d", o.NetG, o.NGF)
		if group[0] == "D_A" {
			arch = fmt.Sprintf("netD %s, ndf %d", o.NetD, o.NDF)
			if o.NetD == "n_layers" {
				arch += fmt.Sprintf(", n_layers_D %d", o.NLayersD)
			}
		}
		fmt.Fprintf(bw, "  networks:    %s: %s; %d tensors, %s parameters\n", strings.Join(group, ", "), arch, tensors, thousands(int64(params)))
	}
	fmt.Fprintf(bw, "  pools:       %d and %d images\n", len(st.PoolA), len(st.PoolB))
	fmt.Fprintf(bw, "  options:     %s\n", strings.Join(o.NonDefault(), " "))
	return nil
}

// checkpointPosition says where a checkpoint's run stands.
func checkpointPosition(st *train.State) string {
	total := st.Options.TotalEpochs()
	switch {
	case st.Epoch > total:
		return fmt.Sprintf("finished after epoch %d (--continue_train with a larger --n_epochs or --n_epochs_decay extends it)", total)
	case st.Iter == 0:
		return fmt.Sprintf("at the start of epoch %d of %d", st.Epoch, total)
	}
	return fmt.Sprintf("in epoch %d of %d, after iteration %d", st.Epoch, total, st.Iter)
}
