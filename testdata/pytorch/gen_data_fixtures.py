"""Fixtures for trainer/data's tests: PIL-exact bicubic resize, WebP decoding.

Run with Debian's /usr/bin/python3 (Pillow 9.4) from the repository root:
    /usr/bin/python3 testdata/pytorch/gen_data_fixtures.py
Writes testdata/trainer/resize_src.png and resize_WxH.png, each the source
resized with Image.resize((W, H), Image.BICUBIC) -- what torchvision's
Resize does to the official code's PIL images; small.webp (lossless) and
small_webp.png hold the same 6x4 pixels.
"""
import numpy as np
from PIL import Image

rng = np.random.RandomState(7)
src = Image.fromarray(rng.randint(0, 256, size=(17, 23, 3), dtype=np.uint8), "RGB")
src.save("testdata/trainer/resize_src.png")
for w, h in [(10, 8), (50, 41), (23, 9), (11, 17), (7, 30)]:
    src.resize((w, h), Image.BICUBIC).save("testdata/trainer/resize_%dx%d.png" % (w, h))

px = Image.fromarray(rng.randint(0, 256, size=(4, 6, 3), dtype=np.uint8), "RGB")
px.save("testdata/trainer/small.webp", lossless=True)
px.save("testdata/trainer/small_webp.png")
