#!/usr/bin/env bash
# Produce coverage.py's Cobertura reports and coverage.py's own totals for them.
# Run from anywhere: bash tests/data/cobertura/coveragepy/make.sh  (PYTHON overrides).
set -euo pipefail
cd "$(dirname "$0")"
PY=${PYTHON:-../../../../.venv/bin/python}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
rm -f .coverage
# Line coverage only.
$PY -m coverage run --source=app run_app.py
$PY -m coverage xml -q -o lines.xml
$PY -m coverage json -q -o "$tmp/lines.json"
$PY -m coverage report > native-lines.txt
# Branch coverage.
rm -f .coverage
$PY -m coverage run --branch --source=app run_app.py
$PY -m coverage xml -q -o branch.xml
$PY -m coverage json -q -o "$tmp/branch.json"
$PY -m coverage report > native-branch.txt
rm -f .coverage
$PY -m coverage --version | head -1 > version.txt
# native.json: coverage.py's own totals (coverage json "totals" and per-file summaries).
$PY - "$tmp" <<'PYEOF'
import json, sys
out = {}
for name in ("lines", "branch"):
    with open(f"{sys.argv[1]}/{name}.json") as f:
        data = json.load(f)
    out[f"{name}.xml"] = {
        "totals": data["totals"],
        "files": {p: d["summary"] for p, d in sorted(data["files"].items())},
    }
with open("native.json", "w") as f:
    json.dump(out, f, indent=1, sort_keys=True)
    f.write("\n")
PYEOF
