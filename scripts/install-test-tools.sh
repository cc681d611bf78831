#!/usr/bin/env bash
# Install the real coverage tools the test suite runs, from Debian's packages.
# Idempotent: only what is missing is installed. Needs root (or sudo) for apt-get.
set -euo pipefail

packages=(
  lcov            # lcov --summary / genhtml: LCOV fidelity and benchmarks
  llvm-19         # llvm-profdata-19 / llvm-cov-19 for Rust -C instrument-coverage
  clang-19 libclang-rt-19-dev   # C -fprofile-instr-generate -fcoverage-mapping (tests/data/llvm-cov-c); the runtime is only recommended
  ruby ruby-simplecov ruby-rspec   # SimpleCov fidelity
  chromium        # headless browser tests of the HTML report
  golang-go       # go test -coverprofile
  default-jdk-headless libjacoco-java   # JaCoCo reports
  ant junit5      # covgap run on a plain Java project: JaCoCo's Ant report task, the JUnit console launcher
  gcc             # gcov --json-format, and the C program gcovr reports on
  g++             # the C++ template program of tests/data/gcovr-xml (gcovr's JaCoCo/Clover)
  postgresql      # the history store and the server are tested on a real PostgreSQL
)

# Node.js with npm: the machine image ships it (nodesource); Debian's npm conflicts with it.
command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 || packages+=(nodejs npm)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-test-tools: all present"
  exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "install-test-tools: need root to install: ${missing[*]}" >&2
    exit 1
  fi
fi
echo "install-test-tools: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
