"""Where the shipped resources (demos, icons, stylesheets) are, in a checkout or an install."""

from __future__ import annotations

from pathlib import Path

_CHECKOUT = Path(__file__).resolve().parent.parent / "resources"
_INSTALLED = Path(__file__).resolve().parent / "resources"


def resource_dir() -> Path:
    """The resources folder: the checkout's top-level one, else the copy inside the package."""
    if _CHECKOUT.is_dir():
        return _CHECKOUT
    return _INSTALLED


def resource_path(*parts: str) -> Path:
    """A file under the resources folder (it may not exist; callers check)."""
    return resource_dir().joinpath(*parts)
