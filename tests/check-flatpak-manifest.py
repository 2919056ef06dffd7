#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Checks the Flatpak manifest against the build it packages.

    check-flatpak-manifest.py MANIFEST SOURCE_ROOT APP_ID

The manifest must name this app, run on a GNOME runtime new enough for
the GTK and libadwaita Otter needs, ask for no more of the host than it
uses, pin every external source (a git commit or a sha256), build libtorch
from the PyTorch release it names, and build this repository last with
options meson_options.txt defines. Each problem is printed; any fails it.
"""

import json
import os
import re
import sys

# GNOME 43 is the first with GTK 4.8 and libadwaita 1.2.
OLDEST_RUNTIME = 43
PYTORCH_TAG = "v2.6.0"
PYTORCH_COMMIT = "1eba9b3aa3c43f86f4a2c807ac8e12c4a7767340"
# What the sandbox may reach, and why.
ALLOWED_FINISH_ARGS = {
    "--socket=wayland",
    "--socket=fallback-x11",
    "--share=ipc",           # X11's shared memory, with the fallback
    "--device=dri",
    "--share=network",       # the pretrained-weights download
    "--filesystem=xdg-download:ro",
    "--filesystem=~/.cache/torch:ro",  # PyTorch's own weights cache
}
REQUIRED_FINISH_ARGS = ALLOWED_FINISH_ARGS - {"--share=ipc"}
# Built into libtorch or not, as a C++-only CPU library with c10d/Gloo.
PYTORCH_OPTIONS = {
    "-DBUILD_PYTHON=OFF",
    "-DBUILD_TEST=OFF",
    "-DUSE_CUDA=OFF",
    "-DUSE_DISTRIBUTED=ON",
    "-DUSE_GLOO=ON",
    "-DBLAS=OpenBLAS",
}

problems = []


def problem(text):
    problems.append(text)


def meson_options(source_root):
    """The option names meson_options.txt (or meson.options) defines."""
    names = set()
    for name in ("meson_options.txt", "meson.options"):
        path = os.path.join(source_root, name)
        if os.path.exists(path):
            with open(path, encoding="utf-8") as f:
                names |= set(re.findall(r"option\(\s*'([^']+)'", f.read()))
    return names


def check_source(module, source, is_last, manifest_dir, source_root):
    kind = source.get("type")
    where = f"module {module['name']}"
    if kind == "git":
        if not re.fullmatch(r"[0-9a-f]{40}", source.get("commit", "")):
            problem(f"{where}: git source {source.get('url')} is not pinned by a 40-digit commit")
        if "branch" in source:
            problem(f"{where}: git source names a branch, which moves")
    elif kind in ("archive", "file"):
        if not re.fullmatch(r"[0-9a-f]{64}", source.get("sha256", "")):
            problem(f"{where}: {kind} source {source.get('url', source.get('path'))} has no sha256")
    elif kind == "dir":
        path = os.path.realpath(os.path.join(manifest_dir, source.get("path", "")))
        if not is_last:
            problem(f"{where}: only the last module (Otter itself) may build from a folder")
        elif path != os.path.realpath(source_root):
            problem(f"{where}: builds {path}, not this repository ({source_root})")
    elif kind in ("patch", "shell", "script"):
        if kind == "patch" and not source.get("path"):
            problem(f"{where}: a patch must be a file in the repository")
    else:
        problem(f"{where}: unknown source type {kind!r}")


def main():
    if len(sys.argv) != 4:
        print(__doc__, file=sys.stderr)
        return 2
    manifest_path, source_root, app_id = sys.argv[1:]
    manifest_dir = os.path.dirname(os.path.abspath(manifest_path))
    with open(manifest_path, encoding="utf-8") as f:
        manifest = json.load(f)

    # The development profile's id has .Devel; the manifest packages the default one.
    base_id = app_id.removesuffix(".Devel")
    if manifest.get("id", manifest.get("app-id")) != base_id:
        problem(f"the manifest's id is {manifest.get('id')!r}, not {base_id!r}")
    if os.path.basename(manifest_path) != base_id + ".json":
        problem(f"the manifest should be named {base_id}.json")
    if manifest.get("command") != "otter":
        problem("the command is not otter")
    if manifest.get("runtime") != "org.gnome.Platform" or manifest.get("sdk") != "org.gnome.Sdk":
        problem("the runtime is not org.gnome.Platform with org.gnome.Sdk")
    version = str(manifest.get("runtime-version", ""))
    if not version.isdigit() or int(version) < OLDEST_RUNTIME:
        problem(f"runtime-version {version!r}: GNOME {OLDEST_RUNTIME} or later is needed")

    finish = set(manifest.get("finish-args", []))
    for arg in sorted(finish - ALLOWED_FINISH_ARGS):
        problem(f"finish-args asks for {arg}, which Otter does not need")
    for arg in sorted(REQUIRED_FINISH_ARGS - finish):
        problem(f"finish-args lacks {arg}")

    modules = manifest.get("modules", [])
    names = [m.get("name") for m in modules if isinstance(m, dict)]
    if len(names) != len(modules):
        problem("every module must be written inline, so that its sources are checked here")
    for i, module in enumerate(modules):
        if not isinstance(module, dict):
            continue
        sources = module.get("sources", [])
        if not sources:
            problem(f"module {module.get('name')}: no sources")
        for source in sources:
            check_source(module, source, i == len(modules) - 1, manifest_dir, source_root)

    for needed in ("openblas", "libtorch", "otter"):
        if needed not in names:
            problem(f"no {needed} module")
    if all(n in names for n in ("openblas", "libtorch", "otter")):
        if not names.index("openblas") < names.index("libtorch") < names.index("otter"):
            problem("modules must build OpenBLAS, then libtorch, then Otter")
        if names[-1] != "otter":
            problem("Otter must be the last module")

    torch = next((m for m in modules if isinstance(m, dict) and m.get("name") == "libtorch"), None)
    if torch is not None:
        source = torch.get("sources", [{}])[0]
        if "github.com/pytorch/pytorch" not in source.get("url", ""):
            problem("libtorch is not built from PyTorch's repository")
        if source.get("tag") != PYTORCH_TAG or source.get("commit") != PYTORCH_COMMIT:
            problem(f"libtorch is not PyTorch {PYTORCH_TAG} ({PYTORCH_COMMIT})")
        if source.get("disable-submodules"):
            problem("PyTorch needs its submodules")
        for option in sorted(PYTORCH_OPTIONS - set(torch.get("config-opts", []))):
            problem(f"libtorch lacks {option}")

    otter = modules[-1] if modules and isinstance(modules[-1], dict) else {}
    if otter.get("buildsystem") != "meson":
        problem("Otter is not built with meson")
    known = meson_options(source_root)
    for option in otter.get("config-opts", []):
        match = re.fullmatch(r"-D([A-Za-z0-9_]+)=.*", option)
        if match and match.group(1) not in known:
            problem(f"Otter's config-opts name -D{match.group(1)}, which meson_options.txt does not define")
    if "-Dtorch_prefix=/app" not in otter.get("config-opts", []):
        problem("Otter is not pointed at the libtorch built into /app (-Dtorch_prefix=/app)")

    for text in problems:
        print(f"check-flatpak-manifest: {text}")
    pinned = sum(1 for m in modules if isinstance(m, dict) for s in m.get("sources", [])
                 if s.get("type") == "git" and "commit" in s or "sha256" in s)
    print(f"check-flatpak-manifest: {len(modules)} modules, {pinned} pinned external sources, "
          f"{len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
