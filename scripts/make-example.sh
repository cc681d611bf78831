#!/usr/bin/env bash
# Regenerate every coverage report of the bundled example (src/covgap/example/) with the
# real tools, and record what those tools print as their own totals (coverage/NATIVE.md).
#
# The example's sources are copied to a temporary directory (mktemp -d), built and tested
# there, and only the reports come back; nothing is built inside the repository. Report
# paths are kept exactly as the tools wrote them (absolute /tmp/tmp.XXXXXXXXXX/tasker/...
# paths): mapping them onto the example tree is covgap's job, and part of the demo.
#
#   Rust        rustc -C instrument-coverage, cargo test (offline), llvm-profdata-19;
#               llvm-cov-19 export -format=text (JSON, gzipped) per suite and
#               -format=lcov for the integration suite; a baseline run with fewer tests
#   Python      coverage.py (branch) under pytest: Cobertura XML (unit), JSON (e2e)
#   Ruby        RSpec under Debian's ruby-simplecov with branch coverage: .resultset.json
#   TypeScript  tsc --sourceMap, node --test under c8: coverage-final.json and lcov.info
#
# Usage: scripts/make-example.sh            (needs cargo, llvm-19, ruby + rspec + simplecov,
#                                            node + npm with registry access, lcov)
# Environment: PYTHON (default .venv/bin/python, needs coverage and pytest), LLVM_SUFFIX
# (default -19), C8_VERSION, TYPESCRIPT_VERSION, TYPES_NODE_VERSION; KEEP_WORK=1 keeps the
# temporary directory for inspection.
set -euo pipefail
exec </dev/null   # nothing here reads input; cargo's probe of rustc must not see ours

repo="$(cd "$(dirname "$0")/.." && pwd)"
example="$repo/src/covgap/example"
dest="$example/coverage"
PYTHON="${PYTHON:-$repo/.venv/bin/python}"
LLVM_SUFFIX="${LLVM_SUFFIX:--19}"
PROFDATA="llvm-profdata$LLVM_SUFFIX"
LLVM_COV="llvm-cov$LLVM_SUFFIX"
C8_VERSION="${C8_VERSION:-10.1.3}"
TYPESCRIPT_VERSION="${TYPESCRIPT_VERSION:-5.9.3}"
TYPES_NODE_VERSION="${TYPES_NODE_VERSION:-20.19.25}"

for tool in cargo rustc "$PROFDATA" "$LLVM_COV" lcov ruby rspec node npm "$PYTHON"; do
    command -v "$tool" >/dev/null 2>&1 || { echo "make-example: $tool not found" >&2; exit 1; }
done

work="$(mktemp -d)"
if [ -n "${KEEP_WORK:-}" ]; then echo "make-example: keeping $work" >&2; else trap 'rm -rf "$work"' EXIT; fi
src="$work/tasker"          # the copy of the example the tools run in
out="$work/out"             # the reports, laid out as in coverage/
notes="$work/notes"         # one Markdown fragment per report, assembled into NATIVE.md
mkdir -p "$src" "$out"/{rust,python,ruby,typescript,baseline} "$notes"
tar -C "$example" --exclude=./coverage --exclude=./target --exclude='*/node_modules' \
    --exclude='*/__pycache__' --exclude='*/dist' -cf - . | tar -C "$src" -xf -

log() { printf 'make-example: %s\n' "$*" >&2; }

# note NAME: append stdin to the NATIVE.md fragment NAME (one fragment per report).
note() { cat >> "$notes/$1"; }

# fence: wrap stdin in a Markdown code block.
fence() { echo '```text'; cat; echo '```'; }

lcov_summary() {  # lcov_summary FILE: lcov's own totals of an LCOV tracefile
    lcov --summary "$1" --rc lcov_branch_coverage=1 2>&1 | grep -E '^ *(lines|functions|branches)'
}

# cov_args PROFDATA OBJECTS: set cov to llvm-cov's arguments: the profile,
# the ignore regex and the test executables (the first positional, the others -object).
cov_args() {
    local exes
    mapfile -t exes < <(cut -f1 "$2")
    cov=(-instr-profile="$1" -ignore-filename-regex="$rust_ignore" "${exes[0]}")
    local exe
    for exe in "${exes[@]:1}"; do cov+=(-object "$exe"); done
}

# Paths cargo-llvm-cov leaves out by default: dependencies, the standard library, tests.
rust_ignore='/\.cargo/registry/|/rustc/|/rustlib/|/tests/'

