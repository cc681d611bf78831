"""Configuration: where it is found, and that every mistake names its key."""

from __future__ import annotations

from pathlib import Path

import pytest

from covgap.config import Target, load_config, validate
from covgap.errors import ConfigError


def test_defaults_without_any_file(tmp_path: Path) -> None:
    cfg = load_config(tmp_path)
    assert cfg.components == []
    assert cfg.detect_components is True
    assert cfg.source is None


def test_covgap_toml_wins_over_pyproject(tmp_path: Path) -> None:
    (tmp_path / "covgap.toml").write_text("[gates]\nline = 80\n")
    (tmp_path / "pyproject.toml").write_text("[tool.covgap.gates]\nline = 10\n")
    assert load_config(tmp_path).section("gates") == {"line": 80}


def test_pyproject_tool_table(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "x"\n\n[tool.covgap.gates]\nline = 80\nbranch = 70\npatch = 60\n'
        'max_drop = 2.0\ncritical = ["src/app/core/**"]\n'
    )
    cfg = load_config(tmp_path)
    assert cfg.section("gates")["critical"] == ["src/app/core/**"]


def test_components_with_targets() -> None:
    cfg = validate(
        {
            "components": [
                {"name": "core", "paths": ["crates/core/**"], "target": 80},
                {"name": "web", "paths": ["web/**"], "target": {"line": 40, "branch": 30}},
            ]
        }
    )
    assert cfg.components[0].target == Target(line=80.0)
    assert cfg.components[1].target == Target(line=40, branch=30)


@pytest.mark.parametrize(
    ("table", "key"),
    [
        ({"gatez": {}}, "gatez"),
        ({"gates": {"lines": 80}}, "gates.lines"),
        ({"gates": {"line": "80"}}, "gates.line"),
        ({"gates": {"line": True}}, "gates.line"),
        ({"gates": {"line": 180}}, "gates.line"),
        ({"gates": {"critical": "src/**"}}, "gates.critical"),
        ({"components": [{"name": "a"}]}, "components[0]"),
        (
            {"components": [{"name": "a", "paths": ["x"], "target": {"lines": 3}}]},
            "components[0].target.lines",
        ),
        ({"components": [{"name": "a", "paths": ["x"], "target": -1}]}, "components[0].target"),
        ({"paths": {"fixes": [{"from": "a", "too": "b"}]}}, "paths.fixes[0].too"),
    ],
)
def test_errors_name_the_key(table: dict[str, object], key: str) -> None:
    with pytest.raises(ConfigError) as info:
        validate(table, "covgap.toml")
    assert info.value.key == key
    assert f"[{key}]" in str(info.value)
    assert str(info.value).startswith("covgap.toml: ")


def test_duplicate_component_names() -> None:
    with pytest.raises(ConfigError, match="declared twice"):
        validate({"components": [{"name": "a", "paths": ["x"]}, {"name": "a", "paths": ["y"]}]})


def test_invalid_toml_is_a_config_error(tmp_path: Path) -> None:
    (tmp_path / "covgap.toml").write_text("[gates\n")
    with pytest.raises(ConfigError, match="invalid TOML"):
        load_config(tmp_path)


def test_prefix_in_pyproject_errors(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.covgap]\nbogus = 1\n")
    with pytest.raises(ConfigError, match=r"\[tool\.covgap\.bogus\]"):
        load_config(tmp_path)


def test_explicit_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no such file"):
        load_config(tmp_path, tmp_path / "nope.toml")
