"""``torch.backends.cudnn``: flags scripts set for reproducibility; they change nothing here."""

from __future__ import annotations

enabled = True
benchmark = False
deterministic = False
allow_tf32 = True


def is_available() -> bool:
    return False


def version() -> int | None:
    """cuDNN's version, or None without it."""
    return None
