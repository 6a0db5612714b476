"""The formula language's vocabulary: the methods and functions a formula may call.

Each works on NumPy arrays in float64 and reads like its PyTorch namesake; the helpers PyTorch
spells as ``*_backward`` functions (``select_backward``, ``nll_loss_backward``) are written out
here once, for the debugger. Qt-free and engine-free.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from visgrad._scipy import special as _special
from visgrad.trace.formula_dist import DIST_FUNCTIONS
from visgrad.trace.formula_householder import HOUSEHOLDER_FUNCTIONS
from visgrad.trace.formula_index import INDEX_FUNCTIONS
from visgrad.trace.formula_layers import LAYER_FUNCTIONS
from visgrad.trace.formula_linalg import LINALG_FUNCTIONS
from visgrad.trace.formula_loss import LOSS_FUNCTIONS
from visgrad.trace.formula_lu import LU_FUNCTIONS
from visgrad.trace.formula_more import MORE_FUNCTIONS
from visgrad.trace.formula_nn import NN_FUNCTIONS
from visgrad.trace.formula_norm import NORM_FUNCTIONS
from visgrad.trace.formula_products import PRODUCT_FUNCTIONS, PRODUCT_METHODS
from visgrad.trace.formula_spatial import SPATIAL_FUNCTIONS


def _sign(a: Any) -> Any:
    """PyTorch's sign: 0 for NaN (NumPy's is NaN)."""
    x = np.asarray(as_array(a))
    return np.where(np.isnan(x), 0.0, np.sign(x)) if x.dtype.kind == "f" else np.sign(x)


def as_array(x: Any) -> np.ndarray:
    """``x`` as a float64 array (arrays pass through unchanged)."""
    return np.asarray(x, dtype=np.float64) if not isinstance(x, np.ndarray) else x


def _dims(dim: Any, ndim: int) -> tuple[int, ...]:
    if dim is None or dim == ():
        return tuple(range(ndim))
    dims = (dim,) if isinstance(dim, (int, np.integer)) else tuple(dim)
    return tuple(int(d) % max(ndim, 1) for d in dims)


def sum_to_shape(a: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """Sum a broadcast array back to ``shape`` (the reduction the engine applies for every op)."""
    a = as_array(a)
    shape = tuple(shape)
    lead = a.ndim - len(shape)
    if lead < 0:
        return np.broadcast_to(a, shape).copy()
    dims = list(range(lead))
    for i, s in enumerate(shape):
        if s == 1 and a.shape[lead + i] != 1:
            dims.append(lead + i)
    r = a.sum(axis=tuple(dims), keepdims=True) if dims else a
    return r.reshape(shape)


def _restore_dims(g: Any, dim: Any, keepdim: bool, ndim: int) -> np.ndarray:
    """``grad`` of a reduction with the reduced dims put back as size 1 (``unsqueeze`` each)."""
    g = as_array(g)
    if keepdim:
        return g
    for d in sorted(_dims(dim, ndim)):
        g = np.expand_dims(g, d)
    return g


def _t(a: Any) -> np.ndarray:
    a = as_array(a)
    return a.T if a.ndim == 2 else a


def _select_back(g: Any, shape: Any, dim: int, index: int) -> np.ndarray:
    """``zeros(shape)`` with ``grad`` written at position ``index`` of ``dim``."""
    out = np.zeros(tuple(shape))
    key: list[slice | int] = [slice(None)] * out.ndim
    key[int(dim)] = int(index)
    out[tuple(key)] = g
    return out


def _slice_back(g: Any, shape: Any, dim: int, start: Any, end: Any, step: Any) -> np.ndarray:
    """``zeros(shape)`` with ``grad`` written into ``[start:end:step]`` along ``dim``."""
    out = np.zeros(tuple(shape))
    key = [slice(None)] * out.ndim
    key[int(dim)] = slice(start, end, step)
    out[tuple(key)] = g
    return out


def _softmax(x: Any, dim: int) -> np.ndarray:
    x = as_array(x)
    e = np.exp(x - x.max(axis=dim, keepdims=True))
    return e / e.sum(axis=dim, keepdims=True)


def _evenly(mask: Any, dim: Any) -> np.ndarray:
    """``mask`` divided by its count along ``dim``: ties share a max's gradient evenly."""
    m = as_array(mask)
    return m / m.sum(axis=_dims(dim, m.ndim), keepdims=True)


