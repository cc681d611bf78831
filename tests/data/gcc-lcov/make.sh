#!/usr/bin/env bash
# Re-create the LCOV fixtures of this folder from src/ with the machine's real tools
# (gcc 12 --coverage, lcov 1.16) and record what `lcov --summary` prints for each:
#
#   calc.info   one capture of two runs            -> native.txt
#   multi.info  two captures with their own TN:    -> native-multi.txt
#               (run1 / run2), concatenated, so the same SF appears in two
#               records that a reader must sum line by line
#
# Paths in the tracefiles are rewritten relative to this folder so they are portable.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cp "$here/src/calc.c" "$here/src/util.h" "$work/"
cd "$work"
capture() {  # capture <test name> <output>
  lcov --quiet --capture --directory . --rc lcov_branch_coverage=1 --test-name "$1" \
    --output-file raw.info 2>/dev/null
  sed "s|^SF:$work/|SF:src/|" raw.info > "$2"
}
gcc --coverage -O0 -o calc calc.c
./calc 3 -7 0 12 >/dev/null
capture run1 run1.info
./calc 1 >/dev/null
capture both "$here/calc.info"
lcov --quiet --zerocounters --directory .
./calc 9 9 -9 >/dev/null
capture run2 run2.info
cat run1.info run2.info > "$here/multi.info"
cd "$here"
lcov --summary calc.info --rc lcov_branch_coverage=1 > native.txt 2>&1
lcov --summary multi.info --rc lcov_branch_coverage=1 > native-multi.txt 2>&1
cat native.txt native-multi.txt
