"""The programs here are data for ``tests/runner/test_tracebacks.py`` (each fails, as written for
PyTorch), never test modules: named on pytest's command line, they (and this file) are collected empty."""

from __future__ import annotations

import pytest


class _Program(pytest.Module):
    def collect(self) -> list:
        return []


def pytest_pycollect_makemodule(module_path, parent):  # noqa: ANN001, ANN201 - pytest hook
    return _Program.from_parent(parent, path=module_path)
