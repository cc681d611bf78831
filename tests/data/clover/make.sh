#!/bin/sh
# Regenerate clover.xml: run src/main.js under c8 (V8 coverage, Istanbul's reporters)
# with --reporter=clover, and record Istanbul's own totals for the same run:
# native.json (json-summary) and native.txt (text-summary). Paths are made relative
# to this folder so the fixture does not carry the checkout path.
# c8 comes from the repository's tools/node (make node-tools); without it, or with
# C8_VERSION set, it is installed into a throw-away prefix with npm.
# nyc/ holds the same from nyc (npm-installed into a throw-away prefix; SKIP_NYC=1
# skips it, as the test suite's re-run does, needing no network).
# Usage: [OUT=dir] [SKIP_NYC=1] make.sh
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out=$(mkdir -p "${OUT:-$here}" && cd "${OUT:-$here}" && pwd)  # OUT=dir: write there instead
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
c8="$here/../../../tools/node/node_modules/.bin/c8"
if [ -n "${C8_VERSION:-}" ] || [ ! -x "$c8" ]; then
    npm install --silent --no-audit --no-fund --prefix "$tmp" "c8@${C8_VERSION:-12.0.0}" >/dev/null
    c8="$tmp/node_modules/.bin/c8"
fi
cd "$here"
"$c8" --reports-dir "$tmp/out" --temp-directory "$tmp/v8" \
    --reporter=clover --reporter=json-summary --reporter=text-summary \
    node src/main.js > "$tmp/stdout.txt"
sed "s#$here/##g" "$tmp/out/clover.xml" > "$out/clover.xml"
sed "s#$here/##g" "$tmp/out/coverage-summary.json" > "$out/native.json"
{
    c8_version=$(node -p "require('$(dirname "$(readlink -f "$c8")")/../package.json').version")
    echo "# c8 $c8_version, node $(node --version): text-summary of src/main.js"
    sed -n '/Coverage summary/,$p' "$tmp/stdout.txt"
} > "$out/native.txt"

[ -n "${SKIP_NYC:-}" ] && exit 0
# nyc instruments with Babel: its statements are finer than lines, so Istanbul's
# Clover lines (one per source line) and its statement counts differ, the case where
# reading the <line> elements rather than the statement metrics matters.
NYC_VERSION=${NYC_VERSION:-17.1.0}
npm install --silent --no-audit --no-fund --prefix "$tmp" "nyc@$NYC_VERSION" >/dev/null
mkdir -p "$out/nyc"
"$tmp/node_modules/.bin/nyc" --cwd "$here" --temp-dir "$tmp/nyc-tmp" \
    --report-dir "$tmp/nyc-out" --reporter=clover --reporter=json-summary \
    --reporter=text-summary node src/main.js > "$tmp/nyc-stdout.txt"
sed "s#$here/##g" "$tmp/nyc-out/clover.xml" > "$out/nyc/clover.xml"
sed "s#$here/##g" "$tmp/nyc-out/coverage-summary.json" > "$out/nyc/native.json"
{
    echo "# nyc $NYC_VERSION, node $(node --version): text-summary of src/main.js"
    sed -n '/Coverage summary/,$p' "$tmp/nyc-stdout.txt"
} > "$out/nyc/native.txt"
