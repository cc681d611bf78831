"""Benchmark source analysis (``covgap.source.analyze_repo``): files/second cold and warm.

Why a generated tree: issue 3 asks that a second run on an unchanged 10,000-file
repository take seconds, and no such repository can be committed. The generator is
seeded, so every run times the same bytes: a polyglot monorepo of Python, Rust,
TypeScript, JavaScript, Go and Ruby packages, each file 40-400 lines of functions with
branches, error handling and, for one file in five, tests.

* **cold**: the cache directory is removed first; every file is parsed (in parallel).
* **warm**: the same repository again; every file is served from the content cache.

Both wall-clock and CPU time (this process and its worker processes) are printed:
on a shared machine the wall clock also measures the neighbours.

Usage::

    python bench/bench_source.py                 # 10,000 files in a temporary directory
    python bench/bench_source.py --files 1000 --jobs 1 --keep /tmp/tree
"""

from __future__ import annotations

import argparse
import random
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

SEED = 20261124
LANGS = ("python", "rust", "typescript", "javascript", "go", "ruby")


def _python(rng: random.Random, stem: str, test: bool) -> str:
    out = [f'"""Module {stem}: generated for the benchmark."""', "", "import os", ""]
    for i in range(rng.randint(3, 25)):
        if test:
            out += [f"def test_{stem}_{i}():", f"    assert helper({i}) == {i}", ""]
            continue
        out += [
            f"def func_{i}(a, b=None):",
            "    # a comment",
            "    if a and b:",
            "        return [x for x in a if x]",
            "    try:",
            "        value = int(a)",
            "    except ValueError:",
            "        raise RuntimeError(a)",
            "    return value if value > 0 else -value",
            "",
        ]
    return "\n".join(out) + "\n"


def _rust(rng: random.Random, stem: str, test: bool) -> str:
    out = [f"//! Module {stem}: generated for the benchmark.", "", "pub struct S;", "", "impl S {"]
    for i in range(rng.randint(3, 20)):
        out += [
            f"    pub fn f{i}(&self, x: i64) -> Result<i64, String> {{",
            '        let v = x.checked_add(1).ok_or_else(|| "overflow".to_string())?;',
            '        match v { 0 => Ok(0), n if n > 10 => Err("big".into()), n => Ok(n) }',
            "    }",
        ]
    out.append("}")
    if test:
        out += ["", "#[cfg(test)]", "mod tests {", "    use super::*;"]
        for i in range(rng.randint(2, 8)):
            out += ["    #[test]", f"    fn t{i}() {{ assert!(S.f{0}(1).is_ok()); }}"]
        out.append("}")
    return "\n".join(out) + "\n"


def _ts(rng: random.Random, stem: str, test: bool, typed: bool = True) -> str:
    if test:
        out = [f'import {{ C }} from "./{stem.removesuffix(".test")}";', 'describe("C", () => {']
        for i in range(rng.randint(2, 12)):
            out.append(f'  it("case {i}", () => {{ expect(new C().m{0}(1)).toBe(1); }});')
        return "\n".join([*out, "});"]) + "\n"
    out = [f"/** Module {stem}: generated for the benchmark. */", "export class C {"]
    for i in range(rng.randint(3, 20)):
        out += [
            f"  m{i}(x: number): number {{" if typed else f"  m{i}(x) {{",
            "    if (x > 0 && x < 100) { return x ?? 0; }",
            "    try { return JSON.parse(String(x)); } catch (e) { throw e; }",
            "  }",
        ]
    return "\n".join([*out, "}"]) + "\n"


def _go(rng: random.Random, stem: str, test: bool) -> str:
    out = [f"// Package p is generated for the benchmark ({stem}).", "package p", ""]
    for i in range(rng.randint(3, 20)):
        if test:
            out += [f"func TestF{i}(t *testing.T) {{", f"\tif F{i}(1) != nil {{ t.Fatal() }}", "}"]
            continue
        out += [
            f"func F{i}(x int) error {{",
            "\tif err := check(x); err != nil {",
            "\t\treturn err",
            "\t}",
            "\tfor i := 0; i < x && i < 10; i++ {}",
            "\treturn nil",
            "}",
        ]
    return "\n".join(out) + "\n"


