"""``torch.backends.cpu``: the CPU's vector capability, as PyTorch's kernel dispatch sees it.

PyTorch picks AVX-512 when the CPU has AVX512-F/BW/DQ/VL and FMA, AVX2 with AVX2 and FMA, else
the portable kernels; the ``ATEN_CPU_CAPABILITY`` environment variable can lower it.
"""

from __future__ import annotations

import functools
import os
import platform
import re

_ORDER = ("DEFAULT", "AVX2", "AVX512")


def _flags() -> set[str]:
    try:
        with open("/proc/cpuinfo", encoding="ascii", errors="replace") as f:
            found = re.search(r"^flags\s*:(.*)$", f.read(), re.M)
    except OSError:
        return set()
    return set(found.group(1).split()) if found else set()


@functools.cache
def get_cpu_capability() -> str:
    """``"AVX512"``, ``"AVX2"`` or ``"DEFAULT"``."""
    if platform.machine().lower() not in ("x86_64", "amd64"):
        return "DEFAULT"
    flags = _flags()
    best = "DEFAULT"
    if {"avx2", "fma"} <= flags:
        best = "AVX2"
    if {"avx512f", "avx512bw", "avx512dq", "avx512vl", "fma"} <= flags:
        best = "AVX512"
    asked = os.environ.get("ATEN_CPU_CAPABILITY", "").upper()
    if asked in _ORDER and _ORDER.index(asked) < _ORDER.index(best):
        return asked
    return best
