"""``torch.distributed`` for the one process visgrad runs: a real process group of world size 1.

Training scripts import it (and DistributedDataParallel) whether or not they run distributed, and
a script launched without ``torchrun`` takes its single-process path. ``init_process_group`` with
``world_size=1`` gives a working group whose collectives are what they are for one rank (the
tensor already holds the sum, the average, the gathered list); more ranks would need processes
visgrad does not start, and it says so.
"""

from __future__ import annotations

import enum
import os
from contextlib import AbstractContextManager
from typing import Any

from visgrad.tensor import Tensor

__all__ = [
    "ReduceOp",
    "Work",
    "all_gather",
    "all_gather_into_tensor",
    "all_reduce",
    "barrier",
    "broadcast",
    "destroy_process_group",
    "get_backend",
    "get_rank",
    "get_world_size",
    "init_process_group",
    "is_available",
    "is_gloo_available",
    "is_initialized",
    "is_nccl_available",
    "is_torchelastic_launched",
    "reduce",
]

_NOT_INITIALIZED = (
    "Default process group has not been initialized, please make sure to call init_process_group."
)


class RedOpType(enum.IntEnum):
    SUM = 0
    AVG = 1
    PRODUCT = 2
    MIN = 3
    MAX = 4
    BAND = 5
    BOR = 6
    BXOR = 7
    PREMUL_SUM = 8
    UNUSED = 9


class ReduceOp:
    """The reductions of ``all_reduce`` and ``reduce``."""

    RedOpType = RedOpType
    SUM = RedOpType.SUM
    AVG = RedOpType.AVG
    PRODUCT = RedOpType.PRODUCT
    MIN = RedOpType.MIN
    MAX = RedOpType.MAX
    BAND = RedOpType.BAND
    BOR = RedOpType.BOR
    BXOR = RedOpType.BXOR
    PREMUL_SUM = RedOpType.PREMUL_SUM


class Work:
    """The handle of an ``async_op=True`` collective; with one rank it is already complete."""

    def wait(self, timeout: Any = None) -> bool:
        return True

    def is_completed(self) -> bool:
        return True

    def is_success(self) -> bool:
        return True


class _Group:
    def __init__(self, backend: str) -> None:
        self.backend = backend


_default: list[_Group | None] = [None]


def is_available() -> bool:
    return True


def is_gloo_available() -> bool:
    return True


def is_nccl_available() -> bool:
    return False


def is_mpi_available() -> bool:
    return False


def is_torchelastic_launched() -> bool:
    return os.environ.get("TORCHELASTIC_RUN_ID") is not None


def is_initialized() -> bool:
    return _default[0] is not None


def _group() -> _Group:
    g = _default[0]
    if g is None:
        raise ValueError(_NOT_INITIALIZED)
    return g


def _from_env(name: str) -> int:
    value = os.environ.get(name)
    if value is None:
        raise ValueError(
            "Error initializing torch.distributed using env:// rendezvous: environment variable "
            f"{name} expected, but not set"
        )
    return int(value)


def init_process_group(
    backend: str | None = None,
    init_method: str | None = None,
    timeout: Any = None,
    world_size: int = -1,
    rank: int = -1,
    store: Any = None,
    group_name: str = "",
    pg_options: Any = None,
    device_id: Any = None,
) -> None:
    """Make the default process group; here only a group of one rank can exist."""
    if _default[0] is not None:
        raise ValueError("trying to initialize the default process group twice!")
    name = (backend or "gloo").lower()
    if name == "nccl":
        raise RuntimeError("Distributed package doesn't have NCCL built in")
    if name not in ("gloo", "cpu:gloo"):
        raise RuntimeError(f"Invalid backend: '{backend}'")
    if store is None and (init_method is None or init_method.startswith("env://")):
        rank = _from_env("RANK") if rank < 0 else rank
        world_size = _from_env("WORLD_SIZE") if world_size < 0 else world_size
        for name in ("MASTER_ADDR", "MASTER_PORT"):
            os.environ.get(name) or _from_env(name)
    world_size = 1 if world_size < 0 else world_size
    if world_size != 1:
        raise RuntimeError(
            f"visgrad runs one process: a process group of world size {world_size} needs "
            f"{world_size - 1} more ranks, which it does not start; run with world_size=1 "
            "(or without torchrun)"
        )
    if rank not in (-1, 0):
        raise ValueError(f"Invalid rank {rank}, rank should be in the interval [0, 0]")
    _default[0] = _Group("gloo")


def destroy_process_group(group: Any = None) -> None:
    assert _default[0] is not None, "Process group cannot be None"
    _default[0] = None


def get_rank(group: Any = None) -> int:
    _group()
    return 0


def get_world_size(group: Any = None) -> int:
    _group()
    return 1


def get_backend(group: Any = None) -> str:
    return _group().backend


def _done(async_op: bool) -> Work | None:
    return Work() if async_op else None


def barrier(group: Any = None, async_op: bool = False, device_ids: Any = None) -> Work | None:
    _group()
    return _done(async_op)


def all_reduce(
    tensor: Tensor, op: Any = ReduceOp.SUM, group: Any = None, async_op: bool = False
) -> Work | None:
    """Reduce ``tensor`` over every rank, in place: with one rank it is the result already."""
    _group()
    return _done(async_op)


def reduce(
    tensor: Tensor, dst: int = 0, op: Any = ReduceOp.SUM, group: Any = None, async_op: bool = False
) -> Work | None:
    _group()
    return _done(async_op)


def broadcast(
    tensor: Tensor, src: int = 0, group: Any = None, async_op: bool = False
) -> Work | None:
    _group()
    return _done(async_op)


def all_gather(
    tensor_list: list[Tensor], tensor: Tensor, group: Any = None, async_op: bool = False
) -> Work | None:
    """Each rank's ``tensor`` into ``tensor_list`` (one slot per rank)."""
    _group()
    if len(tensor_list) != 1:
        raise ValueError(
            f"all_gather needs a list of world size (1) tensors, got {len(tensor_list)}"
        )
    tensor_list[0].copy_(tensor)
    return _done(async_op)


def all_gather_into_tensor(
    output_tensor: Tensor, input_tensor: Tensor, group: Any = None, async_op: bool = False
) -> Work | None:
    _group()
    output_tensor.copy_(input_tensor.reshape(output_tensor.shape))
    return _done(async_op)


class _NoSync(AbstractContextManager[None]):
    def __init__(self, owner: Any) -> None:
        self.owner = owner

    def __enter__(self) -> None:
        self.saved = self.owner.require_backward_grad_sync
        self.owner.require_backward_grad_sync = False

    def __exit__(self, *exc: object) -> None:
        self.owner.require_backward_grad_sync = self.saved
