#!/bin/sh
# Regenerate the Go coverprofiles with `go test -coverprofile` on src/ (a module with no
# dependencies: no network), and record `go tool cover -func` (Go's own per-function
# and total statement percentages) for each in native-<name>.txt.
#   set.out, count.out, atomic.out   the whole suite in each -covermode
#   add.out, discount.out            one test each (count mode): two profiles of the
#                                    same package; merged.out is their concatenation
#                                    (one mode line), which go tool cover merges itself.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out=$(mkdir -p "${OUT:-$here}" && cd "${OUT:-$here}" && pwd)  # OUT=dir: write there instead
tmp=$(mktemp -d)
trap 'chmod -R u+w "$tmp"; rm -rf "$tmp"' EXIT
export GOPATH="$tmp/gopath" GOCACHE="$tmp/gocache" GOFLAGS=-mod=mod GOPROXY=off GOTOOLCHAIN=local
cp -r "$here/src" "$tmp/src"
cd "$tmp/src"
for mode in set count atomic; do
    go test -covermode=$mode -coverprofile="$out/$mode.out" . >/dev/null
done
go test -covermode=count -run '^TestAdd$' -coverprofile="$out/add.out" . >/dev/null
go test -covermode=count -run '^TestDiscount$' -coverprofile="$out/discount.out" . >/dev/null
{ cat "$out/add.out"; tail -n +2 "$out/discount.out"; } > "$out/merged.out"
for name in set count atomic add discount merged; do
    go tool cover -func="$out/$name.out" > "$out/native-$name.txt"
done
go version > "$out/go-version.txt"
