"""Fixture for trainer/train's exact-step test (TestStepMatchesPyTorch).

Runs the official CycleGAN algorithm (junyanz/pytorch-CycleGAN-and-pix2pix:
models/networks.py ResnetGenerator + NLayerDiscriminator with InstanceNorm,
taken from cyclegan_ref.py next to this file; models/cycle_gan_model.py
optimize_parameters, util/image_pool.py, Adam) on a small configuration for
three full iterations from fixed initial weights and fixed images, and saves
everything the Go test needs:

    testdata/trainer/step.json   configuration, loss values and learning rate
                                 per iteration, the image pools' random draws,
                                 and an index of the arrays below
    testdata/trainer/step.f32    the arrays, float32 little-endian:
        init/<net>/<key>    initial weights of G_A, G_B, D_A, D_B
        iter<k>/real_A, iter<k>/real_B   the input batches (k = 0, 1, 2)
        final/<net>/<key>   the weights after both iterations

Configuration: ngf 4, resnet with 2 blocks, ndf 8, n_layers_D 2, 32x32,
batch 1, lambda_A = lambda_B = 10, lambda_identity 0.5, Adam lr 2e-4,
betas (0.5, 0.999), pool_size 1.

Learning rate: each iteration stands for one epoch of the official 'linear'
policy (models/networks.py get_scheduler, LambdaLR) with n_epochs 1,
n_epochs_decay 3, epoch_count 1, the schedulers stepped after each
iteration: iterations 0, 1, 2 use lr x 1, 0.75, 0.5.

Image pools: with pool_size 1 the first iteration fills both pools; later
queries draw random.uniform(0, 1) and, above 0.5, random.randint(0, 0) and
swap. Python's random.seed(54) makes fake_B's pool swap and fake_A's keep
the query image in iteration 1, and the opposite in iteration 2, so both
branches run for both pools (the script checks it). The draws are saved as
the 64-bit words Go's math/rand/v2 would have to produce for the same
values (uniform u = k / 2^53 exactly, saved as k), in the order drawn, so
the Go test can replay them.

Run with Debian's python3-torch 1.13 from the repository root:
    /usr/bin/python3 testdata/pytorch/gen_train_step.py
"""
import itertools
import json
import random

import numpy as np
import torch
import torch.nn as nn

# models/networks.py (norm_layer = InstanceNorm2d(affine=False), use_bias = True)
from cyclegan_ref import NLayerDiscriminator, ResnetGenerator, init_weights

torch.manual_seed(1234)
random.seed(54)
torch.set_num_threads(1)

NGF, NBLOCKS, NDF, NLAYERS, SIZE = 4, 2, 8, 2, 32
LAMBDA_A, LAMBDA_B, LAMBDA_IDT = 10.0, 10.0, 0.5
LR, BETA1 = 0.0002, 0.5
POOL_SIZE = 1
N_EPOCHS, N_EPOCHS_DECAY, EPOCH_COUNT = 1, 3, 1
ITERS = 3


# ---- util/image_pool.py
class ImagePool:
    def __init__(self, pool_size):
        self.pool_size = pool_size
        self.num_imgs = 0
        self.images = []

    def query(self, images):
        if self.pool_size == 0:
            return images
        out = []
        for image in images:
            image = torch.unsqueeze(image.data, 0)
            if self.num_imgs < self.pool_size:
                self.num_imgs += 1
                self.images.append(image)
                out.append(image)
            else:
                # Recorded for Go: rand.Rand.Float64 is Uint64()<<11>>11 / 2^53,
                # so the word k = u * 2^53 gives u exactly; IntN(n) for a
                # power of two n is Uint64() & (n-1), so rid gives rid.
                u = random.uniform(0, 1)
                pool_draws.append(int(u * 2**53))
                assert pool_draws[-1] == u * 2**53
                if u > 0.5:
                    rid = random.randint(0, self.pool_size - 1)
                    pool_draws.append(rid)
                    swaps.append(True)
                    tmp = self.images[rid].clone()
                    self.images[rid] = image
                    out.append(tmp)
                else:
                    swaps.append(False)
                    out.append(image)
        return torch.cat(out, 0)


def set_requires_grad(nets, flag):
    for n in nets:
        for p in n.parameters():
            p.requires_grad = flag


# ---- models/cycle_gan_model.py
netG_A = ResnetGenerator(3, 3, NGF, n_blocks=NBLOCKS)
netG_B = ResnetGenerator(3, 3, NGF, n_blocks=NBLOCKS)
netD_A = NLayerDiscriminator(3, NDF, NLAYERS)
netD_B = NLayerDiscriminator(3, NDF, NLAYERS)
for n in (netG_A, netG_B, netD_A, netD_B):
    init_weights(n)
nets = {"G_A": netG_A, "G_B": netG_B, "D_A": netD_A, "D_B": netD_B}
criterionGAN = nn.MSELoss()   # GANLoss('lsgan') against a tensor of 1s or 0s
criterionCycle = nn.L1Loss()
criterionIdt = nn.L1Loss()
optimizer_G = torch.optim.Adam(itertools.chain(netG_A.parameters(), netG_B.parameters()), lr=LR, betas=(BETA1, 0.999))
optimizer_D = torch.optim.Adam(itertools.chain(netD_A.parameters(), netD_B.parameters()), lr=LR, betas=(BETA1, 0.999))
fake_A_pool, fake_B_pool = ImagePool(POOL_SIZE), ImagePool(POOL_SIZE)
pool_draws, swaps = [], []


