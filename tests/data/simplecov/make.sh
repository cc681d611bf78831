#!/bin/sh
# Regenerate the SimpleCov fixtures: run prog/'s RSpec suite under ruby-simplecov with
# branch coverage as two commands ("calc" and "shapes": two entries of one
# .resultset.json, which SimpleCov merges), then ask SimpleCov itself for its figures:
#
#   resultset.json        the .resultset.json SimpleCov wrote (new lines/branches form)
#   resultset-old.json    the same data in the pre-0.18 form (a bare array of line
#                         counts per file, no branches), written by this script
#   native.json           per input: SimpleCov's merged result (ResultMerger, the
#                         SimpleCov.result of a later run) — covered/missed lines,
#                         lines_of_code, covered/total branches, overall and per file
#
# Absolute paths are rewritten to be relative to prog/. Usage: [OUT=dir] make.sh
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out=$(mkdir -p "${OUT:-$here}" && cd "${OUT:-$here}" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp -r "$here/prog/." "$work/"
cd "$work"
SIMPLECOV_COMMAND=calc rspec spec/calc_spec.rb >/dev/null
SIMPLECOV_COMMAND=shapes rspec spec/shapes_spec.rb >/dev/null
ruby - "$work" "$out" <<'RUBY'
require "json"
require "simplecov"
work, out = ARGV
SimpleCov.root(work)
SimpleCov.coverage_dir("coverage")
SimpleCov.enable_coverage(:branch)
SimpleCov.merge_timeout(3600)
resultset_path = File.join(work, "coverage", ".resultset.json")
real = JSON.parse(File.read(resultset_path))
# The pre-0.18 form: {"command": {"coverage": {"file": [counts...]}, "timestamp": N}}.
old = real.transform_values do |entry|
  { "coverage" => entry["coverage"].transform_values { |cov| cov["lines"] },
    "timestamp" => entry["timestamp"] }
end
strip = ->(path) { path.delete_prefix("#{work}/") }
figures = lambda do |result|
  files = result.files.to_h do |f|
    [strip.(f.filename), {
      "covered_lines" => f.covered_lines.size, "missed_lines" => f.missed_lines.size,
      "lines_of_code" => f.lines_of_code,
      "covered_branches" => f.covered_branches.size, "total_branches" => f.total_branches.size
    }]
  end
  { "covered_lines" => result.covered_lines, "missed_lines" => result.missed_lines,
    "total_lines" => result.total_lines, "covered_percent" => result.covered_percent,
    "covered_branches" => result.covered_branches, "total_branches" => result.total_branches,
    "command_name" => result.command_name, "files" => files }
end
native = { "simplecov_version" => SimpleCov::VERSION, "ruby_version" => RUBY_VERSION }
{ "resultset.json" => real, "resultset-old.json" => old }.each do |name, data|
  File.write(resultset_path, JSON.generate(data))
  result = SimpleCov::ResultMerger.merged_result
  # SimpleCov 0.22 merges two old-form entries into "branches" => nil and then fails
  # on it (NoMethodError in build_branches); an old resultset has no branches: {}.
  result.files.each { |f| f.coverage_data["branches"] ||= {} }
  native[name] = figures.(result)
  text = JSON.pretty_generate(data).gsub("#{work}/", "")
  File.write(File.join(out, name), text + "\n")
end
File.write(File.join(out, "native.json"), JSON.pretty_generate(native) + "\n")
RUBY
