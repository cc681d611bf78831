"""The ASGI application: web views and the JSON API over the store (Starlette).

Importing this module needs the ``server`` extra (starlette, uvicorn); nothing else in
covgap imports it, so a plain install runs every other command. Handlers are thin:
the questions are answered by :mod:`covgap.server.queries` and the writes done by
:mod:`covgap.server.service`, and the same data feeds the HTML and the JSON.

Blocking database work runs in Starlette's thread pool (plain ``def`` endpoints, or
``run_in_threadpool`` in the upload endpoint, which must read the body
asynchronously to stop a too-large one early).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from importlib.resources import files
from pathlib import Path
from typing import Any
from urllib.parse import quote

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup
from sqlalchemy import Engine
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import (
    HTMLResponse,
    JSONResponse,
    PlainTextResponse,
    RedirectResponse,
    Response,
)
from starlette.routing import Route

from covgap import __version__
from covgap.report.html import slug
from covgap.server import queries, report, service
from covgap.server.access import bearer
from covgap.server.db import open_engine
from covgap.server.limits import Refused, check_sha
from covgap.server.notify import commit_link, notify_ready
from covgap.server.settings import Settings
from covgap.server.worker import Processed, run_worker

log = logging.getLogger("covgap.server")


def _env() -> Environment:
    env = Environment(
        loader=PackageLoader("covgap.server", "templates"),
        autoescape=select_autoescape(["html", "j2"], default=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["pct"] = lambda v: "n/a" if v is None else f"{v:.2f}%"
    env.filters["short"] = lambda sha: (sha or "")[:12]
    env.filters["page"] = slug  # a file's page in the commit's report (files/<slug>)
    return env


def _css() -> str:
    """The HTML report's stylesheet, shared so the server's pages look like the report."""
    report_css = files("covgap.report").joinpath("templates/html/covgap.css").read_text()
    server_css = files("covgap.server").joinpath("templates/server.css").read_text()
    return report_css + "\n" + server_css


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


class App:
    """The application's state: an engine and settings, nothing per request."""

    def __init__(self, settings: Settings, engine: Engine | None = None) -> None:
        self.settings = settings
        self.engine = engine or open_engine(settings.store, pool_size=settings.pool_size)
        self.env = _env()
        self.css = _css()
        cache = Path(settings.cache_dir) if settings.cache_dir else None
        self.reports = report.ReportCache(cache, settings.store)
        self.stop = threading.Event()
        self.threads: list[threading.Thread] = []

    # -- helpers -------------------------------------------------------------------

    def _token(self, request: Request) -> str | None:
        return bearer(request.headers.get("authorization"))

    def _readable(self, request: Request, name: str) -> service.Repository:
        with self.engine.connect() as conn:
            repo = service.find_repo(conn, name)
            if repo is None:
                raise Refused(404, f"no repository {name!r}")
            if not service.can_read(conn, repo, self._token(request)):
                # Same answer as a missing repository: a private name is not disclosed.
                raise Refused(404, f"no repository {name!r}")
        return repo

    def _page(self, template: str, status: int = 200, **context: Any) -> HTMLResponse:
        html = self.env.get_template(template).render(version=__version__, **context)
        return HTMLResponse(html, status_code=status)

    def _head(self, request: Request) -> tuple[service.Repository, Any]:
        name = request.path_params["name"]
        sha = request.path_params["sha"]
        check_sha(sha.lower())
        repo = self._readable(request, name)
        with self.engine.connect() as conn:
            row = queries.find_commit(conn, repo, sha)
        if row is None:
            raise Refused(404, f"{name}: no processed coverage for commit {sha}")
        return repo, row

    # -- API -----------------------------------------------------------------------

    async def _body(self, request: Request) -> bytes | Response:
        """The request body, or a 413 as soon as it is known to exceed ``max_body``
        (from its Content-Length, else while it streams in): never held whole first."""
        limit = self.settings.limits.max_body
        declared = request.headers.get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            return _error(413, f"request is {declared} bytes; the limit is {limit}")
        chunks: list[bytes] = []
        size = 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                return _error(413, f"request exceeds the limit of {limit} bytes")
            chunks.append(chunk)
        return b"".join(chunks)

    async def upload(self, request: Request) -> Response:
        body = await self._body(request)
        if isinstance(body, Response):
            return body
        try:
            accepted = await run_in_threadpool(
                service.accept_upload,
                self.engine,
                body,
                self._token(request),
                self.settings.limits,
                repo_name=request.path_params.get("name"),
                rate_per_minute=self.settings.rate_limit,
            )
        except Refused as exc:
            log.info("upload refused (%d): %s", exc.status, exc.message)
            return _error(exc.status, exc.message)
        base = str(request.base_url).rstrip("/")
        return JSONResponse(
            {
                "id": accepted.id,
                "repository": accepted.repository,
                "commit": accepted.commit,
                "url": f"{base}/{accepted.repository}/commit/{accepted.commit}",
                "status_url": f"{base}/api/v1/uploads/{accepted.id}",
            },
            status_code=202,
        )

    async def sources_missing(self, request: Request) -> Response:
        """``covgap upload --sources`` asks which texts the server lacks before sending."""
        body = await self._body(request)
        if isinstance(body, Response):
            return body
        try:
            blobs = await run_in_threadpool(
                service.missing_sources, self.engine, body, self._token(request)
            )
        except Refused as exc:
            return _error(exc.status, exc.message)
        return JSONResponse({"missing": blobs})

    def upload_status(self, request: Request) -> Response:
        with self.engine.connect() as conn:
            status = service.upload_status(conn, request.path_params["id"])
        if status is None:
            return _error(404, "no such upload")
        self._readable(request, status["repository"])
        return JSONResponse(status)

    def api_repos(self, request: Request) -> Response:
        if request.method == "POST":
            return self._create_repo(request)
        token = self._token(request)
        with self.engine.connect() as conn:
            repos = [r for r in service.list_repos(conn) if service.can_read(conn, r, token)]
        return JSONResponse({"repositories": [{"name": r.name, "public": r.public} for r in repos]})

    def _create_repo(self, request: Request) -> Response:
        from covgap.server.access import authenticate

        with self.engine.connect() as conn:
            tok = authenticate(conn, self._token(request))
        if tok is None:
            return _error(401, "creating a repository needs the admin token")
        if tok.kind != "admin":
            return _error(403, "creating a repository needs the admin token")
        name = request.query_params.get("name", "")
        public = request.query_params.get("public", "true") != "false"
        repo, token = service.create_repo(
            self.engine, name, public=public, notify_url=request.query_params.get("notify_url")
        )
        return JSONResponse({"name": repo.name, "public": repo.public, "upload_token": token}, 201)

    def api_repo(self, request: Request) -> Response:
        repo = self._readable(request, request.path_params["name"])
        with self.engine.connect() as conn:
            overview = queries.repo_overview(conn, repo)
        return JSONResponse(overview)

    def api_commit(self, request: Request) -> Response:
        name, sha = request.path_params["name"], request.path_params["sha"]
        check_sha(sha.lower())
        repo = self._readable(request, name)
        with self.engine.connect() as conn:
            state = queries.commit_state(conn, repo, sha)
        if state is None:
            return _error(404, f"{name}: no accepted upload for commit {sha}")
        return JSONResponse(state)

    def api_comparison(self, request: Request) -> Response:
        repo, head = self._head(request)
        with self.engine.connect() as conn:
            return JSONResponse(queries.comparison(conn, repo, head))

    def api_gate(self, request: Request) -> Response:
        repo, head = self._head(request)
        with self.engine.connect() as conn:
            return JSONResponse(queries.gate(conn, repo, head))

    def api_comment(self, request: Request) -> Response:
        repo, head = self._head(request)
        with self.engine.connect() as conn:
            cmp = queries.comparison(conn, repo, head)
            verdict = queries.gate(conn, repo, head)
        link = commit_link(str(request.base_url).rstrip("/"), repo.name, head.sha)
        return PlainTextResponse(
            queries.pr_comment(cmp, verdict, link), media_type="text/markdown; charset=utf-8"
        )

    def badge(self, request: Request) -> Response:
        repo = self._readable(request, request.path_params["name"])
        branch = request.query_params.get("branch")
        with self.engine.connect() as conn:
            overview = queries.repo_overview(conn, repo)
        chosen = [c for c in overview["commits"] if branch is None or c["branch"] == branch]
        percent = chosen[0]["line_percent"] if chosen else None
        return Response(
            queries.badge_svg("coverage", percent),
            media_type="image/svg+xml",
            headers={"Cache-Control": "no-cache"},
        )

    # -- pages ---------------------------------------------------------------------

    def index(self, request: Request) -> Response:
        token = self._token(request)
        with self.engine.connect() as conn:
            repos = [r for r in service.list_repos(conn) if service.can_read(conn, r, token)]
            rows = []
            for r in repos:
                ov = queries.repo_overview(conn, r, limit=1)
                rows.append({"name": r.name, "latest": ov["commits"][0] if ov["commits"] else None})
        return self._page("index.html.j2", repos=rows, title="covgap server")

    def repo_page(self, request: Request) -> Response:
        repo = self._readable(request, request.path_params["name"])
        branch = request.query_params.get("branch")
        with self.engine.connect() as conn:
            overview = queries.repo_overview(conn, repo)
        points = queries.trend(overview["commits"], branch)
        return self._page(
            "repo.html.j2",
            title=repo.name,
            repo=overview,
            branch=branch,
            chart=Markup(queries.trend_svg(points)),
            points=points,
        )

    def commit_redirect(self, request: Request) -> Response:
        """``/NAME/commit/SHA`` -> ``.../SHA/``: the report's relative links need the slash."""
        repo, head = self._head(request)
        return RedirectResponse(f"/{quote(repo.name, safe='')}/commit/{head.sha}/", 307)

    def _site(self, repo: service.Repository, head: Any) -> report.Site:
        return self.reports.site(self.engine, head, f"{repo.name} @ {head.sha[:12]}")

    def _nav(self, repo: service.Repository, head: Any, depth: int) -> str:
        return report.nav_html(repo.name, queries.commit_brief(head), depth=depth)

    def commit_page(self, request: Request) -> Response:
        """The commit's dashboard: the static HTML report's ``index.html``."""
        repo, head = self._head(request)
        index = self._site(repo, head).file("index.html")
        if index is None:  # pragma: no cover - write_html always writes it
            raise Refused(500, "the commit's report has no index page")
        page = report.with_nav(index.read_bytes(), self._nav(repo, head, 0), b"<main>")
        return Response(page, media_type="text/html; charset=utf-8")

    def commit_file(self, request: Request) -> Response:
        """One file page of the commit's report (``files/<slug>.html``)."""
        repo, head = self._head(request)
        path = self._site(repo, head).file(request.path_params["page"], "files")
        if path is None:
            raise Refused(404, f"{repo.name}@{head.sha[:12]}: no such file page")
        page = report.with_nav(path.read_bytes(), self._nav(repo, head, 1), b"</header>")
        return Response(page, media_type="text/html; charset=utf-8")

    def commit_asset(self, request: Request) -> Response:
        """Any other file of the commit's report: its scripts, stylesheet, data."""
        name = request.path_params["asset"]
        if name == "index.html":  # the file pages' link back to the dashboard
            return self.commit_page(request)
        repo, head = self._head(request)
        path = self._site(repo, head).file(name)
        if path is None or name.endswith(".html") or name == "manifest.json":
            raise Refused(404, f"no such page: {name}")
        kinds = {".css": "text/css", ".js": "text/javascript", ".json": "application/json"}
        kind = kinds.get(path.suffix, "application/octet-stream")
        return Response(path.read_bytes(), media_type=kind)

    def compare_page(self, request: Request) -> Response:
        repo, head = self._head(request)
        with self.engine.connect() as conn:
            cmp = queries.comparison(conn, repo, head)
            verdict = queries.gate(conn, repo, head)
        return self._page(
            "compare.html.j2",
            title=f"{repo.name}: {head.sha[:12]} vs base",
            repo=repo,
            cmp=cmp,
            verdict=verdict,
        )

    def api_flapping(self, request: Request) -> Response:
        repo = self._readable(request, request.path_params["name"])
        return JSONResponse(queries.flapping(self.engine, repo, request.query_params.get("branch")))

    def flapping_page(self, request: Request) -> Response:
        repo = self._readable(request, request.path_params["name"])
        data = queries.flapping(self.engine, repo, request.query_params.get("branch"))
        return self._page(
            "flapping.html.j2", title=f"{repo.name}: flapping lines", repo=repo, data=data
        )

    def css_asset(self, request: Request) -> Response:
        return Response(self.css, media_type="text/css", headers={"Cache-Control": "max-age=3600"})

    def favicon(self, request: Request) -> Response:
        """No icon: the report's pages (unlike the server's) name none, so browsers ask."""
        return Response(status_code=204, headers={"Cache-Control": "max-age=86400"})

    def health(self, request: Request) -> Response:
        return PlainTextResponse("ok")

    # -- processing inside the server ----------------------------------------------

    def _on_ready(self) -> Callable[[Processed], None]:
        def ready(processed: Processed) -> None:
            notify_ready(self.engine, processed, self.settings.notify_url, self.settings.public_url)

        return ready

    def start_workers(self) -> None:
        for i in range(self.settings.process_threads):
            thread = threading.Thread(
                target=run_worker,
                args=(self.engine,),
                kwargs={
                    "limits": self.settings.limits,
                    "lease": self.settings.lease,
                    "stop": self.stop,
                    "on_ready": self._on_ready(),
                },
                name=f"covgap-worker-{i}",
                daemon=True,
            )
            thread.start()
            self.threads.append(thread)

    def stop_workers(self) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=30)


