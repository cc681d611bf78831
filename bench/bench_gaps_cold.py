"""Time ``covgap gaps`` cold on a repository with sources, against an older covgap.

Issue 14, target 4: cold ``gaps`` on the 10,000-file corpus must take at most 20 s, and
most of its time is source analysis in worker processes. This prints wall clock and CPU
seconds (the command and all its worker processes, from ``RUSAGE_CHILDREN``) of a cold
run (``.covgap/`` removed first) of this checkout's covgap and, with ``--compare REF``,
of the ``src/`` of git ref ``REF`` (exported with ``git archive``, put first on
``PYTHONPATH``), alternating ``--rounds`` times so both see the same neighbours; and it
checks the two JSON outputs are byte-identical. The repository is
``bench_html.generate_repo``'s (Python, TypeScript, Go, Rust and C, in one git commit).

After the cold runs, one warm run (cache kept) of this checkout. The targets are printed
with PASS/FAIL from the measured numbers: cold wall at most 20 s at 10,000 files (below
that size the limit is scaled by files / 10,000 and says so), and the CPU budget that
needs on this machine's cores (20 s x cores: above it, no scheduling can meet the wall
target). ``--split`` adds where one file's CPU goes (read+hash, parse, query captures,
the Python walk, the regex fallback, encoding the result in the worker as the cache's row
and decoding it in the parent), measured in this process, one file at a time, and what
tree-sitter alone costs (``bench/ts_floor.py``): whether the limit is within reach of any
analyser built on it, on this machine's cores.

Usage::

    python bench/bench_gaps_cold.py --files 1000 --keep /tmp/gapsbench --compare main
    python bench/bench_gaps_cold.py --files 10000 --rounds 1 --split \\
        --write-results bench/RESULTS-gaps.md
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench_html import generate_repo
from ts_floor import floor_lines, tree_sitter_floor

ROOT = Path(__file__).resolve().parents[1]
TARGET_FILES = 10_000
TARGET_WALL = 20.0


def _repo(base: Path, n_files: int) -> Path:
    repo = base / f"repo-{n_files}"
    report = repo / "coverage" / "lcov.info"
    if not report.exists():
        shutil.rmtree(repo, ignore_errors=True)
        repo.mkdir(parents=True)
        generate_repo(repo, n_files)
    return repo


def _export(ref: str, dest: Path) -> tuple[Path, list[str]]:
    """``ref``'s ``src/`` with its C accelerators built from its own C sources, as an
    install would (git holds no built extension: without them the older covgap would read
    the LCOV in pure Python and lose for reasons no analysis change made); also the names
    of the accelerators that did not build (printed with the results)."""
    import sysconfig

    archive = subprocess.run(
        ["git", "archive", ref, "src"], cwd=ROOT, check=True, capture_output=True
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(dest)], input=archive, check=True)
    compiler = (sysconfig.get_config_var("CC") or "cc").split()
    flags = (sysconfig.get_config_var("CFLAGS") or "").split()
    include = sysconfig.get_paths()["include"]
    suffix = sysconfig.get_config_var("EXT_SUFFIX") or ".so"
    missing: list[str] = []
    for source in sorted((dest / "src" / "covgap").glob("_*speedups.c")):
        target = source.with_name(source.stem + suffix)
        command = [*compiler, *flags, "-O2", "-fPIC", "-shared", f"-I{include}"]
        built = subprocess.run(
            [*command, str(source), "-o", str(target)], check=False, capture_output=True
        )
        if built.returncode != 0:
            missing.append(source.stem)
    return dest / "src", missing


def _cold(
    repo: Path, out: Path, pythonpath: Path | None, *, warm: bool = False
) -> tuple[float, float]:
    """(wall s, CPU s) of one cold (or, with ``warm``, cached) ``covgap gaps``."""
    if not warm:
        shutil.rmtree(repo / ".covgap", ignore_errors=True)
    env = dict(os.environ)
    env.pop("PYTHONPATH", None)
    if pythonpath is not None:
        env["PYTHONPATH"] = str(pythonpath)
    cmd = [sys.executable, "-m", "covgap", "gaps", "--format", "json", "-o", str(out)]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(
        [*cmd, "coverage/lcov.info"], cwd=repo, env=env, check=True, stderr=subprocess.DEVNULL
    )
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def split(repo: Path) -> list[tuple[str, float]]:
    """CPU s of each step of source analysis over the whole repository, one process.

    The same steps :mod:`covgap.source.repo` and :func:`covgap.source.analyze_source`
    run, timed apart: parse and captures are timed on a second parse of each file (the
    walk's share is the analysis minus them), so the total is a little above one run's.
    """
    import orjson
    import tree_sitter

    from covgap.config import load_config
    from covgap.source import _ts
    from covgap.source import analyze as analyze_mod
    from covgap.source import repo as repo_mod
    from covgap.source.classify import TestRules
    from covgap.source.records import from_dict
    from covgap.workspace import Workspace

    clock = time.process_time
    ws = Workspace.load(repo, load_config(repo))
    rules = TestRules.from_config(ws.config.section("tests"), ws.config.section("classify"))
    acc: dict[str, float] = dict.fromkeys(
        ["read+classify+hash", "parse", "query captures", "walk (Python)", "regex fallback"],
        0.0,
    )
    acc.update(dict.fromkeys(["result encode (worker)", "result decode (parent)"], 0.0))
    walkers: dict[str, type[_ts.Walker]] = {}
    for path in sorted(ws.files):
        language = repo_mod.language_of(ws, path)
        if language is None:
            continue
        t0 = clock()
        text = (repo / path).read_bytes()
        kind, _ = rules.classify(path, text)
        repo_mod.cache_key(text, language, path, kind == "test")
        t1 = clock()
        sf = analyze_mod.analyze_source(path, text, language, is_test=kind == "test")
        t2 = clock()
        acc["read+classify+hash"] += t1 - t0
        grammar = analyze_mod.grammar_for(language, path)
        if grammar is None:
            acc["regex fallback"] += t2 - t1
        else:
            parser = _ts.parser_for(grammar)
            t3 = clock()
            tree = parser.parse(text)
            t4 = clock()
            module = __import__(analyze_mod._ANALYSERS[language], fromlist=["analyze"])
            walker = walkers.get(module.__name__)
            if walker is None:
                walker = next(
                    v
                    for v in vars(module).values()
                    if isinstance(v, type)
                    and issubclass(v, _ts.Walker)
                    and v.__module__ == module.__name__
                    and v.INTERESTING is not None
                )
                walkers[module.__name__] = walker
            query = _ts._query_for(walker, parser.language)
            t5 = clock()
            tree_sitter.QueryCursor(query).captures(tree.root_node)
            t6 = clock()
            acc["parse"] += t4 - t3
            acc["query captures"] += t6 - t5
            acc["walk (Python)"] += (t2 - t1) - (t4 - t3) - (t6 - t5)
        t7 = clock()
        data = repo_mod.encode(sf)
        t8 = clock()
        from_dict(path, orjson.loads(data))
        t9 = clock()
        acc["result encode (worker)"] += t8 - t7
        acc["result decode (parent)"] += t9 - t8
    return list(acc.items())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--compare", metavar="REF", help="also time src/ of this git ref")
    parser.add_argument("--keep", type=Path, help="generate (or reuse) the repository here")
    parser.add_argument("--split", action="store_true", help="also time each analysis step")
    parser.add_argument("--write-results", type=Path, help="also write the output here")
    args = parser.parse_args()
    base = args.keep or Path(tempfile.mkdtemp(prefix="gapsbench-"))
    base.mkdir(parents=True, exist_ok=True)
    repo = _repo(base, args.files)
    old_src, old_missing = (
        _export(args.compare, Path(tempfile.mkdtemp(prefix="gapsold-")))
        if args.compare
        else (None, [])
    )
    runs: dict[str, list[tuple[float, float]]] = {"this checkout": []}
    if old_src is not None:
        runs[args.compare] = []
    outputs = {label: base / f"gaps-{i}.json" for i, label in enumerate(runs)}
    for _ in range(args.rounds):
        # this checkout last: the warm run below reuses the cache its cold run left
        for label, times in reversed(runs.items()):
            src = old_src if label != "this checkout" else None
            times.append(_cold(repo, outputs[label], src))
    warm = _cold(repo, base / "gaps-warm.json", None, warm=True)
    load = os.getloadavg()
    cores = os.cpu_count() or 1
    out: list[str] = [f"### covgap gaps cold, {args.files:,} files ({cores} cores)", ""]
    out += [f"load average after the runs: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}", ""]
    out += ["| covgap | wall s (each run) | CPU s (each run) | best CPU s |"]
    out += ["| --- | ---: | ---: | ---: |"]
    for label, times in runs.items():
        walls = " / ".join(f"{w:.1f}" for w, _ in times)
        cpus = " / ".join(f"{c:.1f}" for _, c in times)
        out.append(f"| {label} | {walls} | {cpus} | {min(c for _, c in times):.1f} |")
    out.append(f"| this checkout, warm | {warm[0]:.1f} | {warm[1]:.1f} | {warm[1]:.1f} |")
    if old_missing:
        out += ["", f"{args.compare}'s C accelerators that did not build: {', '.join(old_missing)}"]
    ok = (base / "gaps-warm.json").read_bytes() == outputs["this checkout"].read_bytes()
    out += ["", f"warm JSON byte-identical to cold: {'yes' if ok else 'NO'}"]
    if old_src is not None:
        same = len({p.read_bytes() for p in outputs.values()}) == 1
        out += ["", f"JSON outputs byte-identical: {'yes' if same else 'NO'}"]
        ok = ok and same
    wall = min(w for w, _ in runs["this checkout"])
    cpu = min(c for _, c in runs["this checkout"])
    scale = args.files / TARGET_FILES
    limit = TARGET_WALL * scale
    budget = TARGET_WALL * cores * scale
    how = "" if args.files == TARGET_FILES else f" (20 s scaled by {args.files:,} / 10,000)"
    out += ["", f"Targets (issue 14, target 4, at {TARGET_FILES:,} files):", ""]
    out.append(
        f"- cold wall {wall:.1f} s, limit {limit:.1f} s{how}: "
        + ("PASS" if wall <= limit else "FAIL")
    )
    out.append(
        f"- cold CPU {cpu:.1f} s, budget {budget:.1f} s (wall limit x {cores} cores): "
        + ("PASS" if cpu <= budget else "FAIL")
        + f"; at this rate {TARGET_FILES:,} files need >= {cpu / scale / cores:.1f} s wall"
    )
    if args.split:
        steps = split(repo)
        total = sum(v for _, v in steps)
        out += ["", f"Where source analysis spends its CPU ({args.files:,} files, one process):"]
        out += ["", "| step | CPU s | share |", "| --- | ---: | ---: |"]
        out += [f"| {name} | {v:.2f} | {v / total:.0%} |" for name, v in steps]
        out.append(f"| total | {total:.2f} | 100% |")
        # the cold run outside source analysis: its CPU less the split's (a little above
        # one run's analysis, so this errs low)
        rest = max(cpu - total, 0.0)
        out += ["", "Whether the limit is within reach of any tree-sitter analyser:", ""]
        out += floor_lines(tree_sitter_floor(repo), rest, cores, limit, "a cold `covgap gaps`")
    text = "\n".join(out) + "\n"
    print(text, end="")
    if args.write_results is not None:
        args.write_results.write_text(text, encoding="utf-8")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
