#!/bin/sh
# Regenerate the coverage.py data files (.coverage SQLite) of this folder: run the
# pytest suite in tests/ over src/ under coverage.py, three ways, and record coverage.py's
# own analysis of each (`coverage report`, `coverage report --format=total` and
# `coverage json --show-contexts`) in native.json and <name>.json:
#   lines.coverage     line coverage, relative_files=True (paths "src/shop/cart.py")
#   branch.coverage    --branch with per-test dynamic contexts, relative_files=True
#   abs.coverage       --branch with absolute paths of a temporary directory that no
#                      longer exists (the "data file from another machine" case)
# and, for the line run, coverage.py's own Cobertura XML (lines.xml) and LCOV
# (lines.info) of the same data.
# Usage: [OUT=dir] [ONLY="branch"] make.sh [python]  (default: the .venv python)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out=$(mkdir -p "${OUT:-$here}" && cd "${OUT:-$here}" && pwd)  # OUT=dir: write there instead
py=${1:-$here/../../../.venv/bin/python}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cp -r "$here/src" "$here/tests" "$tmp/"
cd "$tmp"
export PYTHONPATH="$tmp/src" PYTHONDONTWRITEBYTECODE=1 PYTEST_DISABLE_PLUGIN_AUTOLOAD=1
printf '[run]\nrelative_files = True\n' > rel.rc
printf '[run]\nrelative_files = True\ndynamic_context = test_function\n' > ctx.rc
printf '[run]\nrelative_files = False\n' > abs.rc
run() {  # run NAME RCFILE COVERAGE-RUN-ARGS...
    name=$1 rc=$2; shift 2
    rm -f .coverage
    "$py" -m coverage run --rcfile="$rc" --source=src "$@" \
        -m pytest -q -p no:cacheprovider tests >/dev/null
    cp .coverage "$out/$name.coverage"
    "$py" -m coverage report --rcfile="$rc" > "$tmp/$name.report.txt"
    "$py" -m coverage report --rcfile="$rc" --format=total > "$tmp/$name.total.txt"
    "$py" -m coverage json --rcfile="$rc" -q --show-contexts -o "$tmp/$name.json"
    sed "s#$tmp/##g" "$tmp/$name.json" > "$out/$name.json"
}
runs=${ONLY:-lines branch abs}  # ONLY="branch": just that run (the test suite's re-run)
for name in $runs; do
    case $name in
    lines)
        run lines rel.rc
        # The same line data as Cobertura XML and LCOV, written by coverage.py itself:
        # three formats of one run, which `covgap merge` must sum line by line.
        "$py" -m coverage xml --rcfile=rel.rc -q -o "$tmp/lines.xml"
        sed "s#$tmp#.#g" "$tmp/lines.xml" > "$out/lines.xml"
        "$py" -m coverage lcov --rcfile=rel.rc -q -o "$out/lines.info"
        ;;
    branch) run branch ctx.rc --branch --context=unit ;;
    abs) run abs abs.rc --branch ;;
    *) echo "unknown run $name" >&2; exit 2 ;;
    esac
done
"$py" - "$out" "$tmp" $runs <<'PY'
import json, sys
import coverage
here, tmp, runs = sys.argv[1], sys.argv[2], sys.argv[3:]
native = {"coverage_version": coverage.__version__}
for name in runs:
    report = open(f"{tmp}/{name}.report.txt").read().replace(tmp + "/", "").splitlines()
    header = report[0].split()
    rows = {}
    for row in report[2:]:
        if row.startswith("-") or not row.strip():
            continue
        cells = row.split()
        rows[cells[0]] = dict(zip(header[1:], cells[1:]))
    native[name] = {
        "report_total_percent": open(f"{tmp}/{name}.total.txt").read().strip(),
        "report": rows,
    }
with open(f"{here}/native.json", "w") as fh:
    json.dump(native, fh, indent=2, sort_keys=True)
    fh.write("\n")
PY
