#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""A PyTorch twin of Otter's training step, for bench-train.

    bench-train-twin.py [--threads N] [--reps R] [--size S] [--batch B]
                        [--arch tiny] [--data DIR]
    bench-train-twin.py --check DIR [--threads N]

The network is tests/tools/otter_twin.py's OtterDetector (the same layers
under the same names as Otter's, so Otter's exported weights load into it
with strict=True). Around it this file writes out the rest of what
otter_torch_trainer_step does, in plain PyTorch:

  targets   CenterNet gaussians (radius at IoU 0.7), centre index, size and
            sub-cell offset per object, built on every step as Otter does
  loss      the penalty-reduced focal loss on the heatmap (α 2, β 4) plus
            0.1 · L1 size + 1 · L1 offset at the centres, over max(1, objects)
  standard  train-mode forward, loss, backward, gradient clipping at 10,
            AdamW (β 0.9 / 0.999, decay 5e-4 on weights of dim > 1 only)
            at the warm-up / cosine learning rate of the step
  ot        in eval mode with the parameters frozen: a uniform random start
            in the ε-ball (ε 8/255), K = 1 signed-gradient step of size ε on
            D = Σ T_ij C_ij between the images' mean neck features
            (C = max(0, 1 − cos)), the Sinkhorn plan T (reg 0.01, up to 100
            log-domain iterations, tolerance 1e-3) held fixed; then a
            train-mode forward and backward of 1 · L(clean), another of
            1 · L(perturbed), D between the two passes' features,
            clipping and AdamW as above

Timing mode prints one line of JSON: the median step times of `standard`
and `ot`, the thread count and torch's version. Without --data the batch is
random images with 1–3 random boxes each; with --data it is the batch in DIR
(images.f32: B × 3 × S × S float32 in [0, 1]; boxes.json: {"n", "size",
"classes": [names], "boxes": [[image, x1, y1, x2, y2, class], ...]}).

--check DIR loads Otter's exported tiny model (model.pth, model.json), the
batch above and Otter's own numbers (otter.json: parameter count, the
model's loss on the batch in eval mode; one standard training step's loss,
gradient norm and learning rate, with the weights after that step in
after.pth; one ot step's L1, L2, D and gradient norm, its random start
drawn from the seed given there). It runs the same on the twin and prints
one line comparing them, exiting 1 when they differ.

