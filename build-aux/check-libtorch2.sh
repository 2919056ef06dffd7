#!/bin/sh
# Builds Otter's engine, CLI and displayless tests against Debian 13's
# libtorch 2.6 and runs them, to keep the shim building against both the
# libtorch of Debian 12 (1.13) and that of the Flatpak (2.6).
#
# Debian 13 needs a newer C library than Debian 12, so the build runs in a
# Debian 13 tree made by debootstrap. Run it by hand, as root; it is not part
# of CI (the first run downloads about 1 GiB of packages).
#
#   build-aux/check-libtorch2.sh [TREE]      TREE defaults to /var/tmp/otter-trixie
set -eu

src=$(cd "$(dirname "$0")/.." && pwd)
tree=${1:-/var/tmp/otter-trixie}
suite=trixie
mirror=http://deb.debian.org/debian

packages="meson ninja-build pkg-config g++ gettext git ca-certificates \
  libglib2.0-dev libgdk-pixbuf-2.0-dev libjson-glib-dev libxml2-dev libyaml-dev libcairo2-dev \
  libtorch-dev libgloo-dev libopenblas-dev libsoup-3.0-dev \
  libgstreamer1.0-dev libgstreamer-plugins-base1.0-dev gstreamer1.0-plugins-base gstreamer1.0-plugins-good \
  python3 python3-numpy python3-pot python3-torch python3-torchvision shared-mime-info"

if [ "$(id -u)" -ne 0 ]; then
  echo "$0: debootstrap and chroot need root" >&2
  exit 1
fi
command -v debootstrap >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap

if [ ! -x "$tree/usr/bin/apt-get" ]; then
  debootstrap --variant=minbase "$suite" "$tree" "$mirror"
fi

cleanup () {
  for m in shared otter proc; do
    mountpoint -q "$tree/$m" 2>/dev/null && umount "$tree/$m"
  done
  [ -d "$tree/src" ] && mountpoint -q "$tree/src/shared" && umount "$tree/src/shared"
  true
}
trap cleanup EXIT INT TERM

mountpoint -q "$tree/proc" || mount -t proc proc "$tree/proc"
in_tree () { chroot "$tree" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 "$@"; }

in_tree sh -c "apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $packages"

# The committed tree, not the working copy, so what is checked is what lands.
rm -rf "$tree/src/otter"
mkdir -p "$tree/src/otter" "$tree/src/shared"
git -C "$src" archive HEAD | tar -x -C "$tree/src/otter"
mountpoint -q "$tree/src/shared" || mount --bind -o ro "$src/../shared" "$tree/src/shared"

in_tree sh -c '
  set -eu
  cd /src/otter
  echo "libtorch: $(dpkg-query -W -f="\${Version}" libtorch-dev)"
  meson setup /src/build --buildtype=debugoptimized -Dgui=disabled
  ninja -C /src/build
  meson test -C /src/build --suite displayless --num-processes 2 --print-errorlogs
'
