#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# check-cli-lang.sh OTTER_CLI LOCALEDIR: otter-cli's help and its errors come
# out in Simplified Chinese under LANGUAGE=zh_CN with the catalogue built in
# LOCALEDIR, and stay English without it.
set -u

cli=$1
export OTTER_LOCALEDIR=$2
status=0

expect () {  # expect DESCRIPTION TEXT WORD
  if printf '%s' "$2" | grep -q -- "$3"; then
    echo "ok: $1"
  else
    echo "FAIL: $1: no “$3” in:" >&2
    printf '%s\n' "$2" >&2
    status=1
  fi
}

zh () { LANGUAGE=zh_CN LC_ALL=C.UTF-8 "$cli" "$@" 2>&1; }

expect "otter-cli --help" "$(zh --help)" "用法"
expect "otter-cli --help lists the commands in Chinese" "$(zh --help)" "训练检测器"
expect "otter-cli train --help" "$(zh train --help)" "收敛阈值"
expect "otter-cli eval --help" "$(zh eval --help)" "模型文件"
expect "otter-cli weights --help" "$(zh weights --help)" "操作"
expect "unknown command" "$(zh frobnicate)" "未知命令"
expect "bad option" "$(zh train --no-such-option)" "（参见 --help）"
expect "weights list with an argument" "$(zh weights list extra)" "不接受参数"
# Without LANGUAGE the same binary stays English.
en () { LC_ALL=C.UTF-8 LANGUAGE='' "$cli" "$@" 2>&1; }
expect "English by default" "$(en --help)" "Usage: otter-cli"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# The engine's errors (src/core, src/torch) reach the CLI in the user's
# language: a file that is not a model, a dataset that does not exist.
printf 'not a model\n' > "$tmp/fake.otter"
expect "model file error from the engine" "$(zh eval --model "$tmp/fake.otter" --data demo:4)" \
  "不是 Otter 模型文件"
expect "model file error stays English" "$(en eval --model "$tmp/fake.otter" --data demo:4)" \
  "is not an Otter model file"
expect "dataset error from the trainer" "$(zh train --data "$tmp/missing" --epochs 1 --run-dir "$tmp/run0")" \
  "失败：.*没有这个文件或文件夹"
expect "dataset error stays English" "$(en train --data "$tmp/missing" --epochs 1 --run-dir "$tmp/run1")" \
  "failed: .*: no such file or folder"

# Progress and result lines: one epoch on 8 tiny demo images (a second or
# two), which cannot converge, so the summary is the "not converged" one.
tiny="--data demo:8 --epochs 1 --batch-size 4 --input-size 32 --method standard --threads 1"
# shellcheck disable=SC2086 # $tiny is a list of options
out=$(zh train $tiny --run-dir "$tmp/run-zh" --json < /dev/null)
expect "epoch line" "$out" "轮次 1：平均损失"
expect "training summary" "$out" "已停止，未收敛：1 个轮次内未达到 τ"
expect "run folder line" "$out" "  运行："
# --json keeps its English member names and values under zh_CN, for scripts.
expect "--json stays machine-readable" "$out" '"status" : "not-converged"'
# shellcheck disable=SC2086
out=$(en train $tiny --run-dir "$tmp/run-en" < /dev/null)
expect "epoch line stays English" "$out" "^epoch 1: mean loss "
expect "training summary stays English" "$out" "stopped, not converged: 1 epoch without reaching τ"
expect "run folder line stays English" "$out" "^  run: "
exit $status
