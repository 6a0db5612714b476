"""Norms: ``torch.linalg.vector_norm`` / ``matrix_norm`` / ``norm``, ``torch.norm`` and
``Tensor.norm``, dispatched as PyTorch does (``torch.norm`` is a Python function over the two
``linalg`` norms; ``'nuc'`` and ±2 go through the singular values)."""

from __future__ import annotations

import math
from typing import Any

from visgrad.arg_parser import dims_arg, is_int, is_number, type_name
from visgrad.ops.linalg_common import check_float
from visgrad.ops.linalg_svd import svdvals
from visgrad.ops.minmax import amax, amin
from visgrad.ops.reduce import LinalgVectorNormBackward0, vector_norm
from visgrad.ops.registry import declare
from visgrad.tensor import Tensor, _dim


@declare(
    "linalg_vector_norm", nodes=LinalgVectorNormBackward0, torch=False, method=False, linalg=True
)
def linalg_vector_norm(
    x: Tensor,
    ord: Any = 2,  # noqa: A002
    dim: Any = None,
    keepdim: bool = False,
    *,
    dtype: Any = None,
) -> Tensor:
    """The vector ``ord``-norm over ``dim`` (every element without it)."""
    if isinstance(ord, str) or not is_number(ord):
        raise TypeError(
            "linalg_vector_norm(): argument 'ord' (position 2) must be Number, not "
            f"{type(ord).__name__}"
        )
    check_float(x._data, "linalg.vector_norm")
    if x._data.size == 0 and (ord < 0 or ord == math.inf):
        dims = dims_arg(dim) if dim is not None else ()
        if not dims or any(x._data.shape[_dim(d, x._data.ndim)] == 0 for d in dims):
            text = "inf" if ord == math.inf else repr(ord).removesuffix(".0")
            raise RuntimeError(
                f"linalg.vector_norm cannot compute the {text} norm on an empty tensor because "
                "the operation does not have an identity"
            )
    return vector_norm(x, ord, dim, keepdim, dtype=dtype)


def _matrix_dims(a: Tensor, dim: Any, fname: str = "linalg.matrix_norm") -> tuple[int, int]:
    dims = dims_arg(dim)
    if len(dims) != 2:
        raise RuntimeError(f"{fname}: dim must be a 2-tuple. Got {' '.join(map(str, dims))}")
    d0, d1 = (_dim(d, a._data.ndim) for d in dims)
    if d0 == d1:
        raise RuntimeError(f"{fname}: dims must be different. Got ({dims[0]}, {dims[1]})")
    return d0, d1


def _svd_norm(a: Tensor, ord: Any, d0: int, d1: int, keepdim: bool) -> Tensor:  # noqa: A002
    """'nuc' and ±2: the singular values of the matrices moved to the last two dims."""
    nd = a._data.ndim
    perm = [d for d in range(nd) if d not in (d0, d1)] + [d0, d1]
    s = svdvals(a.permute(*perm))
    if ord == "nuc":
        out = s.sum(-1, keepdim)
    else:
        out = amax(s, -1, keepdim) if ord > 0 else amin(s, -1, keepdim)
    if not keepdim:
        return out
    out = out.unsqueeze(-1)
    inverse = [perm.index(d) for d in range(nd)]
    return out.permute(*inverse)