def _ruby(rng: random.Random, stem: str, test: bool) -> str:
    if test:
        out = [f'require_relative "../lib/{stem.removesuffix("_spec")}"', "describe C do"]
        for i in range(rng.randint(2, 10)):
            out += [f'  it "case {i}" do', "    expect(C.new.m0(1)).to eq 1", "  end"]
        return "\n".join([*out, "end"]) + "\n"
    out = [f"# Module {stem}: generated for the benchmark.", "class C"]
    for i in range(rng.randint(3, 20)):
        out += [
            f"  def m{i}(x)",
            "    raise ArgumentError if x.nil? || x.negative?",
            "    x > 10 ? x : 0",
            "  rescue StandardError",
            "    nil",
            "  end",
        ]
    return "\n".join([*out, "end"]) + "\n"


def _cpu_seconds() -> float:
    """CPU time of this process and its finished workers: on a shared machine the wall
    clock measures the neighbours as much as covgap, CPU time does not."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def generate(root: Path, n_files: int, seed: int = SEED) -> list[str]:
    """Write the tree under ``root``; return its repo-relative paths."""
    rng = random.Random(seed)
    paths: list[str] = []
    n_packages = max(1, n_files // 50)
    for i in range(n_files):
        pkg = i % n_packages
        lang = LANGS[pkg % len(LANGS)]
        test = rng.random() < 0.2
        stem = f"mod_{i:05d}"
        base = f"{lang}/pkg{pkg:04d}"
        if lang == "python":
            rel, text = (
                f"{base}/tests/test_{stem}.py" if test else f"{base}/src/{stem}.py",
                _python(rng, stem, test),
            )
        elif lang == "rust":
            rel, text = f"{base}/src/{stem}.rs", _rust(rng, stem, test)
        elif lang in ("typescript", "javascript"):
            ext = "ts" if lang == "typescript" else "js"
            name = f"{stem}.test" if test else stem
            rel, text = f"{base}/src/{name}.{ext}", _ts(rng, name, test, typed=ext == "ts")
        elif lang == "go":
            rel, text = (
                f"{base}/{stem}_test.go" if test else f"{base}/{stem}.go",
                _go(rng, stem, test),
            )
        else:
            rel, text = (
                f"{base}/spec/{stem}_spec.rb" if test else f"{base}/lib/{stem}.rb",
                _ruby(rng, f"{stem}_spec" if test else stem, test),
            )
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        paths.append(rel)
    return sorted(paths)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--files", type=int, default=10_000)
    parser.add_argument("--jobs", type=int, default=None, help="worker processes (default: cores)")
    parser.add_argument("--keep", type=Path, help="generate into this directory and keep it")
    args = parser.parse_args(argv)

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    from covgap.config import Config
    from covgap.source import analyze_repo
    from covgap.workspace import Workspace

    root = args.keep or Path(tempfile.mkdtemp(prefix="covgap-bench-source-"))
    try:
        root.mkdir(parents=True, exist_ok=True)
        started = time.perf_counter()
        files = generate(root, args.files)
        size = sum((root / p).stat().st_size for p in files)
        print(
            f"generated {len(files):,} files, {size / 1e6:.1f} MB "
            f"in {time.perf_counter() - started:.1f}s under {root}"
        )
        shutil.rmtree(root / ".covgap", ignore_errors=True)
        results = {}
        for label in ("cold", "warm"):
            ws = Workspace(root, files, [], Config())
            cpu_before = _cpu_seconds()
            started = time.perf_counter()
            index = analyze_repo(ws, jobs=args.jobs)
            elapsed = time.perf_counter() - started
            cpu = _cpu_seconds() - cpu_before
            results[label] = elapsed
            functions = sum(len(f.functions) for f in index.files.values())
            tests = sum(len(f.tests) for f in index.files.values())
            print(
                f"{label}: {len(index.files):,} files in {elapsed:.2f}s = "
                f"{len(index.files) / elapsed:,.0f} files/s "
                f"({functions:,} functions, {tests:,} tests, {len(index.skipped)} skipped); "
                f"CPU {cpu:.2f}s = {len(index.files) / max(cpu, 1e-9):,.0f} files per CPU-second"
            )
        print(f"warm/cold speed-up: {results['cold'] / results['warm']:.1f}x")
    finally:
        if args.keep is None:
            shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
