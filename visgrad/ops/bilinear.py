"""``bilinear``: ``y[..., o] = x1 · W[o] · x2 + b[o]``, recorded as PyTorch records it.

ATen flattens both inputs to matrices, contracts them with the weight in one ``_trilinear``
(a ``TrilinearBackward0``: ``x1`` expanded at dims 1 and 3, the weight at 0, ``x2`` at 1 and 2,
summed over 2 and 3), views the result back to the batch shape and adds the bias.
"""

from __future__ import annotations

import numpy as np

from visgrad.ops.base import Op, apply
from visgrad.ops.einsum import einsum
from visgrad.ops.elementwise import AddBackward0
from visgrad.ops.registry import declare
from visgrad.ops.shape import CloneBackward0, UnsafeViewBackward0, ViewBackward0
from visgrad.tensor import Tensor

__all__ = ["bilinear"]

# What c10 calls each dtype in "All tensors must have the same dtype" (its TypeMeta names).
_TYPE_NAMES = {
    "float64": "double",
    "float32": "float",
    "float16": "c10::Half",
    "int64": "long int",
    "int32": "int",
    "int16": "short int",
    "int8": "signed char",
    "uint8": "unsigned char",
    "bool": "bool",
}


class TrilinearBackward0(Op):
    op_name = "_trilinear"
    input_names = ("i1", "i2", "i3")
    formulas = {
        "i1": "einsum('bo,oij,bj->bi', grad, i2, i3)",
        "i2": "einsum('bo,bi,bj->oij', grad, i1, i3)",
        "i3": "einsum('bo,bi,oij->bj', grad, i1, i2)",
    }

    def forward(
        self,
        i1: Tensor,
        i2: Tensor,
        i3: Tensor,
        expand1: tuple[int, ...],
        expand2: tuple[int, ...],
        expand3: tuple[int, ...],
        sumdim: tuple[int, ...],
    ) -> np.ndarray:
        self.save(i1=i1, i2=i2, i3=i3, expand1=expand1, expand2=expand2, expand3=expand3,
                  sumdim=sumdim)  # fmt: skip
        x1, w, x2 = i1._data, i2._data, i3._data
        b, (o, n1, n2) = x1.shape[0], w.shape
        # As ATen pairs them: x1 with the weight over in1 first, then that with x2 over in2.
        left = (x1 @ w.transpose(1, 0, 2).reshape(n1, o * n2)).reshape(b, o, n2)
        return np.matmul(left, x2[:, :, None])[:, :, 0].astype(x1.dtype, copy=False)

    def backward(self, g: Tensor) -> tuple[Tensor | None, Tensor | None, Tensor | None]:
        n1, n2, n3 = self.needs_input_grad
        x1, w, x2 = self.saved("i1"), self.saved("i2"), self.saved("i3")
        return (
            einsum("bo,oij,bj->bi", g, w, x2) if n1 else None,
            einsum("bo,bi,bj->oij", g, x1, x2) if n2 else None,
            einsum("bo,bi,oij->bj", g, x1, w) if n3 else None,
        )


def _type_name(t: Tensor) -> str:
    name = t._data.dtype.name
    return _TYPE_NAMES.get(name, name)


def _check(input1: Tensor, input2: Tensor, weight: Tensor, bias: Tensor | None) -> None:
    ts = [("input1", input1), ("input2", input2), ("weight", weight)]
    if bias is not None:
        ts.append(("bias", bias))
    if len({t._data.dtype for _, t in ts}) > 1:
        got = ", ".join(f"{n}: {_type_name(t)}" for n, t in ts)
        raise RuntimeError(f"All tensors must have the same dtype, got {got}")
    n1, n2 = input1.dim(), input2.dim()
    if n1 != n2:
        raise RuntimeError(f"bilinear(): input dimensions do not match: got {n1} and {n2}")
    for i in range(n1 - 1):
        a, b = input1.size(i), input2.size(i)
        if a != b:
            raise RuntimeError(
                f"bilinear(): input batch dimensions do not match at dim {i}: got {a} and {b}"
            )
    # One size at a time, as ATen reads them: a weight or bias without that dim is an IndexError.
    for name, x, d in (("input1", input1, 1), ("input2", input2, 2)):
        size, want = x.size(x.dim() - 1), weight.size(d)
        if size != want:
            raise RuntimeError(
                f"bilinear(): {name} size does not match weight size: got {size} but expected "
                f"{want}"
            )
    if bias is not None and bias.size(0) != weight.size(0):
        raise RuntimeError(
            "bilinear(): bias size does not match weight size: got "
            f"{bias.size(0)} but expected {weight.size(0)}"
        )


@declare(
    "bilinear",
    nodes=(TrilinearBackward0, ViewBackward0, UnsafeViewBackward0, CloneBackward0, AddBackward0),
    method=False,
    functional=True,
)
def bilinear(input1: Tensor, input2: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """``x1 · W[o] · x2`` for every output feature ``o``, plus ``bias``."""
    _check(input1, input2, weight, bias)
    lead = input1._data.shape[:-1]
    flat1 = input1.reshape(-1, input1._data.shape[-1])
    flat2 = input2.reshape(-1, input2._data.shape[-1])
    out = apply(
        TrilinearBackward0, flat1, weight, flat2,
        expand1=(1, 3), expand2=(0,), expand3=(1, 2), sumdim=(2, 3),
    ).reshape(*lead, weight._data.shape[0])  # fmt: skip
    return out if bias is None else out + bias
