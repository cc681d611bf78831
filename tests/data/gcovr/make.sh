#!/bin/sh
# (Never point gcovr at /dev/null: it replaces its output files by rename.)
# Regenerate gcovr's JSON from the same C program as ../gcov (../gcov/src), built with
# gcc 12 --coverage and run twice; gcovr is the PyPI package in the repository's .venv
# (or $GCOVR). Writes:
#   stats.gcovr.json   `gcovr --json`          (the per-line report covgap reads)
#   native.json        `gcovr --json-summary`  (gcovr's own totals)
#   native.txt         `gcovr --txt-summary` (the same totals as gcovr prints them)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out=$(mkdir -p "${OUT:-$here}" && cd "${OUT:-$here}" && pwd)  # OUT=dir: write there instead
gcovr=${GCOVR:-$here/../../../.venv/bin/gcovr}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cp "$here"/../gcov/src/stats.c "$here"/../gcov/src/stats.h "$tmp/"
cd "$tmp"
gcc --coverage -O0 -o stats stats.c
./stats 3 -8 0 -3 77 >/dev/null
./stats 1 >/dev/null
"$gcovr" --root . --json-pretty --json "$out/stats.gcovr.json" \
    --json-summary-pretty --json-summary "$out/native.json" \
    --txt-metric branch --txt-summary --txt "$tmp/report.txt" > "$out/native.txt"
"$gcovr" --version | head -1 > "$out/gcovr-version.txt"
