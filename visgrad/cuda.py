"""``torch.cuda`` as seen by a CPU-only build: no devices, and seeding is a no-op."""

from __future__ import annotations


def is_available() -> bool:
    return False


def device_count() -> int:
    return 0


def manual_seed(seed: int) -> None:
    """Nothing to seed without a GPU (scripts call it next to ``torch.manual_seed``)."""


def manual_seed_all(seed: int) -> None:
    """Nothing to seed without a GPU."""
