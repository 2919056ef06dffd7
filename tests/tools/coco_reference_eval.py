#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
# coco_reference_eval.py: independent NumPy reference for tests/test-metrics.c
#
# pycocotools is not installable here, so this re-implements what
# COCOeval.evaluate() + accumulate() do for iouType 'bbox', area range 'all',
# written from the algorithm's description:
#
#   * per (image, category): detections sorted by descending score with a
#     stable sort and cut to maxDets; truths sorted with non-crowd first
#     (stable); box IoU on continuous xywh boxes, where a crowd truth uses
#     intersection over the detection's area;
#   * for each IoU threshold t, each detection in turn takes the unmatched
#     non-crowd truth with the highest IoU >= t (a later truth wins a tie);
#     only when none qualifies may it fall on a crowd truth (IoU >= t, which can
#     be matched again and again), and then it is ignored;
#   * per category: detections of all images (in image-id order) stably sorted
#     by descending score, cumulative TP/FP with ignored ones counting as
#     neither, precision tp / (tp + fp + eps), made monotone from the right,
#     sampled at recall thresholds linspace(0, 1, 101) with
#     searchsorted(side='left'); samples past the last recall are 0;
#   * AP of a category = mean over IoU thresholds and recall samples; a
#     category without non-crowd truth has none and is left out of the mean.
#
# It also computes Pascal VOC all-point AP at IoU >= 0.5 with the rules of
# otter-metrics.h: greedy matching, in descending score order, to the best-IoU
# unmatched non-crowd truth; otherwise a crowd truth with intersection over
# prediction area >= 0.5 makes the prediction ignored; otherwise it is a FP.
# No maxDets cut.
#
# The predictions are synthetic but deterministic (seeded): jittered truth
# boxes with class swaps, misses, duplicates, false positives, hits inside
# crowd regions, and one image flooded past maxDets.
#
#   /usr/bin/python3 tests/tools/coco_reference_eval.py \
#     --gt ../shared/datasets/coco128/annotations/instances_coco128.json \
#     --out tests/fixtures/metrics/coco128-reference.json
#   /usr/bin/python3 tests/tools/coco_reference_eval.py --self-test

import argparse
import json
import math
import sys
from collections import defaultdict

import numpy as np

SEED = 20240607
MAX_DETS = 100
IOU_THRS = np.linspace(.5, 0.95, int(np.round((0.95 - .5) / .05)) + 1, endpoint=True)
REC_THRS = np.linspace(.0, 1.00, int(np.round((1.00 - .0) / .01)) + 1, endpoint=True)
EPS = np.spacing(1)


def box_iou(dets, gts, crowd):
    """IoU matrix (D, G) of xywh boxes; crowd truths use the detection area."""
    d = np.asarray(dets, dtype=np.float64).reshape(-1, 4)
    g = np.asarray(gts, dtype=np.float64).reshape(-1, 4)
    crowd = np.asarray(crowd, dtype=bool).reshape(-1)
    iw = (np.minimum(d[:, None, 0] + d[:, None, 2], g[None, :, 0] + g[None, :, 2])
          - np.maximum(d[:, None, 0], g[None, :, 0]))
    ih = (np.minimum(d[:, None, 1] + d[:, None, 3], g[None, :, 1] + g[None, :, 3])
          - np.maximum(d[:, None, 1], g[None, :, 1]))
    ok = (iw > 0) & (ih > 0)
    inter = np.where(ok, iw * ih, 0.0)
    da = (d[:, 2] * d[:, 3])[:, None]
    ga = (g[:, 2] * g[:, 3])[None, :]
    union = np.where(crowd[None, :], da, da + ga - inter)
    with np.errstate(divide='ignore', invalid='ignore'):
        return np.where(ok, inter / union, 0.0)