Exit status 77: PyTorch is not installed.
"""

import argparse
import json
import math
import os
import statistics
import sys
import time

try:
    import numpy as np
    import torch
    import torch.nn.functional as F
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tools"))
    from otter_twin import OtterDetector, STRIDE
except ImportError as e:
    # bench-train reads exit status 77 as "no PyTorch here"
    print(f"python3-torch or python3-torchvision is not installed ({e})", file=sys.stderr)
    sys.exit(77)

ARCHS = {
    "tiny": {"backbone": {"family": "plain"}, "stem": 16, "stem_kernel": 3,
             "widths": [24, 48, 96, 128], "depth": 0, "neck": 48, "head": 32},
}
DEMO_CLASSES = ["circle", "square", "triangle"]
IMAGENET = {"mean": [0.485, 0.456, 0.406], "std": [0.229, 0.224, 0.225]}

SIZE_WEIGHT = 0.1
OFFSET_WEIGHT = 1.0

# otter_torch_train_params_init and otter_torch_ot_params_init
LR = 2e-3
BETA1 = 0.9
WEIGHT_DECAY = 5e-4
WARMUP_STEPS = 50
TOTAL_STEPS = 1000
MIN_LR_RATIO = 0.05
W1 = 1.0
W2 = 1.0
GRAD_CLIP = 10.0
EPSILON = 8.0 / 255.0
OT_STEPS = 1
STEP_SIZE = EPSILON
SINKHORN_REG = 0.01
SINKHORN_MAX_ITER = 100
SINKHORN_TOL = 1e-3


# ---- the network ---------------------------------------------------------

def new_detector(arch, class_names, seed):
    torch.manual_seed(seed)
    model = OtterDetector({"architecture": ARCHS[arch], "class_names": class_names,
                           "normalisation": IMAGENET})
    with torch.no_grad():
        # Otter's heads: the heatmap starts at log(0.1 / 0.9), the others at 0
        model.heatmap.out.bias.fill_(-2.19)
        model.size.out.bias.zero_()
        model.offset.out.bias.zero_()
    return model


def neck_of(model, images):
    """OtterDetector.forward up to the neck, which the OT step also needs."""
    levels = model.backbone((images - model.mean) / model.std)
    top = model.lateral4(levels[3])
    for i in (2, 1, 0):
        top = getattr(model, f"lateral{i + 1}")(levels[i]) + \
            F.interpolate(top, size=levels[i].shape[2:], mode="nearest")
    return model.smooth(top)


def heads_of(model, neck):
    return model.heatmap(neck), model.size(neck), model.offset(neck)


# ---- targets and loss ----------------------------------------------------

def gaussian_radius(h, w, min_overlap):
    b1 = h + w
    c1 = w * h * (1 - min_overlap) / (1 + min_overlap)
    r1 = (b1 + math.sqrt(b1 * b1 - 4 * c1)) / 2
    b2 = 2 * (h + w)
    c2 = (1 - min_overlap) * w * h
    r2 = (b2 + math.sqrt(b2 * b2 - 16 * c2)) / 2
    a3 = 4 * min_overlap
    b3 = -2 * min_overlap * (h + w)
    c3 = (min_overlap - 1) * w * h
    r3 = (b3 + math.sqrt(b3 * b3 - 4 * a3 * c3)) / 2
    return min(r1, r2, r3)


def build_targets(boxes, n, n_classes, out_h, out_w):
    """boxes: [image, x1, y1, x2, y2, class] in input pixels."""
    heat = torch.zeros(n, n_classes, out_h, out_w)
    hm = heat.numpy()
    index, size, offset = [], [], []
    for b, x1, y1, x2, y2, cls in boxes:
        w = (x2 - x1) / STRIDE
        h = (y2 - y1) / STRIDE
        if not (w > 0 and h > 0):
            continue
        cx = (x1 + x2) / 2.0 / STRIDE
        cy = (y1 + y2) / 2.0 / STRIDE
        ix = min(max(int(cx), 0), out_w - 1)
        iy = min(max(int(cy), 0), out_h - 1)
        radius = max(0, int(gaussian_radius(math.ceil(h), math.ceil(w), 0.7)))
        sigma = (2 * radius + 1) / 6.0
        plane = hm[b, cls]
        for y in range(max(0, iy - radius), min(out_h - 1, iy + radius) + 1):
            for x in range(max(0, ix - radius), min(out_w - 1, ix + radius) + 1):
                dx, dy = x - ix, y - iy
                v = math.exp(-(dx * dx + dy * dy) / (2 * sigma * sigma))
                plane[y, x] = max(plane[y, x], v)
        plane[iy, ix] = 1.0
        index.append(b * out_h * out_w + iy * out_w + ix)
        size.append((w, h))
        offset.append((cx - ix, cy - iy))
    return {"heatmap": heat, "n_objects": len(index),
            "index": torch.tensor(index, dtype=torch.long),
            "size": torch.tensor(size, dtype=torch.float32).view(-1, 2),
            "offset": torch.tensor(offset, dtype=torch.float32).view(-1, 2)}


def detection_loss(heads, targets, first, count):
    """Otter's detection_loss on images [first, first + count) of a pass."""
    heatmap, size, offset = heads
    logits = heatmap.narrow(0, first, count)
    gt = targets["heatmap"]
    p = torch.sigmoid(logits)
    pos = gt.eq(1.0).float()
    neg_weight = torch.pow(1 - gt, 4) * (1 - pos)
    pos_term = F.logsigmoid(logits) * torch.pow(1 - p, 2) * pos
    neg_term = F.logsigmoid(-logits) * torch.pow(p, 2) * neg_weight
    n_pos = max(1, targets["n_objects"])
    focal = -(pos_term.sum() + neg_term.sum()) / n_pos
    if targets["n_objects"] > 0:
        h, w = logits.shape[2], logits.shape[3]

        def gather(m):
            flat = m.narrow(0, first, count).permute(0, 2, 3, 1).reshape(count * h * w, 2)
            return flat.index_select(0, targets["index"])

        size_loss = F.l1_loss(gather(size), targets["size"], reduction="sum") / n_pos
        offset_loss = F.l1_loss(gather(offset), targets["offset"], reduction="sum") / n_pos
    else:
        size_loss = logits.new_zeros(())
        offset_loss = logits.new_zeros(())
    total = focal + SIZE_WEIGHT * size_loss + OFFSET_WEIGHT * offset_loss
    return total, focal, size_loss, offset_loss


# ---- optimal transport ---------------------------------------------------

def ot_vectors(neck):
    """The batch feature space: one mean neck vector per image, 1 × N × C."""
    return neck.mean((2, 3)).unsqueeze(0)


