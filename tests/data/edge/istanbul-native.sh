#!/bin/sh
# Record istanbul-lib-coverage's own summary and line map of the hand-written Istanbul
# edge fixtures (istanbul-*.json) in istanbul-*.native.json. Uses the
# istanbul-lib-coverage that c8 brings into tools/node (make node-tools).
# A {"data": {...}} wrapper is unwrapped first: createCoverageMap only unwraps
# FileCoverage instances, not their JSON.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
export NODE_PATH="$here/../../../tools/node/node_modules"
for f in "$here"/istanbul-*.json; do
    case "$f" in *.native.json) continue ;; esac
    node -e '
const fs = require("fs");
const { createCoverageMap } = require("istanbul-lib-coverage");
const raw = JSON.parse(fs.readFileSync(process.argv[1], "utf8"));
for (const k of Object.keys(raw)) if (raw[k].data && !raw[k].statementMap) raw[k] = raw[k].data;
const map = createCoverageMap(raw);
const out = { version: require("istanbul-lib-coverage/package.json").version, files: {} };
for (const f of map.files()) {
    const fc = map.fileCoverageFor(f);
    out.files[f] = { summary: fc.toSummary().toJSON(), lines: fc.getLineCoverage() };
}
out.total = map.getCoverageSummary().toJSON();
fs.writeFileSync(process.argv[2], JSON.stringify(out, null, 1) + "\n");
' "$f" "${f%.json}.native.json"
done
