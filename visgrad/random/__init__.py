"""``torch.random``: the default CPU generator and its seeding, with PyTorch's streams.

``manual_seed(0)`` then ``randn(3)`` gives PyTorch's ``tensor([ 1.5410, -0.2934, -2.1788])``:
the generator is PyTorch's Mersenne Twister (``generator``), and every sampler reproduces ATen's
CPU kernel bit for bit (``draws``, ``normal``, ``sampling``). ``bernoulli_(p)`` with a number
``p`` (and so dropout) draws the generator's uniforms on every CPU, as PyTorch 2.13 does; the
Intel MKL stream older x86 builds used on Intel CPUs is kept in ``mkl_bernoulli``.
"""

from __future__ import annotations

import contextlib
import secrets
import warnings
from collections.abc import Iterable, Iterator
from typing import Any

from visgrad.random.generator import Generator
from visgrad.tensor import Tensor

default_generator = Generator()
default_generator._set_seed(secrets.randbits(53))  # PyTorch seeds it from the OS at start-up


def get_generator(generator: Any) -> Generator:
    """The generator a sampler draws from: ``generator=`` if given, else the default one."""
    if generator is None:
        return default_generator
    if not isinstance(generator, Generator):
        raise TypeError(f"generator must be a torch.Generator, but got {type(generator).__name__}")
    return generator


def manual_seed(seed: Any) -> Generator:
    """Seed the default generator (``torch.manual_seed``) and return it."""
    return default_generator.manual_seed(seed)


def seed() -> int:
    """Seed the default generator from the OS's entropy and return the seed."""
    return default_generator.seed()


def initial_seed() -> int:
    """The default generator's seed."""
    return default_generator.initial_seed()


def get_rng_state() -> Tensor:
    """The default generator's state, a uint8 tensor in PyTorch's layout."""
    return default_generator.get_state()


def set_rng_state(new_state: Tensor) -> None:
    """Restore the default generator from ``get_rng_state()`` (ours or PyTorch's)."""
    default_generator.set_state(new_state)


@contextlib.contextmanager
def fork_rng(
    devices: Iterable[Any] | None = None,
    enabled: bool = True,
    _caller: str = "fork_rng",
    _devices_kw: str = "devices",
    device_type: str = "cuda",
) -> Iterator[None]:
    """Run the block, then put the default generator back as it was (CPU only: no devices)."""
    if not enabled:
        yield
        return
    if devices and list(devices):
        warnings.warn(
            "visgrad has no CUDA devices; fork_rng forks the CPU generator only", stacklevel=3
        )
    state = get_rng_state()
    try:
        yield
    finally:
        set_rng_state(state)


__all__ = [
    "Generator",
    "default_generator",
    "fork_rng",
    "get_rng_state",
    "initial_seed",
    "manual_seed",
    "seed",
    "set_rng_state",
]
