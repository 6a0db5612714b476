"""What the ``torch.linalg`` ops share: PyTorch's argument checks and texts, its LinAlgError, the
named tuples the decompositions return, and batched matrix helpers written with visgrad ops."""

from __future__ import annotations

import collections
from typing import Any

import numpy as np

from visgrad import dtypes
from visgrad.tensor import Tensor


class _LinAlgError(RuntimeError):
    """``torch.linalg.LinAlgError``: a singular or not positive-definite input (PyTorch's class
    is ``torch._C._LinAlgError``, a RuntimeError)."""


LinAlgError = _LinAlgError


class MultiOutput:
    """Mixin for nodes with several differentiable outputs: the shapes and dtypes the engine
    fills an output's missing gradient with (``_meta``, set by ``forward`` via ``outputs``)."""

    _meta: tuple[tuple[tuple[int, ...], Any], ...] = ()

    def outputs(self, *arrays: np.ndarray) -> tuple[np.ndarray, ...]:
        self._meta = tuple((a.shape, a.dtype) for a in arrays)
        return arrays

    def output_meta(self) -> tuple[tuple[tuple[int, ...], Any], ...]:
        return self._meta


def result_type(name: str, fields: tuple[str, ...]) -> type:
    """``torch.return_types.<name>``: a named tuple that prints as PyTorch prints it."""
    base = collections.namedtuple(name, fields)  # type: ignore[misc]

    def __repr__(self: Any) -> str:  # noqa: N807
        body = ",\n".join(f"{f}={getattr(self, f)!r}" for f in fields)
        return f"torch.return_types.{name}(\n{body})"

    return type(name, (base,), {"__repr__": __repr__, "__slots__": ()})


def type_name(dt: np.dtype) -> str:
    """PyTorch's short scalar type name: ``Long``, ``Float``, ``Double``."""
    return dtypes.from_numpy(dt).tensor_type[: -len("Tensor")]


def check_float(x: np.ndarray, fname: str) -> None:
    if x.dtype.kind != "f":
        raise RuntimeError(
            f"{fname}: Expected a floating point or complex tensor as input. Got {type_name(x.dtype)}"
        )


def check_double_float_kernel(x: np.ndarray, kernel: str) -> None:
    """A kernel ATen dispatches for float and double only (LAPACK's, pdist's): its error for
    half and bfloat16."""
    if x.dtype not in (np.float32, np.float64):
        raise NotImplementedError(f"\"{kernel}\" not implemented for '{type_name(x.dtype)}'")


def check_matrix(x: np.ndarray, fname: str, square: bool = True) -> None:
    """At least 2-D, floating, and (``square``) batches of square matrices, as ATen checks."""
    if x.ndim < 2:
        raise RuntimeError(f"{fname}: The input tensor A must have at least 2 dimensions.")
    if square and x.shape[-1] != x.shape[-2]:
        raise RuntimeError(
            f"{fname}: A must be batches of square matrices, but they are {x.shape[-2]} by "
            f"{x.shape[-1]} matrices"
        )
    check_float(x, fname)


def batch_label(x: np.ndarray, index: int) -> str:
    """``(Batch element 3): `` for batched inputs, nothing for one matrix."""
    return f"(Batch element {index}): " if x.ndim > 2 else ""


def const(a: np.ndarray) -> Tensor:
    """A constant (no grad) Tensor holding ``a``."""
    return Tensor._make(np.ascontiguousarray(a), False, None, 0)


def eye_like(x: Tensor) -> Tensor:
    n = x._data.shape[-1]
    return const(np.broadcast_to(np.eye(n, dtype=x._data.dtype), x._data.shape[:-2] + (n, n)))
