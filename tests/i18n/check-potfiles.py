#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
# check-potfiles.py SRCDIR: fails when a source file with translatable strings
# is missing from po/POTFILES.in (xgettext would silently leave its strings
# out of the catalogue), or when POTFILES.in names a file that does not exist.

import pathlib
import re
import sys

root = pathlib.Path(sys.argv[1])
listed = set()
for line in (root / "po" / "POTFILES.in").read_text(encoding="utf-8").splitlines():
    line = line.strip()
    if line and not line.startswith("#"):
        listed.add(line)

# The gettext calls the code uses; "\b" keeps g_strdup_printf (...) out.
c_marker = re.compile(r'(?<![A-Za-z0-9_])(_|N_|C_|NC_|ngettext|g_dngettext)\s*\(')
ui_marker = re.compile(r'translatable="yes"')

needed = set()
for pattern, marker in (("src/**/*.c", c_marker), ("src/**/*.cpp", c_marker),
                        ("ui/**/*.ui", ui_marker), ("data/*.xml", ui_marker)):
    for path in sorted(root.glob(pattern)):
        rel = path.relative_to(root).as_posix()
        if marker.search(path.read_text(encoding="utf-8")):
            needed.add(rel)

missing = sorted(needed - listed)
absent = sorted(p for p in listed if not (root / p).exists())
for rel in missing:
    print(f"po/POTFILES.in: missing {rel}, which has translatable strings")
for rel in absent:
    print(f"po/POTFILES.in: lists {rel}, which does not exist")
print(f"{len(listed)} files listed, {len(needed)} with translatable strings found")
sys.exit(1 if missing or absent else 0)
