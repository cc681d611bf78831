"""Real ``covgap serve`` processes on SQLite and a real PostgreSQL, driven over HTTP.

Two repositories upload from CI-like git checkouts with ``covgap upload``; the API's
totals must equal merging the same reports locally with covgap's own pipeline, a PR
commit is compared with its base, and a local receiver gets the commit status.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from srv_helpers import git, make_repo
from srv_serving import Receiver, covgap, create_repo, get_json, request, serve, wait_for_totals

from covgap.config import Config
from covgap.pipeline import InputSpec, load
from covgap.report.html import slug
from covgap.workspace import Workspace

CI_VARS = [
    k for k in os.environ if k.startswith(("GITHUB_", "CI_", "CIRCLE", "BUILDKITE", "COVGAP_"))
]


def _clean_env() -> dict[str, str]:
    return dict.fromkeys(CI_VARS, "")


def _lcov(prefix: str, files: dict[str, dict[int, int]]) -> str:
    out = ["TN:"]
    for path, hits in files.items():
        out.append(f"SF:{prefix}{path}")
        out += [f"DA:{n},{h}" for n, h in sorted(hits.items())]
        out.append("end_of_record")
    return "\n".join(out) + "\n"


def _local_totals(repo: Path, reports: list[str]) -> dict[str, int]:
    config = Config()
    specs = [InputSpec.parse(r) for r in reports]
    specs = [InputSpec(repo / s.path, s.flag) for s in specs]
    loaded = load(specs, Workspace.load(repo, config), config)
    return loaded.coverage.totals().as_dict()


def _upload(repo: Path, url: str, token: str, *args: str) -> str:
    proc = covgap("upload", *args, "--url", url, "--token", token, env=_clean_env(), cwd=repo)
    assert proc.returncode == 0, proc.stderr
    assert token not in proc.stdout + proc.stderr
    return proc.stdout


def test_two_repositories_trend_and_pr_comparison(server_store: str, tmp_path: Path) -> None:
    receiver_ctx = Receiver()
    alpha_dir, beta_dir = tmp_path / "alpha", tmp_path / "beta"
    main_sha = make_repo(
        alpha_dir, {"src/a.py": "1\n2\n3\n4\n", "src/b.py": "1\n2\n", "README.md": "x\n"}
    )
    (alpha_dir / "unit.info").write_text(
        _lcov("/ci/build/", {"src/a.py": {1: 1, 2: 0, 3: 1}, "src/b.py": {1: 0}})
    )
    (alpha_dir / "e2e.info").write_text(_lcov("/ci/build/", {"src/a.py": {2: 5, 4: 0}}))
    beta_sha = make_repo(beta_dir, {"lib/x.go": "package x\n"})
    (beta_dir / "cover.info").write_text(_lcov("", {"lib/x.go": {1: 1}}))
    with receiver_ctx as receiver:
        alpha_token = create_repo(server_store, "alpha", "--notify-url", receiver.url)
        beta_token = create_repo(server_store, "beta")
        with serve(server_store) as base:
            out = _upload(alpha_dir, base, alpha_token, "unit=unit.info", "e2e=e2e.info")
            assert f"{base}/alpha/commit/{main_sha}" in out
            _upload(beta_dir, base, beta_token, "cover.info")
            got = wait_for_totals(base, "alpha", main_sha)
            expected = _local_totals(alpha_dir, ["unit=unit.info", "e2e=e2e.info"])
            assert got["totals"] == expected
            assert got["branch"] == "main"
            assert wait_for_totals(base, "beta", beta_sha)["totals"]["lines_covered"] == 1

            # A PR: a new commit on a branch, compared with its base on main.
            git(alpha_dir, "checkout", "-q", "-b", "feature")
            pr_sha = make_repo(alpha_dir, {"src/a.py": "1\n2\n3\n4\n5\n6\n"})
            (alpha_dir / "unit.info").write_text(
                _lcov(
                    "/ci/build/", {"src/a.py": {1: 1, 2: 0, 3: 1, 5: 1, 6: 0}, "src/b.py": {1: 0}}
                )
            )
            _upload(alpha_dir, base, alpha_token, "unit=unit.info", "--pr", "7", "--base", main_sha)
            wait_for_totals(base, "alpha", pr_sha)

            status, cmp = get_json(f"{base}/api/v1/repos/alpha/commits/{pr_sha}/comparison")
            assert status == 200
            assert cmp["base"]["sha"] == main_sha
            assert cmp["patch"]["executable"] == 2 and cmp["patch"]["covered"] == 1
            patch_files = {f["path"]: f for f in cmp["patch"]["files"]}
            assert patch_files["src/a.py"]["uncovered"] == [6]
            assert cmp["categories"]["lines"]["UNC"] == 1 and cmp["categories"]["lines"]["GNC"] == 1
            # line 2 was covered by e2e on main and is not now: lost baseline coverage
            assert cmp["categories"]["lines"]["LBC"] == 1
            status, gate = get_json(f"{base}/api/v1/repos/alpha/commits/{pr_sha}/gate")
            assert status == 200 and gate["passed"] is False and gate["state"] == "failure"
            status, md = request(f"{base}/api/v1/repos/alpha/commits/{pr_sha}/comment.md")
            assert status == 200 and b"**Patch coverage:** 50.00% (1/2 changed lines)" in md
            status, badge = request(f"{base}/api/v1/repos/alpha/badge.svg?branch=main")
            assert status == 200 and badge.startswith(b"<svg")
            pct = 100 * expected["lines_covered"] / expected["lines_total"]
            assert f"{pct:.1f}%".encode() in badge

            status, page = request(f"{base}/alpha")
            assert (
                status == 200 and pr_sha[:12].encode() in page and b'class="covgap-trend"' in page
            )
            status, page = request(f"{base}/")
            assert b"/alpha" in page and b"/beta" in page
            status, page = request(f"{base}/alpha/commit/{pr_sha}/compare")
            assert status == 200 and b"UNC" in page
            assert get_json(f"{base}/api/v1/repos/alpha/commits/{'f' * 40}")[0] == 404
            status, repos = get_json(f"{base}/api/v1/repos")
            assert [r["name"] for r in repos["repositories"]] == ["alpha", "beta"]
            status, overview = get_json(f"{base}/api/v1/repos/alpha")
            assert {b["name"] for b in overview["branches"]} == {"main", "feature"}
            status, flapping = get_json(f"{base}/api/v1/repos/alpha/flapping")
            assert status == 200 and flapping["lines"] == []
            assert request(f"{base}/alpha/flapping")[0] == 200
            status, page = request(f"{base}/alpha/commit/{main_sha}")
            assert status == 200 and b'"folders":["src"]' in page and b'"a.py"' in page
            status, page = request(f"{base}/alpha/commit/{main_sha}/files/{slug('src/a.py')}")
            assert status == 200 and b'"hits":[1,5,1,0]' in page
            assert request(f"{base}/alpha/commit/not-a-sha")[0] == 400
            # a refused upload exits non-zero with the server's reason, and nothing more
            refused = covgap("upload", "unit.info", "--url", base, "--token", "cgu_nope",
                             env=_clean_env(), cwd=alpha_dir)  # fmt: skip
            assert refused.returncode == 2 and "refused (401)" in refused.stderr
            second = covgap("server", "create-token", "beta", "--store", server_store)
            beta_token2 = second.stdout.strip().splitlines()[-1]
            assert second.returncode == 0 and beta_token2.startswith("cgu_")
            out = _upload(beta_dir, base, beta_token2, "cover.info", "--name", "beta")
            upload_id = out.split()[2]
            status, up = get_json(f"{base}/api/v1/uploads/{upload_id}")
            assert status == 200 and up["repository"] == "beta" and up["commit"] == beta_sha
            assert get_json(f"{base}/api/v1/repos/nope/commits/{main_sha}")[0] == 404

            for _ in range(100):
                if len(receiver.received) >= 2:
                    break
                import time

                time.sleep(0.1)
    states = {r["sha"]: r for r in receiver.received}
    assert states[main_sha]["state"] == "success" and states[main_sha]["context"] == "covgap"
    assert states[pr_sha]["state"] == "failure"
    assert states[pr_sha]["target_url"].endswith(f"/alpha/commit/{pr_sha}")
    assert states[main_sha]["totals"] == expected


def test_serve_without_the_extra_says_what_to_install(tmp_path: Path) -> None:
    fake = tmp_path / "fake"
    fake.mkdir()
    (fake / "uvicorn.py").write_text(
        "raise ImportError('No module named uvicorn', name='uvicorn')\n"
    )
    env = {"PYTHONPATH": str(fake) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    proc = covgap("serve", "--store", f"sqlite:///{tmp_path}/s.db", env=env)
    assert proc.returncode == 2
    assert "pip install 'covgap[server]'" in proc.stderr
    assert "Traceback" not in proc.stderr
    # every other command still works without it
    assert covgap("upload", "--help", env=env).returncode == 0
    assert (
        covgap("server", "init", "--store", f"sqlite:///{tmp_path}/s.db", env=env).returncode == 0
    )


def test_every_setting_is_documented_with_its_variable() -> None:
    from covgap.server.settings import ENV

    text = covgap("serve", "--help").stdout
    for var in ENV.values():
        assert var in text, var


@pytest.mark.parametrize("args", [["--store", "mysql://x/y"], ["--store", "not a url"]])
def test_bad_store_url_is_one_line(args: list[str]) -> None:
    proc = covgap("server", "init", *args)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert proc.stderr.count("\n") == 1
