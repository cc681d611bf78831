#!/bin/sh
# Regenerate the gcov JSON intermediate files from src/ with the machine's gcc 12:
# compile with --coverage, run the program twice, then `gcov --json-format -b -c`
# (gcov writes branch data only with -b) to stats.gcov.json.gz (gzip'd, as gcov writes
# it) and, with --stdout, to stats.gcov.json (plain JSON).
# native.txt is what `gcov -b` itself prints for the same data (per-file "Lines
# executed", "Branches executed", "Taken at least once"), and
# native-functions.txt what `gcov -f` prints per function.
# gcovr's fixture (../gcovr/make.sh) is made from the same program.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out=$(mkdir -p "${OUT:-$here}" && cd "${OUT:-$here}" && pwd)  # OUT=dir: write there instead
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cp "$here"/src/stats.c "$here"/src/stats.h "$tmp/"
cd "$tmp"
gcc --coverage -O0 -o stats stats.c
./stats 3 -8 0 -3 77 >/dev/null
./stats 1 >/dev/null
gcov --json-format --branch-probabilities --branch-counts stats.gcda >/dev/null
cp stats.gcov.json.gz "$out/stats.gcov.json.gz"
gcov --json-format --branch-probabilities --branch-counts --stdout stats.gcda > "$out/stats.gcov.json"
gcov -b stats.gcda | grep -v -e "^Creating" -e "^$" > "$out/native.txt"
gcov -f stats.gcda | grep -v -e "^Creating" -e "^$" > "$out/native-functions.txt"
gcc --version | head -1 > "$out/gcc-version.txt"
