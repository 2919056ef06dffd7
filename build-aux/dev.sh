#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# build-aux/dev.sh: set up, build, run and test Otter on Debian 12 / Ubuntu.
#
#   build-aux/dev.sh run    install what is missing, build, open Otter on the demo data
#   build-aux/dev.sh train  install what is missing, build, train on the demo data headless
#   build-aux/dev.sh test   install what is missing, build, run the test suite
#   build-aux/dev.sh build  install what is missing and build
#   build-aux/dev.sh bench  build and run the benchmarks
#   build-aux/dev.sh sanitize  build with ASan and UBSan in _build-sanitize, run the displayless suite
set -eu

cd "$(dirname "$0")/.."
BUILD_DIR=${BUILD_DIR:-_build}

# Debian package names; each is installed only when missing.
PACKAGES="meson ninja-build pkg-config ccache gcc g++ \
  libglib2.0-dev libgdk-pixbuf-2.0-dev libjson-glib-dev libxml2-dev libyaml-dev libcairo2-dev \
  libtorch-dev libgloo-dev libopenblas-dev \
  libgtk-4-dev libadwaita-1-dev adwaita-icon-theme fonts-cantarell fonts-dejavu-core \
  desktop-file-utils appstream gettext xvfb xauth \
  python3 python3-numpy python3-pot python3-torch python3-torchvision \
  libsoup-3.0-dev \
  libgstreamer1.0-dev libgstreamer-plugins-base1.0-dev gstreamer1.0-plugins-base gstreamer1.0-plugins-good \
  gstreamer1.0-plugins-ugly \
  librsvg2-common shared-mime-info \
  dbus at-spi2-core python3-gi gir1.2-atspi-2.0 \
  fonts-wqy-microhei"
# fonts-wqy-microhei: a CJK font (5 MB, against 90 MB for fonts-noto-cjk) so the
# Simplified Chinese interface and its screenshots show characters, not boxes.

install_missing () {
  missing=""
  for p in $PACKAGES; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
  done
  [ -z "$missing" ] && return 0
  echo "Installing:$missing"
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing
}

build () {
  install_missing
  if [ ! -f "$BUILD_DIR/build.ninja" ]; then
    meson setup "$BUILD_DIR" --buildtype=debugoptimized
  fi
  ninja -C "$BUILD_DIR"
}

cmd=${1:-run}
[ $# -gt 0 ] && shift
case "$cmd" in
  build)
    build ;;
  run)
    build
    # Uninstalled: the settings schema comes from the build folder.
    GSETTINGS_SCHEMA_DIR="$BUILD_DIR/data" exec "$BUILD_DIR/src/otter" "$@" ;;
  train)
    build
    exec "$BUILD_DIR/src/cli/otter-cli" train --data demo "$@" ;;
  test)
    build
    status=0
    # The display suite needs an X server; Xvfb gives it one anywhere.
    xvfb-run -a -s "-screen 0 1600x1200x24" \
      meson test -C "$BUILD_DIR" --num-processes 1 --print-errorlogs "$@" || status=$?
    python3 build-aux/count-tests.py "$BUILD_DIR/meson-logs/testlog.json"
    exit $status ;;
  bench)
    build
    xvfb-run -a meson test -C "$BUILD_DIR" --benchmark --verbose "$@" ;;
  sanitize)
    install_missing
    SAN_DIR=${SANITIZE_BUILD_DIR:-_build-sanitize}
    # gcc's AddressSanitizer (leaks included) and UBSan; the displayless
    # suite needs no GTK, so the window is not built. Frame pointers let the
    # sanitizers' fast unwinder show Otter's frames in every report.
    if [ ! -f "$SAN_DIR/build.ninja" ]; then
      CC=gcc CXX=g++ meson setup "$SAN_DIR" --buildtype=debugoptimized \
        -Db_sanitize=address,undefined -Dgui=disabled \
        -Dc_args=-fno-omit-frame-pointer -Dcpp_args=-fno-omit-frame-pointer
    fi
    ninja -C "$SAN_DIR"
    status=0
    # The sanitize setup (tests/meson.build) sets ASAN/UBSAN/LSAN_OPTIONS so
    # any report fails its test, and gives the slower binaries more time.
    meson test -C "$SAN_DIR" --setup sanitize --suite displayless --num-processes 1 \
      --print-errorlogs "$@" || status=$?
    python3 build-aux/count-tests.py "$SAN_DIR/meson-logs/testlog-sanitize.json"
    exit $status ;;
  *)
    echo "usage: $0 run|train|test|build|bench|sanitize" >&2
    exit 64 ;;
esac
