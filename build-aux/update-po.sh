#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Regenerates po/radiweb.pot from POTFILES.in and merges it into every
# language, so new strings show up (untranslated) in the .po files.
set -eu
cd "$(dirname "$0")/.."
grep -v '^#' po/POTFILES.in | sed '/^[[:space:]]*$/d' >po/.files
trap 'rm -f po/.files' EXIT
xgettext -f po/.files -D . --from-code=UTF-8 --add-comments=Translators --add-location=file \
  -k_ -kN_ -kC_:1c,2 -kNC_:1c,2 -kg_dngettext:2,3 \
  --package-name=radiweb --msgid-bugs-address=https://radiweb.com.br \
  -o po/radiweb.pot
for po in $(sed 's/#.*//' po/LINGUAS); do
  msgmerge -q --update --backup=none --no-fuzzy-matching --add-location=file "po/$po.po" po/radiweb.pot
done
rm -f po/radiweb.pot
# The creation date only churns the diff of every change.
for po in $(sed 's/#.*//' po/LINGUAS); do
  sed -i '/^"POT-Creation-Date: /d' "po/$po.po"
done
