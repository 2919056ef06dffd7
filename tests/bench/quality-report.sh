#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# tests/bench/quality-report.sh: standard vs OT training on the raccoon photos
#
#   tests/bench/quality-report.sh [OUT_DIR]
#
# Trains `standard` and `ot` from scratch on the raccoon set's training split
# (data/train_labels.csv, 160 photos) and evaluates the last checkpoint of
# each (its moving-average weights) on the 40 held-out photos
# (data/test_labels.csv), clean and under FGSM, PGD-10, PGD-50 with 5
# restarts and the OT attack. Prints one Markdown table and every command it
# ran. Takes about two hours on two cores; run by hand, not in CI.
#
# Settings (environment): ARCH [small], EPOCHS [120], SIZE [320],
# METHODS ["standard ot"], ATTACKS [none,fgsm,pgd,pgd50,ot], OTTER_CLI,
# RACCOON (the dataset folder) and EXTRA (more train options).
set -eu

cd "$(dirname "$0")/../.."
OUT=${1:-_quality}
ARCH=${ARCH:-small}
EPOCHS=${EPOCHS:-120}
SIZE=${SIZE:-320}
METHODS=${METHODS:-standard ot}
ATTACKS=${ATTACKS:-none,fgsm,pgd,pgd50,ot}
OTTER_CLI=${OTTER_CLI:-_build/src/cli/otter-cli}
RACCOON=${RACCOON:-../shared/datasets/raccoon}
EXTRA=${EXTRA:-}
TRAIN="$RACCOON/data/train_labels.csv"
TEST="$RACCOON/data/test_labels.csv"

[ -x "$OTTER_CLI" ] || { echo "build first: $OTTER_CLI is missing" >&2; exit 1; }
[ -f "$TRAIN" ] || { echo "the raccoon set is not at $RACCOON" >&2; exit 1; }
mkdir -p "$OUT"
: > "$OUT/commands.txt"

run () {
  echo "\$ $*" | tee -a "$OUT/commands.txt" >&2
  "$@"
}

for method in $METHODS; do
  dir="$OUT/$method"
  rm -rf "$dir"
  start=$(date +%s)
  # τ so low that the run uses its whole epoch budget: the comparison is at
  # equal training, not at equal loss.
  run "$OTTER_CLI" train --data "$TRAIN" --val "$TEST" --method "$method" --arch "$ARCH" \
      --input-size "$SIZE" --epochs "$EPOCHS" --loss-threshold 0.001 --run-dir "$dir" \
      $EXTRA --json > "$dir.train.json" 2> "$dir.train.log" || true
  end=$(date +%s)
  echo $((end - start)) > "$dir.seconds"
  run "$OTTER_CLI" eval --model "$dir/checkpoints/last.ckpt" --data "$TEST" \
      --attack "$ATTACKS" --json > "$dir.eval.json" 2> "$dir.eval.log"
done

python3 - "$OUT" "$ATTACKS" $METHODS <<'EOF'
import json, sys
out, attacks, methods = sys.argv[1], sys.argv[2].split(","), sys.argv[3:]
names = {"none": "clean", "fgsm": "FGSM", "pgd": "PGD-10", "pgd50": "PGD-50×5", "ot": "OT"}
print("| method | " + " | ".join(names.get(a, a) + " mAP@0.5" for a in attacks) + " | training time |")
print("|---|" + "---|" * (len(attacks) + 1))
for m in methods:
    r = json.load(open(f"{out}/{m}.eval.json"))["attacks"]
    seconds = int(open(f"{out}/{m}.seconds").read())
    cells = [f"{r[a]['map50']:.3f}" if r.get(a, {}).get("map50") is not None else "–" for a in attacks]
    print(f"| {m} | " + " | ".join(cells) + f" | {seconds // 60} min |")
print()
print("Commands:")
print(open(f"{out}/commands.txt").read())
EOF
