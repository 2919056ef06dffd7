#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Renders each page of Otter to data/screenshots/ under Xvfb.
#   build-aux/screenshots.sh [MODEL]   MODEL: a trained model to show (default: a fresh one)
# OUT_DIR: where to (default data/screenshots); OTTER_SCREENSHOT_DARK=1: dark style;
# OTTER_SCREENSHOT_SIZE=800x600: the window's size (default 1500x900)
set -eu
cd "$(dirname "$0")/.."
BUILD_DIR=${BUILD_DIR:-_build}
ninja -C "$BUILD_DIR" tests/display/otter-screenshots data/gschemas.compiled >/dev/null
export GSETTINGS_SCHEMA_DIR="$BUILD_DIR/data" GSETTINGS_BACKEND=memory GTK_A11Y=none GSK_RENDERER=cairo
export OMP_WAIT_POLICY=PASSIVE
xvfb-run -a -s "-screen 0 1600x1200x24" "$BUILD_DIR/tests/display/otter-screenshots" "${OUT_DIR:-data/screenshots}" "$@"
