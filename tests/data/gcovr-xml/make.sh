#!/bin/sh
# gcovr's JaCoCo and Clover XML of a C++ program whose template is instantiated twice
# (one instance never runs): gcovr >= 8.4 writes such a line once per function
# instance, and its JaCoCo <line> elements carry branch counts only (no mi/ci).
# Built with g++ --coverage; gcovr is the PyPI package in the repository's .venv
# (or $GCOVR). Writes (into $OUT when set, else beside this script):
#   templates.jacoco.xml  `gcovr --jacoco`
#   templates.clover.xml  `gcovr --clover`
#   templates.gcovr.json  `gcovr --json`
#   native.json           `gcovr --json-summary` (gcovr's own totals)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out=$(mkdir -p "${OUT:-$here}" && cd "${OUT:-$here}" && pwd)
gcovr=${GCOVR:-$here/../../../.venv/bin/gcovr}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cp "$here/templates.cpp" "$tmp/"
cd "$tmp"
g++ --coverage -O0 -o templates templates.cpp
./templates >/dev/null
"$gcovr" --root . --jacoco "$out/templates.jacoco.xml" --clover "$out/templates.clover.xml" \
    --json-pretty --json "$out/templates.gcovr.json" \
    --json-summary-pretty --json-summary "$out/native.json" --txt "$tmp/report.txt"
"$gcovr" --version | head -1 > "$out/gcovr-version.txt"
