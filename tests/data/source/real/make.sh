#!/bin/sh
# Vendor a few real open-source files (licences in LICENSES.md) and record an
# independent count of their functions made by each language's own parser:
#
#   Go   (go/ast, via gofuncs/main.go)  -> native-go.txt   "file Name start end"
#   Ruby (Ripper, ruby's own parser)    -> native-ruby.txt "file name line"
#
# Python files are checked against the stdlib's ast module at test time.
# Re-run from anywhere: sh tests/data/source/real/make.sh
set -eu
here=$(cd "$(dirname "$0")" && pwd)
cd "$here"

cp /usr/lib/python3.11/textwrap.py python/textwrap.py
cp /usr/lib/python3.11/shlex.py python/shlex.py
cp /usr/lib/go-1.19/src/strings/replace.go go/replace.go
cp /usr/lib/go-1.19/src/sort/example_test.go go/example_test.go
gems=/usr/share/rubygems-integration/all/gems/rspec-core-3.12.0/lib/rspec/core
cp "$gems/backtrace_formatter.rb" ruby/backtrace_formatter.rb
cp "$gems/ordering.rb" ruby/ordering.rb
cp /usr/lib/node_modules/npm/node_modules/ms/index.js js/ms.js

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
GOFLAGS=-mod=mod GOPROXY=off go build -o "$work/gofuncs" gofuncs/main.go
"$work/gofuncs" go/replace.go go/example_test.go > native-go.txt

ruby -rripper -e '
  def walk(node, file, out)
    return unless node.is_a?(Array)
    if node[0] == :def
      out << [file, node[1][1], node[1][2][0]]
    elsif node[0] == :defs
      out << [file, node[3][1], node[3][2][0]]
    end
    node.each { |child| walk(child, file, out) }
  end
  out = []
  ARGV.each { |path| walk(Ripper.sexp(File.read(path)), File.basename(path), out) }
  out.each { |file, name, line| puts "#{file} #{name} #{line}" }
' ruby/backtrace_formatter.rb ruby/ordering.rb > native-ruby.txt
