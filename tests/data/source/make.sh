#!/bin/sh
# Record the native test runners' own view of the fixture repository's tests, so the
# test inventory is checked against the tools rather than against numbers typed by hand.
#
#   pytest 9 (with hypothesis)  -> native/pytest.txt   (pytest -v: one line per test and outcome)
#   rspec 3                     -> native/rspec.json   (rspec --format json: examples and statuses)
#   minitest (ruby 3.1)         -> native/minitest.txt (ruby test/test_gadget.rb -v)
#   go 1.19                     -> native/go-list.txt, native/go-test.txt (go test -list / -v)
#   cargo 1.95                  -> native/cargo-list.txt, native/cargo-ignored.txt
#   node 20 node:test           -> native/node-test.txt (node --test, TAP reporter)
#
# Re-run from this directory: sh make.sh   (PYTHON may point at the project's venv python)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
repo="$here/repo"
out="$here/native"
PYTHON=${PYTHON:-python3}
mkdir -p "$out"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

(cd "$repo/python" && PYTHONPATH=src "$PYTHON" -m pytest -v -p no:cacheprovider -o addopts= \
    -o filterwarnings= tests 2>&1 | grep -E '::.* (PASSED|SKIPPED|FAILED|ERROR)' \
    | sed -E 's/ +\[ *[0-9]+%\]$//') > "$out/pytest.txt"

(cd "$repo/ruby" && rspec --format json spec 2>/dev/null \
    | "$PYTHON" -c 'import json,sys; d=json.load(sys.stdin); print(json.dumps([{"description": e["full_description"], "status": e["status"], "line": e["line_number"]} for e in d["examples"]], indent=1))') \
    > "$out/rspec.json"

(cd "$repo/ruby" && ruby -Ilib test/test_gadget.rb -v --seed 1 2>&1 \
    | sed -E 's/ = [0-9.]+ s = / = /' | grep -E '^TestGadget#test_[a-z_]+ = [.SEF]$' | sort) > "$out/minitest.txt"

cp -r "$repo/go" "$work/go"
(cd "$work/go" && GOFLAGS=-mod=mod GOPROXY=off go test -list '.*' . | grep -v '^ok') > "$out/go-list.txt"
(cd "$work/go" && GOFLAGS=-mod=mod GOPROXY=off go test -v . | grep -E '^--- ' \
    | sed -E 's/ \([0-9.]+s\)$//') > "$out/go-test.txt"

cp -r "$repo/rust" "$work/rust"
(cd "$work/rust" && CARGO_TARGET_DIR="$work/target" cargo test --offline -q -- --list 2>/dev/null \
    | grep -E ': (test|bench)$' | sort) > "$out/cargo-list.txt"
(cd "$work/rust" && CARGO_TARGET_DIR="$work/target" cargo test --offline -q -- --list --ignored 2>/dev/null \
    | grep -E ': (test|bench)$' | sort) > "$out/cargo-ignored.txt"

(cd "$repo/web" && node --test --test-reporter=tap test/util.spec.js 2>&1 \
    | grep -E '^ *(not )?ok [0-9]+ - ' | sed -E 's/^ +//') > "$out/node-test.txt"
