#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Reference backbones for Otter's parity test, built by torchvision itself.

    torchvision_backbones.py --arch resnet18 --out DIR [--seed S] [--size 64]

Builds torchvision's model with random weights (batch-norm statistics and
affine parameters randomised too, so that eval-mode normalisation is
exercised), saves its state_dict with torch.save as DIR/ARCH-HASH.pth (HASH
the first 8 hex digits of the file's SHA-256, as torchvision names its
downloads), and runs the backbone on a fixed input. Writes DIR/input.f32
(N×3×S×S in [0, 1]), DIR/level{0..3}.f32 (the maps at strides 4, 8, 16, 32,
float32 little endian) and DIR/result.json with the file name and shapes.
"""

import argparse
import hashlib
import json
import os

import torch
import torchvision

MEAN = (0.485, 0.456, 0.406)
STD = (0.229, 0.224, 0.225)


def build(arch):
    if arch == "resnet18":
        return torchvision.models.resnet18(weights=None)
    if arch == "mobilenet_v3_large":
        return torchvision.models.mobilenet_v3_large(weights=None)
    raise SystemExit(f"unknown architecture {arch}")


def randomise_norms(model, gen):
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, torch.nn.BatchNorm2d):
                m.weight.copy_(torch.rand(m.weight.shape, generator=gen) * 0.5 + 0.75)
                m.bias.copy_(torch.randn(m.bias.shape, generator=gen) * 0.1)
                m.running_mean.copy_(torch.randn(m.running_mean.shape, generator=gen) * 0.1)
                m.running_var.copy_(torch.rand(m.running_var.shape, generator=gen) * 0.5 + 0.75)


def levels(model, arch, x):
    if arch == "resnet18":
        h = model.maxpool(model.relu(model.bn1(model.conv1(x))))
        out = []
        for layer in (model.layer1, model.layer2, model.layer3, model.layer4):
            h = layer(h)
            out.append(h)
        return out
    ends = (3, 6, 12, 16)
    out, h = [], x
    for i, m in enumerate(model.features):
        h = m(h)
        if i in ends:
            out.append(h)
    return out


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--arch", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--size", type=int, default=64)
    p.add_argument("--batch", type=int, default=2)
    a = p.parse_args()

    torch.manual_seed(a.seed)
    gen = torch.Generator().manual_seed(a.seed)
    model = build(a.arch)
    randomise_norms(model, gen)
    model.eval()

    os.makedirs(a.out, exist_ok=True)
    tmp = os.path.join(a.out, a.arch + ".pth.tmp")
    torch.save(model.state_dict(), tmp)
    with open(tmp, "rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()
    name = f"{a.arch}-{digest[:8]}.pth"
    os.replace(tmp, os.path.join(a.out, name))

    x = torch.rand((a.batch, 3, a.size, a.size), generator=gen)
    norm = (x - torch.tensor(MEAN).view(1, 3, 1, 1)) / torch.tensor(STD).view(1, 3, 1, 1)
    with torch.no_grad():
        maps = levels(model, a.arch, norm)
    x.numpy().astype("<f4").tofile(os.path.join(a.out, "input.f32"))
    for i, m in enumerate(maps):
        m.numpy().astype("<f4").tofile(os.path.join(a.out, f"level{i}.f32"))
    result = {
        "weights": name,
        "sha256": digest,
        "input": [a.batch, 3, a.size, a.size],
        "levels": [list(m.shape) for m in maps],
        "max_abs": [float(m.abs().max()) for m in maps],
    }
    with open(os.path.join(a.out, "result.json"), "w") as f:
        json.dump(result, f)


if __name__ == "__main__":
    main()
