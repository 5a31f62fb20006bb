package pth

import "math"

// Element counts, offsets, strides and sizes in a checkpoint are int64s the
// file chooses. Every sum and product of them goes through these two
// helpers, which report overflow instead of wrapping around; callers turn a
// false into ErrTooLarge. Both take non-negative operands (the parser
// refuses negative values first) and report a negative one as an overflow.

// addSize returns a+b, or false if it does not fit in an int64.
func addSize(a, b int64) (int64, bool) {
	if a < 0 || b < 0 || a > math.MaxInt64-b {
		return 0, false
	}
	return a + b, true
}

// mulSize returns a*b, or false if it does not fit in an int64.
func mulSize(a, b int64) (int64, bool) {
	if a < 0 || b < 0 || (a != 0 && b > math.MaxInt64/a) {
		return 0, false
	}
	return a * b, true
}