def _wrap(handler: Callable[[Request], Any], html: bool) -> Callable[[Request], Any]:
    """Turn :class:`Refused` into a JSON error (API) or an error page (HTML)."""
    import asyncio

    if asyncio.iscoroutinefunction(handler):
        return handler

    def endpoint(request: Request) -> Response:
        try:
            response: Response = handler(request)
            return response
        except Refused as exc:
            if html:
                return HTMLResponse(
                    f"<!doctype html><title>{exc.status}</title><p>{_escape(exc.message)}</p>",
                    status_code=exc.status,
                )
            return _error(exc.status, exc.message)

    return endpoint


def _escape(text: str) -> str:
    from markupsafe import escape

    return str(escape(text))


def create_app(settings: Settings, *, process: bool = True) -> Starlette:
    """The ASGI application for ``settings``; with ``process`` it also runs workers."""
    state = App(settings)

    @asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        if process:
            state.start_workers()
        try:
            yield
        finally:
            state.stop_workers()
            state.engine.dispose()

    def api(
        path: str, handler: Callable[[Request], Any], methods: list[str] | None = None
    ) -> Route:
        return Route(path, _wrap(handler, False), methods=methods or ["GET"])

    def page(path: str, handler: Callable[[Request], Any]) -> Route:
        return Route(path, _wrap(handler, True), methods=["GET"])

    routes = [
        Route("/health", state.health),
        Route("/favicon.ico", state.favicon),
        Route("/static/covgap.css", state.css_asset),
        api("/api/v1/uploads", state.upload, ["POST"]),
        api("/api/v1/uploads/{id:str}", state.upload_status),
        api("/api/v1/sources/missing", state.sources_missing, ["POST"]),
        api("/api/v1/repos", state.api_repos, ["GET", "POST"]),
        api("/api/v1/repos/{name:str}", state.api_repo),
        api("/api/v1/repos/{name:str}/uploads", state.upload, ["POST"]),
        api("/api/v1/repos/{name:str}/badge.svg", state.badge),
        api("/api/v1/repos/{name:str}/flapping", state.api_flapping),
        api("/api/v1/repos/{name:str}/commits/{sha:str}", state.api_commit),
        api("/api/v1/repos/{name:str}/commits/{sha:str}/comparison", state.api_comparison),
        api("/api/v1/repos/{name:str}/commits/{sha:str}/gate", state.api_gate),
        api("/api/v1/repos/{name:str}/commits/{sha:str}/comment.md", state.api_comment),
        page("/", state.index),
        page("/{name:str}", state.repo_page),
        page("/{name:str}/flapping", state.flapping_page),
        page("/{name:str}/commit/{sha:str}", state.commit_redirect),
        page("/{name:str}/commit/{sha:str}/", state.commit_page),
        page("/{name:str}/commit/{sha:str}/compare", state.compare_page),
        page("/{name:str}/commit/{sha:str}/files/{page:str}", state.commit_file),
        page("/{name:str}/commit/{sha:str}/{asset:str}", state.commit_asset),
    ]
    app = Starlette(routes=routes, lifespan=lifespan)
    app.state.covgap = state
    return app


__all__ = ["App", "create_app"]
