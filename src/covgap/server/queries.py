"""The read side: what the web pages and the JSON API show, as plain data.

One function per question, each returning dictionaries that the API returns as JSON
and the templates render as HTML, so the two can never disagree (Datasette's shape).
"""

from __future__ import annotations

import gzip
from typing import Any
from xml.sax.saxutils import escape as xml_escape

import orjson
from sqlalchemy import Connection, Engine, desc, func, select

from covgap.analysis.diffcov import CATEGORIES, DESCRIPTIONS, classify, patch_coverage
from covgap.gitinfo import Diff, FileDiff, Hunk
from covgap.model import CoverageSet
from covgap.server import db
from covgap.server.service import Repository, has_accepted, pending_count
from covgap.server.worker import commit_coverage


def _pct(covered: int, total: int) -> float | None:
    return None if total == 0 else 100.0 * covered / total


def totals_of(row: Any) -> dict[str, int]:
    return {k: int(getattr(row, k)) for k in db.TOTAL_KEYS}


def commit_brief(row: Any) -> dict[str, Any]:
    t = totals_of(row)
    return {
        "sha": row.sha,
        "branch": row.branch,
        "pr": row.pr,
        "base": row.base_sha,
        "uploads": row.uploads,
        "updated_at": row.updated_at,
        "totals": t,
        "line_percent": _pct(t["lines_covered"], t["lines_total"]),
    }


def repo_overview(conn: Connection, repo: Repository, limit: int = 200) -> dict[str, Any]:
    """A repository's branches (with their latest commit) and recent commits."""
    c = db.commits
    rows = conn.execute(
        select(c).where(c.c.repo_id == repo.id).order_by(desc(c.c.updated_at)).limit(limit)
    ).all()
    commits = [commit_brief(r) for r in rows]
    branches: dict[str, dict[str, Any]] = {}
    for item in commits:
        if item["branch"] and item["branch"] not in branches:
            branches[item["branch"]] = {"name": item["branch"], "latest": item, "commits": 0}
        if item["branch"]:
            branches[item["branch"]]["commits"] += 1
    return {
        "name": repo.name,
        "public": repo.public,
        "branches": list(branches.values()),
        "commits": commits,
    }


def trend(commits: list[dict[str, Any]], branch: str | None) -> list[dict[str, Any]]:
    """Coverage over time (oldest first) of one branch, or of every commit."""
    chosen = [c for c in commits if branch is None or c["branch"] == branch]
    return sorted(
        (
            {
                "sha": c["sha"],
                "branch": c["branch"],
                "at": c["updated_at"],
                "percent": c["line_percent"],
                "totals": c.get("totals") or {},
            }
            for c in chosen
            if c["line_percent"] is not None
        ),
        key=lambda p: p["at"],
    )


def trend_points(points: list[dict[str, Any]]) -> list[Any]:
    """:func:`trend`'s points as the history store's ``TrendPoint``s, for its chart."""
    from covgap.history.trend import TrendPoint
    from covgap.model import Counts

    return [
        TrendPoint(
            commit=p["sha"],
            branch=p.get("branch"),
            time=p["at"],
            runs=[],
            totals=Counts(**{k: int(p["totals"].get(k, 0)) for k in db.TOTAL_KEYS}),
        )
        for p in points
    ]


def trend_svg(points: list[dict[str, Any]]) -> str:
    """The trend chart: the history report's own SVG (``covgap.history.render``) --
    lines, branches and functions per commit, inline, no script, no CDN; the commit
    names in it are escaped."""
    from covgap.history.render import trend_svg as history_svg

    return history_svg(trend_points(points)) if points else ""


def find_commit(conn: Connection, repo: Repository, sha: str) -> Any:
    """The commit row for a full SHA or a unique prefix of at least 7 characters."""
    c = db.commits
    rows = conn.execute(
        select(c).where(c.c.repo_id == repo.id, c.c.sha.startswith(sha.lower())).limit(2)
    ).all()
    return rows[0] if len(rows) == 1 else None


def commit_state(conn: Connection, repo: Repository, sha: str) -> dict[str, Any] | None:
    """The API's answer for one commit; None when no upload for it was ever accepted."""
    row = find_commit(conn, repo, sha)
    if row is None:
        if not has_accepted(conn, repo.id, sha.lower()):
            return None
        return {
            "repository": repo.name,
            "sha": sha.lower(),
            "state": "pending",
            "totals": None,
            "pending_uploads": pending_count(conn, repo.id, sha.lower()),
        }
    pending = pending_count(conn, repo.id, row.sha)
    out = commit_brief(row)
    out.update(
        repository=repo.name,
        state="pending" if pending else "complete",
        pending_uploads=pending,
        failed_uploads=_failed(conn, repo.id, row.sha),
    )
    return out


def _failed(conn: Connection, repo_id: int, sha: str) -> int:
    u = db.uploads
    return int(
        conn.execute(
            select(func.count())
            .select_from(u)
            .where(u.c.repo_id == repo_id, u.c.commit_sha == sha, u.c.state == "failed")
        ).scalar_one()
    )


