package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/cyclegan-go/cyclegan/weights"
)

// translate says, for each photo, at which scale it ran: the model's scale
// recorded in the file by default, full resolution when asked or when the
// file records none (and then the reason); info shows the record; a bad
// --scale, --carry or --training_scale is refused by name.
func TestTranslateScaleFlags(t *testing.T) {
	dir := t.TempDir()
	old, scaled := filepath.Join(dir, "old.cgw"), filepath.Join(dir, "scaled.cgw")
	writeModel(t, old, tinyRGB, "G_A")
	writeModel(t, scaled, tinyRGB, "G_A")
	f, err := weights.ReadFile(scaled)
	if err != nil {
		t.Fatal(err)
	}
	f.Meta.TrainingScale = &weights.TrainingScale{Preprocess: "scale_width_and_crop", LoadSize: 48, CropSize: 32}
	if err := weights.WriteFile(scaled, f); err != nil {
		t.Fatal(err)
	}
	photo := filepath.Join(dir, "p.png")
	writePNGSize(t, photo, 100, 75)
	for _, c := range []struct {
		w    string
		args []string
		want string
	}{
		{scaled, nil, "at the model's scale, 48×36, additive carry-up to 100×75"},
		{scaled, []string{"--carry", "guided"}, "guided carry-up"},
		{scaled, []string{"--scale", "full"}, "full resolution (asked for)"},
		{old, nil, "full resolution: the weight file records no training scale"},
		{old, []string{"--training_scale", "resize_and_crop:50"}, "at the model's scale, 58×43"},
	} {
		args := append([]string{"translate", "-w", c.w, "-o", filepath.Join(dir, "out.png"), photo}, c.args...)
		_, stderr, code := runCmd(t, args...)
		if code != 0 || !strings.Contains(stderr, c.want) {
			t.Errorf("%v: status %d, stderr %q; want it to say %q", args[1:], code, stderr, c.want)
		}
	}
	for _, bad := range [][]string{{"--scale", "half"}, {"--carry", "sideways"}, {"--training_scale", "143"}, {"--training_scale", "scale_width:143"}} {
		args := append([]string{"translate", "-w", scaled, "-o", filepath.Join(dir, "bad.png"), photo}, bad...)
		_, stderr, code := runCmd(t, args...)
		if code == 0 || !strings.Contains(stderr, bad[0]) {
			t.Errorf("%v: status %d, stderr %q; want a refusal naming %s", bad, code, stderr, bad[0])
		}
	}
	for w, want := range map[string]string{scaled: "scale:       photos scaled to 48 pixels wide, 32×32 crops (scale_width_and_crop): translated at that scale",
		old: "scale:       not recorded (an older file): translated at full resolution"} {
		stdout, _, code := runCmd(t, "info", w)
		if code != 0 || !strings.Contains(stdout, want) {
			t.Errorf("info %s: status %d, lacks %q:\n%s", w, code, want, stdout)
		}
	}
}
