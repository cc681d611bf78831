#!/bin/sh
# Regenerate the Istanbul fixtures: run src/main.js under c8 (V8 coverage through
# v8-to-istanbul) and under nyc (Babel instrumentation), keeping each tool's
# coverage-final.json (Istanbul JSON), coverage-summary.json (Istanbul's own totals:
# the native figures the tests compare with), c8's lcov.info and the text summaries.
#
# c8 is the one the repository's tools/node installs (make node-tools); without it, or
# with C8_VERSION set, c8 is installed into a throw-away prefix. nyc always is.
# Usage: [OUT=dir] [SKIP_NYC=1] make.sh   (OUT defaults to this folder; the test suite
# re-runs c8 into a temporary OUT with SKIP_NYC=1, which needs no network).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out=$(mkdir -p "${OUT:-$here}" && cd "${OUT:-$here}" && pwd)
NYC_VERSION=${NYC_VERSION:-17.1.0}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
c8="$here/../../../tools/node/node_modules/.bin/c8"
if [ -n "${C8_VERSION:-}" ] || [ ! -x "$c8" ]; then
    npm install --silent --no-audit --no-fund --prefix "$tmp" "c8@${C8_VERSION:-12.0.0}" >/dev/null
    c8="$tmp/node_modules/.bin/c8"
fi
cd "$here"
"$c8" --reports-dir "$tmp/out" --temp-directory "$tmp/v8" \
    --reporter=json --reporter=json-summary --reporter=lcov --reporter=text-summary \
    node src/main.js > "$tmp/stdout.txt"
# Make paths relative to this folder so the fixture does not carry the checkout path.
for f in coverage-final.json coverage-summary.json lcov.info; do
    sed "s#$here/##g" "$tmp/out/$f" > "$out/$f"
done
{
    c8_version=$(node -p "require('$(dirname "$(readlink -f "$c8")")/../package.json').version")
    echo "# c8 $c8_version, node $(node --version): text-summary of src/main.js"
    sed -n '/Coverage summary/,$p' "$tmp/stdout.txt"
} > "$out/native.txt"

[ -n "${SKIP_NYC:-}" ] && exit 0
# nyc instruments with Babel, so its statements are finer than lines (several per
# line, statements spanning lines): the case where Istanbul's line derivation
# (FileCoverage.getLineCoverage) matters. Its json-summary is the native total.
npm install --silent --no-audit --no-fund --prefix "$tmp" "nyc@$NYC_VERSION" >/dev/null
mkdir -p "$out/nyc"
"$tmp/node_modules/.bin/nyc" --cwd "$here" --temp-dir "$tmp/nyc-tmp" \
    --report-dir "$tmp/nyc-out" --reporter=json --reporter=json-summary \
    --reporter=text-summary node src/main.js > "$tmp/nyc-stdout.txt"
for f in coverage-final.json coverage-summary.json; do
    sed "s#$here/##g" "$tmp/nyc-out/$f" > "$out/nyc/$f"
done
{
    echo "# nyc $NYC_VERSION, node $(node --version): text-summary of src/main.js"
    sed -n '/Coverage summary/,$p' "$tmp/nyc-stdout.txt"
} > "$out/nyc/native.txt"