def match(ious, crowd, thr, matched):
    """Index of the truth a detection takes at threshold thr, or -1."""
    best = min(thr, 1 - 1e-10)
    m = -1
    for gi in range(len(crowd)):
        if matched[gi] and not crowd[gi]:
            continue
        # truths are ordered non-crowd first: a real match beats any crowd
        if m > -1 and not crowd[m] and crowd[gi]:
            break
        if ious[gi] < best:
            continue
        best = ious[gi]
        m = gi
    return m


def group(gt, dets):
    """(image, category) -> truths and detections, in file order."""
    gts = defaultdict(list)
    dts = defaultdict(list)
    for a in gt['annotations']:
        gts[a['image_id'], a['category_id']].append(a)
    for d in dets:
        dts[d['image_id'], d['category_id']].append(d)
    return gts, dts


def coco_evaluate_image(gts, dts, max_dets):
    """Per-threshold match states of one (image, category), or None."""
    if not gts and not dts:
        return None
    g_order = np.argsort([int(bool(g['iscrowd'])) for g in gts], kind='mergesort')
    gts = [gts[i] for i in g_order]
    d_order = np.argsort([-d['score'] for d in dts], kind='mergesort')
    dts = [dts[i] for i in d_order[:max_dets]]
    crowd = [bool(g['iscrowd']) for g in gts]
    n_t, n_d = len(IOU_THRS), len(dts)
    tp = np.zeros((n_t, n_d), dtype=bool)
    ign = np.zeros((n_t, n_d), dtype=bool)
    if gts and dts:
        ious = box_iou([d['bbox'] for d in dts], [g['bbox'] for g in gts], crowd)
        for ti, thr in enumerate(IOU_THRS):
            matched = [False] * len(gts)
            for di in range(n_d):
                m = match(ious[di], crowd, thr, matched)
                if m == -1:
                    continue
                matched[m] = True
                ign[ti, di] = crowd[m]
                tp[ti, di] = not crowd[m]
    return {
        'scores': np.array([d['score'] for d in dts], dtype=np.float64),
        'tp': tp,
        'ignored': ign,
        'n_truths': sum(1 for c in crowd if not c),
    }


def coco_accumulate(evals):
    """precision[T, R] of one category from its per-image evaluations."""
    evals = [e for e in evals if e is not None]
    if not evals:
        return None
    npig = sum(e['n_truths'] for e in evals)
    if npig == 0:
        return None
    scores = np.concatenate([e['scores'] for e in evals])
    order = np.argsort(-scores, kind='mergesort')
    tp = np.concatenate([e['tp'] for e in evals], axis=1)[:, order]
    ign = np.concatenate([e['ignored'] for e in evals], axis=1)[:, order]
    fp = ~tp & ~ign
    tp_sum = np.cumsum(tp, axis=1).astype(np.float64)
    fp_sum = np.cumsum(fp, axis=1).astype(np.float64)
    precision = np.zeros((len(IOU_THRS), len(REC_THRS)))
    for ti in range(len(IOU_THRS)):
        tps, fps = tp_sum[ti], fp_sum[ti]
        nd = len(tps)
        rc = tps / npig
        pr = tps / (fps + tps + EPS)
        for i in range(nd - 1, 0, -1):
            pr[i - 1] = max(pr[i - 1], pr[i])
        idx = np.searchsorted(rc, REC_THRS, side='left')
        q = np.zeros(len(REC_THRS))
        ok = idx < nd
        q[ok] = pr[idx[ok]]
        precision[ti] = q
    return precision


def voc_ap_all_point(rec, prec):
    """Area under the precision envelope at every recall change (VOC2010+)."""
    mrec = np.concatenate(([0.0], rec, [1.0]))
    mpre = np.concatenate(([0.0], prec, [0.0]))
    for i in range(len(mpre) - 1, 0, -1):
        mpre[i - 1] = max(mpre[i - 1], mpre[i])
    i = np.where(mrec[1:] != mrec[:-1])[0]
    return float(np.sum((mrec[i + 1] - mrec[i]) * mpre[i + 1]))


