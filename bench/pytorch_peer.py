#!/usr/bin/python3
"""PyTorch CPU peer benchmark for `make bench` (optional; needs Debian python3-torch).

    /usr/bin/python3 bench/pytorch_peer.py [--reps N] [--warmup N] [--threads 1,2] [--only forward|train]

Times, with torch.set_num_threads(t) for each t:
  * the ResNet generator forward pass (eval, torch.no_grad, batch 1) at
    (ngf 64, 9 blocks, 256x256), (ngf 32, 9 blocks, 256x256), (ngf 16, 6 blocks, 256x256);
  * one full CycleGAN training iteration at (ngf 32, 6 blocks, 128x128, ndf 64, n_layers 3),
    following the official CycleGANModel.optimize_parameters: G_A, G_B, D_A, D_B,
    LSGAN (MSE against 1/0), cycle L1 (lambda 10), identity L1 (0.5 * lambda),
    Adam (lr 2e-4, betas 0.5/0.999), image pools of 50.
Reports the median over --reps after --warmup untimed runs, one JSON object per line
(fields: bench, config, threads, median_ms, min_ms, reps, gflops for the forward pass,
where GFLOP/s = 2 * MACs / time). The first line describes the machine and the BLAS.

Debian's PyTorch calls libblas.so.3, which is the slow reference BLAS unless
libopenblas0 is installed (Debian then points the libblas.so.3 alternative at
OpenBLAS); the first line says which library is loaded.
"""

import argparse
import ctypes
import itertools
import json
import os
import platform
import random
import statistics
import sys
import time

import torch
import torch.nn as nn

# The model definitions (official networks.py, CycleGAN's options) are shared with
# the fixture generators in testdata/pytorch/cyclegan_ref.py.
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "testdata", "pytorch"))
from cyclegan_ref import NLayerDiscriminator, ResnetGenerator, init_weights  # noqa: E402


class ImagePool:
    """util/image_pool.py: returns earlier generated images half of the time once full."""

    def __init__(self, size):
        self.size, self.images = size, []

    def query(self, images):
        out = []
        for image in images:
            image = torch.unsqueeze(image.data, 0)
            if len(self.images) < self.size:
                self.images.append(image)
                out.append(image)
            elif random.uniform(0, 1) > 0.5:
                i = random.randint(0, self.size - 1)
                tmp = self.images[i].clone()
                self.images[i] = image
                out.append(tmp)
            else:
                out.append(image)
        return torch.cat(out, 0)


class CycleGAN:
    """The training step of models/cycle_gan_model.py (lambda_A = lambda_B = 10, lambda_identity 0.5)."""

    def __init__(self, ngf, n_blocks, ndf, n_layers=3, lam=10.0, lam_idt=0.5):
        self.G_A, self.G_B = ResnetGenerator(3, 3, ngf, n_blocks=n_blocks), ResnetGenerator(3, 3, ngf, n_blocks=n_blocks)
        self.D_A, self.D_B = NLayerDiscriminator(3, ndf, n_layers), NLayerDiscriminator(3, ndf, n_layers)
        for net in (self.G_A, self.G_B, self.D_A, self.D_B):
            init_weights(net)
            net.train()
        self.lam, self.lam_idt = lam, lam_idt
        self.opt_G = torch.optim.Adam(itertools.chain(self.G_A.parameters(), self.G_B.parameters()), lr=2e-4, betas=(0.5, 0.999))
        self.opt_D = torch.optim.Adam(itertools.chain(self.D_A.parameters(), self.D_B.parameters()), lr=2e-4, betas=(0.5, 0.999))
        self.pool_A, self.pool_B = ImagePool(50), ImagePool(50)
        self.mse, self.l1 = nn.MSELoss(), nn.L1Loss()

    def gan_loss(self, pred, real):
        return self.mse(pred, torch.ones_like(pred) if real else torch.zeros_like(pred))

    @staticmethod
    def set_requires_grad(nets, flag):
        for net in nets:
            for p in net.parameters():
                p.requires_grad = flag

    def step(self, real_A, real_B):
        fake_B = self.G_A(real_A)
        rec_A = self.G_B(fake_B)
        fake_A = self.G_B(real_B)
        rec_B = self.G_A(fake_A)
        # generators
        self.set_requires_grad([self.D_A, self.D_B], False)
        self.opt_G.zero_grad()
        idt_A = self.G_A(real_B)
        idt_B = self.G_B(real_A)
        loss_G = (self.gan_loss(self.D_A(fake_B), True) + self.gan_loss(self.D_B(fake_A), True)
                  + self.l1(rec_A, real_A) * self.lam + self.l1(rec_B, real_B) * self.lam
                  + self.l1(idt_A, real_B) * self.lam * self.lam_idt + self.l1(idt_B, real_A) * self.lam * self.lam_idt)
        loss_G.backward()
        self.opt_G.step()
        # discriminators
        self.set_requires_grad([self.D_A, self.D_B], True)
        self.opt_D.zero_grad()
        for D, real, fake in ((self.D_A, real_B, self.pool_B.query(fake_B)), (self.D_B, real_A, self.pool_A.query(fake_A))):
            loss_D = (self.gan_loss(D(real), True) + self.gan_loss(D(fake.detach()), False)) * 0.5
            loss_D.backward()
        self.opt_D.step()
        return float(loss_G)


