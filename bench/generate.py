"""Write a synthetic monorepo's coverage, as LCOV and as Cobertura XML of the same data.

Why synthetic: the issue's speed targets are stated for a ~10,000-file, ~4M-line
monorepo (~68 MB of LCOV), and no such real report can be committed. The generator
is seeded and deterministic, so every run of the benchmark times the same bytes.

The shape imitates a polyglot monorepo: packages of Rust, Python, TypeScript, Go and
C files; each file has functions every few dozen executable lines, decisions with two
outcomes (some never evaluated: LCOV's ``-``), and coverage that comes in blocks (a
function runs or it does not), with some files untested and some fully tested.

Sizes (files, approximate executable lines)::

    small     100 files      ~40k lines
    medium   1000 files     ~400k lines
    full    10000 files      ~4M lines   (~68 MB of LCOV)

``--shards N`` also writes N LCOV shard reports of the same corpus (each file in its
home shard and in up to two others, with the hits split between them) for the merge
benchmark: merged, the shards equal the corpus.

Usage: ``python bench/generate.py --size medium --out bench/out``.
"""

from __future__ import annotations

import argparse
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

SIZES = {"small": 100, "medium": 1000, "full": 10000}
LANGS = (("rust", "rs"), ("python", "py"), ("typescript", "ts"), ("go", "go"), ("c", "c"))
SEED = 20240611


@dataclass
class FileData:
    """One source file's synthetic coverage."""

    path: str
    lines: list[tuple[int, int]] = field(default_factory=list)
    branches: list[tuple[int, int, int, int | None]] = field(default_factory=list)
    functions: list[tuple[str, int, int]] = field(default_factory=list)


