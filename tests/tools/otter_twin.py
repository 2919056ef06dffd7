#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""A PyTorch definition of Otter's detector, for models exported from Otter.

    otter_twin.py compare --weights model.pth --meta model.json \
        --input input.f32 --detections dets.json [--tolerance 1e-4]

`otter-cli export` writes a torch.save state_dict and a JSON description
(architecture, classes, input size, normalisation). OtterDetector below
builds the same network under the same module names, so
load_state_dict(strict=True) takes the file as it is. `compare` runs it on
raw input images (N×3×S×S float32 in [0, 1], as Otter's loader makes them)
and checks its detections against Otter's own, exiting non-zero on any
difference beyond the tolerance. Used by tests/test-export.c.
"""

import argparse
import json
import sys
from collections import OrderedDict

import torch
import torch.nn as nn
import torch.nn.functional as F
import torchvision

STRIDE = 4


def conv_bn_relu(cin, cout, stride):
    """tiny's and the neck's 3×3 conv + batch norm + ReLU, named conv / bn."""
    return nn.Sequential(OrderedDict(
        conv=nn.Conv2d(cin, cout, 3, stride, 1, bias=False),
        bn=nn.BatchNorm2d(cout),
        relu=nn.ReLU()))


class PlainBackbone(nn.Module):
    def __init__(self, stem, widths):
        super().__init__()
        self.stem = conv_bn_relu(3, stem, 2)
        cin = stem
        for i, w in enumerate(widths):
            setattr(self, f"stage{i + 1}", nn.Sequential(conv_bn_relu(cin, w, 2)))
            cin = w
        self.channels = list(widths)

    def forward(self, x):
        x = self.stem(x)
        out = []
        for i in range(4):
            x = getattr(self, f"stage{i + 1}")(x)
            out.append(x)
        return out


class BasicBlock(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.downsample = None
        if stride != 1 or cin != cout:
            self.downsample = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False),
                                            nn.BatchNorm2d(cout))

    def forward(self, x):
        y = self.bn2(self.conv2(F.relu(self.bn1(self.conv1(x)))))
        return F.relu(y + (x if self.downsample is None else self.downsample(x)))


class ResNetBackbone(nn.Module):
    def __init__(self, stem, widths, blocks, stem_kernel=7):
        super().__init__()
        self.conv1 = nn.Conv2d(3, stem, stem_kernel, 2, stem_kernel // 2, bias=False)
        self.bn1 = nn.BatchNorm2d(stem)
        cin = stem
        for i, w in enumerate(widths):
            layer = []
            for b in range(blocks):
                layer.append(BasicBlock(cin, w, 2 if b == 0 and i > 0 else 1))
                cin = w
            setattr(self, f"layer{i + 1}", nn.Sequential(*layer))
        self.channels = list(widths)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.bn1(self.conv1(x))), 3, 2, 1)
        out = []
        for i in range(4):
            x = getattr(self, f"layer{i + 1}")(x)
            out.append(x)
        return out


class MobileNetV3Backbone(nn.Module):
    ENDS = (3, 6, 12, 16)

    def __init__(self):
        super().__init__()
        self.features = torchvision.models.mobilenet_v3_large(weights=None).features
        self.channels = [24, 40, 112, 960]

    def forward(self, x):
        out = []
        for i, m in enumerate(self.features):
            x = m(x)
            if i in self.ENDS:
                out.append(x)
        return out


class Head(nn.Module):
    def __init__(self, cin, hidden, cout):
        super().__init__()
        self.hidden = nn.Conv2d(cin, hidden, 3, 1, 1)
        self.out = nn.Conv2d(hidden, cout, 1)

    def forward(self, x):
        return self.out(F.relu(self.hidden(x)))


class OtterDetector(nn.Module):
    """Backbone, top-down neck to stride 4, heatmap / size / offset heads."""

    def __init__(self, meta):
        super().__init__()
        arch = meta["architecture"]
        family = arch["backbone"]["family"]
        if family == "plain":
            self.backbone = PlainBackbone(arch["stem"], arch["widths"])
        elif family == "resnet":
            self.backbone = ResNetBackbone(arch["stem"], arch["widths"], arch["depth"],
                                           arch.get("stem_kernel", 7))
        elif family == "mobilenet_v3":
            self.backbone = MobileNetV3Backbone()
        else:
            raise SystemExit(f"unknown backbone family {family}")
        neck, head = arch["neck"], arch["head"]
        for i, c in enumerate(self.backbone.channels):
            setattr(self, f"lateral{i + 1}", nn.Conv2d(c, neck, 1))
        self.smooth = conv_bn_relu(neck, neck, 1)
        n_classes = len(meta["class_names"])
        self.heatmap = Head(neck, head, n_classes)
        self.size = Head(neck, head, 2)
        self.offset = Head(neck, head, 2)
        norm = meta["normalisation"]
        self.register_buffer("mean", torch.tensor(norm["mean"]).view(1, 3, 1, 1))
        self.register_buffer("std", torch.tensor(norm["std"]).view(1, 3, 1, 1))

    def forward(self, images):
        levels = self.backbone((images - self.mean) / self.std)
        top = self.lateral4(levels[3])
        for i in (2, 1, 0):
            top = getattr(self, f"lateral{i + 1}")(levels[i]) + \
                F.interpolate(top, size=levels[i].shape[2:], mode="nearest")
        neck = self.smooth(top)
        return self.heatmap(neck), self.size(neck), self.offset(neck)


NMS_IOU = 0.5


def iou(a, b):
    w = min(a[2], b[2]) - max(a[0], b[0])
    h = min(a[3], b[3]) - max(a[1], b[1])
    if w <= 0 or h <= 0:
        return 0.0
    inter = w * h
    return inter / ((a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter)


def decode(heatmap, size, offset, input_size, k):
    """Otter's decoding: 3×3 peaks of the sigmoid heatmap, then a greedy
    per-class NMS at IoU 0.5 over the best max(2k, 100), k kept per image."""
    heat = torch.sigmoid(heatmap)
    peaks = F.max_pool2d(heat, 3, 1, 1)
    heat = heat * (heat == peaks).float()
    n, c, h, w = heat.shape
    scores, idx = heat.view(n, -1).topk(min(max(2 * k, 100), c * h * w), 1)
    dets = []
    for b in range(n):
        kept = []
        for s, flat in zip(scores[b].tolist(), idx[b].tolist()):
            if len(kept) == k:
                break
            cls, cell = divmod(flat, h * w)
            y, x = divmod(cell, w)
            cx = (x + offset[b, 0, y, x].item()) * STRIDE
            cy = (y + offset[b, 1, y, x].item()) * STRIDE
            bw = max(0.0, size[b, 0, y, x].item()) * STRIDE
            bh = max(0.0, size[b, 1, y, x].item()) * STRIDE
            clamp = lambda v: min(max(v, 0.0), float(input_size))
            d = {"image": b, "class_id": cls, "score": s,
                 "box": [clamp(cx - bw / 2), clamp(cy - bh / 2),
                         clamp(cx + bw / 2), clamp(cy + bh / 2)]}
            if all(o["class_id"] != cls or iou(o["box"], d["box"]) < NMS_IOU for o in kept):
                kept.append(d)
        dets.extend(kept)
    return dets


def compare(a):
    with open(a.meta) as f:
        meta = json.load(f)
    model = OtterDetector(meta)
    # weights_only: the default of torch.load since PyTorch 2.6, which
    # refuses any pickle calling more than tensors and containers.
    state = torch.load(a.weights, map_location="cpu", weights_only=True)
    model.load_state_dict(state, strict=True)
    model.eval()
    s = meta["input_size"]
    with open(a.detections) as f:
        theirs = json.load(f)
    n = max(d["image"] for d in theirs) + 1 if theirs else 1
    x = torch.from_numpy(__import__("numpy").fromfile(a.input, dtype="<f4").reshape(n, 3, s, s).copy())
    with torch.no_grad():
        ours = decode(*model(x), s, a.per_image)
    worst = 0.0
    for b in range(n):
        mine = sorted((d for d in ours if d["image"] == b), key=lambda d: -d["score"])
        other = sorted((d for d in theirs if d["image"] == b), key=lambda d: -d["score"])
        if len(mine) != len(other):
            print(f"image {b}: {len(mine)} detections here, {len(other)} from Otter")
            return 1
        for m, o in zip(mine, other):
            worst = max(worst, abs(m["score"] - o["score"]))
        # boxes: every Otter detection has a twin of the same class nearby
        for o in other:
            best = min((max(abs(p - q) for p, q in zip(m["box"], o["box"]))
                        for m in mine if m["class_id"] == o["class_id"]
                        and abs(m["score"] - o["score"]) <= a.tolerance), default=None)
            if best is None or best > 1e-2:
                print(f"image {b}: no twin for Otter's detection {o}")
                return 1
    print(f"{len(ours)} detections agree; largest score difference {worst:.3g}")
    return 0 if worst <= a.tolerance else 1


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="command", required=True)
    c = sub.add_parser("compare")
    c.add_argument("--weights", required=True)
    c.add_argument("--meta", required=True)
    c.add_argument("--input", required=True)
    c.add_argument("--detections", required=True)
    c.add_argument("--per-image", type=int, default=20)
    c.add_argument("--tolerance", type=float, default=1e-4)
    a = p.parse_args()
    sys.exit(compare(a))


if __name__ == "__main__":
    main()
