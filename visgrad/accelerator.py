"""``torch.accelerator`` as a CPU-only build sees it: there is no accelerator.

Programs ask ``torch.accelerator.is_available()`` before moving a model to a GPU; the answer
here is always no, so they stay on the CPU.
"""

from __future__ import annotations

from typing import Any


def is_available() -> bool:
    """No accelerator (GPU or other) is available."""
    return False


def current_accelerator(check_available: bool = False) -> Any:
    """``None``: there is no accelerator to name."""
    return None


def device_count() -> int:
    """No accelerator devices."""
    return 0
