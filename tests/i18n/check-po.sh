#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# check-po.sh SRCDIR LANG: checks po/LANG.po with msgfmt and requires every
# string of the program to be translated.
#
# Scope: the strings xgettext finds today in the files po/POTFILES.in lists.
# The desktop and metainfo templates (data/*.desktop.in.in,
# data/*.metainfo.xml.in.in) are copied under names whose suffix tells
# xgettext their format, which ".in.in" hides. The catalogue is extracted afresh here rather than read
# from a checked-in otter.pot, so a string added to the code without a
# translation fails this test at once instead of after someone updates the
# template. Merging LANG.po into that template keeps obsolete entries out of
# the count.
set -eu

srcdir=$1
lang=$2
po="$srcdir/po/$lang.po"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# The file itself must be valid (headers, plural forms, printf formats).
msgfmt --check --statistics -o /dev/null "$po"

grep -v -e '^#' -e '^[[:space:]]*$' -e '\.desktop\.in\.in$' -e '\.metainfo\.xml\.in\.in$' \
  "$srcdir/po/POTFILES.in" > "$tmp/files"
# The keywords of meson's i18n.gettext "glib" preset.
(cd "$srcdir" && xgettext --from-code=UTF-8 --add-comments --package-name=otter \
  --keyword=_ --keyword=N_ --keyword=C_:1c,2 --keyword=NC_:1c,2 \
  --keyword=g_dcgettext:2 --keyword=g_dngettext:2,3 --keyword=g_dpgettext2:2c,3 \
  --keyword=ngettext:1,2 --flag=N_:1:pass-c-format --flag=C_:2:pass-c-format \
  --flag=NC_:2:pass-c-format --flag=g_dngettext:2:pass-c-format \
  --flag=g_strdup_printf:1:c-format --flag=g_string_printf:2:c-format \
  --flag=g_string_append_printf:2:c-format --flag=g_error_new:3:c-format \
  --flag=g_set_error:4:c-format --flag=g_markup_printf_escaped:1:c-format \
  -f "$tmp/files" -o "$tmp/otter.pot")
for template in "$srcdir"/data/*.desktop.in.in "$srcdir"/data/*.metainfo.xml.in.in; do
  name=$(basename "$template" .in.in)
  cp "$template" "$tmp/$name"
  (cd "$tmp" && xgettext --from-code=UTF-8 --join-existing -o otter.pot "$name")
done
msgmerge --quiet --no-fuzzy-matching "$po" "$tmp/otter.pot" -o "$tmp/merged.po"

# "N translated messages[, M fuzzy translations][, K untranslated messages]."
stats=$(LC_ALL=C msgfmt --statistics -o /dev/null "$tmp/merged.po" 2>&1)
translated=$(echo "$stats" | sed -n 's/^\([0-9]*\) translated.*/\1/p')
total=$(grep -c '^msgid ' "$tmp/otter.pot")
total=$((total - 1))   # the header entry
translated=${translated:-0}
echo "$lang: $translated of $total messages translated ($((100 * translated / total))%)"
if [ "$translated" -ne "$total" ]; then
  echo "$lang: not translated:" >&2
  msgattrib --untranslated --only-fuzzy "$tmp/merged.po" 2>/dev/null | grep '^msgid' >&2 || true
  msgattrib --untranslated --no-obsolete "$tmp/merged.po" | grep -A1 '^msgid' | head -40 >&2
  exit 1
fi
