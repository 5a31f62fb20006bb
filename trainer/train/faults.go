package train

import "errors"

// failWrites, when set (by tests), makes checkpoint writes fail with its
// error after the temporary file is created, as a full disk would.
var failWrites func() error

var errNoSpace = errors.New("no space left on device")
