"""``torch.cuda`` as seen by a CPU-only build: no devices, and seeding is a no-op.

What needs a device fails as in PyTorch's CPU build ("Torch not compiled with CUDA enabled");
what only reports on one answers for none (no memory in use, nothing to empty).
"""

from __future__ import annotations

from typing import Any

from visgrad.cuda import amp

__all__ = [
    "amp",
    "current_device",
    "device_count",
    "empty_cache",
    "get_device_capability",
    "get_device_name",
    "get_rng_state",
    "is_available",
    "is_bf16_supported",
    "is_initialized",
    "manual_seed",
    "manual_seed_all",
    "max_memory_allocated",
    "max_memory_reserved",
    "memory_allocated",
    "memory_reserved",
    "seed",
    "seed_all",
    "synchronize",
]


def _not_compiled() -> AssertionError:
    return AssertionError("Torch not compiled with CUDA enabled")


def is_available() -> bool:
    return False


def is_initialized() -> bool:
    return False


def is_bf16_supported(including_emulation: bool = True) -> bool:
    return False


def device_count() -> int:
    return 0


def manual_seed(seed: int) -> None:
    """Nothing to seed without a GPU (scripts call it next to ``torch.manual_seed``)."""


def manual_seed_all(seed: int) -> None:
    """Nothing to seed without a GPU."""


def seed() -> None:
    """Nothing to seed without a GPU."""


def seed_all() -> None:
    """Nothing to seed without a GPU."""


def empty_cache() -> None:
    """No GPU memory is cached."""


def memory_allocated(device: Any = None) -> int:
    return 0


def max_memory_allocated(device: Any = None) -> int:
    return 0


def memory_reserved(device: Any = None) -> int:
    return 0


def max_memory_reserved(device: Any = None) -> int:
    return 0


def synchronize(device: Any = None) -> None:
    raise _not_compiled()


def current_device() -> int:
    raise _not_compiled()


def get_device_name(device: Any = None) -> str:
    raise _not_compiled()


def get_device_capability(device: Any = None) -> tuple[int, int]:
    raise _not_compiled()


def get_rng_state(device: Any = "cuda") -> Any:
    raise _not_compiled()
