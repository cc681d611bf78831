#!/usr/bin/env bash
# Produce gcovr's Cobertura report for a small C program, and gcovr's own totals.
# Needs gcc (with gcov) and gcovr (GCOVR overrides; default: the project's venv).
set -euo pipefail
cd "$(dirname "$0")"
GCOVR=${GCOVR:-$(cd ../../../.. && pwd)/.venv/bin/gcovr}
build=$(mktemp -d)
trap 'rm -rf "$build"' EXIT
cp -r src "$build/"
(cd "$build" && gcc --coverage -O0 -o prog src/main.c src/lib/mathx.c && ./prog)
# gcovr's filters and paths relative to the copied tree, so the report names src/...
(cd "$build" && "$GCOVR" --root . --cobertura-pretty --cobertura coverage.xml \
   --txt summary.txt --json-summary summary.json --json-summary-pretty \
   --txt-metric branch --txt branch.txt >/dev/null)
(cd "$build" && "$GCOVR" --root . --txt-metric line --txt lines.txt >/dev/null)
# Keep the sources' root stable in the committed report.
sed -e "s#<source>[^<]*</source>#<source>.</source>#" "$build/coverage.xml" > coverage.xml
cat "$build/lines.txt" "$build/branch.txt" > native.txt
python3 - "$build/summary.json" <<'PYEOF'
import json, sys
with open(sys.argv[1]) as f:
    data = json.load(f)
data.pop("root", None)
with open("native.json", "w") as f:
    json.dump(data, f, indent=1, sort_keys=True)
    f.write("\n")
PYEOF
{ gcc --version | head -1; "$GCOVR" --version | head -1; } > version.txt