@declare("linalg_matrix_norm", torch=False, method=False, linalg=True)
def matrix_norm(
    A: Tensor,  # noqa: N803
    ord: Any = "fro",  # noqa: A002
    dim: Any = (-2, -1),
    keepdim: bool = False,
    *,
    dtype: Any = None,
) -> Tensor:
    """The Frobenius, nuclear or induced (±1, ±2, ±inf) norm of each matrix in dims ``dim``."""
    x = A._data
    if ord not in ("fro", "nuc") and (isinstance(ord, str) or abs(ord) not in (1, 2, math.inf)):
        text = ord if isinstance(ord, str) else repr(ord).removesuffix(".0")
        raise RuntimeError(f"linalg.matrix_norm: Order {text} not supported.")  # checked first
    if x.ndim < 2:
        raise RuntimeError(
            "linalg.matrix_norm: The input tensor A must have at least 2 dimensions."
        )
    check_float(x, "linalg.matrix_norm")
    if isinstance(dim, int) and not isinstance(dim, bool):
        raise TypeError(
            "linalg_matrix_norm() received an invalid combination of arguments - got (Tensor, "
            "dim=int), but expected one of:"
        )
    d0, d1 = _matrix_dims(A, dim)
    if dtype is not None:
        A = A.to(dtype)
    if ord == "fro":
        return vector_norm(A, 2, (d0, d1), keepdim)
    if ord == "nuc" or (not isinstance(ord, str) and abs(ord) == 2):
        return _svd_norm(A, ord, d0, d1, keepdim)
    if abs(ord) == math.inf:
        d0, d1 = d1, d0
    if not keepdim and d0 < d1:
        d1 -= 1
    rows = vector_norm(A, 1, (d0,), keepdim)
    return amax(rows, d1, keepdim) if ord > 0 else amin(rows, d1, keepdim)


@declare("linalg_norm", torch=False, method=False, linalg=True)
def linalg_norm(
    A: Tensor,  # noqa: N803
    ord: Any = None,  # noqa: A002
    dim: Any = None,
    keepdim: bool = False,
    *,
    dtype: Any = None,
) -> Tensor:
    """``vector_norm`` or ``matrix_norm``, chosen by ``ord``, ``dim`` and the input's rank."""
    nd = A._data.ndim
    if dim is not None:
        dims = dims_arg(dim)
        if len(dims) not in (1, 2):
            raise RuntimeError(
                f"linalg.norm: If dim is specified, it must be of length 1 or 2. Got {list(dims)}"
            )
    elif ord is not None and nd not in (1, 2):
        raise RuntimeError(
            "linalg.norm: If dim is not specified but ord is, the input must be 1D or 2D. "
            f"Got {nd}D."
        )
    matrix = (dim is not None and len(dims_arg(dim)) == 2) or (dim is None and nd == 2)
    if isinstance(ord, str) or (ord is not None and matrix):
        return matrix_norm(A, ord, (-2, -1) if dim is None else dim, keepdim, dtype=dtype)
    return linalg_vector_norm(A, 2 if ord is None else ord, dim, keepdim, dtype=dtype)


@declare("norm", nodes=LinalgVectorNormBackward0)
def norm(
    input: Tensor,  # noqa: A002 - PyTorch's name
    p: Any = "fro",
    dim: Any = None,
    keepdim: bool = False,
    dtype: Any = None,
) -> Tensor:
    """``torch.norm`` / ``Tensor.norm``: ``'fro'`` and numbers are vector norms, ``'nuc'`` (and
    other strings) the matrix norm over ``dim`` (every dim without it)."""
    if isinstance(p, str) and not (
        p == "fro" and (dim is None or isinstance(dim, int) or len(dim) <= 2)
    ):
        dims = tuple(range(input._data.ndim)) if dim is None else [dim] if is_int(dim) else dim
        return matrix_norm(input, p, dims, keepdim, dtype=dtype)
    if dim is not None:  # PyTorch's Python passes [dim] for an int (a bool too), else dim
        _dims_list("linalg_vector_norm", [dim] if isinstance(dim, int) else dim)
    return linalg_vector_norm(
        input, 2.0 if p is None or p == "fro" else p, dim, keepdim, dtype=dtype
    )


def _dims_list(op: str, dims: Any) -> None:
    """``dims`` as the parser's ``int[1]? dim`` (position 3) takes it, or its TypeError."""
    where = f"{op}(): argument 'dim' (position 3) must be tuple of ints"
    if not isinstance(dims, (list, tuple)):
        raise TypeError(f"{where}, not {type_name(dims)}")
    for i, d in enumerate(dims):
        if not is_int(d):
            raise TypeError(f"{where}, but found element of type {type_name(d)} at pos {i}")
