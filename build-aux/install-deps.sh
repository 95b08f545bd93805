#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Installs every Debian 12 package needed to build, test and run Radiweb
# Laudos: the desktop client, radiweb-server, the Orthanc plugin, a local
# Orthanc with its viewers, and the tools the tests and benchmarks use.
# Safe to run again: it installs only what is missing.
set -eu

packages="
  build-essential meson ninja-build pkg-config gettext
  libglib2.0-dev libgtk-4-dev libadwaita-1-dev libwebkitgtk-6.0-dev
  libsoup-3.0-dev libjson-glib-dev libsecret-1-dev libsqlite3-dev libcrypt-dev nettle-dev
  appstream desktop-file-utils yelp-tools itstool libsecret-tools
  xvfb xauth dbus-daemon dbus-x11 gnome-keyring imagemagick xdotool
  orthanc orthanc-dev orthanc-dicomweb orthanc-webviewer dcmtk
  wrk python3-flask gunicorn sqlite3 curl ca-certificates openssl tzdata
"

missing=
for p in $packages; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  case "$status" in
    *"install ok installed"*) ;;
    *) missing="$missing $p" ;;
  esac
done

if [ -z "$missing" ]; then
  echo "install-deps: every package is already installed"
  exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
  sudo=
elif command -v sudo >/dev/null 2>&1; then
  sudo=sudo
else
  echo "install-deps: these packages are missing and I am not root (and there is no sudo):$missing" >&2
  exit 1
fi

echo "install-deps: installing$missing"
$sudo apt-get update -q
# Recommends stay in: GTK's icon theme and fonts come through them, and the
# screenshots a person checks need them. Tests start their own Orthanc on free
# ports, so a system Orthanc service that the package may start does no harm.
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q $missing
