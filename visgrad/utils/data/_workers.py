"""DataLoader workers, taken in turn in the main process, each with its own random state.

PyTorch's ``num_workers=N`` starts N processes; worker ``i`` seeds ``torch``, ``random`` and
NumPy from ``base_seed + i`` (NumPy through a SeedSequence of it), runs ``worker_init_fn(i)``,
and fetches every N-th batch (an iterable dataset is iterated by each worker in full, each
worker seeing its own ``get_worker_info()``). The main process's random streams never see the
workers' draws. Here a worker is that state, swapped in around each of its fetches, so a
program's batches, augmentations and later random numbers are PyTorch's.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from visgrad.random import default_generator
from visgrad.random.generator import Generator

_MASK32 = 0xFFFFFFFF


@dataclass(frozen=True, slots=True)
class WorkerInfo:
    """What ``get_worker_info()`` returns inside a worker."""

    id: int
    num_workers: int
    seed: int
    dataset: Any
    rng: Any = None
    worker_method: str | None = "multiprocessing"


_current: list[WorkerInfo | None] = [None]


def get_worker_info() -> WorkerInfo | None:
    """The running worker's id, count, seed and dataset; None in the main process."""
    return _current[0]


class Worker:
    """One worker's random states, and its iterator over an iterable dataset."""

    def __init__(self, wid: int, loader: Any, base_seed: int) -> None:
        seed = base_seed + wid
        self.info = WorkerInfo(wid, loader.num_workers, seed, loader.dataset)
        self._torch = Generator()
        self._torch.manual_seed(seed)
        self._python = random.Random(seed).getstate()
        words = [wid, base_seed & _MASK32, base_seed >> 32, 0]
        np_seed = np.random.SeedSequence(words).generate_state(4)
        self._numpy = np.random.RandomState(np_seed).get_state()
        self.iterator: Any = None
        self.active = True
        if loader.worker_init_fn is not None:
            self.run(loader.worker_init_fn, wid)

    def run(self, fn: Callable[..., Any], *args: Any) -> Any:
        """``fn(*args)`` as this worker: its random states and worker info in place."""
        main = default_generator
        main.__dict__, self._torch.__dict__ = self._torch.__dict__, main.__dict__
        python, numpy = random.getstate(), np.random.get_state()
        random.setstate(self._python)
        np.random.set_state(self._numpy)
        _current[0] = self.info
        try:
            return fn(*args)
        finally:
            _current[0] = None
            self._python, self._numpy = random.getstate(), np.random.get_state()
            random.setstate(python)
            np.random.set_state(numpy)
            main.__dict__, self._torch.__dict__ = self._torch.__dict__, main.__dict__
