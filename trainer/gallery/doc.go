// Package gallery draws the pictures of the README and of `make gallery`:
// procedural sunny landscapes (Scene), which may be committed because they
// are the project's own, and before/after sheets (Sheet) that put each
// input next to its translations under a row of column labels.
package gallery
