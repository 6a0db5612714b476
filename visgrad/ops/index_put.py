"""``index_put`` / ``index_put_``: write (or, with ``accumulate``, add) ``values`` at the places a
tuple of integer or boolean index tensors names; also what ``t[idx] = v`` records when ``idx``
holds index tensors and ``t`` is not a view (PyTorch's ``IndexPutBackward0``)."""

from __future__ import annotations

from typing import Any

import numpy as np

from visgrad.ops.base import Op, apply
from visgrad.ops.index import IndexBackward0, advanced_key
from visgrad.ops.inplace import inplace
from visgrad.ops.registry import declare
from visgrad.tensor import Tensor


class IndexPutBackward0(Op):
    op_name = "index_put"
    input_names = ("self", "values")
    formulas = {
        "self": "grad if accumulate else grad.index_put(indices, zeros_like(values), False)",
        "values": "grad[indices]",
    }

    def forward(
        self,
        a: Tensor,
        values: Tensor,
        indices: tuple[Tensor | None, ...],
        key: tuple[Any, ...],
        accumulate: bool,
    ) -> np.ndarray:
        self.save(indices=indices, accumulate=accumulate)
        self._key = key
        out = a._data.copy()
        target = out[key]
        v = values._data
        try:
            v = np.broadcast_to(v, target.shape)
        except ValueError:
            raise RuntimeError(
                f"shape mismatch: value tensor of shape {list(v.shape)} cannot be broadcast to "
                f"indexing result of shape {list(target.shape)}"
            ) from None
        if accumulate:
            np.add.at(out, key, v)  # a repeated index receives every value
        else:
            out[key] = v
        return out

    def backward(self, g: Tensor) -> tuple[Tensor | None, Tensor | None]:
        na, nv = self.needs_input_grad
        indices, key = self.saved("indices"), self._key
        ga = gv = None
        if na:
            ga = g
            if not self.saved("accumulate"):
                zeros = Tensor._make(np.zeros((), g._data.dtype), False, None, 0)
                ga = apply(IndexPutBackward0, g, zeros, indices=indices, key=key, accumulate=False)
        if nv:
            gv = apply(IndexBackward0, g, indices=indices, key=key)
        return ga, gv


def put_key(
    a: Tensor, indices: tuple[Tensor | None, ...]
) -> tuple[tuple[Any, ...], tuple[Tensor | None, ...]]:
    """The NumPy key of ``indices`` (None: a whole dim) into ``a``, with PyTorch's errors."""
    ndim = a._data.ndim
    adv: list[tuple[int, np.ndarray, Any]] = []
    dim = 0
    for t in indices:
        if t is None:
            dim += 1
            continue
        arr = t._data.astype(np.bool_) if t._data.dtype == np.uint8 else t._data
        adv.append((dim, arr, t))
        dim += max(arr.ndim, 1) if arr.dtype == np.bool_ else 1
    if dim > ndim:
        raise IndexError(f"too many indices for tensor of dimension {ndim} (got {dim})")
    key, _ = advanced_key(a._data.shape, adv)
    return key, indices


def _checked(name: str, a: Tensor, indices: Any, values: Any, accumulate: bool) -> tuple[Any, ...]:
    if not isinstance(indices, (tuple, list)):
        raise TypeError(
            f"{name}(): argument 'indices' (position 1) must be tuple of Tensors, not "
            f"{type(indices).__name__}"
        )
    for i, t in enumerate(indices):
        if not isinstance(t, Tensor):
            raise TypeError(
                f"expected Tensor as element {i} in argument 0, but got {type(t).__name__}"
            )
    if not isinstance(values, Tensor):
        raise TypeError(
            f"{name}(): argument 'values' (position 2) must be Tensor, not {type(values).__name__}"
        )
    if not indices:
        raise RuntimeError("sym_strides() called on an undefined Tensor")
    key = put_key(a, tuple(indices))
    if not accumulate:
        check_dtypes(a, tuple(indices), values)
    elif values._data.dtype != a._data.dtype:
        check_dtypes(a, (), values)
    return key


def check_dtypes(a: Tensor, indices: tuple[Tensor | None, ...], values: Tensor) -> None:
    """index_put casts ``values`` only where PyTorch turns it into ``masked_fill_``: one value
    written through a single mask."""
    masks = [t for t in indices if t is not None and t._data.dtype in (np.bool_, np.uint8)]
    if (
        values._data.size == 1
        and len(masks) == 1
        and len(masks) == sum(t is not None for t in indices)
    ):
        return
    if values._data.dtype != a._data.dtype:
        raise RuntimeError(
            "Index put requires the source and destination dtypes match, got "
            f"{a.dtype.tensor_type.removesuffix('Tensor')} for the destination and "
            f"{values.dtype.tensor_type.removesuffix('Tensor')} for the source."
        )


def index_put_(t: Tensor, indices: Any, values: Any, accumulate: bool = False) -> Tensor:
    """``t[indices] = values`` (``+=`` with ``accumulate``), in place."""
    key, saved = _checked("index_put_", t, indices, values, accumulate)
    attrs = {"indices": saved, "key": key, "accumulate": bool(accumulate)}
    return inplace(t, IndexPutBackward0, (values,), attrs, "index_put_")


@declare(
    "index_put",
    nodes=(IndexPutBackward0, IndexBackward0),
    inplace=index_put_,
    torch_inplace=True,
)
def index_put(input: Tensor, indices: Any, values: Any, accumulate: bool = False) -> Tensor:  # noqa: A002 - PyTorch's name
    """A copy of ``input`` with ``values`` written (or added) at ``indices``."""
    key, saved = _checked("index_put", input, indices, values, accumulate)
    return apply(
        IndexPutBackward0, input, values, indices=saved, key=key, accumulate=bool(accumulate)
    )
