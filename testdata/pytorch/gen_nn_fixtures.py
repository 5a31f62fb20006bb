#!/usr/bin/python3
"""Generate the PyTorch reference fixtures that nn/pytorch_test.go compares against.

Run with Debian's python3 and python3-torch (see README.md next to this file):

    /usr/bin/python3 testdata/pytorch/gen_nn_fixtures.py [outdir]

The default outdir is testdata/nn (relative to the repository root). Each case is
one file in safetensors layout, written with struct and json only:

    8 bytes   little-endian uint64 n = length of the JSON header
    n bytes   JSON {"__metadata__": {str: str},
                    name: {"dtype": "F32", "shape": [...], "data_offsets": [b, e]}, ...}
    rest      raw little-endian float32 data; offsets are relative to the end of the header

Tensor names used in every file:
    x        input (float32, drawn from N(0, 1))
    y        output of the forward pass
    dy       random upstream gradient r; the loss is sum(y * r), so dy = r
    dx       gradient of the loss with respect to x
    param.K  parameter K (for layers K is "weight" or "bias"; for models the
             official state_dict key such as "model.10.conv_block.5.bias")
    grad.K   gradient of the loss with respect to parameter K

__metadata__ holds the case description ("kind", the layer or model
configuration) and, for models, "keys": the JSON list of state_dict keys in order.

Parameters are drawn in float32 from N(0, 0.1^2) - weights AND biases, so every
bias is non-zero and activations are non-trivial. The reference values (y, dx,
grad.*) are then computed in float64 from those exact float32 inputs and rounded
to float32 once, so the fixtures hold the mathematically exact answer to float32
precision, and the Go tests measure only the Go implementation's rounding.
"""

import json
import os
import struct
import sys
import zlib

import torch
import torch.nn as nn

from cyclegan_ref import NLayerDiscriminator, NORM_LAYER as norm_layer, ResnetBlock, ResnetGenerator

# The model definitions are the official ones (cyclegan_ref.py, next to this file),
# with the options CycleGAN uses: norm_layer = InstanceNorm2d(affine=False,
# track_running_stats=False), hence use_bias = True, padding_type = 'reflect'.


# ---------------------------------------------------------------------------
# Fixture writing
# ---------------------------------------------------------------------------


def write_safetensors(path, tensors, metadata):
    """tensors: list of (name, float32 torch tensor); metadata: dict str -> str."""
    header = {"__metadata__": {k: str(v) for k, v in metadata.items()}}
    blobs = []
    off = 0
    for name, t in tensors:
        t = t.detach().to(torch.float32).contiguous().cpu()
        raw = struct.pack("<%df" % t.numel(), *t.flatten().tolist())
        header[name] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [off, off + len(raw)]}
        blobs.append(raw)
        off += len(raw)
    hj = json.dumps(header, separators=(",", ":")).encode("utf-8")
    hj += b" " * ((8 - len(hj) % 8) % 8)  # align data to 8 bytes, as safetensors does
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(struct.pack("<Q", len(hj)))
        f.write(hj)
        for b in blobs:
            f.write(b)
    os.replace(tmp, path)


def seed_for(name):
    torch.manual_seed(zlib.crc32(name.encode("utf-8")))


def randomize_params(module):
    """Every parameter (weights and biases) ~ N(0, 0.1^2), drawn in float32."""
    with torch.no_grad():
        for _, p in module.named_parameters():
            p.copy_(torch.randn(p.shape, dtype=torch.float32) * 0.1)


def run_case(module, x32, train_backward=True):
    """Forward (and backward with loss = sum(y * dy)) in float64 from float32 inputs.

    Returns a list of (name, tensor) to store."""
    out = []
    params32 = [(k, v.detach().clone()) for k, v in module.state_dict().items()]
    m64 = module.double()
    x = x32.double().clone().requires_grad_(True)
    y = m64(x)
    dy32 = torch.randn(y.shape, dtype=torch.float32)
    out.append(("x", x32))
    out.append(("y", y.detach()))
    for k, v in params32:
        out.append(("param." + k, v))
    if train_backward:
        loss = (y * dy32.double()).sum()
        loss.backward()
        out.append(("dy", dy32))
        out.append(("dx", x.grad))
        for k, p in m64.named_parameters():
            out.append(("grad." + k, p.grad))
    return out


def layer_case(outdir, name, module, xshape, meta, backward=True):
    seed_for(name)
    randomize_params(module)
    module.eval()  # no layer here behaves differently; Dropout would be identity
    x32 = torch.randn(xshape, dtype=torch.float32)
    tensors = run_case(module, x32, backward)
    meta = dict(meta)
    write_safetensors(os.path.join(outdir, name + ".safetensors"), tensors, meta)
    return name