def commit_files(engine: Engine, row: Any) -> tuple[CoverageSet, list[dict[str, Any]]]:
    cs = commit_coverage(engine, row.run_id)
    files = []
    for path in sorted(cs.files):
        k = cs.files[path].counts()
        files.append(
            {
                "path": path,
                "lines": [k.lines_covered, k.lines_total],
                "branches": [k.branches_covered, k.branches_total],
                "functions": [k.functions_covered, k.functions_total],
                "percent": _pct(k.lines_covered, k.lines_total),
                "uncovered": [list(r) for r in cs.files[path].uncovered_ranges()],
            }
        )
    return cs, files


def _diff_of(row: Any) -> Diff | None:
    if not row.diff:
        return None
    doc = orjson.loads(gzip.decompress(row.diff))
    d = Diff(base=doc.get("base"), head=row.sha)
    for f in doc["files"]:
        fd = FileDiff(f["path"], f["old_path"], f["status"], [Hunk(*h) for h in f["hunks"]])
        key = fd.path if fd.path is not None else fd.old_path
        if key is not None:
            d.files[key] = fd
    return d


def comparison(conn: Connection, repo: Repository, head: Any) -> dict[str, Any]:
    """A commit against its base: totals change, patch coverage, categories, files.

    The base is the merge-base the upload named; when it has no coverage on the server
    the comparison says so instead of inventing one.
    """
    base_row = find_commit(conn, repo, head.base_sha) if head.base_sha else None
    current = commit_coverage(conn.engine, head.run_id)
    diff = _diff_of(head)
    out: dict[str, Any] = {
        "repository": repo.name,
        "head": commit_brief(head),
        "base": commit_brief(base_row) if base_row is not None else None,
        "base_sha": head.base_sha,
        "patch": None,
        "categories": None,
        "changed_files": [],
        "notes": [],
    }
    if head.base_sha is None:
        out["notes"].append("the upload named no base commit: nothing to compare with")
    elif base_row is None:
        out["notes"].append(f"the base commit {head.base_sha[:12]} has no coverage on this server")
    if diff is not None:
        patch = patch_coverage(current, diff.changed_lines())
        covered = sum(len(p.covered) for p in patch)
        executable = sum(p.executable for p in patch)
        out["patch"] = {
            "covered": covered,
            "executable": executable,
            "percent": _pct(covered, executable),
            "files": [
                {
                    "path": p.path,
                    "changed": p.changed,
                    "covered": len(p.covered),
                    "uncovered": list(p.uncovered),
                    "measured": p.measured,
                }
                for p in patch
            ],
        }
    else:
        out["notes"].append("the upload carried no diff: no patch coverage")
    if base_row is not None:
        baseline = commit_coverage(conn.engine, base_row.run_id)
        dc = classify(current, baseline, diff)
        out["categories"] = {
            "lines": dc.totals(),
            "branches": dc.branch_totals(),
            "descriptions": {c: DESCRIPTIONS[c] for c in CATEGORIES},
        }
        out["changed_files"] = [
            {"path": f.path, "old_path": f.old_path, "status": f.status, "lines": f.counts()}
            for f in dc.changed_files()
        ]
    return out


def gate(conn: Connection, repo: Repository, head: Any) -> dict[str, Any]:
    """The commit's verdict from stored data: no lost line coverage against its base,
    and no uncovered new line when the PR's patch is known to be measured."""
    cmp = comparison(conn, repo, head)
    rules: list[dict[str, Any]] = []
    h = cmp["head"]
    if cmp["base"] is not None:
        before, after = cmp["base"]["line_percent"], h["line_percent"]
        passed = before is None or (after is not None and after + 1e-9 >= before)
        rules.append(
            {
                "rule": "no-drop",
                "value": after,
                "limit": before,
                "passed": passed,
                "text": "line coverage must not drop below the base's",
            }
        )
    if cmp["categories"] is not None:
        lost = cmp["categories"]["lines"]["LBC"]
        rules.append(
            {
                "rule": "no-lost-coverage",
                "value": lost,
                "limit": 0,
                "passed": lost == 0,
                "text": "no previously covered unchanged line may lose coverage (LBC)",
            }
        )
    passed = all(r["passed"] for r in rules)
    return {
        "repository": repo.name,
        "sha": head.sha,
        "base": head.base_sha,
        "passed": passed,
        "state": "success" if passed else "failure",
        "rules": rules,
        "measured": bool(rules),
        "patch": cmp["patch"],
    }


def flapping(
    engine: Engine, repo: Repository, branch: str | None, max_runs: int = 50
) -> dict[str, Any]:
    """Lines covered in one commit's run and not in another's over identical source.

    Answered by the history store (:func:`covgap.history.flaky.flaky_lines`) from the
    runs the workers recorded: one run per commit, the file content identified by the
    git blob ids ``covgap upload`` sends.
    """
    from covgap.history.flaky import flaky_lines
    from covgap.history.store import Store

    store = Store(engine, engine.url.render_as_string(hide_password=True))
    lines = flaky_lines(store, repo.name, branch=branch, max_runs=max_runs)
    return {
        "repository": repo.name,
        "branch": branch,
        "max_runs": max_runs,
        "lines": [line.as_dict() for line in lines],
    }


