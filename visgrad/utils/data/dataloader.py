"""``DataLoader``: batches from a dataset, in PyTorch's order for a seed.

Every iteration starts as PyTorch's does: it draws a base seed (one 64-bit draw from the
loader's generator, or the default one) before the sampler draws its order, so the random
numbers a program draws after a loop over its data are PyTorch's too. Loading happens in the
main process; with ``num_workers > 0`` the workers take their turns there, each with its own
random state (``_workers.py``), so batches and in-worker random draws are PyTorch's.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

from visgrad.random.generator import Generator
from visgrad.utils.data._collate import default_collate, default_convert
from visgrad.utils.data._workers import Worker, WorkerInfo, get_worker_info
from visgrad.utils.data.dataset import IterableDataset
from visgrad.utils.data.sampler import (
    BatchSampler,
    RandomSampler,
    Sampler,
    SequentialSampler,
    _InfiniteConstantSampler,
    draw_seed,
)

__all__ = ["DataLoader", "WorkerInfo", "default_collate", "default_convert", "get_worker_info"]

_FROZEN = ("batch_size", "batch_sampler", "sampler", "drop_last", "dataset", "persistent_workers")


def _check_workers(num_workers: int, timeout: float, prefetch: Any, persistent: bool) -> None:
    if num_workers < 0:
        raise ValueError(
            "num_workers option should be non-negative; use num_workers=0 to disable "
            "multiprocessing."
        )
    if timeout < 0:
        raise ValueError("timeout option should be non-negative")
    if num_workers == 0 and prefetch is not None:
        raise ValueError(
            "prefetch_factor option could only be specified in multiprocessing.let num_workers "
            "> 0 to enable multiprocessing, otherwise set prefetch_factor to None."
        )
    if persistent and num_workers == 0:
        raise ValueError("persistent_workers option needs num_workers > 0")


class DataLoader:
    """Iterate over ``dataset`` in batches (PyTorch's arguments and checks)."""

    __initialized = False

    def __init__(
        self,
        dataset: Any,
        batch_size: int | None = 1,
        shuffle: bool | None = None,
        sampler: Sampler | Iterable | None = None,
        batch_sampler: Sampler | Iterable | None = None,
        num_workers: int = 0,
        collate_fn: Callable[[list], Any] | None = None,
        pin_memory: bool = False,
        drop_last: bool = False,
        timeout: float = 0,
        worker_init_fn: Callable[[int], None] | None = None,
        multiprocessing_context: Any = None,
        generator: Generator | None = None,
        *,
        prefetch_factor: int | None = None,
        persistent_workers: bool = False,
        pin_memory_device: str = "",
        in_order: bool = True,
    ) -> None:
        _check_workers(num_workers, timeout, prefetch_factor, persistent_workers)
        self.dataset = dataset
        self.num_workers, self.prefetch_factor = num_workers, prefetch_factor
        self.pin_memory, self.pin_memory_device = pin_memory, pin_memory_device
        self.timeout, self.worker_init_fn = timeout, worker_init_fn
        self.multiprocessing_context, self.in_order = multiprocessing_context, in_order
        self._iterable = isinstance(dataset, IterableDataset)
        if self._iterable:
            given = (("shuffle", shuffle if shuffle not in (None, False) else None),)
            given += (("sampler", sampler), ("batch_sampler", batch_sampler))
            for name, value in given:
                if value is not None:
                    raise ValueError(
                        f"DataLoader with IterableDataset: expected unspecified {name} option, "
                        f"but got {name}={value}"
                    )
        else:
            shuffle = bool(shuffle)
        if sampler is not None and shuffle:
            raise ValueError("sampler option is mutually exclusive with shuffle")
        if batch_sampler is not None:
            if batch_size != 1 or shuffle or sampler is not None or drop_last:
                raise ValueError(
                    "batch_sampler option is mutually exclusive with batch_size, shuffle, "
                    "sampler, and drop_last"
                )
            batch_size, drop_last = None, False
        elif batch_size is None and drop_last:
            raise ValueError(
                "batch_size=None option disables auto-batching and is mutually exclusive with "
                "drop_last"
            )
        if sampler is None:
            if self._iterable:
                sampler = _InfiniteConstantSampler()
            elif shuffle:
                sampler = RandomSampler(dataset, generator=generator)
            else:
                sampler = SequentialSampler(dataset)
        if batch_size is not None and batch_sampler is None:
            batch_sampler = BatchSampler(sampler, batch_size, drop_last)
        self.batch_size, self.drop_last = batch_size, drop_last
        self.sampler, self.batch_sampler = sampler, batch_sampler
        self.generator = generator
        if collate_fn is None:
            collate_fn = default_collate if batch_sampler is not None else default_convert
        self.collate_fn = collate_fn
        self.persistent_workers = persistent_workers
        self._workers: list[Worker] = []  # kept across epochs with persistent_workers
        self.__initialized = True

    def __setattr__(self, name: str, value: Any) -> None:
        if self.__initialized and name in _FROZEN:
            raise ValueError(
                f"{name} attribute should not be set after {type(self).__name__} is initialized"
            )
        super().__setattr__(name, value)

    @property
    def _auto_collation(self) -> bool:
        return self.batch_sampler is not None

    @property
    def _index_sampler(self) -> Any:
        return self.batch_sampler if self._auto_collation else self.sampler

    def __iter__(self) -> Iterator[Any]:
        return _LoaderIter(self)

    def __len__(self) -> int:
        if self._iterable:
            n = len(self.dataset)
            if self.batch_size is not None:
                n = n // self.batch_size if self.drop_last else -(-n // self.batch_size)
            return n
        return len(self._index_sampler)


class _LoaderIter:
    """One pass over a DataLoader, fetching and collating in the main process."""

    def __init__(self, loader: DataLoader) -> None:
        self._loader = loader
        self._sampler_iter = iter(loader._index_sampler)
        self._turn = 0
        if loader.num_workers and loader.persistent_workers and loader._workers:
            self._workers = loader._workers  # PyTorch's persistent workers draw no new seed
            for w in self._workers:
                w.iterator, w.active = None, True
        else:
            # PyTorch draws the workers' base seed here even without workers: the stream moves on.
            base_seed = draw_seed(loader.generator)
            self._workers = [Worker(i, loader, base_seed) for i in range(loader.num_workers)]
            if loader.persistent_workers:
                loader._workers = self._workers
        self._dataset_iter = (
            iter(loader.dataset) if loader._iterable and not self._workers else None
        )
        self._ended = False

    def __iter__(self) -> _LoaderIter:
        return self

    def __len__(self) -> int:
        return len(self._loader._index_sampler)

    def __next__(self) -> Any:
        if not self._workers:
            return self._fetch(next(self._sampler_iter))
        while any(w.active for w in self._workers):
            index = next(self._sampler_iter)
            n = len(self._workers)
            while not self._workers[self._turn % n].active:  # the next worker still working
                self._turn += 1
            worker = self._workers[self._turn % n]
            self._turn += 1
            try:
                return worker.run(self._fetch_as, worker, index)
            except StopIteration:
                worker.active = False  # its copy of the iterable dataset is used up
        raise StopIteration

    def _fetch_as(self, worker: Worker, index: Any) -> Any:
        if self._loader._iterable:
            if worker.iterator is None:
                worker.iterator = iter(self._loader.dataset)
            self._dataset_iter, self._ended = worker.iterator, False
        return self._fetch(index)

    def _fetch(self, index: Any) -> Any:
        loader = self._loader
        if self._dataset_iter is not None:
            return loader.collate_fn(self._fetch_iterable(index))
        if loader._auto_collation:
            getitems = getattr(loader.dataset, "__getitems__", None)
            if getitems:
                data = getitems(index)
            else:
                data = [loader.dataset[i] for i in index]
        else:
            data = loader.dataset[index]
        return loader.collate_fn(data)

    def _fetch_iterable(self, index: Any) -> Any:
        if self._ended:
            raise StopIteration
        assert self._dataset_iter is not None
        if not self._loader._auto_collation:
            return next(self._dataset_iter)
        data = []
        for _ in index:
            try:
                data.append(next(self._dataset_iter))
            except StopIteration:
                self._ended = True
                break
        if not data or (self._loader.drop_last and len(data) < len(index)):
            raise StopIteration
        return data
