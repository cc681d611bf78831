"""The covgap server (issue 12): CI uploads, shared history and PR status.

Layout, one job per module:

* :mod:`~covgap.server.db` — the tables (migration ``0004`` of the history store's
  chain) and how a store URL becomes a pooled engine;
* :mod:`~covgap.server.access` — tokens: random, shown once, stored hashed;
* :mod:`~covgap.server.limits` — what is refused before anything is stored;
* :mod:`~covgap.server.service` — the writes: repositories, tokens, accepting uploads;
* :mod:`~covgap.server.sources` — source text from ``covgap upload --sources``: verified
  against its git blob id, stored per repository (migration ``0005``), shown in the
  commit's report;
* :mod:`~covgap.server.worker` — the job queue (``FOR UPDATE SKIP LOCKED`` with leases)
  and processing an upload exactly once;
* :mod:`~covgap.server.queries` — the reads behind both the pages and the JSON API;
* :mod:`~covgap.server.notify` — the commit-status POST when a commit is ready;
* :mod:`~covgap.server.app` — the Starlette application (needs ``covgap[server]``).

Nothing here keeps state in a process: PostgreSQL is the only coordination, so
scaling out is starting more ``covgap serve`` / ``covgap server worker`` processes.
"""