def _scatter(a: Any, dim: int, index: Any, src: Any) -> np.ndarray:
    out = as_array(a).copy()
    np.put_along_axis(out, np.asarray(index, dtype=np.int64), as_array(src), axis=int(dim))
    return out


def _scatter_add(a: Any, dim: int, index: Any, src: Any) -> np.ndarray:
    out = as_array(a).copy()
    idx = np.asarray(index, dtype=np.int64)
    grid: list[np.ndarray] = list(np.indices(idx.shape, sparse=True))
    grid[int(dim)] = idx
    np.add.at(out, tuple(grid), np.broadcast_to(as_array(src), idx.shape))
    return out


def _index_add(a: Any, dim: int, index: Any, src: Any) -> np.ndarray:
    out = np.moveaxis(as_array(a).copy(), int(dim), 0)
    np.add.at(
        out, np.asarray(index, dtype=np.int64).reshape(-1), np.moveaxis(as_array(src), dim, 0)
    )
    return np.moveaxis(out, 0, int(dim))


def _diagonal_back(g: Any, shape: Any, offset: int, dim1: int = 0, dim2: int = 1) -> np.ndarray:
    """``zeros(shape)`` with ``grad`` on diagonal ``offset`` of dims ``dim1``, ``dim2``."""
    out = np.moveaxis(np.zeros(tuple(shape)), (int(dim1), int(dim2)), (-2, -1))
    n = min(out.shape[-2] - max(-offset, 0), out.shape[-1] - max(offset, 0))
    rows = np.arange(max(n, 0)) + max(-offset, 0)
    out[..., rows, rows + offset] = as_array(g)
    return np.moveaxis(out, (-2, -1), (int(dim1), int(dim2)))


def _roll(a: Any, shifts: Any, dims: Any) -> np.ndarray:
    """``a.roll(shifts, dims)``; without dims the flattened tensor rolls."""
    a = as_array(a)
    if not dims:
        return np.roll(a.reshape(-1), tuple(shifts)[0]).reshape(a.shape)
    return np.roll(a, tuple(shifts), tuple(dims))


