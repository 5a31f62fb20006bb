"""Random-initialised CycleGAN generators as PyTorch checkpoints and ONNX files.

Writes, for each configuration, into --out:

  NAME.pth   the generator's state_dict, as the official code saves it
             (torch.save(net.state_dict())), for `cyclegan import`
  NAME.onnx  the same network exported by torch.onnx.export, with dynamic
             height and width (input "input", output "output", 1x3xHxW)

The network is the official ResnetGenerator (testdata/pytorch/cyclegan_ref.py):
weights N(0, 0.02) as the official init, then small non-zero biases N(0, 0.1)
so that the bias paths are exercised (trained weights cost the same time).

Used by bench/ort_web/prepare.sh; needs torch only (not the `onnx` package).

    /usr/bin/python3 bench/ort_web/export_onnx.py --out .cache/ort-web/torch
"""
import argparse
import json
import os
import sys
import warnings

import torch
import torch.nn as nn

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "testdata", "pytorch"))
from cyclegan_ref import ResnetGenerator, init_weights  # noqa: E402

# name, ngf, blocks. ngf16_b6 is the architecture of the shipped models of
# 2026-11-26, ngf32_b9 that of the models `make models` trains since
# 2026-12-03; ngf64_b9 is the official CycleGAN generator. The seeds go by
# position: add new configurations at the end, so that the others keep
# their weights.
CONFIGS = [("ngf16_b6", 16, 6), ("ngf64_b9", 64, 9), ("ngf32_b9", 32, 9)]

OPSET = 17  # the newest opset torch 1.13 exports

# Expected and harmless: the pads of ReflectionPad2d are computed with Slice ops
# that torch 1.13 does not fold, and InstanceNorm2d(track_running_stats=False)
# is exported with train=True, which is what it means (per-image statistics).
warnings.filterwarnings("ignore", message="Constant folding - Only steps=1")
warnings.filterwarnings("ignore", message="ONNX export mode is set to TrainingMode.EVAL")


def build(ngf, blocks, seed):
    torch.manual_seed(seed)
    net = ResnetGenerator(3, 3, ngf=ngf, n_blocks=blocks)
    init_weights(net, "normal", 0.02)
    with torch.no_grad():
        for m in net.modules():
            if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d)) and m.bias is not None:
                m.bias.normal_(0.0, 0.1)
    return net.eval()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", required=True, help="output folder")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    written = []
    for i, (name, ngf, blocks) in enumerate(CONFIGS):
        net = build(ngf, blocks, args.seed + i)
        pth = os.path.join(args.out, name + ".pth")
        torch.save(net.state_dict(), pth)
        onnx = os.path.join(args.out, name + ".onnx")
        dummy = torch.zeros(1, 3, 256, 256)
        with torch.no_grad():
            torch.onnx.export(
                net, dummy, onnx, opset_version=OPSET, do_constant_folding=True,
                input_names=["input"], output_names=["output"],
                dynamic_axes={"input": {2: "height", 3: "width"}, "output": {2: "height", 3: "width"}})
        written.append({"name": name, "ngf": ngf, "blocks": blocks, "pth": name + ".pth", "onnx": name + ".onnx"})
        print("wrote %s and %s (ngf %d, %d blocks)" % (pth, onnx, ngf, blocks))
    with open(os.path.join(args.out, "models.json"), "w") as f:
        json.dump({"torch": torch.__version__, "opset": OPSET, "models": written}, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