def ot_cost(a, b):
    an = a / a.norm(2, -1, True).clamp_min(1e-8)
    bn = b / b.norm(2, -1, True).clamp_min(1e-8)
    return (1 - torch.bmm(an, bn.transpose(1, 2))).clamp_min(0)


def sinkhorn_log(cost, reg, max_iter, tol):
    """Log-domain Sinkhorn for uniform marginals, batched over plans."""
    n, m = cost.shape[1], cost.shape[2]
    log_a = -math.log(n)
    log_b = -math.log(m)
    k = cost / -reg
    u = torch.full((cost.shape[0], n, 1), log_a)
    v = torch.zeros(cost.shape[0], 1, m)
    for _ in range(max_iter):
        v = log_b - torch.logsumexp(k + u, 1, True)
        row_lse = torch.logsumexp(k + v, 2, True)
        err = (torch.exp(u + row_lse) - math.exp(log_a)).abs().sum((1, 2)).max().item()
        if not math.isfinite(err) or err < tol:
            break
        u = log_a - row_lse
    return torch.exp(k + u + v)


def matching_distance(plan, cost):
    return (plan * cost).sum((1, 2)).mean()


# Timing draws the random start with torch.rand, as a PyTorch program
# would; --check draws Otter's own stream, so that the two steps start
# from the same point and can be compared number for number.
SAME_NOISE_AS_OTTER = False
MASK64 = (1 << 64) - 1


def mix64(z):
    """SplitMix64's output function on uint64 arrays (wrapping arithmetic)."""
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


def uniform_stream(seed, shape):
    """Otter's random start noise (otter-torch-ot.cpp, uniform_at): element
    i of the N × C × H × W tensor is SplitMix64 at point i + 1 of the
    sequence from mix64(seed), its top 24 bits over 2^24."""
    with np.errstate(over="ignore"):
        state = mix64(np.array([seed & MASK64], dtype=np.uint64))[0]
        index = np.arange(1, math.prod(shape) + 1, dtype=np.uint64)
        bits = mix64(state + index * np.uint64(0x9E3779B97F4A7C15)) >> np.uint64(40)
    return torch.from_numpy((bits.astype(np.float32) * np.float32(1.0 / 16777216.0)).reshape(shape))


def ot_perturbation(model, images, seed):
    """Otter's ot_target_perturbation with its default parameters."""
    was_training = model.training
    flags = [p.requires_grad for p in model.parameters()]
    model.eval()
    model.requires_grad_(False)
    try:
        with torch.no_grad():
            clean = ot_vectors(neck_of(model, images))
        if SAME_NOISE_AS_OTTER:
            uniform = uniform_stream(seed, images.shape)
        else:
            uniform = torch.rand(images.shape, generator=torch.Generator().manual_seed(seed))
        noise = (uniform * 2 - 1) * EPSILON
        adv = (images + noise).clamp(0, 1)
        for _ in range(OT_STEPS):
            adv.requires_grad_(True)
            cost = ot_cost(clean, ot_vectors(neck_of(model, adv)))
            with torch.no_grad():
                plan = sinkhorn_log(cost.detach(), SINKHORN_REG, SINKHORN_MAX_ITER, SINKHORN_TOL)
            d = matching_distance(plan, cost)
            grad, = torch.autograd.grad(d, adv)
            with torch.no_grad():
                adv = adv.detach() + STEP_SIZE * grad.sign()
                adv = torch.min(torch.max(adv, images - EPSILON), images + EPSILON).clamp(0, 1)
        return adv.detach()
    finally:
        for p, f in zip(model.parameters(), flags):
            p.requires_grad_(f)
        model.train(was_training)


# ---- the training step ---------------------------------------------------

def lr_at(step):
    if step < WARMUP_STEPS:
        return LR * (step + 1) / WARMUP_STEPS
    span = max(1, TOTAL_STEPS - WARMUP_STEPS)
    progress = min(max((step - WARMUP_STEPS) / span, 0.0), 1.0)
    floor = LR * MIN_LR_RATIO
    return floor + (LR - floor) * 0.5 * (1 + math.cos(math.pi * progress))