def voc_evaluate_category(gts_by_img, dets):
    """VOC all-point AP@0.5 of one category; dets in (image id, file) order."""
    npos = sum(1 for gs in gts_by_img.values() for g in gs if not g['iscrowd'])
    if npos == 0:
        return None
    order = np.argsort([-d['score'] for d in dets], kind='mergesort')
    matched = {img: [False] * len(gs) for img, gs in gts_by_img.items()}
    tp, fp = [], []
    for di in order:
        d = dets[di]
        gs = gts_by_img.get(d['image_id'], [])
        state = 0  # 0 FP, 1 TP, 2 ignored
        if gs:
            crowd = [bool(g['iscrowd']) for g in gs]
            # the devkit: the truth of highest IoU, matched or not, with
            # "difficult" (crowd) boxes compared by plain IoU too
            ious = box_iou([d['bbox']], [g['bbox'] for g in gs], [False] * len(gs))[0]
            m = int(np.argmax(ious))
            if ious[m] >= 0.5:
                if crowd[m]:
                    state = 2
                elif not matched[d['image_id']][m]:
                    matched[d['image_id']][m] = True
                    state = 1
        if state != 2:
            tp.append(state == 1)
            fp.append(state == 0)
    tp = np.cumsum(np.array(tp, dtype=np.float64))
    fp = np.cumsum(np.array(fp, dtype=np.float64))
    rec = tp / npos
    prec = tp / np.maximum(tp + fp, np.finfo(np.float64).eps)
    return voc_ap_all_point(rec, prec)


def evaluate(gt, dets, max_dets=MAX_DETS):
    """Per-category and overall COCO AP, COCO AP50 (101-point) and VOC AP50."""
    cat_ids = sorted(c['id'] for c in gt['categories'])
    img_ids = sorted(i['id'] for i in gt['images'])
    known = set(img_ids)
    assert all(d['image_id'] in known for d in dets)
    # file order within an image, images in id order: what COCO's
    # getAnnIds(imgIds=sorted ids) hands to the evaluation
    rank = {i: n for n, i in enumerate(img_ids)}
    dets = [d for _, d in sorted(enumerate(dets),
                                 key=lambda p: (rank[p[1]['image_id']], p[0]))]
    gts, dts = group(gt, dets)
    per_class = []
    for c in cat_ids:
        evals = [coco_evaluate_image(gts.get((i, c), []), dts.get((i, c), []), max_dets)
                 for i in img_ids]
        precision = coco_accumulate(evals)
        gts_by_img = {i: gts[i, c] for i in img_ids if (i, c) in gts}
        voc = voc_evaluate_category(gts_by_img, [d for i in img_ids for d in dts.get((i, c), [])])
        n_truths = sum(1 for gs in gts_by_img.values() for g in gs if not g['iscrowd'])
        per_class.append({
            'category_id': c,
            'n_truths': n_truths,
            'ap': None if precision is None else float(np.mean(precision)),
            'ap50_coco101': None if precision is None else float(np.mean(precision[0])),
            'ap50_voc': voc,
        })

    def mean(key):
        v = [p[key] for p in per_class if p[key] is not None]
        return float(np.mean(v)) if v else None

    return {
        'map': mean('ap'),
        'map50_coco101': mean('ap50_coco101'),
        'map50_voc': mean('ap50_voc'),
        'per_class': per_class,
    }


