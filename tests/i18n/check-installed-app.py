#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""check-installed-app.py OTTER ALLOWED_WORDS

Starts the installed `otter` (its environment set up by
check-installed-app.sh) and reads what every page shows through the
accessibility tree, as a screen reader would: the window must speak
Simplified Chinese on each of its pages, with no English left but the
names in ALLOWED_WORDS.

GTK 4 puts every page of the window's stack in the tree, shown or not, so
one reading covers them all. Needs python3-gi, gir1.2-atspi-2.0 and a
session bus (dbus-run-session) on which the accessibility bus can start.
"""

import re
import subprocess
import sys
import time

import gi

gi.require_version("Atspi", "2.0")
from gi.repository import Atspi  # noqa: E402

PAGES = ["数据", "模型", "扰动", "训练", "评估", "视频", "欢迎"]
# The name GTK gives a widget that has none of its own: its type.
TYPE_NAME = re.compile(r"^(Gtk|Adw|Otter)[A-Za-z]+$")
# A file name such as data.yaml is one word, and a name, not prose.
WORD = re.compile(r"[A-Za-z][A-Za-z0-9_]*(?:\.[A-Za-z0-9_]+)*")
HAN = re.compile(r"[\u4e00-\u9fff]")


def load_allowed(path):
    words = set()
    with open(path, encoding="utf-8") as f:
        for line in f:
            if not line.startswith("#"):
                words.update(line.split())
    return words


def find_app(pid, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        desktop = Atspi.get_desktop(0)
        for i in range(desktop.get_child_count()):
            app = desktop.get_child_at_index(i)
            try:
                if app is not None and app.get_process_id() == pid:
                    return app
            except gi.repository.GLib.Error:
                pass
        time.sleep(0.5)
    return None


def texts_under(node, path, out):
    """Appends (page path, text) for every name and label text below node."""
    try:
        name = node.get_name() or ""
        role = node.get_role_name()
        n_children = node.get_child_count()
        interfaces = node.get_interfaces()
    except gi.repository.GLib.Error:
        return  # the widget went away while being read
    if role == "panel" and name in PAGES:
        path = name
    if name and not TYPE_NAME.match(name):
        out.append((path, name))
    if "Text" in interfaces:
        content = node.get_text(0, -1)
        if content and content != name:
            out.append((path, content))
    for i in range(n_children):
        child = node.get_child_at_index(i)
        if child is not None:
            texts_under(child, path, out)


def english_words(text, allowed):
    return [w for w in WORD.findall(text)
            if "." not in w and sum(c.isalpha() for c in w) >= 3 and w not in allowed]


def read_window(app):
    found = []
    texts_under(app, "window", found)
    return found


def main():
    otter, allowed_path = sys.argv[1], sys.argv[2]
    allowed = load_allowed(allowed_path)
    proc = subprocess.Popen([otter])
    try:
        app = find_app(proc.pid, 60)
        if app is None:
            print("the installed otter never showed up on the accessibility bus", file=sys.stderr)
            return 1
        # The demo dataset loads in the background; read until two readings
        # a second apart agree and every page is there.
        deadline = time.monotonic() + 90
        previous = None
        while time.monotonic() < deadline:
            current = read_window(app)
            pages_seen = {page for page, _ in current}
            if current == previous and all(p in pages_seen for p in PAGES):
                break
            previous = current
            time.sleep(1)
        else:
            print("the window did not settle, or lacks a page; pages seen: "
                  + ", ".join(sorted({p for p, _ in previous or []})), file=sys.stderr)
            return 1

        status = 0
        for page in PAGES:
            chinese = [t for p, t in current if p == page and HAN.search(t)]
            print(f"page {page}: {len(chinese)} Chinese texts, e.g. {chinese[:3]}")
            if len(chinese) < 2:
                print(f"FAIL: page {page} shows almost no Chinese", file=sys.stderr)
                status = 1
        reported = set()
        for page, text in current:
            words = english_words(text, allowed)
            if words and text not in reported:
                reported.add(text)
                print(f"FAIL: English left on {page}: “{text}” ({words[0]})", file=sys.stderr)
                status = 1
        print(f"{len(current)} texts read from the installed app")
        return status
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()


if __name__ == "__main__":
    sys.exit(main())
