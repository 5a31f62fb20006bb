// Package report is what a user sees while training: a progress bar (or
// plain lines when the output is not a terminal), the loss log, the
// loss-curve plot and the per-epoch sample grids.
package report

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

// Progress shows training progress: epoch, iteration, iterations per
// second, ETA and the latest losses.
type Progress struct {
	w        io.Writer
	bar      *progressbar.ProgressBar // nil when not a terminal
	every    int                      // plain mode: a line every this many steps
	start    time.Time
	startAt  int
	lastLine time.Time
}

// NewProgress draws a bar on w when it is a terminal, otherwise prints a
// line every `every` iterations (and at least every 30 seconds).
func NewProgress(w io.Writer, total, done, every int) *Progress {
	p := &Progress{w: w, every: max(every, 1), start: time.Now(), startAt: done}
	if f, ok := w.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		p.bar = progressbar.NewOptions(total,
			progressbar.OptionSetWriter(w),
			progressbar.OptionShowCount(),
			progressbar.OptionShowIts(),
			progressbar.OptionSetItsString("it"),
			progressbar.OptionSetPredictTime(true),
			progressbar.OptionSetWidth(24),
			progressbar.OptionThrottle(200*time.Millisecond),
			progressbar.OptionShowDescriptionAtLineEnd(),
		)
		p.bar.Set(done)
	}
	return p
}

// Update reports that step (of total) is done, in epoch (of epochs),
// iteration iter (of perEpoch), with the given named losses.
func (p *Progress) Update(step, total, epoch, epochs, iter, perEpoch int, names []string, losses []float64) {
	var b strings.Builder
	for i, n := range names {
		fmt.Fprintf(&b, " %s %.3f", n, losses[i])
	}
	if p.bar != nil {
		p.bar.Describe(fmt.Sprintf("epoch %d/%d it %d/%d%s", epoch, epochs, iter, perEpoch, b.String()))
		p.bar.Set(step)
		return
	}
	if step%p.every != 0 && step != total && time.Since(p.lastLine) < 30*time.Second {
		return
	}
	p.lastLine = time.Now()
	el := time.Since(p.start).Seconds()
	rate := float64(step-p.startAt) / max(el, 1e-9)
	eta := "?"
	if rate > 0 {
		eta = (time.Duration(float64(total-step)/rate) * time.Second).Round(time.Second).String()
	}
	fmt.Fprintf(p.w, "epoch %d/%d iter %d/%d step %d/%d %.2f it/s eta %s |%s\n",
		epoch, epochs, iter, perEpoch, step, total, rate, eta, b.String())
}

// Finish ends the bar's line.
func (p *Progress) Finish() {
	if p.bar != nil {
		p.bar.Finish()
		fmt.Fprintln(p.w)
	}
}
