"""The packages ``[tool.mypy]`` lists stay strictly typed (``.ci/lint`` runs the same check)."""

from __future__ import annotations

from pathlib import Path

from mypy import api

ROOT = Path(__file__).resolve().parents[1]


def test_mypy_passes_on_the_strict_packages(monkeypatch):
    monkeypatch.chdir(ROOT)  # mypy reads pyproject.toml and resolves its files from here
    out, err, status = api.run(["--config-file", str(ROOT / "pyproject.toml")])
    assert status == 0, out + err
