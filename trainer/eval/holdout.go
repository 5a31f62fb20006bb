package eval

import (
	"bufio"
	"bytes"
	"cmp"
	"fmt"
	"hash/fnv"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// HoldOutFraction is the share of each photo folder kept out of training.
const HoldOutFraction = 0.10

// holdOutSalt is prefixed to every name before hashing; changing it draws a
// different split.
const holdOutSalt = "cyclegan-go holdout v1:"

// holdOutKey is the 64-bit FNV-1a hash of the salted file name.
func holdOutKey(name string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(holdOutSalt + name))
	return h.Sum64()
}

// HoldOut picks round(fraction * len(names)) of the file names (at least one
// when fraction > 0 and there are names): those with the smallest FNV-1a-64
// hash of "cyclegan-go holdout v1:" + name, ties broken by name. The choice
// depends only on the names, not on their order, the machine or a random
// generator. The result is sorted by name.
func HoldOut(names []string, fraction float64) []string {
	u := slices.Clone(names)
	slices.Sort(u)
	u = slices.Compact(u)
	k := int(math.Round(fraction * float64(len(u))))
	if fraction > 0 && k == 0 && len(u) > 0 {
		k = 1
	}
	k = min(max(k, 0), len(u))
	slices.SortFunc(u, func(a, b string) int {
		if c := cmp.Compare(holdOutKey(a), holdOutKey(b)); c != 0 {
			return c
		}
		return strings.Compare(a, b)
	})
	out := u[:k]
	slices.Sort(out)
	return out
}

// ReadList reads a list of file names, one per line; blank lines and lines
// starting with '#' are ignored. A name must be a plain file name (no
// folder part).
func ReadList(path string) ([]string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var names []string
	sc := bufio.NewScanner(bytes.NewReader(b))
	for ln := 1; sc.Scan(); ln++ {
		s := strings.TrimSpace(sc.Text())
		if s == "" || strings.HasPrefix(s, "#") {
			continue
		}
		if s != filepath.Base(s) || strings.ContainsAny(s, `/\`) || s == "." || s == ".." {
			return nil, fmt.Errorf("%s:%d: %q is not a plain file name", path, ln, s)
		}
		names = append(names, s)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("%s: no file names", path)
	}
	return names, nil
}

// FormatList renders names as ReadList reads them, after a comment header
// (each line of header prefixed with "# ").
func FormatList(header string, names []string) []byte {
	var b bytes.Buffer
	for _, l := range strings.Split(strings.TrimRight(header, "\n"), "\n") {
		if header != "" {
			fmt.Fprintf(&b, "# %s\n", l)
		}
	}
	for _, n := range names {
		b.WriteString(n)
		b.WriteByte('\n')
	}
	return b.Bytes()
}
