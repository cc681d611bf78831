#!/usr/bin/env bash
# Re-create rust.info: the LCOV that `llvm-cov-19 export -format=lcov` writes for
# src/main.rs built with `rustc -C instrument-coverage` (rustc 1.95, LLVM 19 tools),
# and native.txt, what `lcov --summary` (lcov 1.16) prints for it. The absolute
# source path is rewritten to src/main.rs so the fixture is portable.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cp "$here/src/main.rs" "$work/"
cd "$work"
rustc -C instrument-coverage -C opt-level=0 -o demo main.rs
LLVM_PROFILE_FILE="$work/demo-%p.profraw" ./demo 4 -3 0 >/dev/null
LLVM_PROFILE_FILE="$work/demo-%p.profraw" ./demo 7 >/dev/null
llvm-profdata-19 merge -sparse demo-*.profraw -o demo.profdata
llvm-cov-19 export -format=lcov -instr-profile=demo.profdata ./demo > raw.info
sed "s|^SF:$work/|SF:src/|" raw.info > "$here/rust.info"
cd "$here"
lcov --summary rust.info --rc lcov_branch_coverage=1 > native.txt 2>&1
cat native.txt
