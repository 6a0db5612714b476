"""``torch.backends.mps``: Apple's GPU backend, never available in visgrad."""

from __future__ import annotations


def is_available() -> bool:
    return False


def is_built() -> bool:
    return False