def badge_svg(label: str, percent: float | None) -> str:
    """A shields-style SVG badge; the colour follows the percentage."""
    text = "unknown" if percent is None else f"{percent:.1f}%"
    if percent is None:
        color = "#9f9f9f"
    elif percent >= 90:
        color = "#4c1"
    elif percent >= 75:
        color = "#a3c51c"
    elif percent >= 60:
        color = "#dfb317"
    else:
        color = "#e05d44"
    lw, vw = 6 * len(label) + 10, 7 * len(text) + 10
    w = lw + vw
    label_e, text_e = xml_escape(label), xml_escape(text)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="20" role="img" '
        f'aria-label="{label_e}: {text_e}"><title>{label_e}: {text_e}</title>'
        f'<rect width="{lw}" height="20" fill="#555"/>'
        f'<rect x="{lw}" width="{vw}" height="20" fill="{color}"/>'
        '<g fill="#fff" text-anchor="middle" font-family="Verdana,DejaVu Sans,sans-serif" '
        'font-size="11">'
        f'<text x="{lw / 2:.0f}" y="14">{label_e}</text>'
        f'<text x="{lw + vw / 2:.0f}" y="14">{text_e}</text></g></svg>'
    )


def _md(text: str) -> str:
    from covgap.report.markdown import md_escape

    return md_escape(text)


def pr_comment(cmp: dict[str, Any], verdict: dict[str, Any], link: str) -> str:
    """The PR comment, in GitHub Markdown, from a comparison and its gate verdict."""
    h = cmp["head"]
    t = h["totals"]
    lines = [
        f"### covgap: {'✅ passed' if verdict['passed'] else '❌ failed'}",
        "",
        "| | covered | total | % |",
        "| --- | ---: | ---: | ---: |",
    ]
    for name, key in (("Lines", "lines"), ("Branches", "branches"), ("Functions", "functions")):
        cov, tot = t[f"{key}_covered"], t[f"{key}_total"]
        pct = _pct(cov, tot)
        lines.append(f"| {name} | {cov} | {tot} | {'n/a' if pct is None else f'{pct:.2f}'} |")
    if (
        cmp["base"] is not None
        and cmp["base"]["line_percent"] is not None
        and h["line_percent"] is not None
    ):
        delta = h["line_percent"] - cmp["base"]["line_percent"]
        lines += [
            "",
            f"Line coverage {delta:+.2f} points against base `{cmp['base']['sha'][:12]}`.",
        ]
    if cmp["patch"] is not None:
        p = cmp["patch"]
        shown_pct = "n/a" if p["percent"] is None else f"{p['percent']:.2f}%"
        lines += [
            "",
            f"**Patch coverage:** {shown_pct} ({p['covered']}/{p['executable']} changed lines)",
        ]
        missing = [f for f in p["files"] if f["uncovered"]]
        if missing:
            lines += ["", "| file | uncovered changed lines |", "| --- | --- |"]
            for f in missing[:20]:
                shown = ", ".join(str(n) for n in f["uncovered"][:15])
                lines.append(f"| `{_md(f['path'])}` | {shown} |")
    if cmp["categories"] is not None:
        cats = cmp["categories"]["lines"]
        shown = ", ".join(f"{c} {cats[c]}" for c in CATEGORIES if cats[c])
        lines += ["", f"Differential categories: {shown or 'no changes'}"]
    for note in cmp["notes"]:
        lines += ["", f"_Note: {_md(note)}_"]
    lines += ["", f"[Full report]({link})", ""]
    return "\n".join(lines)


def status_payload(
    repo: Repository, head: Any, verdict: dict[str, Any], link: str
) -> dict[str, Any]:
    """A GitHub commit-status body (``state``, ``target_url``, ``description``,
    ``context``) with the repository, commit and totals alongside."""
    t = totals_of(head)
    pct = _pct(t["lines_covered"], t["lines_total"])
    desc_text = f"lines {'n/a' if pct is None else f'{pct:.2f}%'}"
    if verdict["patch"] and verdict["patch"]["percent"] is not None:
        desc_text += f", patch {verdict['patch']['percent']:.2f}%"
    return {
        "state": verdict["state"],
        "target_url": link,
        "description": desc_text[:140],
        "context": "covgap",
        "repository": repo.name,
        "sha": head.sha,
        "totals": t,
    }


__all__ = [
    "badge_svg",
    "commit_files",
    "commit_state",
    "comparison",
    "find_commit",
    "flapping",
    "gate",
    "pr_comment",
    "repo_overview",
    "status_payload",
    "trend",
    "trend_points",
    "trend_svg",
]