def synth_predictions(gt, seed=SEED):
    """Deterministic detections derived from the truths."""
    rng = np.random.default_rng(seed)
    images = sorted(gt['images'], key=lambda i: i['id'])
    by_img = defaultdict(list)
    for a in gt['annotations']:
        by_img[a['image_id']].append(a)
    present = sorted({a['category_id'] for a in gt['annotations'] if not a['iscrowd']})
    flood = max(images, key=lambda i: sum(1 for a in by_img[i['id']]
                                          if a['category_id'] == 1))['id']
    dets = []

    def add(img, cat, x1, y1, x2, y2, score):
        x1, x2 = np.clip([x1, x2], 0, img['width'])
        y1, y2 = np.clip([y1, y2], 0, img['height'])
        if x2 - x1 < 1 or y2 - y1 < 1:
            return
        x1, y1 = round(float(x1), 2), round(float(y1), 2)
        dets.append({'image_id': img['id'], 'category_id': int(cat),
                     'bbox': [x1, y1, round(float(x2) - x1, 2), round(float(y2) - y1, 2)],
                     'score': round(float(np.clip(score, 0.001, 0.999)), 3)})

    for img in images:
        for a in by_img[img['id']]:
            x, y, w, h = a['bbox']
            if a['iscrowd']:
                # small boxes inside the crowd region: low IoU, full overlap
                for _ in range(2):
                    sw, sh = w * rng.uniform(0.1, 0.5), h * rng.uniform(0.1, 0.5)
                    sx, sy = x + rng.uniform(0, w - sw), y + rng.uniform(0, h - sh)
                    add(img, a['category_id'], sx, sy, sx + sw, sy + sh, rng.uniform(0.05, 0.95))
                continue
            if rng.random() < 0.12:
                continue  # missed
            copies = 2 if rng.random() < 0.1 else 1
            score = 0.0
            for k in range(copies):
                s = rng.choice([0.02, 0.06, 0.12, 0.25])
                j = rng.normal(0.0, s, 4) * [w, h, w, h]
                cat = a['category_id']
                if rng.random() < 0.08:
                    cat = rng.choice(present)
                if k == 0:
                    score = 0.3 + 0.6 * rng.random() - s + 0.1 * rng.normal()
                else:
                    score *= rng.uniform(0.3, 0.95)  # a duplicate, usually lower
                add(img, cat, x + j[0], y + j[1], x + w + j[2], y + h + j[3], score)
        for _ in range(rng.poisson(1.5)):
            bw = rng.uniform(8, img['width'] / 2)
            bh = rng.uniform(8, img['height'] / 2)
            bx = rng.uniform(0, img['width'] - bw)
            by = rng.uniform(0, img['height'] - bh)
            add(img, rng.choice(present), bx, by, bx + bw, by + bh, rng.uniform(0, 0.6))
        if img['id'] == flood:
            # more confident person boxes than maxDets keeps: pushes this
            # image's real hits out of COCO's top 100 (VOC keeps them)
            for _ in range(MAX_DETS):
                bw = rng.uniform(8, img['width'] / 4)
                bh = rng.uniform(8, img['height'] / 4)
                bx = rng.uniform(0, img['width'] - bw)
                by = rng.uniform(0, img['height'] - bh)
                add(img, 1, bx, by, bx + bw, by + bh, rng.uniform(0.9, 0.999))
    return dets


def threshold_margin(gt, dets):
    """Smallest |IoU - t| over all same-class pairs: how far from a tie."""
    gts, dts = group(gt, dets)
    margin = math.inf
    thrs = np.concatenate((IOU_THRS, [0.5]))
    for key, ds in dts.items():
        gs = gts.get(key, [])
        if not gs:
            continue
        ious = box_iou([d['bbox'] for d in ds], [g['bbox'] for g in gs],
                       [g['iscrowd'] for g in gs])
        margin = min(margin, float(np.min(np.abs(ious[..., None] - thrs))))
    return margin