def _unrepeat(g: Any, shape: Any) -> np.ndarray:
    """The gradient of ``repeat``: each repeated copy of the input summed back into one."""
    g = as_array(g)
    shape = (1,) * (g.ndim - len(shape)) + tuple(shape)
    split = []
    for n, s in zip(g.shape, shape, strict=True):
        split += [n // s, s]
    r = g.reshape(split).sum(axis=tuple(range(0, len(split), 2)))
    return r.reshape(shape)


def _prod_others(x: Any, dim: Any) -> np.ndarray:
    """Each element's product of the other elements along ``dim`` (exact with zeros)."""
    x = as_array(x)
    axes = _dims(dim, x.ndim)
    moved = np.moveaxis(x, axes, tuple(range(len(axes))))
    flat = moved.reshape((-1,) + moved.shape[len(axes) :])
    ones = np.ones((1,) + flat.shape[1:])
    before = np.concatenate([ones, np.cumprod(flat, axis=0)[:-1]], axis=0)
    after = np.concatenate([np.cumprod(flat[::-1], axis=0)[:-1][::-1], ones], axis=0)
    out = (before * after).reshape(moved.shape)
    return np.moveaxis(out, tuple(range(len(axes))), axes)


def _nll_back(g: Any, x: Any, target: Any, weight: Any, reduction: int, ignore: int) -> np.ndarray:
    """``nll_loss``'s gradient: ``-weight[t]`` at each sample's target class, times ``grad``."""
    x, t = as_array(x), np.asarray(target, dtype=np.int64)
    axis = 1 if x.ndim >= 2 else 0
    valid = t != ignore
    safe = np.where(valid, t, 0)
    w = np.ones(x.shape[axis]) if weight is None else as_array(weight)
    per_w = np.where(valid, w[safe], 0.0)
    coef = np.zeros_like(x)
    np.put_along_axis(coef, np.expand_dims(safe, axis), np.expand_dims(-per_w, axis), axis)
    g = as_array(g)
    if reduction == 1:  # mean: divided by the total weight of the counted samples
        return coef * g / per_w.sum()
    return coef * (g if reduction == 2 else np.expand_dims(g, axis))


_erf = np.vectorize(math.erf, otypes=[np.float64])


def _cumprod_backward(grad: Any, x: Any, dim: Any, result: Any) -> np.ndarray:
    """``cumprod``'s input gradient: for each k, ``sum_{j>=k} grad_j * prod_{i<=j, i!=k} x_i``
    (right at zeros too, where ``reverse_cumsum(grad * result) / x`` would divide by 0)."""
    g, a = np.moveaxis(as_array(grad), int(dim), -1), np.moveaxis(as_array(x), int(dim), -1)
    out = np.empty_like(a)
    ones = np.ones_like(a[..., :1])
    for k in range(a.shape[-1]):
        before = np.prod(a[..., :k], axis=-1)
        after = np.cumprod(np.concatenate([ones, a[..., k + 1 :]], -1), -1)
        out[..., k] = before * np.sum(g[..., k:] * after, -1)
    return np.moveaxis(out, -1, int(dim))


# Methods, called as ``x.name(...)``: the first argument is ``x``.
METHODS: dict[str, Callable[..., Any]] = {
    "t": _t,
    "sum": lambda a, dim=None, keepdim=False: as_array(a).sum(
        axis=_dims(dim, as_array(a).ndim), keepdims=keepdim
    ),
    "mean": lambda a, dim=None, keepdim=False: as_array(a).mean(
        axis=_dims(dim, as_array(a).ndim), keepdims=keepdim
    ),
    "expand": lambda a, shape: np.broadcast_to(as_array(a), tuple(shape)),
    "reshape": lambda a, shape: as_array(a).reshape(tuple(shape)),
    "sum_to_size": lambda a, shape: sum_to_shape(a, tuple(shape)),
    "restore_dims": _restore_dims,
    "transpose": lambda a, d0, d1: np.swapaxes(as_array(a), d0, d1),
    "permute": lambda a, dims: np.transpose(as_array(a), tuple(dims)),
    "squeeze": lambda a, dim=None: np.squeeze(as_array(a), axis=dim),
    "unsqueeze": lambda a, dim: np.expand_dims(as_array(a), dim),
    "flip": lambda a, dims: np.flip(as_array(a), axis=_dims(dims, as_array(a).ndim)),
    "cumsum": lambda a, dim: np.cumsum(as_array(a), axis=dim),
    "roll": _roll,
    "tril": lambda a, diagonal=0: np.tril(as_array(a), diagonal),
    "triu": lambda a, diagonal=0: np.triu(as_array(a), diagonal),
    "pow": lambda a, e: np.power(as_array(a), e),
    "exp": lambda a: np.exp(as_array(a)),
    "log": lambda a: np.log(as_array(a)),
    "abs": lambda a: np.abs(as_array(a)),
    "sign": _sign,
    "sigmoid": lambda a: 1 / (1 + np.exp(-as_array(a))),
    "outer": lambda a, b: np.outer(as_array(a), as_array(b)),
    "masked_fill": lambda a, mask, v: np.where(as_array(mask).astype(bool), v, as_array(a)),
    "to": lambda a, *_: as_array(a),
    "softmax": _softmax,
    "select": lambda a, dim, index: np.take(as_array(a), int(index), axis=int(dim)),
    "narrow": lambda a, dim, start, length: np.take(
        as_array(a), np.arange(int(start), int(start) + int(length)), axis=int(dim)
    ),
    "scatter": _scatter,
    "scatter_add": _scatter_add,
    "index_add": _index_add,
    "index_select": lambda a, dim, index: np.take(
        as_array(a), np.asarray(index, dtype=np.int64).reshape(-1), axis=dim
    ),
    "gather": lambda a, dim, index: np.take_along_axis(
        as_array(a), np.asarray(index, dtype=np.int64), axis=dim
    ),
    **PRODUCT_METHODS,  # rot90, diagonal with its dims
}

FUNCTIONS: dict[str, Callable[..., Any]] = {
    "exp": np.exp,
    "log": np.log,
    "sqrt": np.sqrt,
    "sin": np.sin,
    "cos": np.cos,
    "tanh": np.tanh,
    "sinh": np.sinh,
    "cosh": np.cosh,
    "sign": _sign,
    "abs": np.abs,
    "floor": np.floor,
    "erf": _erf,
    "digamma": lambda x: _special.digamma(as_array(x)),
    "polygamma": lambda n, x: _special.polygamma(int(n), as_array(x)),
    "i1": lambda x: _special.i1(as_array(x)),
    "trunc": lambda x: np.trunc(as_array(x)),
    "cumprod_backward": _cumprod_backward,
    "sigmoid": lambda x: 1 / (1 + np.exp(-as_array(x))),
    "isfinite": lambda x: np.isfinite(as_array(x)).astype(np.float64),
    "isnan": lambda x: np.isnan(as_array(x)).astype(np.float64),
    "where": lambda c, a, b: np.where(as_array(c).astype(bool), a, b),
    "zeros_like": lambda x: np.zeros_like(as_array(x)),
    "ones_like": lambda x: np.ones_like(as_array(x)),
    "zeros": lambda shape: np.zeros(tuple(shape)),
    "maximum": np.maximum,
    "negated": lambda xs: tuple(-int(x) for x in xs),
    "minimum": np.minimum,
    "select_backward": _select_back,
    "slice_backward": _slice_back,
    "diagonal_backward": _diagonal_back,
    "nll_loss_backward": _nll_back,
    "unrepeat": _unrepeat,
    "prod_others": _prod_others,
    "evenly": _evenly,
    "argsort": lambda dims: tuple(int(i) for i in np.argsort(np.asarray(dims))),
    "numel": lambda x: int(np.size(x)),
    "offset": lambda shapes, dim, i: int(sum(s[int(dim)] for s in shapes[: int(i)])),
    "cat": lambda parts, dim: np.concatenate([as_array(p) for p in parts], axis=int(dim)),
    "stack": lambda parts, dim: np.stack([as_array(p) for p in parts], axis=int(dim)),
    "given": lambda x, default: default if x is None else x,
    "softplus": lambda x: np.logaddexp(0.0, as_array(x)),
    "einsum": lambda eq, *ops: np.einsum(eq, *[as_array(o) for o in ops]),
    **NN_FUNCTIONS,  # convolution, pooling, padding
    **LAYER_FUNCTIONS,  # weight norm, embedding bags, CTC
    **NORM_FUNCTIONS,  # norms, embedding, attention, GLU and GELU
    **SPATIAL_FUNCTIONS,  # affine_grid, grid_sample
    **HOUSEHOLDER_FUNCTIONS,  # linalg.householder_product
    **INDEX_FUNCTIONS,  # diagonals, masked select/scatter, index_fill
    **PRODUCT_FUNCTIONS,  # block_diag_backward
    **LINALG_FUNCTIONS,  # inverse, cross, the decompositions' backwards
    **LOSS_FUNCTIONS,  # class-margin losses
    **DIST_FUNCTIONS,  # cdist, pdist
    **LU_FUNCTIONS,  # linalg.lu, lu_factor, lu_unpack
    **MORE_FUNCTIONS,  # renorm, mvlgamma
}
