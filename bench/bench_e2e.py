"""The user's path and end to end on a big repository (issue 14, targets 3 and 4).

Why a separate module: ``bench/run.py`` times readers on coverage files alone (with
``--no-path-mapping`` and an empty repository). A user runs covgap inside a checkout,
where every report path is mapped onto the repository's files, and ``covgap gaps`` /
``covgap check`` also analyse the sources. Both are timed here, in the same run as
``lcov --summary`` on the same LCOV, at the three corpus sizes so the slope is visible:

* **target 3, the user's path**: ``covgap report --format json`` on the corpus's LCOV
  (``bench/generate.py``), *with* path mapping onto a real git checkout that holds every
  file of the report (each as long as its last measured line). Targets at the full
  size: peak RSS below 3x the LCOV, and ``lcov --summary`` at least 10x slower.
* **target 4, end to end**: a repository with sources (``bench_html.generate_repo``:
  Python, TypeScript, Go, Rust and C packages whose LCOV records sit on real
  statements), a second commit changing five files, then ``covgap gaps`` and ``covgap
  check --base`` cold (analysis cache removed, run once) and warm (best of three).
  Targets at the full size: cold at most 20 s, warm at most half of ``lcov --summary``
  on the same LCOV.

Every number in the targets is computed from rows of the same run.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import generate
from bench_html import generate_repo

HERE = Path(__file__).resolve().parent
E2E_FILES = {"small": 100, "medium": 1000, "full": 10000}
COLD_LIMIT = 20.0

Measure = Callable[..., tuple[float, float, float]]


def _git(repo: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=bench", "-c", "user.email=bench@example.com", *args],
        cwd=repo,
        check=True,
        capture_output=True,
    )


def _stamp(*names: str) -> str:
    digest = hashlib.sha256()
    for name in names:
        digest.update((HERE / name).read_bytes())
    return digest.hexdigest()[:16]


def checkout(size: str, out: Path) -> Path:
    """A git checkout holding every file of ``<size>.info`` (once per generator version)."""
    repo = out / f"{size}-checkout"
    stamp_file = out / f"{size}-checkout.stamp"
    stamp = _stamp("generate.py", "bench_e2e.py")
    if stamp_file.exists() and stamp_file.read_text() == stamp and repo.exists():
        return repo
    print(f"writing the {size} checkout into {repo} ...", flush=True)
    shutil.rmtree(repo, ignore_errors=True)
    repo.mkdir(parents=True)
    for fd in generate.generate(generate.SIZES[size]):
        last = max((ln for ln, _ in fd.lines), default=1)
        target = repo / fd.path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text("".join(f"stmt_{n}\n" for n in range(1, last + 3)), encoding="utf-8")
    _git(repo, "init", "-q", "-b", "main")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "checkout")
    stamp_file.write_text(stamp)
    return repo


def source_repo(size: str, out: Path) -> tuple[Path, Path]:
    """The repository with sources and its LCOV, plus a commit changing five files."""
    root = out / f"{size}-e2e-repo"
    stamp_file = out / f"{size}-e2e-repo.stamp"
    stamp = _stamp("bench_html.py", "bench_e2e.py")
    report = root / "coverage" / "lcov.info"
    if stamp_file.exists() and stamp_file.read_text() == stamp and report.exists():
        return root, report
    print(f"writing the {size} repository with sources into {root} ...", flush=True)
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True)
    report = generate_repo(root, E2E_FILES[size])
    _git(root, "tag", "bench-base")
    changed = sorted(p for p in root.rglob("*.py") if "/src/" in p.as_posix())[:5]
    for path in changed:
        text = path.read_text(encoding="utf-8").splitlines(keepends=True)
        for i in range(len(text) // 3, len(text), 7):
            text[i] = text[i].rstrip("\n") + "  # changed\n"
        path.write_text("".join(text), encoding="utf-8")
    _git(root, "commit", "-q", "-am", "change five files")
    stamp_file.write_text(stamp)
    return root, report


def _drop_cache(root: Path) -> Callable[[], None]:
    def drop() -> None:
        shutil.rmtree(root / ".covgap" / "cache", ignore_errors=True)

    return drop


def rows(
    size: str, out: Path, covgap: str, lcov: str | None, measure: Measure
) -> list[tuple[str, str, float | None, float | None, float | None, str]]:
    """Time the user's path and the end-to-end commands; (label, input, s, CPU, MB, note)."""
    found: list[tuple[str, str, float | None, float | None, float | None, str]] = []

    def add(label: str, kind: str, cmd: list[str] | None, note: str = "", **kw: object) -> None:
        if cmd is None:
            found.append((label, kind, None, None, None, note or "not installed"))
            return
        try:
            seconds, cpu, rss = measure(cmd, **kw)
        except (RuntimeError, subprocess.SubprocessError) as exc:
            found.append((label, kind, None, None, None, f"failed: {exc}"[:200]))
            return
        found.append((label, kind, seconds, cpu, rss, note))
        print(f"  {label:<46} {kind:<12} {seconds:8.2f} s {cpu:8.2f} s CPU {rss:8.0f} MB")

    info = out / f"{size}.info"
    repo = checkout(size, out)
    mapped = [covgap, "report", "--format", "json", "--repo", str(repo)]
    add(
        "covgap report --format json (mapped)",
        "checkout",
        [*mapped, "-o", str(out / "mapped.json"), str(info)],
        f"{info.stat().st_size / 2**20:.1f} MB LCOV onto a {generate.SIZES[size]:,}-file checkout",
        cwd=repo,
    )
    root, report = source_repo(size, out)
    mb = report.stat().st_size / 2**20
    lcov_cmd = [lcov, "--summary", str(report), "--rc", "lcov_branch_coverage=1"] if lcov else None
    add("lcov --summary", "sources", lcov_cmd, f"{mb:.1f} MB LCOV", cwd=root)
    gaps = [covgap, "gaps", "--format", "json", "-o", str(out / "gaps.json"), str(report)]
    check = [covgap, "check", "--base", "bench-base", "--format", "json"]
    check += ["-o", str(out / "check.json"), str(report)]
    for label, cmd in (("covgap gaps", gaps), ("covgap check --base", check)):
        add(
            f"{label} (cold)",
            "sources",
            cmd,
            "analysis cache removed first; run once",
            cwd=root,
            once=True,
            before=_drop_cache(root),
            ok=(0, 1),
        )
        add(f"{label} (warm)", "sources", cmd, "", cwd=root, ok=(0, 1))
    return found


