#!/usr/bin/env bash
# Produce c8's (Istanbul's) Cobertura report for a small Node program, and c8's totals.
# Installs c8 into a temporary prefix with npm (C8_VERSION overrides the pinned one).
set -euo pipefail
cd "$(dirname "$0")"
here=$(pwd)
C8_VERSION=${C8_VERSION:-12.0.0}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
npm install --prefix "$tmp/npm" "c8@$C8_VERSION" --no-audit --no-fund --loglevel=error >/dev/null
C8="$tmp/npm/node_modules/.bin/c8"
cp -r src "$tmp/"
cd "$tmp"
"$C8" --reports-dir "$tmp/out" --temp-directory "$tmp/v8" --reporter=none node src/main.js >/dev/null
"$C8" report --reports-dir "$tmp/out" --temp-directory "$tmp/v8" \
  --reporter=cobertura --reporter=json-summary --reporter=text-summary --reporter=text \
  > "$here/native.txt"
# The report names the absolute project root in <source>; keep it stable.
sed -e "s#<source>[^<]*</source>#<source>.</source>#" out/cobertura-coverage.xml > "$here/coverage.xml"
python3 - out/coverage-summary.json "$tmp" "$here/native.json" <<'PYEOF'
import json, sys
src, root, dest = sys.argv[1:4]
with open(src) as f:
    data = json.load(f)
out = {k.replace(root + "/", ""): v for k, v in data.items()}
with open(dest, "w") as f:
    json.dump(out, f, indent=1, sort_keys=True)
    f.write("\n")
PYEOF
{ echo "c8 $C8_VERSION"; node --version; } > "$here/version.txt"
