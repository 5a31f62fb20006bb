// Package chrome finds the Chromium that the browser tests and the wasm
// benchmarks drive (through chromedp) and holds the flags it runs with
// here: headless, without a sandbox, GPU or background traffic, in its own
// profile folder. Only tests and benchmark tools import it.
package chrome

import (
	"fmt"
	"os"
	"os/exec"

	"github.com/chromedp/chromedp"
)

// candidates are tried in order: $CHROME first, then the usual names.
func candidates() []string {
	return []string{os.Getenv("CHROME"), "/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome"}
}

// Find returns the path of Chromium, or an error that says what to do.
func Find() (string, error) {
	for _, c := range candidates() {
		if c == "" {
			continue
		}
		if p, err := exec.LookPath(c); err == nil {
			return p, nil
		}
	}
	return "", fmt.Errorf("no Chromium found (tried $CHROME, /usr/bin/chromium, chromium, chromium-browser, google-chrome); " +
		"install it (Debian: apt-get install chromium) or point CHROME at it")
}

// Options are the allocator options for Chromium at exe with a fresh
// profile in userDataDir (flags that work on this project's machines,
// where the default sandbox and GPU are not available).
func Options(exe, userDataDir string) []chromedp.ExecAllocatorOption {
	return []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(exe),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.UserDataDir(userDataDir),
	}
}