def targets(
    results: list[tuple[str, str, float | None, float | None, float | None, str]],
    info: Path,
    lcov_corpus: tuple[float, float] | None,
) -> list[str]:
    """Targets 3 and 4 from this run's rows, with PASS/FAIL.

    ``lcov_corpus`` is ``lcov --summary`` (wall, CPU) on the same corpus LCOV, timed
    earlier in the same run by ``bench/run.py``.
    """
    by = {r[0]: r for r in results}
    lines = []
    mapped = by.get("covgap report --format json (mapped)")
    if mapped and mapped[2] and mapped[3] and lcov_corpus:
        wall, cpu = lcov_corpus[0] / mapped[2], lcov_corpus[1] / mapped[3]
        lines.append(
            f"- lcov --summary / mapped covgap report: {wall:.2f}x wall, {cpu:.2f}x CPU "
            f"({lcov_corpus[0]:.2f} s vs {mapped[2]:.2f} s; target >= 10x) "
            + ("PASS" if wall >= 10 else "FAIL")
        )
    else:
        lines.append("- lcov --summary / mapped covgap report: not measured")
    if mapped and mapped[4] is not None:
        ratio = mapped[4] / (info.stat().st_size / 2**20)
        lines.append(
            f"- mapped report peak RSS / LCOV file: {mapped[4]:.0f} MB / "
            f"{info.stat().st_size / 2**20:.1f} MB = {ratio:.2f}x (target < 3x) "
            + ("PASS" if ratio < 3 else "FAIL")
        )
    else:
        lines.append("- mapped report peak RSS / LCOV file: not measured")
    lcov = by.get("lcov --summary")
    for label in ("covgap gaps", "covgap check --base"):
        cold, warm = by.get(f"{label} (cold)"), by.get(f"{label} (warm)")
        if cold and cold[2] is not None:
            lines.append(
                f"- {label} cold: {cold[2]:.2f} s wall, {cold[3]:.2f} s CPU (target <= "
                f"{COLD_LIMIT:g} s) " + ("PASS" if cold[2] <= COLD_LIMIT else "FAIL")
            )
        else:
            lines.append(f"- {label} cold: not measured")
        if warm and warm[2] is not None and lcov and lcov[2] is not None:
            ratio = warm[2] / lcov[2]
            lines.append(
                f"- {label} warm / lcov --summary: {warm[2]:.2f} s / {lcov[2]:.2f} s = "
                f"{ratio:.2f}x wall, {warm[3] / lcov[3]:.2f}x CPU (target <= 0.5x) "
                + ("PASS" if ratio <= 0.5 else "FAIL")
            )
        else:
            lines.append(f"- {label} warm / lcov --summary: not measured")
    return lines
