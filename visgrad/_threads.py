"""``torch.get_num_threads`` / ``set_num_threads``: how many threads PyTorch's CPU kernels use.

visgrad computes on one thread, but the count still matters to the numbers: PyTorch splits a
whole-tensor sum of 32,768 elements or more into one chunk per thread, and the rounding of the
result depends on that split (``visgrad.ops.sum_kernel`` reproduces it). The default is
PyTorch's: ``OMP_NUM_THREADS`` (or ``MKL_NUM_THREADS``) if set, else the physical core count.
"""

from __future__ import annotations

import os
import re


def _physical_cores() -> int:
    try:
        with open("/proc/cpuinfo", encoding="ascii", errors="replace") as f:
            text = f.read()
    except OSError:
        return os.cpu_count() or 1
    cores = set()
    package = core = ""
    for line in text.splitlines() + [""]:
        if found := re.match(r"physical id\s*:\s*(\S+)", line):
            package = found.group(1)
        elif found := re.match(r"core id\s*:\s*(\S+)", line):
            core = found.group(1)
        elif not line.strip() and core:
            cores.add((package, core))
            package = core = ""
    return len(cores) or os.cpu_count() or 1


def _default() -> int:
    for name in ("OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        value = os.environ.get(name, "")
        if value.isdigit() and int(value) > 0:
            return int(value)
    return _physical_cores()


_count = _default()


def get_num_threads() -> int:
    """The number of threads PyTorch would use for intra-op parallelism."""
    return _count


def set_num_threads(n: object) -> None:
    """Set it, with PyTorch's checks."""
    global _count
    if isinstance(n, bool) or not isinstance(n, int):
        raise RuntimeError(f"set_num_threads expects an int, but got {type(n).__name__}")
    if n <= 0:
        raise RuntimeError("set_num_threads expects a positive integer")
    _count = n
