#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# tests/install-check.sh: installs the build into a scratch DESTDIR and
# compares what landed there with tests/install-files.txt, so a file that
# stops being installed (or one installed by accident) fails the suite.
#
#   install-check.sh MESON BUILD_DIR EXPECTED LINGUAS PREFIX BINDIR DATADIR LOCALEDIR APP_ID
#
# EXPECTED names files relative to the prefix with @bindir@, @datadir@,
# @localedir@ and @APP_ID@ in place of the configured values, so one list
# serves every prefix and both profiles. Translations are added from
# po/LINGUAS: a new language needs no edit here.
set -eu

meson=$1 build_dir=$2 expected=$3 linguas=$4
prefix=$5 bindir=$6 datadir=$7 localedir=$8 app_id=$9

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
destdir="$scratch/root"

# DESTDIR also keeps gnome.post_install() from touching the host's caches.
if ! "$meson" install -C "$build_dir" --destdir "$destdir" --no-rebuild >"$scratch/install.log" 2>&1; then
  cat "$scratch/install.log" >&2
  echo "meson install failed" >&2
  exit 1
fi

# Options are relative to the prefix unless someone gave an absolute path.
rel () {
  case "$1" in
    "$prefix"/*) printf '%s\n' "${1#"$prefix"/}" ;;
    *) printf '%s\n' "$1" ;;
  esac
}
bindir=$(rel "$bindir") datadir=$(rel "$datadir") localedir=$(rel "$localedir")

{
  grep -v '^#' "$expected" | grep -v '^$' |
    sed -e "s|@bindir@|$bindir|g" -e "s|@datadir@|$datadir|g" \
        -e "s|@localedir@|$localedir|g" -e "s|@APP_ID@|$app_id|g"
  sed -e 's/#.*//' "$linguas" | tr -s ' \t' '\n\n' | grep -v '^$' |
    sed "s|.*|$localedir/&/LC_MESSAGES/otter.mo|"
} | LC_ALL=C sort >"$scratch/expected"

# Everything under DESTDIR: files below the prefix relative to it, anything
# installed outside the prefix with its absolute path (and so a mismatch).
(cd "$destdir" && find . ! -type d) | sed 's|^\.||' |
  while IFS= read -r path; do
    case "$path" in
      "$prefix"/*) printf '%s\n' "${path#"$prefix"/}" ;;
      *) printf '%s\n' "$path" ;;
    esac
  done | LC_ALL=C sort >"$scratch/installed"

if ! diff -u "$scratch/expected" "$scratch/installed"; then
  echo "installed files differ from $expected (- expected, + installed)" >&2
  exit 1
fi
echo "$(wc -l <"$scratch/installed") files installed as listed"