def self_test():
    """The hand-computed cases of tests/test-metrics.c, through this script."""
    def gtset(boxes):
        anns = [{'id': n + 1, 'image_id': b[0], 'category_id': b[1], 'iscrowd': b[2],
                 'bbox': [b[3], b[4], b[5] - b[3], b[6] - b[4]], 'area': 1.0}
                for n, b in enumerate(boxes)]
        imgs = sorted({b[0] for b in boxes} | {0, 1})
        return {'images': [{'id': i} for i in imgs],
                'categories': [{'id': 0}, {'id': 1}], 'annotations': anns}

    def dets(rows):
        return [{'image_id': r[0], 'category_id': r[1], 'score': r[6],
                 'bbox': [r[2], r[3], r[4] - r[2], r[5] - r[3]]} for r in rows]

    one = 1 / (1 + EPS)
    cases = [
        # truths (img, cls, crowd, x1, y1, x2, y2), preds (img, cls, x1, y1, x2, y2, score)
        ('fp above tp', [(0, 0, 0, 0, 0, 10, 10)],
         [(0, 0, 50, 50, 60, 60, .9), (0, 0, 0, 0, 10, 10, .8)], 0.5, 0.5),
        ('missed truth', [(0, 0, 0, 0, 0, 10, 10), (0, 0, 0, 20, 20, 30, 30)],
         [(0, 0, 0, 0, 10, 10, .9)], 0.5, 51 / 101 * one),
        ('duplicate', [(0, 0, 0, 0, 0, 10, 10), (0, 0, 0, 20, 20, 30, 30)],
         [(0, 0, 0, 0, 10, 10, .9), (0, 0, 0, 0, 10, 10, .8), (0, 0, 20, 20, 30, 30, .7)],
         5 / 6, (51 * one + 50 * 2 / 3) / 101),
        ('crowd', [(0, 0, 0, 0, 0, 10, 10), (0, 0, 1, 100, 0, 200, 100)],
         [(0, 0, 110, 10, 130, 30, .9), (0, 0, 150, 50, 190, 90, .85),
          (0, 0, 0, 0, 10, 10, .8)], 1 / 3, one),
        ('real truth inside crowd', [(0, 0, 0, 0, 0, 10, 10), (0, 0, 1, 100, 0, 200, 100),
                                     (0, 0, 0, 120, 60, 140, 80)],
         [(0, 0, 120, 60, 140, 80, .9), (0, 0, 0, 0, 10, 10, .8)], 1.0, 1.0),
        ('iou 0.5', [(0, 0, 0, 0, 0, 10, 10)], [(0, 0, 0, 0, 10, 5, .9)], 1.0, 0.1 * one),
        ('iou 0.7', [(0, 0, 0, 0, 0, 100, 100)], [(0, 0, 0, 0, 100, 70, .9)], 1.0, 0.5 * one),
        ('duplicate of the best truth', [(0, 0, 0, 0, 0, 10, 10), (0, 0, 0, 2, 0, 12, 10)],
         [(0, 0, 0, 0, 10, 10, .9), (0, 0, 0.5, 0, 10.5, 10, .8)],
         0.5, 0.5 + 0.5 * 51 / 101 * one),
        ('tie, lower image first', [(1, 0, 0, 0, 0, 10, 10)],
         [(0, 0, 0, 0, 10, 10, .5), (1, 0, 0, 0, 10, 10, .5)], 0.5, 0.5),
        ('tie, lower image first (2)', [(0, 0, 0, 0, 0, 10, 10)],
         [(1, 0, 0, 0, 10, 10, .5), (0, 0, 0, 0, 10, 10, .5)], 1.0, one),
    ]
    cases.append(('recall sample 0.35000000000000003',
                  [(0, 0, 0, 20 * i, 0, 20 * i + 10, 10) for i in range(20)],
                  [(0, 0, 20 * i, 0, 20 * i + 10, 10, 0.9 - 0.1 * i) for i in range(7)],
                  0.35, 35 / 101))
    ok = True
    for name, t, p, voc, coco in cases:
        r = evaluate(gtset(t), dets(p))['per_class'][0]
        good = abs(r['ap50_voc'] - voc) < 1e-12 and abs(r['ap'] - coco) < 1e-12
        ok &= good
        print(f"{'ok ' if good else 'BAD'} {name}: voc {r['ap50_voc']!r} (want {voc!r}), "
              f"coco {r['ap']!r} (want {coco!r})")
    r = evaluate(gtset([(0, 0, 0, 0, 0, 10, 10)] * 1), dets([(0, 0, 0, 0, 10, 10, .9),
                                                             (0, 0, 50, 50, 60, 60, .8),
                                                             (0, 0, 70, 70, 80, 80, .7)]),
                 max_dets=2)['per_class'][0]
    good = abs(r['ap'] - one) < 1e-12 and abs(r['ap50_voc'] - 1.0) < 1e-12
    ok &= good
    print(f"{'ok ' if good else 'BAD'} maxDets keeps the top: {r['ap']!r}")
    r = evaluate(gtset([(0, 0, 0, 0, 0, 10, 10)]), dets([(0, 0, 50, 50, 60, 60, .9),
                                                         (0, 0, 70, 70, 80, 80, .8),
                                                         (0, 0, 0, 0, 10, 10, .7)]),
                 max_dets=2)['per_class'][0]
    good = r['ap'] == 0.0 and abs(r['ap50_voc'] - 1 / 3) < 1e-12
    ok &= good
    print(f"{'ok ' if good else 'BAD'} maxDets drops the hit: coco {r['ap']!r}, voc {r['ap50_voc']!r}")
    return ok


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument('--gt', help='COCO instances json')
    ap.add_argument('--out', help='fixture to write')
    ap.add_argument('--seed', type=int, default=SEED)
    ap.add_argument('--self-test', action='store_true')
    args = ap.parse_args()
    if args.self_test:
        return 0 if self_test() else 1
    if not args.gt or not args.out:
        ap.error('--gt and --out are required (or --self-test)')

    with open(args.gt) as f:
        gt = json.load(f)
    dets = synth_predictions(gt, args.seed)
    ref = evaluate(gt, dets)
    margin = threshold_margin(gt, dets)
    fixture = {
        'command': ' '.join(['/usr/bin/python3', 'tests/tools/coco_reference_eval.py',
                             '--gt', '../shared/datasets/coco128/annotations/instances_coco128.json',
                             '--out', 'tests/fixtures/metrics/coco128-reference.json']
                            + ([] if args.seed == SEED else ['--seed', str(args.seed)])),
        'generator': 'tests/tools/coco_reference_eval.py (NumPy re-implementation of '
                     'COCOeval evaluate/accumulate, bbox, area all; VOC all-point @0.5)',
        'ground_truth': 'coco128/annotations/instances_coco128.json',
        'seed': args.seed,
        'max_dets': MAX_DETS,
        'iou_thresholds': [float(t) for t in IOU_THRS],
        'min_iou_threshold_margin': margin,
        'prediction_fields': ['image_id', 'category_id', 'x', 'y', 'w', 'h', 'score'],
        'predictions': [[d['image_id'], d['category_id']] + d['bbox'] + [d['score']] for d in dets],
        'reference': ref,
    }
    # one prediction per line keeps the fixture small and diffable
    rows = fixture.pop('predictions')
    text = json.dumps(fixture, indent=1)
    rows = ',\n  '.join(json.dumps(r, separators=(',', ':')) for r in rows)
    text = text[:-2] + ',\n "predictions": [\n  ' + rows + '\n ]\n}\n'
    json.loads(text)
    with open(args.out, 'w') as f:
        f.write(text)
    n_crowd = sum(1 for a in gt['annotations'] if a['iscrowd'])
    print(f"{len(dets)} predictions, {len(gt['annotations'])} truths ({n_crowd} crowd), "
          f"min |IoU - threshold| {margin:.3g}")
    print(f"map {ref['map']!r}  map50_voc {ref['map50_voc']!r}  "
          f"map50_coco101 {ref['map50_coco101']!r}")
    return 0


if __name__ == '__main__':
    sys.exit(main())
