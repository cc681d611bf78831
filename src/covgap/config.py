"""Read covgap's configuration from ``covgap.toml`` or ``[tool.covgap]`` in ``pyproject.toml``.

The schema is declared once, in :data:`SCHEMA`; validation walks it, so an unknown key
or a wrong type is a :class:`ConfigError` naming the dotted key, never a silent default.
Docs for every key: ``docs/config.md``.

Example (``covgap.toml``; in ``pyproject.toml`` prefix each table with ``tool.``)::

    [[components]]
    name = "core"
    paths = ["crates/core/**"]
    target = 80                 # or { line = 80, branch = 70, function = 75 }

    [paths]
    fixes = [{ from = "/builds/acme/app/", to = "" }]
    ignore = ["**/generated/**"]

    [gates]
    line = 80
    patch = 60
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from covgap.errors import ConfigError

# -- the schema ----------------------------------------------------------------------
#
# A node is one of:
#   a tuple of Python types      a leaf value (bool is never accepted for int/float)
#   ("list", node)               an array whose items match node
#   ("table", {key: node})       a table with exactly these optional keys
#   ("table*", node)             a table with free-form keys whose values match node

NUMBER = (int, float)
STRINGS = ("list", (str,))
TARGET = (int, float, dict)  # a number, or a table checked by _check_target

# `[components.NAME.run]` (covgap run): how a component measures itself (docs/run.md).
RUN = (
    "table",
    {
        "runner": (str,),
        "command": (str, list),
        "env": ("table*", (str,)),
        "suite": (str,),
        "report": (str,),
        "ffi": STRINGS,
        "e2e": (
            "table",
            {
                "binaries": STRINGS,
                "command": (str, list),
                "suite": (str,),
                "env": ("table*", (str,)),
            },
        ),
    },
)

COMPONENT = {
    "name": (str,),
    "paths": STRINGS,
    "target": TARGET,
    "language": (str,),
    "critical": (bool,),
    "run": RUN,
}

SCHEMA: dict[str, Any] = {
    # `[[components]]` (a list), or `[components.NAME]` tables keyed by name: the form
    # `[components.NAME.run]` needs; a keyed entry without paths only configures `run`
    # for a detected component of that name.
    "components": ("either", ("list", ("table", COMPONENT)), ("table*", ("table", COMPONENT))),
    "detect_components": (bool,),
    "paths": (
        "table",
        {
            "fixes": ("list", ("table", {"from": (str,), "to": (str,)})),
            "ignore": STRINGS,
            "include": STRINGS,
            "include_external": (bool,),
        },
    ),
    "gates": (
        "table",
        {
            "line": NUMBER,
            "branch": NUMBER,
            "function": NUMBER,
            "patch": NUMBER,
            "max_drop": NUMBER,
            "critical": STRINGS,
            "file_line": NUMBER,
            "new_files_need_tests": (bool,),
        },
    ),
    "tests": (
        "table",
        {
            "unit": STRINGS,
            "integration": STRINGS,
            "e2e": STRINGS,
            "ignore": STRINGS,
        },
    ),
    "classify": ("table", {"tooling": STRINGS, "source": STRINGS}),
    "gaps": (
        "table",
        {
            "critical": STRINGS,
            "churn_days": (int,),
            "high_watermark": NUMBER,
            "target": NUMBER,
            "weights": ("table*", NUMBER),
            "tiers": ("table*", NUMBER),
        },
    ),
    "report": (
        "table",
        {
            "lowest_files": (int,),
            "zero_files": (int,),
        },
    ),
    # The history store (issue 11, docs/history.md).
    "history": (
        "table",
        {
            "store": (str,),
            "repository": (str,),
            "carryforward": ("table*", (bool,)),
            "ignore_flaky": (bool,),
            "flaky_runs": (int,),
            "keep": (int,),
            "protected_branches": STRINGS,
        },
    ),
}


@dataclass(frozen=True)
class Target:
    """Minimum percentages for a component; ``None`` means no minimum."""

    line: float | None = None
    branch: float | None = None
    function: float | None = None


@dataclass(frozen=True)
class ComponentDecl:
    """A component as the user declared it in the config."""

    name: str
    paths: tuple[str, ...]
    target: Target | None = None
    language: str | None = None
    critical: bool = False


@dataclass(frozen=True)
class PathFix:
    """Replace the prefix ``from_`` of report paths by ``to`` (``to`` may be empty)."""

    from_: str
    to: str


@dataclass
class Config:
    """The validated configuration; ``raw`` keeps the tables for sections' own parsers."""

    source: Path | None = None
    components: list[ComponentDecl] = field(default_factory=list)
    detect_components: bool = True
    path_fixes: list[PathFix] = field(default_factory=list)
    path_ignore: list[str] = field(default_factory=list)
    path_include: list[str] = field(default_factory=list)
    include_external: bool = False
    """Count files outside the repository that nothing maps (``[paths] include_external``)."""
    raw: dict[str, Any] = field(default_factory=dict)
    runs: dict[str, dict[str, Any]] = field(default_factory=dict)
    """``[components.NAME.run]`` tables by component name (``covgap run``), validated."""

    def section(self, name: str) -> dict[str, Any]:
        """The validated table ``name`` (empty when absent)."""
        value = self.raw.get(name, {})
        return value if isinstance(value, dict) else {}


