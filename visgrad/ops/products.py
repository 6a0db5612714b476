"""Products of whole tensors: ``kron``, ``tensordot``, ``cartesian_prod``, ``block_diag``.

The first three are composites written as PyTorch's ATen writes them (views, one ``mul`` or
``mm``), so their graphs show PyTorch's nodes; ``block_diag`` is one node, as in PyTorch.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from visgrad import dtypes
from visgrad.ops.arrange import meshgrid
from visgrad.ops.base import Op, apply
from visgrad.ops.gate import check_tensors
from visgrad.ops.join import _common, stack
from visgrad.ops.linalg import dot, mm
from visgrad.ops.registry import declare
from visgrad.ops.shape import UnsafeViewBackward0
from visgrad.tensor import Tensor


@declare("kron", nodes=UnsafeViewBackward0)
def kron(input: Tensor, other: Tensor) -> Tensor:  # noqa: A002 - PyTorch's name
    """The Kronecker product: every element of ``input`` times the whole of ``other``."""
    sa, sb = input._data.shape, other._data.shape
    n = max(len(sa), len(sb))
    pa, pb = (1,) * (n - len(sa)) + sa, (1,) * (n - len(sb)) + sb
    a_shape = tuple(x for s in pa for x in (s, 1))
    b_shape = tuple(x for s in pb for x in (1, s))
    a = apply(UnsafeViewBackward0, input, shape=a_shape)
    b = apply(UnsafeViewBackward0, other, shape=b_shape)
    return apply(
        UnsafeViewBackward0, a * b, shape=tuple(x * y for x, y in zip(pa, pb, strict=True))
    )


def _dims_lists(a: Tensor, b: Tensor, dims: Any) -> tuple[list[int], list[int]]:
    if isinstance(dims, (list, tuple)) and len(dims) == 2:
        lists = []
        for i, d in enumerate(dims):
            if isinstance(d, (int, np.integer)) and not isinstance(d, bool):
                name = "dims_self" if i == 0 else "dims_other"
                raise TypeError(
                    f"tensordot(): argument '{name}' (position {i + 3}) must be tuple of ints, "
                    "not int"
                )
            lists.append([int(x) for x in d])
        return lists[0], lists[1]
    if isinstance(dims, (list, tuple)):
        _first, _second = dims  # PyTorch's own unpacking error for any other length
    if isinstance(dims, Tensor):  # PyTorch's Python: two rows of dims, or one count
        if dims._data.size > 1:
            return [int(x) for x in dims._data[0]], [int(x) for x in dims._data[1]]
        k = int(dims._data.reshape(()))
        if k < 0:
            raise RuntimeError(f"tensordot expects dims >= 0, but got dims={dims}")
        return list(range(-k, 0)), list(range(k))
    if not isinstance(dims, (int, np.integer)):  # a bool is an int there
        raise RuntimeError(
            "tensordot expects dims to be int or tuple[list[int], list[int]] or list[list[int]] "
            f"containing two lists, but got dims={dims}"
        )
    k = int(dims)
    if k < 0:
        raise RuntimeError(f"tensordot expects dims >= 0, but got dims={dims}")
    if k > min(a._data.ndim, b._data.ndim):
        raise RuntimeError(f"tensordot expects dims < ndim_a or ndim_b, but got dims={dims}")
    return list(range(-k, 0)), list(range(k))


@declare("tensordot", method=False)
def tensordot(a: Tensor, b: Tensor, dims: Any = 2) -> Tensor:
    """Sum the products over ``dims`` (a count of trailing/leading dims, or two lists)."""
    da, db = _dims_lists(a, b, dims)
    if len(da) != len(db):
        raise RuntimeError("both dimension lists should have same length")
    if a._data.dtype != b._data.dtype:
        raise RuntimeError("both inputs should have same dtype")
    na, nb = a._data.ndim, b._data.ndim
    given = list(zip(da, db, strict=True))  # as given: ATen's message names them so
    da, db = [d % max(na, 1) for d in da], [d % max(nb, 1) for d in db]
    csize = 1
    for (x, y), (gx, gy) in zip(zip(da, db, strict=True), given, strict=True):
        s1, s2 = a._data.shape[x], b._data.shape[y]
        if s2 == 1:  # broadcast dimensions are summed right away, as ATen does
            a = a.sum(x, keepdim=True)
        elif s1 == 1:
            b = b.sum(y, keepdim=True)
        elif s1 != s2:
            raise RuntimeError(
                f"contracted dimensions need to match, but first has size {s1} in dim {gx} and "
                f"second has size {s2} in dim {gy}"
            )
        else:
            csize *= s1
    free_a = [d for d in range(na) if d not in da]
    free_b = [d for d in range(nb) if d not in db]
    sizes = [a._data.shape[d] for d in free_a] + [b._data.shape[d] for d in free_b]
    size1 = int(np.prod([a._data.shape[d] for d in free_a]))
    size2 = int(np.prod([b._data.shape[d] for d in free_b]))
    t1, t2 = a.permute(*free_a, *da), b.permute(*db, *free_b)
    if size1 == 1 and size2 == 1:
        out = dot(_flat(t1, (csize,)), _flat(t2, (csize,)))
    else:
        out = mm(t1.reshape(size1, csize), t2.reshape(csize, size2))
    return out.reshape(*sizes)


def _flat(t: Tensor, shape: tuple[int, ...]) -> Tensor:
    return t if t._data.shape == shape else t.reshape(*shape)


@declare("cartesian_prod", method=False)
def cartesian_prod(*tensors: Tensor) -> Tensor:
    """Every combination of one element from each 1-D tensor, one per row."""
    if not tensors:  # ATen builds it on meshgrid, which refuses first
        raise RuntimeError("meshgrid expects a non-empty TensorList")
    for t in check_tensors(tensors, 0):
        if t._data.ndim != 1:
            raise RuntimeError(f"Expect a 1D vector, but got shape {list(t._data.shape)}")
    if len(tensors) == 1:
        return tensors[0]
    grids = meshgrid(*tensors, indexing="ij")
    return stack([g.flatten() for g in grids], 1)


def _block(shape: tuple[int, ...]) -> tuple[int, int]:
    return (1, 1) if not shape else (1, shape[0]) if len(shape) == 1 else (shape[0], shape[1])


class BlockDiagBackward0(Op):
    op_name = "block_diag"
    input_names = ("tensors",)  # every input: the i-th gets its own block
    formulas = {"tensors": "block_diag_backward(grad, shapes, i)"}

    def forward(self, *tensors: Tensor) -> np.ndarray:
        for i, t in enumerate(tensors):
            if t._data.ndim > 2:
                raise RuntimeError(
                    "torch.block_diag: Input tensors must have 2 or fewer dimensions. Input "
                    f"{i} has {t._data.ndim} dimensions"
                )
        self.input_names = tuple(f"tensors[{i}]" for i in range(len(tensors)))
        self._shapes = [t._data.shape for t in tensors]
        blocks = [_block(s) for s in self._shapes]
        datas = _common(tensors)
        out = np.zeros(
            (sum(r for r, _ in blocks), sum(c for _, c in blocks)),
            dtype=datas[0].dtype,
        )
        r0 = c0 = 0
        for x, (r, c) in zip(datas, blocks, strict=True):
            out[r0 : r0 + r, c0 : c0 + c] = x.reshape(r, c)
            r0, c0 = r0 + r, c0 + c
        return out

    def backward(self, g: Tensor) -> tuple[Tensor | None, ...]:
        out: list[Tensor | None] = []
        r0 = c0 = 0
        for need, shape in zip(self.needs_input_grad, self._shapes, strict=True):
            r, c = _block(shape)
            out.append(g[r0 : r0 + r, c0 : c0 + c].reshape(shape) if need else None)
            r0, c0 = r0 + r, c0 + c
        return tuple(out)


@declare("block_diag", nodes=BlockDiagBackward0, method=False)
def block_diag(*tensors: Tensor) -> Tensor:
    """The tensors (0-, 1- or 2-D) as the blocks of a block-diagonal matrix."""
    if not tensors:
        return Tensor._make(np.zeros((1, 0), dtypes.default_float.np), False, None, 0)
    return apply(BlockDiagBackward0, *check_tensors(tensors, 0))