def lambda_rule(epoch):  # models/networks.py get_scheduler, lr_policy 'linear'
    return 1.0 - max(0, epoch + EPOCH_COUNT - N_EPOCHS) / float(N_EPOCHS_DECAY + 1)


schedulers = [torch.optim.lr_scheduler.LambdaLR(o, lr_lambda=lambda_rule) for o in (optimizer_G, optimizer_D)]


def gan(pred, real):
    return criterionGAN(pred, torch.full_like(pred, 1.0 if real else 0.0))


arrays = []  # (name, np.float32 array)
for name, net in nets.items():
    for k, v in net.state_dict().items():
        arrays.append(("init/%s/%s" % (name, k), v.detach().numpy().copy()))

losses, lrs = [], []
for it in range(ITERS):
    lrs.append(optimizer_G.param_groups[0]['lr'])
    # Smooth-ish images in [-1, 1] (a random low-resolution image upsampled).
    def image():
        low = torch.rand(1, 3, 4, 4) * 2 - 1
        return torch.nn.functional.interpolate(low, size=(SIZE, SIZE), mode='bilinear', align_corners=False)
    real_A, real_B = image(), image()
    arrays.append(("iter%d/real_A" % it, real_A.numpy().copy()))
    arrays.append(("iter%d/real_B" % it, real_B.numpy().copy()))

    # forward()
    fake_B = netG_A(real_A)
    rec_A = netG_B(fake_B)
    fake_A = netG_B(real_B)
    rec_B = netG_A(fake_A)
    # G_A and G_B
    set_requires_grad([netD_A, netD_B], False)
    optimizer_G.zero_grad()
    idt_A = netG_A(real_B)
    loss_idt_A = criterionIdt(idt_A, real_B) * LAMBDA_B * LAMBDA_IDT
    idt_B = netG_B(real_A)
    loss_idt_B = criterionIdt(idt_B, real_A) * LAMBDA_A * LAMBDA_IDT
    loss_G_A = gan(netD_A(fake_B), True)
    loss_G_B = gan(netD_B(fake_A), True)
    loss_cycle_A = criterionCycle(rec_A, real_A) * LAMBDA_A
    loss_cycle_B = criterionCycle(rec_B, real_B) * LAMBDA_B
    loss_G = loss_G_A + loss_G_B + loss_cycle_A + loss_cycle_B + loss_idt_A + loss_idt_B
    loss_G.backward()
    optimizer_G.step()
    # D_A and D_B
    set_requires_grad([netD_A, netD_B], True)
    optimizer_D.zero_grad()

    def backward_D_basic(netD, real, fake):
        loss_D = (gan(netD(real), True) + gan(netD(fake.detach()), False)) * 0.5
        loss_D.backward()
        return loss_D
    loss_D_A = backward_D_basic(netD_A, real_B, fake_B_pool.query(fake_B))
    loss_D_B = backward_D_basic(netD_B, real_A, fake_A_pool.query(fake_A))
    optimizer_D.step()
    losses.append([float(x) for x in (loss_D_A, loss_G_A, loss_cycle_A, loss_idt_A,
                                      loss_D_B, loss_G_B, loss_cycle_B, loss_idt_B)])
    for sch in schedulers:
        sch.step()

# Queried in order fake_B's pool, fake_A's pool: each takes both branches.
assert swaps == [True, False, False, True], swaps

for name, net in nets.items():
    for k, v in net.state_dict().items():
        arrays.append(("final/%s/%s" % (name, k), v.detach().numpy().copy()))

index, blob, off = [], [], 0
for name, a in arrays:
    a = np.ascontiguousarray(a, dtype='<f4')
    index.append({"name": name, "shape": list(a.shape), "offset": off})
    blob.append(a.tobytes())
    off += a.size
with open("testdata/trainer/step.f32", "wb") as f:
    f.write(b"".join(blob))
with open("testdata/trainer/step.json", "w") as f:
    json.dump({"torch": torch.__version__,
               "config": {"ngf": NGF, "n_blocks": NBLOCKS, "ndf": NDF, "n_layers_D": NLAYERS, "size": SIZE,
                          "lambda_A": LAMBDA_A, "lambda_B": LAMBDA_B, "lambda_identity": LAMBDA_IDT,
                          "lr": LR, "beta1": BETA1, "pool_size": POOL_SIZE, "batch_size": 1,
                          "n_epochs": N_EPOCHS, "n_epochs_decay": N_EPOCHS_DECAY, "epoch_count": EPOCH_COUNT},
               "loss_names": ["D_A", "G_A", "cycle_A", "idt_A", "D_B", "G_B", "cycle_B", "idt_B"],
               "losses": losses, "lrs": lrs, "pool_draws": pool_draws, "pool_swaps": swaps,
               "arrays": index}, f, indent=1)
print("losses", losses)
print("lrs", lrs, "pool draws", pool_draws, "swaps", swaps)
