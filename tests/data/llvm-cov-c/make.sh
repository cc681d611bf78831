#!/bin/sh
# Regenerate the C llvm-cov fixtures: build src/ (a C program of three .c files and two
# headers: a multi-line macro defined in util.c and one in util.h, a static inline
# function in util.h compiled into every translation unit, if/else-if chains, a switch,
# a loop, && and ||, a function never called) with
# `clang-19 -fprofile-instr-generate -fcoverage-mapping`, run it twice, merge the
# profiles with llvm-profdata-19 and write what llvm-cov-19 says about them:
#
#   export.json   llvm-cov export -format=text   (the reader's input)
#   export.info   llvm-cov export -format=lcov   (DA records: llvm-cov show's lines)
#   native.txt    llvm-cov report -show-branch-summary (per-file table and TOTAL)
#   native.json   that table parsed into numbers, and the export's own "totals"
#
# Absolute build paths are rewritten to src/.
# Usage: [OUT=dir] make.sh   (OUT defaults to this folder; the test suite re-runs it
# into a temporary OUT).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out=$(mkdir -p "${OUT:-$here}" && cd "${OUT:-$here}" && pwd)
CLANG=${CLANG:-clang-19}
LLVM_COV=${LLVM_COV:-llvm-cov-19}
LLVM_PROFDATA=${LLVM_PROFDATA:-llvm-profdata-19}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/src"
cp "$here"/src/*.c "$here"/src/*.h "$work/src/"
cd "$work"
"$CLANG" -fprofile-instr-generate -fcoverage-mapping -O0 -o demo \
    src/main.c src/util.c src/shapes.c
LLVM_PROFILE_FILE="$work/demo-%p.profraw" ./demo 4 -3 0 >/dev/null
LLVM_PROFILE_FILE="$work/demo-%p.profraw" ./demo 7 >/dev/null
"$LLVM_PROFDATA" merge -sparse demo-*.profraw -o demo.profdata
cov="-instr-profile=demo.profdata ./demo"
# shellcheck disable=SC2086
"$LLVM_COV" export -format=text $cov | sed "s#$work/##g" > "$out/export.json"
# shellcheck disable=SC2086
"$LLVM_COV" export -format=lcov $cov | sed "s#$work/##g" > "$out/export.info"
{
    echo "# $("$LLVM_COV" --version | sed -n 's/^ *//; /version/p' | head -1); $("$CLANG" --version | head -1)"
    echo "# llvm-cov report -show-branch-summary"
    # shellcheck disable=SC2086
    "$LLVM_COV" report -show-branch-summary $cov
} | sed "s#$work/##g" > "$out/native.txt"
python3 - "$out/native.txt" "$out/export.json" "$out/native.json" <<'PY'
import json, sys
text = open(sys.argv[1]).read().splitlines()
native = {"version": text[0].lstrip("# "), "files": {}}
for row in text[2:]:
    cells = row.split()
    if not cells or row.startswith(("-", "Filename")):
        continue
    # Filename Regions Missed Cover Functions Missed Executed Lines Missed Cover
    # Branches Missed Cover
    n = cells[1:]
    native["files"][cells[0]] = {
        "regions": int(n[0]), "regions_missed": int(n[1]),
        "functions": int(n[3]), "functions_missed": int(n[4]),
        "lines": int(n[6]), "lines_missed": int(n[7]),
        "branches": int(n[9]), "branches_missed": int(n[10]),
    }
totals = json.load(open(sys.argv[2]))["data"][0]["totals"]
native["export_totals"] = {
    k: {"count": totals[k]["count"], "covered": totals[k]["covered"]}
    for k in ("lines", "functions", "branches")
}
json.dump(native, open(sys.argv[3], "w"), indent=1, sort_keys=True)
open(sys.argv[3], "a").write("\n")
PY
