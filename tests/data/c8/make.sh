#!/bin/sh
# Regenerate the Istanbul fixtures. Each run keeps the tool's coverage-final.json
# (Istanbul JSON), coverage-summary.json (Istanbul's own totals: the native figures the
# tests compare with), lcov.info and text summary (native.txt):
#
#   .       c8 on src/main.js (V8 coverage through v8-to-istanbul)
#   ts/     c8 on ts/src/main.ts compiled by tsc with source maps (c8 maps back to .ts)
#   nyc/    nyc on src/main.js (Babel instrumentation: several statements per line)
#
# c8 and tsc are the ones the repository's tools/node installs (make node-tools);
# without them they are installed into a throw-away prefix, as nyc always is.
# Usage: [OUT=dir] [SKIP_NYC=1] make.sh   (OUT defaults to this folder; the test suite
# re-runs it into a temporary OUT with SKIP_NYC=1, which needs no network).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out=$(mkdir -p "${OUT:-$here}" && cd "${OUT:-$here}" && pwd)
NYC_VERSION=${NYC_VERSION:-17.1.0}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
bin="$here/../../../tools/node/node_modules/.bin"
if [ ! -x "$bin/c8" ] || [ ! -x "$bin/tsc" ]; then
    npm install --silent --no-audit --no-fund --prefix "$tmp" c8@12.0.0 typescript@5.9.3 >/dev/null
    bin="$tmp/node_modules/.bin"
fi
version() { node -p "require('$(dirname "$(readlink -f "$bin/$1")")/../package.json').version"; }

# keep TOOL VERSION WORKDIR REPORTDIR DEST: copy the reports with paths made relative.
keep() {
    mkdir -p "$5"
    for f in coverage-final.json coverage-summary.json lcov.info; do
        [ -f "$4/$f" ] && sed "s#$3/##g" "$4/$f" > "$5/$f"
    done
    {
        echo "# $1 $2, node $(node --version)"
        sed -n '/Coverage summary/,$p' "$4/stdout.txt"
    } > "$5/native.txt"
}

cd "$here"
mkdir -p "$tmp/js"
"$bin/c8" --reports-dir "$tmp/js" --temp-directory "$tmp/v8" \
    --reporter=json --reporter=json-summary --reporter=lcov --reporter=text-summary \
    node src/main.js > "$tmp/js/stdout.txt"
keep c8 "$(version c8)" "$here" "$tmp/js" "$out"

# TypeScript: compile in a scratch copy (so no dist/ lands here), run the JS, and let
# c8 follow the source maps back to the .ts files.
mkdir -p "$tmp/tsw" "$tmp/ts"
cp -r "$here/ts/src" "$tmp/tsw/src"
(
    cd "$tmp/tsw"
    "$bin/tsc" --outDir dist --sourceMap --module commonjs --target es2020 --strict src/main.ts
    "$bin/c8" --reports-dir "$tmp/ts" --temp-directory "$tmp/v8ts" \
        --reporter=json --reporter=json-summary --reporter=lcov --reporter=text-summary \
        node dist/main.js > "$tmp/ts/stdout.txt"
)
keep "c8 $(version c8) + tsc" "$(version tsc)" "$tmp/tsw" "$tmp/ts" "$out/ts"

[ -n "${SKIP_NYC:-}" ] && exit 0
npm install --silent --no-audit --no-fund --prefix "$tmp/nycp" "nyc@$NYC_VERSION" >/dev/null
mkdir -p "$tmp/nyc"
"$tmp/nycp/node_modules/.bin/nyc" --cwd "$here" --temp-dir "$tmp/nyc-tmp" \
    --report-dir "$tmp/nyc" --reporter=json --reporter=json-summary \
    --reporter=text-summary node src/main.js > "$tmp/nyc/stdout.txt"
keep nyc "$NYC_VERSION" "$here" "$tmp/nyc" "$out/nyc"
