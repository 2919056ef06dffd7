#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# run.sh [MINUTES] [HARNESS…]: fuzzes each harness (default: all) for
# MINUTES (default 10), one after the other, then merges what it found
# into tests/fuzz/corpus/HARNESS/.
#
# Configures _build-fuzz with clang and -Dfuzzing=true when it is not
# there yet. New inputs and crashes go to _build-fuzz/fuzz-scratch/HARNESS/
# (new/, artifacts/, log). OTTER_FUZZ_ARGS adds libFuzzer options, e.g.
# "-fork=1 -ignore_crashes=1" to keep going after a crash.
set -eu

minutes=${1:-10}
[ $# -gt 0 ] && shift
harnesses=${*:-voc coco yolo csv image run model}

src=$(cd "$(dirname "$0")/../.." && pwd)
build=${OTTER_FUZZ_BUILD:-$src/_build-fuzz}
scratch=$build/fuzz-scratch

if [ ! -f "$build/build.ninja" ]; then
  CC=clang CXX=clang++ nice -n 10 meson setup "$build" "$src" -Dfuzzing=true -Dgui=disabled
fi
targets=
for h in $harnesses; do
  targets="$targets tests/fuzz/fuzz-$h"
done
# shellcheck disable=SC2086
nice -n 10 ninja -C "$build" $targets

# The harnesses write a dataset folder per input: memory is faster than disk.
if [ -w /dev/shm ]; then
  TMPDIR=/dev/shm
  export TMPDIR
fi
ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1}
UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export ASAN_OPTIONS UBSAN_OPTIONS

status=0
for h in $harnesses; do
  exe=$build/tests/fuzz/fuzz-$h
  corpus=$src/tests/fuzz/corpus/$h
  mkdir -p "$scratch/$h/new" "$scratch/$h/artifacts" "$corpus"
  echo "== fuzz-$h for $minutes min (log: $scratch/$h/log)"
  # shellcheck disable=SC2086
  if ! nice -n 10 "$exe" -max_total_time=$((minutes * 60)) -rss_limit_mb=2048 -timeout=10 \
       -dict="$src/tests/fuzz/$h.dict" -artifact_prefix="$scratch/$h/artifacts/" \
       -print_final_stats=1 ${OTTER_FUZZ_ARGS:-} \
       "$scratch/$h/new" "$corpus" > "$scratch/$h/log" 2>&1; then
    echo "fuzz-$h stopped on a finding: see $scratch/$h/log and $scratch/$h/artifacts/"
    status=1
  fi
  grep -E '^#[0-9]+.*(DONE|cov:)' "$scratch/$h/log" | tail -n 1 || true
  nice -n 10 "$exe" -merge=1 -rss_limit_mb=2048 -timeout=10 "$corpus" "$scratch/$h/new" \
    > "$scratch/$h/merge.log" 2>&1 || echo "fuzz-$h: merge failed, see $scratch/$h/merge.log"
  echo "corpus: $(ls "$corpus" | wc -l) files, $(cat "$corpus"/* | wc -c) bytes"
done
exit $status
