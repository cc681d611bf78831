#!/bin/sh
# Regenerate the llvm-cov fixtures: build src/ (a Rust crate of three files with a
# generic fn instantiated twice, closures, uncovered fns, `if`/`match`) with
# `rustc -C instrument-coverage` and branch coverage, run it twice, merge the
# profiles with llvm-profdata-19 and write what llvm-cov-19 says about them:
#
#   export.json   llvm-cov export -format=text   (the reader's input)
#   export.info   llvm-cov export -format=lcov   (for the LCOV reader)
#   export-filtered.json  the export with -ignore-filename-regex=shapes\.rs
#   native.txt    llvm-cov report (per-file table and TOTAL) and, per file,
#                 llvm-cov report -show-functions (per-function rows)
#   native.json   the same tables parsed into numbers
#
# Branch coverage needs rustc's unstable -Zcoverage-options=branch; RUSTC_BOOTSTRAP=1
# allows it on the stable toolchain. Absolute build paths are rewritten to src/.
# Usage: [OUT=dir] make.sh   (OUT defaults to this folder; the test suite re-runs it
# into a temporary OUT).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out=$(mkdir -p "${OUT:-$here}" && cd "${OUT:-$here}" && pwd)
LLVM_COV=${LLVM_COV:-llvm-cov-19}
LLVM_PROFDATA=${LLVM_PROFDATA:-llvm-profdata-19}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/src"
cp "$here"/src/*.rs "$work/src/"
cd "$work"
RUSTC_BOOTSTRAP=1 rustc --edition 2021 -C instrument-coverage -Zcoverage-options=branch \
    -C opt-level=0 -C codegen-units=1 -A dead_code -o demo src/main.rs
LLVM_PROFILE_FILE="$work/demo-%p.profraw" ./demo 4 -3 0 >/dev/null
LLVM_PROFILE_FILE="$work/demo-%p.profraw" ./demo 7 >/dev/null
"$LLVM_PROFDATA" merge -sparse demo-*.profraw -o demo.profdata
cov="-instr-profile=demo.profdata ./demo"
# shellcheck disable=SC2086
"$LLVM_COV" export -format=text $cov | sed "s#$work/##g" > "$out/export.json"
# shellcheck disable=SC2086
"$LLVM_COV" export -format=lcov $cov | sed "s#$work/##g" > "$out/export.info"
# An export that leaves a file out, as cargo llvm-cov does for dependencies: llvm-cov
# still exports that file's function records, and its report does not count them.
filter="-ignore-filename-regex=shapes\.rs"
# shellcheck disable=SC2086
"$LLVM_COV" export -format=text $cov "$filter" | sed "s#$work/##g" > "$out/export-filtered.json"
{
    echo "# $("$LLVM_COV" --version | sed -n 's/^ *//; /version/p' | head -1); $(rustc --version)"
    echo "# llvm-cov report -show-branch-summary"
    # shellcheck disable=SC2086
    "$LLVM_COV" report -show-branch-summary $cov
    echo
    echo "# llvm-cov report -show-branch-summary $filter"
    # shellcheck disable=SC2086
    "$LLVM_COV" report -show-branch-summary $cov "$filter" | tail -1
    echo
    for f in src/*.rs; do
        echo "# llvm-cov report -show-functions $f"
        # shellcheck disable=SC2086
        "$LLVM_COV" report -show-functions $cov "$f"
        echo
    done
} | sed "s#$work/##g" > "$out/native.txt"
python3 - "$out/native.txt" "$out/native.json" <<'PY'
import json, re, sys
text = open(sys.argv[1]).read().splitlines()
native = {"version": text[0].lstrip("# "), "files": {}, "functions": {}}
section = None
for row in text:
    if row.startswith("# llvm-cov report -show-functions "):
        section = row.split()[-1]
        native["functions"][section] = {}
        continue
    if row.startswith("# llvm-cov report -show-branch-summary -ignore"):
        section = "filtered"
        continue
    if row.startswith("# llvm-cov report"):
        section = "files"
        continue
    cells = row.split()
    if not cells or row.startswith(("-", "Filename", "Name", "File ", "#")):
        continue
    if section == "filtered" and cells[0] == "TOTAL":
        n = cells[1:]
        native["filtered_total"] = {
            "regions": int(n[0]), "regions_missed": int(n[1]),
            "functions": int(n[3]), "functions_missed": int(n[4]),
            "lines": int(n[6]), "lines_missed": int(n[7]),
            "branches": int(n[9]), "branches_missed": int(n[10]),
        }
    elif section == "files":
        # Filename Regions Missed Cover Functions Missed Executed Lines Missed Cover
        # Branches Missed Cover
        name, n = cells[0], [c for c in cells[1:]]
        native["files"][name] = {
            "regions": int(n[0]), "regions_missed": int(n[1]),
            "functions": int(n[3]), "functions_missed": int(n[4]),
            "lines": int(n[6]), "lines_missed": int(n[7]),
            "branches": int(n[9]), "branches_missed": int(n[10]),
        }
    elif section:
        # Name Regions Miss Cover Lines Miss Cover Branches Miss Cover
        name, n = cells[0], cells[1:]
        native["functions"][section][name] = {
            "regions": int(n[0]), "regions_missed": int(n[1]),
            "lines": int(n[3]), "lines_missed": int(n[4]),
            "branches": int(n[6]), "branches_missed": int(n[7]),
        }
json.dump(native, open(sys.argv[2], "w"), indent=1, sort_keys=True)
open(sys.argv[2], "a").write("\n")
PY