def _type_name(types: tuple[type, ...]) -> str:
    names = {int: "integer", float: "number", str: "string", bool: "boolean", dict: "table"}
    return " or ".join(names.get(t, t.__name__) for t in types)


def _check(node: Any, value: Any, key: str, path: str | None) -> None:
    if isinstance(node, tuple) and node and isinstance(node[0], type):
        ok = isinstance(value, node) and not (isinstance(value, bool) and bool not in node)
        if not ok:
            raise ConfigError(
                f"expected {_type_name(node)}, got {type(value).__name__} {value!r}",
                key=key,
                path=path,
            )
        if node is TARGET:
            _check_target(value, key, path)
        return
    kind = node[0]
    if kind == "either":
        try:
            _check(node[1], value, key, path)
        except ConfigError:
            if isinstance(value, list):
                raise
            _check(node[2], value, key, path)
        return
    if kind == "list":
        if not isinstance(value, list):
            raise ConfigError(f"expected an array, got {type(value).__name__}", key=key, path=path)
        for i, item in enumerate(value):
            _check(node[1], item, f"{key}[{i}]", path)
    elif kind == "table":
        if not isinstance(value, dict):
            raise ConfigError(f"expected a table, got {type(value).__name__}", key=key, path=path)
        for sub, subvalue in value.items():
            if sub not in node[1]:
                allowed = ", ".join(sorted(node[1]))
                raise ConfigError(
                    f"unknown key (allowed here: {allowed})", key=f"{key}.{sub}", path=path
                )
            _check(node[1][sub], subvalue, f"{key}.{sub}", path)
    elif kind == "table*":
        if not isinstance(value, dict):
            raise ConfigError(f"expected a table, got {type(value).__name__}", key=key, path=path)
        for sub, subvalue in value.items():
            _check(node[1], subvalue, f"{key}.{sub}", path)


def _check_percent(value: Any, key: str, path: str | None) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ConfigError(f"expected a number, got {value!r}", key=key, path=path)
    if not 0 <= value <= 100:
        raise ConfigError(
            f"a percentage must be between 0 and 100, got {value}", key=key, path=path
        )


def _check_target(value: Any, key: str, path: str | None) -> None:
    if isinstance(value, dict):
        for sub, subvalue in value.items():
            if sub not in ("line", "branch", "function"):
                raise ConfigError(
                    "unknown key (allowed here: branch, function, line)",
                    key=f"{key}.{sub}",
                    path=path,
                )
            _check_percent(subvalue, f"{key}.{sub}", path)
    else:
        _check_percent(value, key, path)


