#!/bin/sh
# Regenerate the coverage.py fixtures: run prog/'s tests (run_tests.py) under coverage.py with
# branch coverage off and on (and per-test contexts), write `coverage json` (and, to
# compare line and branch records with, `coverage lcov` as NAME.info), and record
# coverage.py's own totals (from `coverage report --format=total` and `coverage report`)
# in native.json. Usage: [PYTHON=python] [OUT=dir] make.sh  (defaults: the repository's
# .venv python, and this folder; the test suite re-runs it into a temporary OUT).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
py=${PYTHON:-$here/../../../.venv/bin/python}
out=$(mkdir -p "${OUT:-$here}" && cd "${OUT:-$here}" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cp "$here"/prog/*.py "$tmp/"
cd "$tmp"
run() {  # run NAME COVERAGE-RUN-ARGS...
    name=$1; shift
    rm -f .coverage
    "$py" -m coverage run "$@" run_tests.py >/dev/null
    rc=""
    show=""
    case "$*" in *--rcfile=*) rc=--rcfile=contexts.rc; show=--show-contexts ;; esac
    "$py" -m coverage json $rc -q $show -o "$out/$name.json" --omit 'test_*,run_tests.py'
    "$py" -m coverage lcov $rc -q -o "$out/$name.info" --omit 'test_*,run_tests.py'
    "$py" -m coverage report $rc --omit 'test_*,run_tests.py' > "$tmp/$name.report.txt"
    "$py" -m coverage report $rc --omit 'test_*,run_tests.py' --format=total > "$tmp/$name.total.txt"
}
run lines
run branch --branch
# Per-test dynamic contexts (what --show-contexts keeps in the JSON).
printf '[run]\nbranch = true\ndynamic_context = test_function\n' > contexts.rc
run contexts --rcfile=contexts.rc
"$py" - "$out" "$tmp" <<'PY'
import json, re, sys
import coverage
here, tmp = sys.argv[1], sys.argv[2]
native = {"coverage_version": coverage.__version__}
for name in ("lines", "branch", "contexts"):
    report = open(f"{tmp}/{name}.report.txt").read().splitlines()
    header = report[0].split()
    rows = {}
    for row in report[2:]:
        if row.startswith("-") or not row.strip():
            continue
        cells = row.split()
        rows[cells[0]] = dict(zip(header[1:], cells[1:]))
    data = json.load(open(f"{here}/{name}.json"))
    native[name] = {
        "json_totals": data["totals"],
        "json_files": {path: f["summary"] for path, f in data["files"].items()},
        "report_total_percent": open(f"{tmp}/{name}.total.txt").read().strip(),
        "report": rows,
    }
json.dump(native, open(f"{here}/native.json", "w"), indent=2, sort_keys=True)
open(f"{here}/native.json", "a").write("\n")
PY