class Trainer:
    def __init__(self, model, n_classes, method):
        self.model = model
        self.n_classes = n_classes
        self.method = method
        decay = [p for p in model.parameters() if p.dim() > 1]
        no_decay = [p for p in model.parameters() if p.dim() <= 1]
        self.optimizer = torch.optim.AdamW(
            [{"params": decay, "weight_decay": WEIGHT_DECAY},
             {"params": no_decay, "weight_decay": 0.0}],
            lr=LR, betas=(BETA1, 0.999), eps=1e-8)
        self.step_count = 0

    def step(self, images, boxes, seed):
        model = self.model
        n, size = images.shape[0], images.shape[2]
        images = images.clone()
        targets = build_targets(boxes, n, self.n_classes, size // STRIDE, size // STRIDE)
        # Otter keeps the batch-norm statistics to undo a non-finite step
        saved = [b.clone() for b in model.buffers()]
        model.train()
        self.optimizer.zero_grad(set_to_none=False)
        result = {}
        if self.method == "standard":
            loss = detection_loss(heads_of(model, neck_of(model, images)), targets, 0, n)[0]
            result["l1"] = result["loss"] = loss.item()
        else:
            adv = ot_perturbation(model, images, seed)
            # one pass per batch, each differentiated before the next
            parts, vectors = [], []
            for batch, weight in ((images, W1), (adv, W2)):
                neck = neck_of(model, batch)
                part = detection_loss(heads_of(model, neck), targets, 0, n)[0]
                parts.append(part.item())
                vectors.append(ot_vectors(neck.detach()))
                if math.isfinite(parts[-1]):
                    (weight * part).backward()
            result["l1"], result["l2"] = parts
            result["loss"] = W1 * parts[0] + W2 * parts[1]
            with torch.no_grad():
                cost = ot_cost(vectors[0], vectors[1])
                plan = sinkhorn_log(cost, SINKHORN_REG, SINKHORN_MAX_ITER, SINKHORN_TOL)
                result["d"] = matching_distance(plan, cost).item()
        if not math.isfinite(result["loss"]):
            with torch.no_grad():
                for b, s in zip(model.buffers(), saved):
                    b.copy_(s)
            raise RuntimeError(f"the loss became {result['loss']}")
        if self.method == "standard":
            loss.backward()
        result["grad_norm"] = torch.nn.utils.clip_grad_norm_(model.parameters(), GRAD_CLIP).item()
        result["lr"] = lr_at(self.step_count)
        for group in self.optimizer.param_groups:
            group["lr"] = result["lr"]
        self.optimizer.step()
        self.optimizer.zero_grad(set_to_none=False)
        self.step_count += 1
        return result


# ---- batches -------------------------------------------------------------

def random_batch(n, size, n_classes, seed):
    gen = torch.Generator().manual_seed(seed)
    images = torch.rand(n, 3, size, size, generator=gen)
    boxes = []
    for b in range(n):
        for _ in range(int(torch.randint(1, 4, (1,), generator=gen))):
            w, h = (float(v) for v in torch.randint(size // 8, size // 2, (2,), generator=gen))
            x1 = float(torch.randint(0, size - int(w), (1,), generator=gen))
            y1 = float(torch.randint(0, size - int(h), (1,), generator=gen))
            boxes.append((b, x1, y1, x1 + w, y1 + h, int(torch.randint(0, n_classes, (1,), generator=gen))))
    return images, boxes


def load_batch(folder):
    with open(os.path.join(folder, "boxes.json")) as f:
        desc = json.load(f)
    n, size = desc["n"], desc["size"]
    with open(os.path.join(folder, "images.f32"), "rb") as f:
        raw = bytearray(f.read())
    images = torch.frombuffer(raw, dtype=torch.float32).reshape(n, 3, size, size).clone()
    boxes = [(int(b[0]), b[1], b[2], b[3], b[4], int(b[5])) for b in desc["boxes"]]
    return images, boxes, desc.get("classes", DEMO_CLASSES)


# ---- modes ---------------------------------------------------------------

def time_steps(method, arch, classes, images, boxes, reps):
    model = new_detector(arch, classes, 1)
    trainer = Trainer(model, len(classes), method)
    trainer.step(images, boxes, 0)          # warm-up: first calls allocate
    times = []
    for i in range(reps):
        t0 = time.perf_counter()
        trainer.step(images, boxes, i + 1)
        times.append((time.perf_counter() - t0) * 1000.0)
    return statistics.median(times)


def check(folder):
    global SAME_NOISE_AS_OTTER
    SAME_NOISE_AS_OTTER = True
    with open(os.path.join(folder, "model.json")) as f:
        meta = json.load(f)
    with open(os.path.join(folder, "otter.json")) as f:
        otter = json.load(f)
    images, boxes, _ = load_batch(folder)
    classes = meta["class_names"]
    model = OtterDetector(meta)
    model.load_state_dict(torch.load(os.path.join(folder, "model.pth"), map_location="cpu", weights_only=True), strict=True)
    n_params = sum(p.numel() for p in model.parameters())
    n, size = images.shape[0], images.shape[2]
    targets = build_targets(boxes, n, len(classes), size // STRIDE, size // STRIDE)

    model.eval()
    with torch.no_grad():
        heads = heads_of(model, neck_of(model, images))
        same_forward = all(torch.equal(a, b) for a, b in zip(heads, model(images)))
        parts = [v.item() for v in detection_loss(heads, targets, 0, n)]
    shapes = [list(h.shape) for h in heads]

    trainer = Trainer(model, len(classes), "standard")
    trainer.step_count = otter["step"]["step"]
    step = trainer.step(images, boxes, 0)
    after = torch.load(os.path.join(folder, "after.pth"), map_location="cpu", weights_only=True)
    mine = model.state_dict()
    lr = otter["step"]["lr"]
    worst_param, worst_buffer = 0.0, 0.0
    close, count = 0, 0
    for name, p in model.named_parameters():
        diff = (mine[name] - after[name]).abs()
        worst_param = max(worst_param, diff.max().item())
        close += int((diff <= 0.01 * lr).sum())
        count += diff.numel()
    for name, b in model.named_buffers():
        if b.is_floating_point() and name in after:
            worst_buffer = max(worst_buffer, (mine[name] - after[name]).abs().max().item())

    # one ot step from the same weights, its random start drawn from Otter's seed
    model = OtterDetector(meta)
    model.load_state_dict(torch.load(os.path.join(folder, "model.pth"), map_location="cpu", weights_only=True), strict=True)
    ot = Trainer(model, len(classes), "ot").step(images, boxes, otter["ot_step"]["seed"])
    theirs = otter["ot_step"]

    def rel(a, b):
        return abs(a - b) / max(abs(b), 1e-12)

    loss_names = ("total", "focal", "size", "offset")
    worst_loss = max(rel(parts[i], otter["eval"][k]) for i, k in enumerate(loss_names))
    ok = (n_params == otter["n_params"] and worst_loss < 1e-4 and rel(step["l1"], otter["step"]["l1"]) < 1e-4
          and rel(step["grad_norm"], otter["step"]["grad_norm"]) < 1e-3 and worst_buffer < 1e-4
          and close >= 0.99 * count and same_forward
          and all(rel(ot[k], theirs[k]) < 1e-2 for k in ("l1", "l2", "d", "grad_norm")))
    print(f"twin check {'ok' if ok else 'FAILED'}: {n_params} parameters (Otter {otter['n_params']}), "
          f"heads {shapes}; eval loss {parts[0]:.6f} (Otter {otter['eval']['total']:.6f}; "
          f"worst relative difference of its parts {worst_loss:.2g}); one standard step: "
          f"loss {step['l1']:.6f} (Otter {otter['step']['l1']:.6f}), gradient norm {step['grad_norm']:.5f} "
          f"(Otter {otter['step']['grad_norm']:.5f}), weights after it within 1% of lr for "
          f"{100.0 * close / count:.2f}% (largest difference {worst_param:.3g}, lr {lr:.3g}), "
          f"batch-norm statistics within {worst_buffer:.2g}; one ot step: L1 {ot['l1']:.6f} "
          f"(Otter {theirs['l1']:.6f}), L2 {ot['l2']:.6f} (Otter {theirs['l2']:.6f}), "
          f"D {ot['d']:.5g} (Otter {theirs['d']:.5g}), gradient norm {ot['grad_norm']:.5f} "
          f"(Otter {theirs['grad_norm']:.5f})")
    return 0 if ok else 1


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--threads", type=int, default=os.cpu_count())
    p.add_argument("--reps", type=int, default=7)
    p.add_argument("--size", type=int, default=96)
    p.add_argument("--batch", type=int, default=16)
    p.add_argument("--arch", choices=sorted(ARCHS), default="tiny")
    p.add_argument("--data", metavar="DIR", help="take the batch from DIR instead of random images")
    p.add_argument("--check", metavar="DIR", help="compare with Otter's numbers in DIR")
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    if a.check:
        return check(a.check)
    if a.data:
        images, boxes, classes = load_batch(a.data)
    else:
        classes = DEMO_CLASSES
        images, boxes = random_batch(a.batch, a.size, len(classes), 0)
    standard = time_steps("standard", a.arch, classes, images, boxes, a.reps)
    ot = time_steps("ot", a.arch, classes, images, boxes, a.reps)
    print(json.dumps({"standard_ms": round(standard, 3), "ot_ms": round(ot, 3),
                      "threads": torch.get_num_threads(), "torch": torch.__version__}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
