"""Pinned hold-out split for trainer/eval's TestHoldOutListsPinned.

An implementation of the hold-out rule written apart from the Go one
(trainer/eval/holdout.go), so that the committed lists in models/holdout/
are checked against something other than the function that wrote them:

    key(name) = FNV-1a 64 of "cyclegan-go holdout v1:" + name (UTF-8)
    held out  = the round(0.10 * n) names (at least 1) with the smallest
                (key, name), among the folder's n image files

FNV-1a 64 is done by hand here (offset basis 0xcbf29ce484222325, prime
0x100000001b3, xor then multiply, modulo 2^64). The dataset beside the
checkout (../shared/datasets/weather, never committed) is listed by file
extension, not by decoding the images as the Go scanner does; the Go test
checks that both count the same images.

Writes testdata/holdout/pinned.json: per folder the number of images, the
number held out, the SHA-256 of the held-out names sorted and joined by
newlines (with a final newline), and the five names with the smallest keys.

Run from the repository root (Python 3, no packages):
    python3 testdata/holdout/gen_holdout.py
"""
import hashlib
import json
import os

SALT = "cyclegan-go holdout v1:"
FRACTION = 0.10
DATASET = "../shared/datasets/weather"
FOLDERS = ["shine", "cloudy", "sunrise", "rain"]
EXTS = {".jpg", ".jpeg", ".png", ".bmp", ".gif", ".webp", ".tif", ".tiff", ".ppm"}


def fnv1a64(data):
    h = 0xcbf29ce484222325
    for byte in data:
        h ^= byte
        h = (h * 0x100000001b3) % (1 << 64)
    return h


def round_half_away(x):
    # Go's math.Round rounds halves away from zero; Python's round() rounds
    # them to even, so round by hand (x >= 0 here).
    return int(x + 0.5)


def hold_out(names):
    """The held-out names, smallest (key, name) first."""
    names = sorted(set(names))
    k = round_half_away(FRACTION * len(names))
    if k == 0 and names:
        k = 1
    ranked = sorted(names, key=lambda n: (fnv1a64((SALT + n).encode("utf-8")), n))
    return ranked[:k]


out = {}
for folder in FOLDERS:
    files = [f for f in os.listdir(os.path.join(DATASET, folder))
             if not f.startswith(".") and os.path.splitext(f)[1].lower() in EXTS]
    ranked = hold_out(files)
    listed = "".join(n + "\n" for n in sorted(ranked))
    out[folder] = {
        "images": len(files),
        "held_out": len(ranked),
        "sha256": hashlib.sha256(listed.encode("utf-8")).hexdigest(),
        "smallest_keys": ranked[:5],
    }
with open("testdata/holdout/pinned.json", "w") as f:
    json.dump(out, f, indent=1)
    f.write("\n")
print(json.dumps(out, indent=1))
