#!/usr/bin/env python3
"""Generate the PyTorch checkpoint fixtures under testdata/checkpoints/.

Run with a Python that has torch (Debian: /usr/bin/python3 with python3-torch):

    /usr/bin/python3 testdata/pytorch/gen_checkpoints.py testdata/checkpoints

The generator is ResnetGenerator from cyclegan_ref.py next to this file, a copy
of junyanz/pytorch-CycleGAN-and-pix2pix models/networks.py (norm='instance',
padding_type='reflect'), so the state_dict keys and the forward pass are the
official ones. For every case the script writes the checkpoint, a smooth
synthetic input and the PyTorch output (raw little-endian float32), and an
entry in manifest.json. It also writes two checkpoints whose pickle calls
os.system: the importer must refuse them without running anything.

With --big PATH it also writes a full-size random-init resnet_9blocks
checkpoint (ngf 64, about 45 MB; not committed) used for the size and
quality measurements in docs/PERF.md.
"""
import argparse
import collections
import json
import math
import os

import torch
import torch.nn as nn

from cyclegan_ref import NORM_LAYER, ResnetGenerator


def make_generator(input_nc, output_nc, ngf, n_blocks, dropout, random_bias=True):
    net = ResnetGenerator(input_nc, output_nc, ngf, norm_layer=NORM_LAYER, use_dropout=dropout, n_blocks=n_blocks)
    for m in net.modules():  # init_weights(init_type='normal', init_gain=0.02)
        if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d)):
            nn.init.normal_(m.weight.data, 0.0, 0.02)
            if random_bias:  # non-zero biases so that the bias path is tested
                nn.init.normal_(m.bias.data, 0.0, 0.02)
            else:
                nn.init.constant_(m.bias.data, 0.0)
    return net.eval()


def smooth_image(c, h, w, seed):
    """A natural-looking (smooth, large-scale) image in [-1, 1]."""
    g = torch.Generator().manual_seed(seed)
    ys = torch.linspace(0, 1, h).view(h, 1)
    xs = torch.linspace(0, 1, w).view(1, w)
    img = torch.zeros(1, c, h, w)
    for ch in range(c):
        f = torch.rand(4, generator=g) * 3 + 0.5
        p = torch.rand(4, generator=g) * 2 * math.pi
        v = (torch.sin(2 * math.pi * f[0] * xs + p[0]) * torch.cos(2 * math.pi * f[1] * ys + p[1])
             + 0.5 * torch.sin(2 * math.pi * (f[2] * xs + f[3] * ys) + p[2]))
        img[0, ch] = v / 1.5
    return img.clamp(-1, 1)


def norm_indices(n_blocks, dropout):
    """state_dict prefixes of the InstanceNorm layers (for stale buffers)."""
    idx = ['model.2', 'model.5', 'model.8']
    for b in range(n_blocks):
        idx += ['model.%d.conv_block.2' % (10 + b), 'model.%d.conv_block.%d' % (10 + b, 7 if dropout else 6)]
    up = 10 + n_blocks
    idx += ['model.%d' % (up + 1), 'model.%d' % (up + 4)]
    return idx


class Evil(object):
    """Pickles as a call of os.system: loading it with torch.load would run the command."""
    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (os.system, ('touch ' + self.marker,))


CASES = [
    # name, serialisation, input_nc, output_nc, ngf, n_blocks, dropout, stale buffers, module prefix
    ('zip_ngf4_b2', 'zip', 3, 3, 4, 2, False, False, False),
    ('legacy_ngf4_b2', 'legacy', 3, 3, 4, 2, False, False, False),
    ('zip_ngf8_b1_dropout', 'zip', 3, 3, 8, 1, True, False, False),
    ('legacy_ngf4_b3_dropout_stale', 'legacy', 3, 3, 4, 3, True, True, False),
    ('zip_ngf6_b2_stale_module', 'zip', 3, 3, 6, 2, False, True, True),
    ('legacy_ngf4_b1_module_1to3', 'legacy', 1, 3, 4, 1, False, False, True),
    ('zip_ngf4_b0_3to1', 'zip', 3, 1, 4, 0, False, False, False),
]

EVIL_MARKER = '/tmp/cyclegan-go-pickle-ran-os-system'


def save(obj, path, fmt):
    torch.save(obj, path, _use_new_zipfile_serialization=(fmt == 'zip'))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('out', help='output directory (testdata/checkpoints)')
    ap.add_argument('--big', help='also write a full-size random-init checkpoint here (not committed)')
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    torch.manual_seed(20260101)

    manifest = {'torch': torch.__version__, 'evil_marker': EVIL_MARKER, 'cases': []}
    for i, (name, fmt, inc, outc, ngf, nb, dropout, stale, module) in enumerate(CASES):
        net = make_generator(inc, outc, ngf, nb, dropout)
        x = smooth_image(inc, 32, 32, seed=100 + i)
        with torch.no_grad():
            y = net(x)
        sd = net.state_dict()
        if stale:  # what PyTorch < 0.4 saved for InstanceNorm; the official loader deletes these
            new = collections.OrderedDict()
            for k, v in sd.items():
                new[k] = v
            for p in norm_indices(nb, dropout):
                head, _, idx = p.rpartition('.')
                c = sd['%s.%d.bias' % (head, int(idx) - 1)].numel()  # the conv before the norm
                new[p + '.running_mean'] = torch.randn(c) * 0.1
                new[p + '.running_var'] = torch.rand(c) + 0.5
                new[p + '.num_batches_tracked'] = torch.tensor(7, dtype=torch.long)
            sd = new
        if module:  # checkpoints saved from a DataParallel wrapper
            sd = collections.OrderedDict(('module.' + k, v) for k, v in sd.items())
        save(sd, os.path.join(args.out, name + '.pth'), fmt)
        x.numpy().astype('<f4').tofile(os.path.join(args.out, name + '.input.f32'))
        y.numpy().astype('<f4').tofile(os.path.join(args.out, name + '.output.f32'))
        manifest['cases'].append({
            'name': name, 'file': name + '.pth', 'format': fmt,
            'input_nc': inc, 'output_nc': outc, 'ngf': ngf, 'n_blocks': nb, 'dropout': dropout,
            'stale_buffers': stale, 'module_prefix': module,
            'tensors': len([k for k in net.state_dict()]),
            'params': sum(p.numel() for p in net.parameters()),
            'input': name + '.input.f32', 'output': name + '.output.f32', 'shape': list(x.shape),
        })

    # Checkpoints whose pickle calls os.system (as a state_dict value).
    for fmt in ('zip', 'legacy'):
        sd = collections.OrderedDict()
        sd['model.1.weight'] = Evil(EVIL_MARKER)
        save(sd, os.path.join(args.out, 'evil_os_system_%s.pth' % fmt), fmt)

    with open(os.path.join(args.out, 'manifest.json'), 'w') as f:
        json.dump(manifest, f, indent=1)
        f.write('\n')

    if args.big:
        torch.manual_seed(64)
        net = make_generator(3, 3, 64, 9, False, random_bias=False)
        save(net.state_dict(), args.big, 'zip')
        base = os.path.splitext(args.big)[0]
        x = smooth_image(3, 256, 256, seed=7)
        with torch.no_grad():
            y = net(x)
        x.numpy().astype('<f4').tofile(base + '.input.f32')
        y.numpy().astype('<f4').tofile(base + '.output.f32')
        save(net.state_dict(), base + '.legacy.pth', 'legacy')


if __name__ == '__main__':
    main()
