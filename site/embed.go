// Package site holds the static translator page (index.html, app.js,
// worker.js, sw.js, ...) and the Go code that turns it into a deployable
// folder (Build), adds weight files to such a folder (Publish), and serves
// it (Handler). The page itself is plain files; the translator inside it is
// the GOOS=js program in ../wasm.
package site

import "embed"

// Static is the page's own files, copied verbatim into a built site
// (except sw.js, which gets its cache version stamped in).
//
//go:embed index.html bootstrap.js app.js pool.js live.js worker.js sw.js styles.css manifest.webmanifest icon.svg icon-maskable.svg
var Static embed.FS

// Names of the files Build adds next to the static ones.
const (
	WasmName     = "cyclegan.wasm"
	WasmExecName = "wasm_exec.js"
	ManifestName = "models.json"
	ModelsDir    = "models"
	swName       = "sw.js"
)