# --- measurement ----------------------------------------------------------------


def conv_macs(model, x):
    """Multiply-accumulates of every Conv2d / ConvTranspose2d for one forward of x."""
    total = [0]

    def hook(m, inp, out):
        if isinstance(m, nn.Conv2d):
            total[0] += out.numel() * m.in_channels * m.kernel_size[0] * m.kernel_size[1] // m.groups
        elif isinstance(m, nn.ConvTranspose2d):
            total[0] += inp[0].numel() * m.out_channels * m.kernel_size[0] * m.kernel_size[1] // m.groups

    hs = [m.register_forward_hook(hook) for m in model.modules() if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d))]
    with torch.no_grad():
        model(x)
    for h in hs:
        h.remove()
    return total[0]


def timeit(fn, warmup, reps):
    for _ in range(warmup):
        fn()
    ts = []
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        ts.append(time.perf_counter() - t0)
    return statistics.median(ts), min(ts)


def blas_in_use():
    """The BLAS library actually mapped into this process, after a matmul."""
    torch.ones(64, 64) @ torch.ones(64, 64)
    libs = set()
    try:
        with open("/proc/self/maps") as f:
            for line in f:
                path = line.split()[-1] if len(line.split()) >= 6 else ""
                if "blas" in os.path.basename(path).lower() or "openblas" in path.lower():
                    libs.add(os.path.realpath(path))
    except OSError:
        pass
    alt = "/etc/alternatives/libblas.so.3-x86_64-linux-gnu"
    return {"loaded": sorted(libs), "alternative": os.path.realpath(alt) if os.path.exists(alt) else None,
            "openblas": any("openblas" in p for p in libs)}


def set_threads(t, blas):
    """torch.set_num_threads does not reach OpenBLAS's own thread pool; set both."""
    torch.set_num_threads(t)
    for path in blas["loaded"]:
        if "libopenblas" in os.path.basename(path):
            try:
                ctypes.CDLL(path).openblas_set_num_threads(t)
            except (OSError, AttributeError):
                pass


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor()


FORWARD = [(64, 9, 256), (32, 9, 256), (16, 6, 256)]
TRAIN = (32, 6, 128, 64)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--warmup", type=int, default=2)
    ap.add_argument("--threads", default="1,2")
    ap.add_argument("--only", choices=["forward", "train"], default=None)
    args = ap.parse_args()
    threads = [int(t) for t in args.threads.split(",")]

    blas = blas_in_use()
    print(json.dumps({"bench": "machine", "torch": torch.__version__, "cpu": cpu_model(),
                      "cores": os.cpu_count(), "blas": blas,
                      "mkldnn": torch.backends.mkldnn.is_available()}), flush=True)
    if not blas["openblas"]:
        print(json.dumps({"bench": "warning", "message": "libblas.so.3 is not OpenBLAS: install libopenblas0 "
                          "for a fair comparison (the reference BLAS is 2-4x slower)"}), flush=True)

    torch.manual_seed(0)
    random.seed(0)
    if args.only in (None, "forward"):
        for ngf, nb, size in FORWARD:
            g = ResnetGenerator(3, 3, ngf, n_blocks=nb).eval()
            x = torch.rand(1, 3, size, size) * 2 - 1
            macs = conv_macs(g, x)
            for t in threads:
                set_threads(t, blas)

                def fwd():
                    with torch.no_grad():
                        g(x)

                med, mn = timeit(fwd, args.warmup, args.reps)
                print(json.dumps({"bench": "generator_forward", "config": {"ngf": ngf, "n_blocks": nb, "size": size},
                                  "threads": t, "median_ms": round(med * 1e3, 2), "min_ms": round(mn * 1e3, 2),
                                  "reps": args.reps, "macs": macs, "gflops": round(2 * macs / med / 1e9, 2)}), flush=True)
    if args.only in (None, "train"):
        ngf, nb, size, ndf = TRAIN
        for t in threads:
            set_threads(t, blas)
            torch.manual_seed(0)
            m = CycleGAN(ngf, nb, ndf)
            a, b = torch.rand(1, 3, size, size) * 2 - 1, torch.rand(1, 3, size, size) * 2 - 1
            med, mn = timeit(lambda: m.step(a, b), args.warmup, args.reps)
            print(json.dumps({"bench": "cyclegan_train_iteration",
                              "config": {"ngf": ngf, "n_blocks": nb, "size": size, "ndf": ndf, "n_layers": 3, "batch": 1},
                              "threads": t, "median_ms": round(med * 1e3, 2), "min_ms": round(mn * 1e3, 2),
                              "reps": args.reps}), flush=True)


if __name__ == "__main__":
    main()