def generate(n_files: int, seed: int = SEED) -> Iterator[FileData]:
    """Yield the corpus's files in a fixed order; the same arguments give the same data."""
    rng = random.Random(seed)
    n_packages = max(1, n_files // 40)
    for i in range(n_files):
        pkg = i % n_packages
        lang, ext = LANGS[pkg % len(LANGS)]
        fd = FileData(f"{lang}/pkg{pkg:04d}/src/module_{i:05d}.{ext}")
        stem = f"module_{i:05d}"
        style = rng.random()
        # 8% untested, 12% fully tested, the rest mixed.
        p_func = 0.0 if style < 0.08 else 1.0 if style < 0.20 else rng.uniform(0.3, 0.95)
        n_exec = rng.randint(60, 740)
        line = rng.randint(1, 12)
        fn_index = 0
        runs = 0
        fn_hits = 0
        done = 0
        while done < n_exec:
            # A function: a header line then a body of executable lines.
            body = min(n_exec - done, rng.randint(6, 44))
            fn_hits = rng.randint(1, 5000) if rng.random() < p_func else 0
            start = line
            fn_lines: list[tuple[int, int]] = []
            for k in range(body):
                if fn_hits and k and rng.random() < 0.08:
                    runs = 0  # an untaken early branch: the rest of a block is missed
                elif k == 0 or (fn_hits and runs == 0 and rng.random() < 0.4):
                    runs = fn_hits
                fn_lines.append((line, runs))
                if rng.random() < 0.13:  # a decision with two outcomes on this line
                    if runs == 0:
                        fd.branches.append((line, 0, 0, None))
                        fd.branches.append((line, 0, 1, None))
                    else:
                        taken = rng.randint(0, runs)
                        fd.branches.append((line, 0, 0, taken))
                        fd.branches.append((line, 0, 1, runs - taken))
                line += rng.choice((1, 1, 1, 2, 2, 3, 5))
            fd.lines.extend(fn_lines)
            fd.functions.append((f"{stem}_fn{fn_index}", start, fn_hits))
            fn_index += 1
            done += body
            line += rng.randint(2, 6)
        yield fd


def lcov_record(fd: FileData, test_name: str = "") -> str:
    """One LCOV record, the way geninfo orders it (FN, FNDA, FNF/FNH, BRDA, DA...)."""
    out = [f"TN:{test_name}", f"SF:{fd.path}"]
    out += [f"FN:{start},{name}" for name, start, _ in fd.functions]
    out += [f"FNDA:{hits},{name}" for name, _, hits in fd.functions]
    out.append(f"FNF:{len(fd.functions)}")
    out.append(f"FNH:{sum(1 for f in fd.functions if f[2])}")
    out += [f"BRDA:{ln},{blk},{br},{'-' if t is None else t}" for ln, blk, br, t in fd.branches]
    out.append(f"BRF:{len(fd.branches)}")
    out.append(f"BRH:{sum(1 for b in fd.branches if b[3])}")
    out += [f"DA:{ln},{hits}" for ln, hits in fd.lines]
    out.append(f"LF:{len(fd.lines)}")
    out.append(f"LH:{sum(1 for _, h in fd.lines if h)}")
    out.append("end_of_record\n")
    return "\n".join(out)


def _rate(covered: int, total: int) -> str:
    return f"{covered / total:.4f}" if total else "1"


def cobertura(files: list[FileData], source_root: str = "/repo") -> Iterator[str]:
    """Cobertura XML (coverage-04.dtd) of the same data, in pieces to write in turn."""
    lv = sum(len(f.lines) for f in files)
    lc = sum(1 for f in files for _, h in f.lines if h)
    bv = sum(len(f.branches) for f in files)
    bc = sum(1 for f in files for b in f.branches if b[3])
    yield '<?xml version="1.0" ?>\n'
    yield ('<!DOCTYPE coverage SYSTEM "http://cobertura.sourceforge.net/xml/coverage-04.dtd">\n')
    yield (
        f'<coverage version="7.4" timestamp="1700000000000" lines-valid="{lv}" '
        f'lines-covered="{lc}" line-rate="{_rate(lc, lv)}" branches-valid="{bv}" '
        f'branches-covered="{bc}" branch-rate="{_rate(bc, bv)}" complexity="0">\n'
    )
    yield f"\t<sources>\n\t\t<source>{source_root}</source>\n\t</sources>\n\t<packages>\n"
    by_pkg: dict[str, list[FileData]] = {}
    for f in files:
        by_pkg.setdefault(f.path.rsplit("/src/", 1)[0], []).append(f)
    for pkg, members in by_pkg.items():
        plv = sum(len(f.lines) for f in members)
        plc = sum(1 for f in members for _, h in f.lines if h)
        yield (
            f'\t\t<package name="{pkg.replace("/", ".")}" line-rate="{_rate(plc, plv)}" '
            'branch-rate="0" complexity="0">\n\t\t\t<classes>\n'
        )
        for f in members:
            flc = sum(1 for _, h in f.lines if h)
            brs: dict[int, list[int | None]] = {}
            for ln, _blk, _br, taken in f.branches:
                brs.setdefault(ln, []).append(taken)
            parts = [
                f'\t\t\t\t<class name="{f.path.rsplit("/", 1)[1]}" filename="{f.path}" '
                f'line-rate="{_rate(flc, len(f.lines))}" branch-rate="0" complexity="0">\n'
                "\t\t\t\t\t<methods/>\n\t\t\t\t\t<lines>\n"
            ]
            for ln, hits in f.lines:
                outcomes = brs.get(ln)
                if outcomes:
                    n = len(outcomes)
                    k = sum(1 for t in outcomes if t)
                    parts.append(
                        f'<line number="{ln}" hits="{hits}" branch="true" '
                        f'condition-coverage="{100 * k // n}% ({k}/{n})"/>\n'
                    )
                else:
                    parts.append(f'<line number="{ln}" hits="{hits}" branch="false"/>\n')
            parts.append("\t\t\t\t\t</lines>\n\t\t\t\t</class>\n")
            yield "".join(parts)
        yield "\t\t\t</classes>\n\t\t</package>\n"
    yield "\t</packages>\n</coverage>\n"


def split_into_shards(
    fd: FileData, n_shards: int, index: int, rng: random.Random
) -> dict[int, FileData]:
    """Split one file's hits across its home shard and up to two others."""
    home = index % n_shards
    owners = [home, *rng.sample([s for s in range(n_shards) if s != home], rng.randint(0, 2))]
    parts = {s: FileData(fd.path) for s in owners}
    for ln, hits in fd.lines:
        shares = _split(hits, len(owners), rng)
        for s, h in zip(owners, shares, strict=True):
            parts[s].lines.append((ln, h))
    for ln, blk, br, taken in fd.branches:
        shares = [None] * len(owners) if taken is None else _split(taken, len(owners), rng)
        for s, t in zip(owners, shares, strict=True):
            parts[s].branches.append((ln, blk, br, t))
    for name, start, hits in fd.functions:
        for s, h in zip(owners, _split(hits, len(owners), rng), strict=True):
            parts[s].functions.append((name, start, h))
    return parts


def _split(total: int, n: int, rng: random.Random) -> list[int]:
    if n == 1:
        return [total]
    cuts = sorted(rng.randint(0, total) for _ in range(n - 1))
    return [b - a for a, b in zip([0, *cuts], [*cuts, total], strict=True)]


def write_corpus(size: str, out: Path, shards: int = 0) -> dict[str, Path]:
    """Write ``<size>.info`` and ``<size>.xml`` (and shards) into ``out``; return paths."""
    out.mkdir(parents=True, exist_ok=True)
    files = list(generate(SIZES[size]))
    paths = {"lcov": out / f"{size}.info", "cobertura": out / f"{size}.xml"}
    with paths["lcov"].open("w", encoding="utf-8") as fh:
        for fd in files:
            fh.write(lcov_record(fd))
    with paths["cobertura"].open("w", encoding="utf-8") as fh:
        for piece in cobertura(files):
            fh.write(piece)
    if shards:
        shard_dir = out / f"{size}-shards"
        shard_dir.mkdir(exist_ok=True)
        rng = random.Random(SEED + 1)
        handles = [
            (shard_dir / f"shard{s:02d}.info").open("w", encoding="utf-8") for s in range(shards)
        ]
        try:
            for i, fd in enumerate(files):
                for s, part in split_into_shards(fd, shards, i, rng).items():
                    handles[s].write(lcov_record(part, f"shard{s:02d}"))
        finally:
            for h in handles:
                h.close()
        paths["shards"] = shard_dir
    return paths


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--size", choices=sorted(SIZES), default="small")
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "out")
    parser.add_argument("--shards", type=int, default=0, help="also write N LCOV shards")
    args = parser.parse_args()
    for kind, path in write_corpus(args.size, args.out, args.shards).items():
        print(f"{kind}: {path}")


if __name__ == "__main__":
    main()