def _target(value: Any) -> Target | None:
    if value is None:
        return None
    if isinstance(value, dict):
        return Target(value.get("line"), value.get("branch"), value.get("function"))
    return Target(line=float(value))


def validate(table: dict[str, Any], path: str | None = None, prefix: str = "") -> Config:
    """Check a parsed configuration table against :data:`SCHEMA` and build a Config."""
    for key, value in table.items():
        if key not in SCHEMA:
            allowed = ", ".join(sorted(SCHEMA))
            raise ConfigError(
                f"unknown section or key (known: {allowed})", key=prefix + key, path=path
            )
        _check(SCHEMA[key], value, prefix + key, path)
    for pct_key in ("line", "branch", "function", "patch", "file_line"):
        if pct_key in table.get("gates", {}):
            _check_percent(table["gates"][pct_key], f"{prefix}gates.{pct_key}", path)
    components = []
    seen: set[str] = set()
    declared = table.get("components", [])
    runs: dict[str, dict[str, Any]] = {}
    if isinstance(declared, dict):  # [components.NAME]: name from the key
        keyed = [{"name": name, **comp} for name, comp in declared.items()]
        runs = {c["name"]: c["run"] for c in keyed if "run" in c}
        declared = [c for c in keyed if "paths" in c]
    else:
        runs = {c["name"]: c["run"] for c in declared if "run" in c and "name" in c}
    for i, comp in enumerate(declared):
        where = f"{prefix}components[{i}]"
        if "name" not in comp:
            raise ConfigError("a component needs a name", key=where, path=path)
        if "paths" not in comp or not comp["paths"]:
            raise ConfigError("a component needs at least one path glob", key=where, path=path)
        if comp["name"] in seen:
            raise ConfigError(f"component {comp['name']!r} declared twice", key=where, path=path)
        seen.add(comp["name"])
        components.append(
            ComponentDecl(
                name=comp["name"],
                paths=tuple(comp["paths"]),
                target=_target(comp.get("target")),
                language=comp.get("language"),
                critical=comp.get("critical", False),
            )
        )
    paths = table.get("paths", {})
    return Config(
        source=Path(path) if path else None,
        components=components,
        detect_components=table.get("detect_components", True),
        path_fixes=[PathFix(f.get("from", ""), f.get("to", "")) for f in paths.get("fixes", [])],
        path_ignore=list(paths.get("ignore", [])),
        path_include=list(paths.get("include", [])),
        include_external=paths.get("include_external", False),
        raw=table,
        runs=runs,
    )


def _load_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"invalid TOML: {exc}", path=str(path)) from None
    except OSError as exc:
        raise ConfigError(f"cannot read: {exc.strerror}", path=str(path)) from None


def load_config(repo: Path, explicit: Path | None = None) -> Config:
    """Load the configuration for ``repo``.

    Order: an explicit ``--config`` file; else ``covgap.toml`` at the repository root;
    else ``[tool.covgap]`` in ``pyproject.toml``; else the defaults.
    """
    if explicit is not None:
        if not explicit.exists():
            raise ConfigError("no such file", path=str(explicit))
        data = _load_toml(explicit)
        if explicit.name == "pyproject.toml":
            return validate(data.get("tool", {}).get("covgap", {}), str(explicit), "tool.covgap.")
        return validate(data, str(explicit))
    toml_path = repo / "covgap.toml"
    if toml_path.is_file():
        return validate(_load_toml(toml_path), str(toml_path))
    pyproject = repo / "pyproject.toml"
    if pyproject.is_file():
        data = _load_toml(pyproject)
        section = data.get("tool", {}).get("covgap")
        if section is not None:
            if not isinstance(section, dict):
                raise ConfigError("expected a table", key="tool.covgap", path=str(pyproject))
            return validate(section, str(pyproject), "tool.covgap.")
    return Config()


__all__ = ["SCHEMA", "ComponentDecl", "Config", "PathFix", "Target", "load_config", "validate"]
