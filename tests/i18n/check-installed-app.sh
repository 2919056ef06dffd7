#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# check-installed-app.sh MESON BUILD_DIR PREFIX BINDIR DATADIR LOCALEDIR PYTHON ALLOWED_WORDS
#
# Installs the build into a scratch DESTDIR and starts the installed otter
# from there under LANGUAGE=zh_CN: its schema, icons and catalogue all come
# from the installed tree, none from the build folder. What the window shows
# is then read through the accessibility tree by check-installed-app.py.
set -eu

meson=$1 build_dir=$2 prefix=$3 bindir=$4 datadir=$5 localedir=$6 python=$7 allowed=$8

if ! "$python" -c 'import gi; gi.require_version("Atspi", "2.0")' 2>/dev/null; then
  echo "SKIP: $python lacks gi with Atspi (python3-gi, gir1.2-atspi-2.0)"
  exit 77
fi
if ! command -v dbus-run-session >/dev/null; then
  echo "SKIP: no dbus-run-session"
  exit 77
fi

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
root="$scratch/root"
if ! "$meson" install -C "$build_dir" --destdir "$root" --no-rebuild >"$scratch/install.log" 2>&1; then
  cat "$scratch/install.log" >&2
  echo "meson install failed" >&2
  exit 1
fi

# Absolute options stay as they are; relative ones are below the prefix.
under_prefix () {
  case "$1" in
    /*) printf '%s\n' "$root$1" ;;
    *) printf '%s\n' "$root$prefix/$1" ;;
  esac
}
bin=$(under_prefix "$bindir") data=$(under_prefix "$datadir") locale=$(under_prefix "$localedir")

# gnome.post_install() skips this under DESTDIR; a packager's trigger does it.
glib-compile-schemas "$data/glib-2.0/schemas"

mkdir -p "$scratch/home" "$scratch/runtime"
chmod 700 "$scratch/runtime"
# A home of its own: no settings, runs or recent datasets of anybody's.
# The display tests turn accessibility off; this one needs it.
env -u GTK_A11Y -u NO_AT_BRIDGE -u GSETTINGS_SCHEMA_DIR -u G_TEST_SRCDIR -u G_TEST_BUILDDIR \
  HOME="$scratch/home" XDG_DATA_HOME="$scratch/home/data" XDG_CONFIG_HOME="$scratch/home/config" \
  XDG_CACHE_HOME="$scratch/home/cache" XDG_RUNTIME_DIR="$scratch/runtime" \
  XDG_DATA_DIRS="$data:${XDG_DATA_DIRS:-/usr/local/share:/usr/share}" \
  GSETTINGS_SCHEMA_DIR="$data/glib-2.0/schemas" GSETTINGS_BACKEND=memory \
  OTTER_LOCALEDIR="$locale" LANGUAGE=zh_CN LC_ALL=C.UTF-8 GSK_RENDERER=cairo \
  dbus-run-session -- "$python" "$(dirname "$0")/check-installed-app.py" "$bin/otter" "$allowed"
