#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Extracts the strings afresh from POTFILES.in, merges them into pt_BR.po
# (in a temporary copy) and fails when any is untranslated or fuzzy.
set -eu
podir=$1
top=$(dirname "$podir")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
grep -v '^#' "$podir/POTFILES.in" | sed '/^[[:space:]]*$/d' >"$tmp/files"
(cd "$top" && xgettext -f "$tmp/files" -D . --from-code=UTF-8 \
  -k_ -kN_ -kC_:1c,2 -kNC_:1c,2 -kg_dngettext:2,3 \
  -o "$tmp/radiweb.pot")
for po in $(sed 's/#.*//' "$podir/LINGUAS"); do
  msgmerge -q "$podir/$po.po" "$tmp/radiweb.pot" -o "$tmp/$po.po"
  stats=$(msgfmt --check --statistics -o /dev/null "$tmp/$po.po" 2>&1 | tail -n 1)
  echo "$po: $stats"
  case "$stats" in
    *untranslated*|*fuzzy*|*error*) exit 1 ;;
  esac
done
