"""The wheel holds every subpackage and the shipped resources (demos, icons, stylesheet)."""

import fnmatch
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())


def test_every_subpackage_is_listed_for_the_wheel():
    found = {
        ".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "visgrad").rglob("__init__.py")
    }
    listed = set(_pyproject()["tool"]["setuptools"]["packages"])
    assert found <= listed, f"add to pyproject's packages: {sorted(found - listed)}"


def test_every_resource_file_matches_a_package_data_pattern():
    patterns = _pyproject()["tool"]["setuptools"]["package-data"]["visgrad.resources"]
    res = ROOT / "resources"
    files = [p for p in res.rglob("*") if p.is_file()]
    assert files
    unmatched = [p for p in files if not any(p.relative_to(res).match(g) for g in patterns)]
    assert not unmatched, f"not shipped in the wheel: {unmatched}"


def test_the_generated_stubs_ship_in_the_wheel():
    data = _pyproject()["tool"]["setuptools"]["package-data"]
    stubs = sorted(ROOT.glob("visgrad/**/*.pyi"))
    assert stubs
    for stub in stubs:
        package = ".".join(stub.parent.relative_to(ROOT).parts)
        assert any(fnmatch.fnmatch(stub.name, p) for p in data.get(package, [])), stub
    assert "py.typed" in data["visgrad"]
