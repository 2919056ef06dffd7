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
expect "English by default" "$(LC_ALL=C.UTF-8 LANGUAGE= "$cli" --help 2>&1)" "Usage: otter-cli"
exit $status
