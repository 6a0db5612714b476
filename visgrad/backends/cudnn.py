"""``torch.backends.cudnn``: flags scripts set for reproducibility; they change nothing here."""

from __future__ import annotations

enabled = True
benchmark = False
deterministic = False


def is_available() -> bool:
    return False