rust_how() {
    echo "Built with \`RUSTFLAGS=\"-C instrument-coverage\" cargo test --offline --workspace"
    echo "--no-run\` ($(rustc --version | cut -d' ' -f1-2)), each test binary run with"
    echo "\`LLVM_PROFILE_FILE=...%p-%m.profraw\`, the profiles merged with"
    echo "\`$PROFDATA merge -sparse\`, reported with the suite's test binaries as objects and"
    echo "\`-ignore-filename-regex='$rust_ignore'\`."
}

lcov_version() { lcov --version | awk '{print $NF}'; }

# --- Rust ------------------------------------------------------------------------------

rust() {
    log "rust: building the workspace with -C instrument-coverage"
    export CARGO_TARGET_DIR="$work/target" CARGO_INCREMENTAL=0
    export RUSTFLAGS="-C instrument-coverage"
    local build="$work/cargo-build.jsonl"
    (cd "$src" && cargo test --offline --workspace --no-run --message-format=json) > "$build" \
        2> "$work/cargo-build.log" || { cat "$work/cargo-build.log" >&2; return 1; }
    # Test executables by kind: lib and bin unit tests form the "unit" suite, tests/*.rs
    # the "integration" suite (cargo's own split between --lib/--bins and --tests).
    python3 - "$build" "$work" <<'PY'
import json, sys
build, work = sys.argv[1], sys.argv[2]
suites = {"unit": [], "integration": []}
for line in open(build):
    msg = json.loads(line)
    if msg.get("reason") != "compiler-artifact" or not msg.get("executable"):
        continue
    if not msg["profile"]["test"]:
        continue
    kind = msg["target"]["kind"][0]
    label = f'{msg["target"]["name"]} ({"tests/" if kind == "test" else kind})'
    suites["integration" if kind == "test" else "unit"].append((msg["executable"], label))
for suite, exes in suites.items():
    with open(f"{work}/rust-{suite}.objects", "w") as fh:
        fh.write("".join(f"{exe}\t{label}\n" for exe, label in sorted(exes)))
PY
    local suite exe label
    for suite in unit integration; do
        mkdir -p "$work/prof-$suite"
        : > "$work/rust-$suite.tests"
        while IFS=$'\t' read -r exe label; do
            (cd "$src" && LLVM_PROFILE_FILE="$work/prof-$suite/%p-%m.profraw" "$exe" --quiet) \
                > "$work/one.tests" 2>&1 || { cat "$work/one.tests" >&2; return 1; }
            grep -E '^test result:' "$work/one.tests" | sed "s/; finished in.*//; s|^|$label: |" \
                >> "$work/rust-$suite.tests"
        done < "$work/rust-$suite.objects"
        "$PROFDATA" merge -sparse "$work/prof-$suite"/*.profraw -o "$work/rust-$suite.profdata"
        cov_args "$work/rust-$suite.profdata" "$work/rust-$suite.objects"
        "$LLVM_COV" report "${cov[@]}" > "$work/rust-$suite.report"
    done

    # Both suites as llvm-cov's JSON export (what `cargo llvm-cov --json` writes), gzipped:
    # a few hundred KB of segments and regions as text, a tenth of that compressed (covgap
    # reads gzip as is). The JSON carries llvm-cov's own line model and de-duplicated
    # functions, so these are the demo's inputs. The integration run is also exported as
    # LCOV (what `cargo llvm-cov --lcov` writes), whose LF/LH and DA records disagree.
    for suite in unit integration; do
        cov_args "$work/rust-$suite.profdata" "$work/rust-$suite.objects"
        "$LLVM_COV" export -format=text "${cov[@]}" | gzip -9n > "$out/rust/$suite.json.gz"
    done
    cov_args "$work/rust-integration.profdata" "$work/rust-integration.objects"
    "$LLVM_COV" export -format=lcov "${cov[@]}" > "$out/rust/integration.lcov"
    local what
    for suite in unit integration; do
        what="the lib and bin unit tests (\`#[cfg(test)] mod tests\`) of the Cargo workspace"
        [ "$suite" = integration ] && what="the integration tests (\`crates/tasker-core/tests/*.rs\`)"
        {
            echo "## rust/$suite.json.gz"
            echo
            echo "llvm-cov export JSON (\`$LLVM_COV export -format=text\`), compressed with"
            echo "\`gzip -9n\`. Suite \`$suite\`: $what. $(rust_how)"
            echo
            echo "Test binaries (libtest's summary line of each):"
            echo
            fence < "$work/rust-$suite.tests"
            echo
            echo "\`$LLVM_COV report\` (the native totals):"
            echo
            fence < "$work/rust-$suite.report"
        } | note "rust-$suite"
    done
    {
        echo "## rust/integration.lcov"
        echo
        echo "The same run as rust/integration.json.gz, exported as LCOV"
        echo "(\`$LLVM_COV export -format=lcov\`); not a demo input (it would count the run twice)."
        echo "Its \`LF\`/\`LH\` records carry llvm-cov's line totals (the \`llvm-cov report\` in the"
        echo "rust/integration.json.gz entry), but it writes \`DA\` records for fewer lines, and"
        echo "lcov $(lcov_version) counts the \`DA\` records: \`lcov --summary\` of this file:"
        echo
        lcov_summary "$out/rust/integration.lcov" | fence
    } | note "rust-integration-lcov"

    # The baseline: an older, smaller test suite (no result-processing integration test,
    # no config/output unit tests), both suites merged into one LCOV, as a previous CI
    # run would have published it. Same binaries, run again with libtest filters.
    log "rust: baseline run with fewer tests"
    mkdir -p "$work/prof-baseline"
    : > "$work/rust-baseline.tests"
    cat "$work/rust-unit.objects" "$work/rust-integration.objects" > "$work/rust-all.objects"
    while IFS=$'\t' read -r exe label; do
        case "$label" in
            "result_processing (tests/)") continue ;;
        esac
        (cd "$src" && LLVM_PROFILE_FILE="$work/prof-baseline/%p-%m.profraw" "$exe" --quiet \
            --skip config:: --skip output:: --skip parses_format_option) > "$work/one.tests" 2>&1 \
            || { cat "$work/one.tests" >&2; return 1; }
        grep -E '^test result:' "$work/one.tests" | sed "s/; finished in.*//; s|^|$label: |" \
            >> "$work/rust-baseline.tests"
    done < "$work/rust-all.objects"
    "$PROFDATA" merge -sparse "$work/prof-baseline"/*.profraw -o "$work/rust-baseline.profdata"
    cov_args "$work/rust-baseline.profdata" "$work/rust-all.objects"
    "$LLVM_COV" export -format=text "${cov[@]}" | gzip -9n > "$out/baseline/rust.json.gz"
    "$LLVM_COV" export -format=lcov "${cov[@]}" > "$out/baseline/rust.lcov"
    "$LLVM_COV" report "${cov[@]}" > "$work/rust-baseline.report"
    {
        echo "## baseline/rust.json.gz"
        echo
        echo "The baseline: an older, lower-coverage run of the Rust workspace, as a previous CI"
        echo "run would have published it: the unit and integration test binaries together,"
        echo "without the result-processing integration test and with"
        echo "\`--skip config:: --skip output:: --skip parses_format_option\`, merged into one"
        echo "profile; llvm-cov export JSON, gzipped, like the current rust/*.json.gz (the same"
        echo "line model, so the two compare). $(rust_how)"
        echo
        echo "Test binaries:"
        echo
        fence < "$work/rust-baseline.tests"
        echo
        echo "\`$LLVM_COV report\` (the native totals):"
        echo
        fence < "$work/rust-baseline.report"
    } | note "rust-baseline-json"
    {
        echo "## baseline/rust.lcov"
        echo
        echo "The same baseline run as baseline/rust.json.gz, exported as LCOV"
        echo "(\`$LLVM_COV export -format=lcov\`); its \`llvm-cov report\` totals are in that entry."
        echo "\`lcov --summary\` of this file:"
        echo
        lcov_summary "$out/baseline/rust.lcov" | fence
    } | note "rust-baseline-lcov"
    unset RUSTFLAGS CARGO_TARGET_DIR CARGO_INCREMENTAL
}

# --- Python ----------------------------------------------------------------------------

python_suites() {
    local py="$src/python"
    local version
    version="coverage.py $("$PYTHON" -c 'import coverage; print(coverage.__version__)')"
    log "python: unit suite under coverage.py"
    # Unit suite: the project's own [tool.coverage.run] (branch = true, source = tasker_py).
    (cd "$py" && COVERAGE_FILE="$work/py-unit.coverage" "$PYTHON" -m coverage run -m pytest -q \
        -p no:cacheprovider tests/unit) > "$work/py-unit.tests" 2>&1 \
        || { cat "$work/py-unit.tests" >&2; return 1; }
    (cd "$py" && COVERAGE_FILE="$work/py-unit.coverage" "$PYTHON" -m coverage xml -q \
        -o "$out/python/coverage.xml")
    (cd "$py" && COVERAGE_FILE="$work/py-unit.coverage" "$PYTHON" -m coverage report \
        --show-missing) > "$work/py-unit.report"
    {
        echo "## python/coverage.xml"
        echo
        echo "Suite \`unit\`: \`python/tests/unit\` run in \`python/\` with \`coverage run -m pytest\`"
        echo "($version; pytest $("$PYTHON" -m pytest --version 2>&1 | awk '{print $2}');"
        echo "the project's \`[tool.coverage.run]\`: branch = true, source = tasker_py), written"
        echo "with \`coverage xml\` (Cobertura)."
        echo
        echo "pytest:"
        echo
        tail -1 "$work/py-unit.tests" | sed 's/ in [0-9.]*s//' | fence
        echo
        echo "\`coverage report --show-missing\` (the native totals):"
        echo
        fence < "$work/py-unit.report"
    } | note "python-unit"

    log "python: e2e suite under coverage.py"
    (cd "$py" && COVERAGE_FILE="$work/py-e2e.coverage" "$PYTHON" -m coverage run -m pytest -q \
        -p no:cacheprovider tests/e2e) > "$work/py-e2e.tests" 2>&1 \
        || { cat "$work/py-e2e.tests" >&2; return 1; }
    (cd "$py" && COVERAGE_FILE="$work/py-e2e.coverage" "$PYTHON" -m coverage json -q \
        -o "$out/python/coverage.json")
    (cd "$py" && COVERAGE_FILE="$work/py-e2e.coverage" "$PYTHON" -m coverage report \
        --show-missing) > "$work/py-e2e.report"
    {
        echo "## python/coverage.json"
        echo
        echo "Suite \`e2e\`: \`python/tests/e2e\` run the same way, written with \`coverage json\`."
        echo "Its file names are relative to \`python/\` (\`src/tasker_py/...\`), as coverage.py"
        echo "writes them for files under the working directory."
        echo
        echo "pytest:"
        echo
        tail -1 "$work/py-e2e.tests" | sed 's/ in [0-9.]*s//' | fence
        echo
        echo "\`coverage report --show-missing\` (the native totals):"
        echo
        fence < "$work/py-e2e.report"
    } | note "python-e2e"
}

# --- Ruby ------------------------------------------------------------------------------

ruby_suite() {
    local rb="$src/ruby"
    log "ruby: rspec under simplecov"
    # spec_helper requires simplecov when COVERAGE is set; .simplecov enables branches.
    (cd "$rb" && COVERAGE=1 rspec) > "$work/rb.tests" 2>&1 || { cat "$work/rb.tests" >&2; return 1; }
    cp "$rb/coverage/.resultset.json" "$out/ruby/.resultset.json"
    # SimpleCov's own figures for the stored result, computed by SimpleCov itself.
    (cd "$rb" && SIMPLECOV_NO_DEFAULTS=1 ruby -rsimplecov -rjson -e '
        SimpleCov.enable_coverage(:branch)
        data = JSON.parse(File.read("coverage/.resultset.json"))
        SimpleCov::Result.from_hash(data).each do |r|
          printf("%s: line %.2f%% (%d / %d lines, %d missed), branch %.2f%% (%d / %d branches)\n",
                 r.command_name, r.covered_percent, r.covered_lines, r.covered_lines + r.missed_lines,
                 r.missed_lines, r.coverage_statistics[:branch].percent,
                 r.covered_branches, r.total_branches)
          r.files.each do |f|
            printf("  %-34s line %6.2f%% (%3d / %3d)  branch %6.2f%% (%2d / %2d)\n",
                   f.filename.sub(Dir.pwd + "/", ""), f.covered_percent, f.covered_lines.size,
                   f.covered_lines.size + f.missed_lines.size, f.branches_coverage_percent,
                   f.covered_branches.size, f.total_branches.size)
          end
        end') > "$work/rb.report"
    {
        echo "## ruby/.resultset.json"
        echo
        echo "Suite \`unit\`: \`rspec\` in \`ruby/\` with \`COVERAGE=1\` (spec_helper requires"
        echo "simplecov; \`.simplecov\` enables branch coverage and filters \`/spec/\`). Ruby"
        echo "$(ruby -e 'print RUBY_VERSION'), Debian's ruby-simplecov"
        echo "$(ruby -rsimplecov -e 'print SimpleCov::VERSION' 2>/dev/null), rspec-core $(rspec --version | awk '/rspec-core/{print $3}')."
        echo
        echo "RSpec and SimpleCov's own line:"
        echo
        grep -E 'examples,|Coverage report generated|Line Coverage|Branch Coverage' "$work/rb.tests" \
            | sed "s#$work#<tmp>#" | fence
        echo
        echo "SimpleCov's figures for the stored result (\`SimpleCov::Result.from_hash\`):"
        echo
        fence < "$work/rb.report"
    } | note "ruby"
}

# --- TypeScript ------------------------------------------------------------------------

typescript_suite() {
    local ts="$src/typescript" tools="$work/node-tools"
    log "typescript: installing typescript $TYPESCRIPT_VERSION and c8 $C8_VERSION (npm)"
    npm install --silent --no-audit --no-fund --prefix "$tools" "typescript@$TYPESCRIPT_VERSION" \
        "@types/node@$TYPES_NODE_VERSION" "c8@$C8_VERSION" > /dev/null
    ln -s "$tools/node_modules" "$ts/node_modules"
    log "typescript: tsc --sourceMap, node --test under c8"
    (cd "$ts" && node_modules/.bin/tsc -p .)
    (cd "$ts" && node_modules/.bin/c8 --all --src dist/src --include 'dist/src/**' \
        --reports-dir "$work/c8" --temp-directory "$work/c8-tmp" \
        --reporter=json --reporter=lcov --reporter=json-summary --reporter=text-summary \
        --reporter=text node --test dist/test/) > "$work/ts.tests" 2>&1 \
        || { cat "$work/ts.tests" >&2; return 1; }
    cp "$work/c8/coverage-final.json" "$out/typescript/coverage-final.json"
    cp "$work/c8/lcov.info" "$out/typescript/lcov.info"
    local tests
    tests="$(grep -E '^# (tests|pass|fail|skipped) ' "$work/ts.tests")"
    local summary
    summary="$(sed -n '/Coverage summary/,$p' "$work/ts.tests")"
    {
        echo "## typescript/coverage-final.json"
        echo
        echo "Suite \`unit\`: \`tsc -p .\` (TypeScript $TYPESCRIPT_VERSION, \`sourceMap: true\`), then"
        echo "\`c8 --all --src dist/src node --test dist/test/\` (c8 $C8_VERSION, node $(node --version));"
        echo "c8 maps V8's coverage back to the \`.ts\` sources. Istanbul JSON (\`--reporter=json\`)."
        echo
        echo "node:test:"
        echo
        echo "$tests" | fence
        echo
        echo "c8's text-summary and text reporters (the native totals):"
        echo
        echo "$summary" | fence
    } | note "ts-json"
    {
        echo "## typescript/lcov.info"
        echo
        echo "LCOV (\`--reporter=lcov\`) of the same c8 run as typescript/coverage-final.json;"
        echo "c8's totals are in that entry. \`lcov --summary\` of this file:"
        echo
        lcov_summary "$out/typescript/lcov.info" | fence
    } | note "ts-lcov"
}

rust
python_suites
ruby_suite
typescript_suite

# --- Install the reports ---------------------------------------------------------------

log "writing $dest"
cat > "$out/inputs.txt" <<'EOF'
# The example's coverage inputs for `covgap demo`: FLAG=PATH, paths relative to the example
# root, one report per suite. rust/integration.lcov and typescript/lcov.info hold the same
# data as the JSON beside them (other formats of the same runs), so they are not listed.
unit=coverage/rust/unit.json.gz
integration=coverage/rust/integration.json.gz
unit=coverage/python/coverage.xml
e2e=coverage/python/coverage.json
unit=coverage/ruby/.resultset.json
unit=coverage/typescript/coverage-final.json
EOF
cat > "$out/baseline/inputs.txt" <<'EOF'
# The baseline: the repository as an earlier CI run measured it, for --baseline and the
# no-regression gates (convert it with `covgap report --format json`). Only the Rust suites
# had fewer tests then; the other languages' reports are today's. Paths as in inputs.txt.
# baseline/rust.lcov is the same Rust run as LCOV.
coverage/baseline/rust.json.gz
unit=coverage/python/coverage.xml
e2e=coverage/python/coverage.json
unit=coverage/ruby/.resultset.json
unit=coverage/typescript/coverage-final.json
EOF
{
    echo "# Native totals of the example's coverage reports"
    echo
    echo "Written by \`scripts/make-example.sh\`, which ran the example's test suites under the"
    echo "real coverage tools in a temporary copy of the example and copied their reports here."
    echo "Each entry names the report (relative to this folder), how it was produced and the"
    echo "totals the producing tool printed for it: covgap's totals for the same report must"
    echo "equal these. Do not edit by hand: re-run the script."
    for frag in rust-unit rust-integration rust-integration-lcov python-unit python-e2e ruby \
                ts-json ts-lcov rust-baseline-json rust-baseline-lcov; do
        echo
        cat "$notes/$frag"
    done
} > "$out/NATIVE.md"

rm -rf "$dest.new"
cp -r "$out" "$dest.new"
rm -rf "$dest"
mv "$dest.new" "$dest"
du -sh "$dest" >&2
log "done"