def model_case(outdir, name, module, xshape, meta, backward):
    seed_for(name)
    randomize_params(module)
    module.eval()  # Dropout is identity (the Go Dropout is identity too); InstanceNorm has no running stats
    keys = list(module.state_dict().keys())
    x32 = torch.randn(xshape, dtype=torch.float32)
    tensors = run_case(module, x32, backward)
    meta = dict(meta)
    meta["keys"] = json.dumps(keys)
    write_safetensors(os.path.join(outdir, name + ".safetensors"), tensors, meta)
    return name


def check_official_keys():
    """The official ngf 64 / 9 block generator and n_layers 3 discriminator have the
    state_dict keys and shapes of the published CycleGAN checkpoints."""
    g = ResnetGenerator(3, 3, 64, use_dropout=False, n_blocks=9)
    sd = {k: tuple(v.shape) for k, v in g.state_dict().items()}
    expect = {
        "model.1.weight": (64, 3, 7, 7), "model.1.bias": (64,),
        "model.4.weight": (128, 64, 3, 3), "model.7.weight": (256, 128, 3, 3),
        "model.10.conv_block.1.weight": (256, 256, 3, 3), "model.10.conv_block.5.bias": (256,),
        "model.18.conv_block.5.weight": (256, 256, 3, 3),
        "model.19.weight": (256, 128, 3, 3), "model.19.bias": (128,),  # ConvTranspose2d: Cin, Cout, kH, kW
        "model.22.weight": (128, 64, 3, 3), "model.26.weight": (3, 64, 7, 7), "model.26.bias": (3,),
    }
    for k, s in expect.items():
        assert sd.get(k) == s, (k, sd.get(k), s)
    assert len(sd) == 2 * (3 + 2 * 9 + 2 + 1), len(sd)
    gd = ResnetGenerator(3, 3, 64, use_dropout=True, n_blocks=9)
    sdd = gd.state_dict()
    assert "model.10.conv_block.6.weight" in sdd and "model.10.conv_block.5.weight" not in sdd
    d = NLayerDiscriminator(3, 64, 3)
    dd = {k: tuple(v.shape) for k, v in d.state_dict().items()}
    assert list(dd) == ["model.0.weight", "model.0.bias", "model.2.weight", "model.2.bias",
                        "model.5.weight", "model.5.bias", "model.8.weight", "model.8.bias",
                        "model.11.weight", "model.11.bias"], list(dd)
    assert dd["model.8.weight"] == (512, 256, 4, 4) and dd["model.11.weight"] == (1, 512, 4, 4)


