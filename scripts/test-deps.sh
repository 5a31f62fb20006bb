#!/usr/bin/env bash
# test-deps.sh: makes sure that what `make test` needs besides Go is here,
# before any test starts:
#
#   node      runs the GOOS=js GOARCH=wasm tests (make test-wasm)
#   Chromium  runs the page's tests (site/browsertest), found as site/chrome
#             finds it: $CHROME, /usr/bin/chromium, chromium, chromium-browser,
#             google-chrome; not needed when CYCLEGAN_SKIP_BROWSER=1
#
# What is missing is installed with apt-get when this runs as root on a
# machine with apt-get (a fresh CI machine or container). Otherwise the
# script stops with the command to run.
set -euo pipefail

have_chromium() {
	local c
	for c in "${CHROME:-}" /usr/bin/chromium chromium chromium-browser google-chrome; do
		if [ -n "$c" ] && command -v "$c" >/dev/null 2>&1; then
			return 0
		fi
	done
	return 1
}

# missing lists the Debian packages of what is not here.
missing() {
	command -v node >/dev/null 2>&1 || echo nodejs
	[ "${CYCLEGAN_SKIP_BROWSER:-}" = 1 ] || have_chromium || echo chromium
}

need=$(missing | tr '\n' ' ')
need=${need% }
if [ -z "$need" ]; then
	exit 0
fi

if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
	echo "make test: not installed: $need. Run this, then make test again:" >&2
	echo "    sudo apt-get install $need" >&2
	echo "(or install node and Chromium another way; CHROME=/path/to/chrome names a Chromium elsewhere)" >&2
	exit 1
fi

echo "make test: installing $need (apt-get)"
apt-get update -qq
# shellcheck disable=SC2086 # $need is a list of package names
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $need >/dev/null
still=$(missing | tr '\n' ' ')
if [ -n "$still" ]; then
	echo "make test: apt-get installed $need, but ${still% } is still not found" >&2
	exit 1
fi
