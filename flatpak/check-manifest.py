#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Checks the Flatpak manifest without building it (flatpak-builder needs a
runtime from Flathub): it parses, names the app and its command, uses the
GNOME runtime, gives the sandbox what the app needs (network, a display
with Wayland first and X11 as a fallback, the keyring, notifications) and
nothing broader, and builds this project with meson."""
import json
import sys

path, app_id = sys.argv[1], sys.argv[2]
problems = []
try:
    with open(path, encoding="utf-8") as f:
        manifest = json.load(f)
except (OSError, ValueError) as e:
    print(f"{path}: not a JSON manifest: {e}")
    sys.exit(1)

def need(cond, message):
    if not cond:
        problems.append(message)

need(manifest.get("id") == app_id, f"id must be {app_id}")
need(manifest.get("command") == "radiweb", "command must be radiweb")
need(manifest.get("runtime") == "org.gnome.Platform", "runtime must be org.gnome.Platform")
need(manifest.get("sdk") == "org.gnome.Sdk", "sdk must be org.gnome.Sdk")
need(isinstance(manifest.get("runtime-version"), str), "runtime-version must be a string")

args = manifest.get("finish-args", [])
for required in ("--share=network", "--socket=wayland", "--socket=fallback-x11",
                 "--talk-name=org.freedesktop.secrets",
                 "--talk-name=org.freedesktop.Notifications"):
    need(required in args, f"finish-args lacks {required}")
for broad in ("--socket=x11", "--filesystem=host", "--filesystem=home",
              "--socket=session-bus", "--device=all"):
    need(broad not in args, f"finish-args must not have {broad}")

modules = manifest.get("modules", [])
need(len(modules) >= 1, "no modules")
if modules:
    last = modules[-1]
    need(last.get("name") == "radiweb", "the last module must be radiweb")
    need(last.get("buildsystem") == "meson", "radiweb builds with meson")
    need(any(s.get("type") in ("dir", "git", "archive") for s in last.get("sources", [])),
         "radiweb needs a source")

for p in problems:
    print(f"{path}: {p}")
sys.exit(1 if problems else 0)