def main():
    torch.set_num_threads(1)
    outdir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "nn")
    outdir = os.path.normpath(outdir)
    os.makedirs(outdir, exist_ok=True)
    check_official_keys()
    names = []

    def conv(name, cin, cout, k, s, p, bias, xshape):
        names.append(layer_case(outdir, name, nn.Conv2d(cin, cout, k, stride=s, padding=p, bias=bias), xshape,
                                {"kind": "conv2d", "in": cin, "out": cout, "k": k, "stride": s, "pad": p,
                                 "bias": int(bias)}))

    def convt(name, cin, cout, k, s, p, op, bias, xshape):
        names.append(layer_case(outdir, name,
                                nn.ConvTranspose2d(cin, cout, k, stride=s, padding=p, output_padding=op, bias=bias),
                                xshape, {"kind": "convtranspose2d", "in": cin, "out": cout, "k": k, "stride": s,
                                         "pad": p, "outpad": op, "bias": int(bias)}))

    # Conv2d
    conv("conv2d_k1", 3, 4, 1, 1, 0, True, (2, 3, 9, 11))
    conv("conv2d_k3s1p1", 4, 5, 3, 1, 1, True, (2, 4, 10, 12))
    conv("conv2d_k3s1p0_72x100", 2, 3, 3, 1, 0, True, (1, 2, 74, 102))
    conv("conv2d_k3s2p1", 3, 4, 3, 2, 1, True, (2, 3, 13, 17))
    conv("conv2d_k4s2p1", 3, 4, 4, 2, 1, True, (2, 3, 16, 18))
    conv("conv2d_k4s2p1_odd", 2, 3, 4, 2, 1, True, (1, 2, 15, 11))
    conv("conv2d_k4s1p1", 4, 1, 4, 1, 1, True, (2, 4, 9, 7))
    conv("conv2d_k7s1p0_72x100", 3, 4, 7, 1, 0, True, (1, 3, 78, 106))
    conv("conv2d_k3_nobias", 3, 2, 3, 1, 1, False, (1, 3, 6, 5))
    # ConvTranspose2d (weight Cin, Cout, kH, kW)
    convt("convt_k3s2p1op1", 4, 3, 3, 2, 1, 1, True, (2, 4, 9, 13))
    convt("convt_k3s2p1op1_18x25", 2, 3, 3, 2, 1, 1, True, (1, 2, 18, 25))
    convt("convt_k4s2p1op0", 3, 2, 4, 2, 1, 0, True, (1, 3, 7, 5))
    convt("convt_k3s1p0", 3, 2, 3, 1, 0, 0, True, (2, 3, 6, 5))
    convt("convt_k5s3p2op1_nobias", 2, 3, 5, 3, 2, 1, False, (1, 2, 4, 6))
    # Parameter-free layers (standalone activations not in place: x is an autograd leaf)
    names.append(layer_case(outdir, "reflpad1", nn.ReflectionPad2d(1), (2, 3, 7, 9), {"kind": "reflectionpad2d", "pad": 1}))
    names.append(layer_case(outdir, "reflpad3", nn.ReflectionPad2d(3), (1, 2, 8, 10), {"kind": "reflectionpad2d", "pad": 3}))
    names.append(layer_case(outdir, "reflpad3_72x100", nn.ReflectionPad2d(3), (1, 1, 72, 100), {"kind": "reflectionpad2d", "pad": 3}))
    names.append(layer_case(outdir, "instnorm", norm_layer(3), (2, 3, 9, 11), {"kind": "instancenorm2d", "c": 3}))
    names.append(layer_case(outdir, "instnorm_72x100", norm_layer(2), (1, 2, 72, 100), {"kind": "instancenorm2d", "c": 2}))
    names.append(layer_case(outdir, "relu", nn.ReLU(), (2, 3, 8, 10), {"kind": "relu"}))
    names.append(layer_case(outdir, "leakyrelu", nn.LeakyReLU(0.2), (2, 3, 8, 10), {"kind": "leakyrelu", "slope": 0.2}))
    names.append(layer_case(outdir, "tanh", nn.Tanh(), (2, 3, 8, 10), {"kind": "tanh"}))
    # Residual block (x + conv_block(x)); parameters keyed as in the block: conv_block.1.weight, ...
    names.append(layer_case(outdir, "resblock", ResnetBlock(4, use_dropout=False), (2, 4, 10, 12),
                            {"kind": "resblock", "dim": 4, "dropout": 0}))
    names.append(layer_case(outdir, "resblock_dropout", ResnetBlock(3, use_dropout=True), (1, 3, 9, 7),
                            {"kind": "resblock", "dim": 3, "dropout": 1}))

    # Models
    def gen(name, inc, outc, ngf, nb, dropout, xshape, backward):
        names.append(model_case(outdir, name, ResnetGenerator(inc, outc, ngf, use_dropout=dropout, n_blocks=nb), xshape,
                                {"kind": "generator", "input_nc": inc, "output_nc": outc, "ngf": ngf,
                                 "n_blocks": nb, "dropout": int(dropout)}, backward))

    def disc(name, inc, ndf, nl, xshape, backward):
        names.append(model_case(outdir, name, NLayerDiscriminator(inc, ndf, nl), xshape,
                                {"kind": "discriminator", "input_nc": inc, "ndf": ndf, "n_layers": nl}, backward))

    gen("gen_ngf4_b1_72x100", 3, 3, 4, 1, False, (1, 3, 72, 100), True)
    gen("gen_ngf8_b2_64x64_n2", 3, 3, 8, 2, False, (2, 3, 64, 64), True)
    gen("gen_ngf8_b6_dropout_32x36", 3, 3, 8, 6, True, (1, 3, 32, 36), False)
    gen("gen_ngf16_b3_40x48", 3, 3, 16, 3, False, (1, 3, 40, 48), False)
    gen("gen_1ch_ngf4_b2_32x24_n2", 1, 1, 4, 2, False, (2, 1, 32, 24), True)
    gen("gen_ngf4_b0_3to1_16x20", 3, 1, 4, 0, False, (1, 3, 16, 20), True)
    disc("disc_ndf8_n3_64x64_n2", 3, 8, 3, (2, 3, 64, 64), True)
    disc("disc_ndf8_n2_40x48", 3, 8, 2, (1, 3, 40, 48), True)
    disc("disc_ndf4_n1_1ch_32x30", 1, 4, 1, (1, 1, 32, 30), True)

    total = 0
    for n in names:
        sz = os.path.getsize(os.path.join(outdir, n + ".safetensors"))
        total += sz
        print("%-32s %9d bytes" % (n, sz))
    print("total %d bytes in %d files" % (total, len(names)))


if __name__ == "__main__":
    main()
