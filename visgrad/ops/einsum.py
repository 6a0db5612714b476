"""``torch.einsum``, built from visgrad ops the way PyTorch builds it.

PyTorch's einsum is a composite: every operand takes the diagonal of repeated subscripts, is
unsqueezed and permuted to one dim per subscript (output subscripts first, then the contracted
ones in order of appearance), sums out subscripts no other operand or the output has, and the
operands are folded left to right by a ``bmm`` over (batch, kept-left, summed, kept-right) dims.
So its graph has PyTorch's nodes (``UnsqueezeBackward0``, ``PermuteBackward0``, ``BmmBackward0``,
``ViewBackward0``, ``SumBackward1``, ``DiagonalBackward0``). Not reproduced: PyTorch reorders the
contraction with ``opt_einsum`` when that package is installed, and some of its permutes are
skipped when they are the identity in a way ours may not be.
"""

from __future__ import annotations

import string
from typing import Any

import numpy as np

from visgrad.arg_parser import type_name
from visgrad.ops.base import Op, apply
from visgrad.ops.gate import check_tensors
from visgrad.ops.gate_tables import _C_NAMES
from visgrad.ops.linalg import bmm
from visgrad.ops.registry import declare
from visgrad.tensor import Tensor

__all__ = ["einsum"]

_LETTERS = set(string.ascii_letters)
_ELL = "."  # one label standing for every ellipsis dim, expanded to E1, E2, ... below


class DiagonalBackward0(Op):
    op_name = "diagonal"
    formulas = {"self": "diagonal_backward_nd(grad, self.shape, offset, dim1, dim2)"}

    def forward(self, a: Tensor, offset: int, dim1: int, dim2: int) -> np.ndarray:
        self.save(self_sym_sizes=a._data.shape, offset=offset, dim1=dim1, dim2=dim2)
        return np.diagonal(a._data, offset, dim1, dim2).copy()

    def backward(self, g: Tensor) -> Tensor:
        return apply(
            _DiagonalScatter,
            g,
            shape=self.saved("self_sym_sizes"),
            offset=self.saved("offset"),
            dim1=self.saved("dim1"),
            dim2=self.saved("dim2"),
        )


class _DiagonalScatter(Op):
    """``zeros(shape)`` with ``grad`` on the diagonal (the gradient of ``diagonal``)."""

    op_name = "diagonal_backward"
    input_names = ("grad_output",)
    formulas = {"grad_output": "diagonal_nd(grad, offset, dim1, dim2)"}

    def forward(self, g: Tensor, shape: tuple[int, ...], offset: int, dim1: int, dim2: int) -> Any:
        self.save(offset=offset, dim1=dim1, dim2=dim2)
        out = np.zeros(shape, dtype=g._data.dtype)
        view = np.diagonal(out, offset, dim1, dim2)
        view.setflags(write=True)
        view[...] = g._data
        return out

    def backward(self, gg: Tensor) -> Tensor:
        return apply(DiagonalBackward0, gg, offset=self.saved("offset"), dim1=self.saved("dim1"),
                     dim2=self.saved("dim2"))  # fmt: skip


def _split(equation: str, operands: list[Tensor]) -> tuple[list[str], str | None]:
    """The equation's operand terms (``...`` as one ``.``) and output term (None if implicit)."""
    eq = equation.replace(" ", "")
    lhs, arrow, rhs = eq.partition("->")
    terms = [t.replace("...", _ELL) for t in lhs.split(",")]
    if len(terms) > len(operands):
        raise RuntimeError("einsum(): fewer operands were provided than specified in the equation")
    if len(terms) < len(operands):
        raise RuntimeError("einsum(): more operands were provided than specified in the equation")
    for pos, ch in enumerate(eq):
        if ch not in _LETTERS and ch not in ",.->":
            raise RuntimeError(
                f"einsum(): invalid subscript given at index {pos} in the equation string, "
                "subscripts must be in [a-zA-Z]"
            )
    return terms, (rhs.replace("...", _ELL) if arrow else None)


def _parse(equation: str, operands: list[Tensor]) -> tuple[list[list[str]], list[str]]:
    """Each operand's labels and the output's; ellipsis dims become ``.0``, ``.1``, ...
    (right-aligned across operands, as broadcasting aligns them)."""
    terms, rhs = _split(equation, operands)
    extra = []
    for i, (term, op) in enumerate(zip(terms, operands, strict=True)):
        named, nd = len(term) - term.count(_ELL), op._data.ndim
        if _ELL not in term and named != nd:
            raise RuntimeError(
                f"einsum(): the number of subscripts in the equation ({named}) does not match the "
                f"number of dimensions ({nd}) for operand {i} and no ellipsis was given"
            )
        if named > nd:
            raise RuntimeError(
                f"einsum(): the number of subscripts in the equation ({named}) is more than the "
                f"number of dimensions ({nd}) for operand {i}"
            )
        extra.append(nd - named)
    ell = max(extra, default=0)
    labels = []
    for term, k in zip(terms, extra, strict=True):
        ls: list[str] = []
        for ch in term:
            ls += [f".{ell - k + j}" for j in range(k)] if ch == _ELL else [ch]
        labels.append(ls)
    ells = [f".{j}" for j in range(ell)]
    if rhs is None:
        counts: dict[str, int] = {}
        for ls in labels:
            for lab in ls:
                counts[lab] = counts.get(lab, 0) + 1
        return labels, ells + sorted(lab for lab, c in counts.items() if c == 1 and lab[0] != ".")
    seen = {lab for ls in labels for lab in ls}
    out: list[str] = []
    for ch in rhs:
        if ch == _ELL:
            out += ells
        elif ch in out:
            raise RuntimeError(
                f"einsum(): output subscript {ch} appears more than once in the output"
            )
        elif ch not in seen:
            raise RuntimeError(
                f"einsum(): output subscript {ch} does not appear in the equation for any input "
                "operand"
            )
        else:
            out.append(ch)
    return labels, out


def _prepare(op: Tensor, labels: list[str], order: list[str]) -> Tensor:
    """One operand with a dim per label of ``order``: diagonals of repeated labels taken,
    absent labels unsqueezed (size 1), then permuted into ``order``."""
    labels = list(labels)
    while len(set(labels)) != len(labels):
        lab = next(x for x in labels if labels.count(x) > 1)
        i = labels.index(lab)
        j = labels.index(lab, i + 1)
        # PyTorch takes the diagonal (a new last dim) and moves it to the first occurrence.
        op = apply(DiagonalBackward0, op, offset=0, dim1=i, dim2=j)
        op = op.movedim(-1, i)
        labels = [x for n, x in enumerate(labels) if n != j]
    for lab in order:
        if lab not in labels:
            op = op.unsqueeze(op._data.ndim)
            labels.append(lab)
    return op.permute(*[labels.index(lab) for lab in order])


def _sumproduct_pair(left: Tensor, right: Tensor, sum_dims: set[int]) -> Tensor:
    """``(left * right).sum(sum_dims, keepdim=True)`` as one ``bmm`` (PyTorch's grouping)."""
    nd = left._data.ndim
    lro, lo, ro, summed = [], [], [], []
    for d in range(nd):
        # A dim other than 1 is the operand's own (an empty one too); a 1 broadcasts.
        sl, sr = left._data.shape[d] != 1, right._data.shape[d] != 1
        if d in sum_dims:
            if sl and sr:
                summed.append(d)
            elif sl:
                left = left.sum(d, keepdim=True)
            elif sr:
                right = right.sum(d, keepdim=True)
        elif sl and sr:
            lro.append(d)
        elif sl:
            lo.append(d)
        elif sr:
            ro.append(d)
    ones = [d for d in range(nd) if d not in lro + lo + ro + summed]
    if not summed:
        return left * right  # nothing to contract: PyTorch multiplies (broadcasting)
    ls, rs = left._data.shape, right._data.shape
    size = lambda dims, shape: int(np.prod([shape[d] for d in dims], dtype=np.int64))  # noqa: E731
    lp = left.permute(*(lro + lo + summed + ro + ones))
    lp = lp.reshape(size(lro, ls), size(lo, ls), size(summed, ls))
    rp = right.permute(*(lro + summed + ro + lo + ones))
    rp = rp.reshape(size(lro, rs), size(summed, rs), size(ro, rs))
    out = bmm(lp, rp)
    kept = [ls[d] for d in lro] + [ls[d] for d in lo] + [rs[d] for d in ro]
    out = out.view(*kept, *([1] * (len(summed) + len(ones))))
    where = lro + lo + ro + summed + ones
    return out.permute(*[where.index(d) for d in range(nd)])


def _sizes(labels: list[list[str]], operands: list[Tensor]) -> dict[str, int]:
    sizes: dict[str, int] = {}
    for i, (ls, op) in enumerate(zip(labels, operands, strict=True)):
        for lab, n in zip(ls, op._data.shape, strict=True):
            seen = sizes.get(lab, 1)
            if n != 1 and seen != 1 and n != seen:
                name = lab if lab[0] != "." else "..."
                raise RuntimeError(
                    f"einsum(): subscript {name} has size {n} for operand {i} which does not "
                    f"broadcast with previously seen size {seen}"
                )
            sizes[lab] = seen if n == 1 else n
    return sizes


def _same_dtypes(ops: list[Tensor]) -> None:
    """PyTorch's batched matrix product refuses bools, and operands of different dtypes."""
    if len(ops) < 2:
        return
    if any(op._data.dtype.kind == "b" for op in ops):
        raise NotImplementedError("\"bmm\" not implemented for 'Bool'")
    first = ops[0]._data.dtype
    for op in ops[1:]:
        if op._data.dtype != first:
            raise RuntimeError(
                f"expected scalar type {_C_NAMES[first.name]} but found "
                f"{_C_NAMES[op._data.dtype.name]}"
            )


def _subscript(n: Any) -> str:
    """One subscript of the sublist form: 0-25 are ``A``-``Z``, 26-51 ``a``-``z``, ``...`` the
    ellipsis (compared as PyTorch's Python code compares it: a tensor's truth is asked)."""
    if n is Ellipsis:
        return "..."
    if n >= 0 and n < 26:
        return chr(ord("A") + n)
    if n >= 26 and n < 52:
        return chr(ord("a") + n - 26)
    raise ValueError("einsum(): subscript in subscript list is not within the valid range [0, 52)")


def _from_sublists(args: tuple[Any, ...]) -> tuple[str, tuple[Any, ...]]:
    """``(operand, subscripts, operand, subscripts, ..., [output subscripts])`` as an equation
    and its operands."""
    equation = ",".join("".join(_subscript(s) for s in sub) for sub in args[1::2])
    if len(args) % 2:
        return equation + "->" + "".join(_subscript(s) for s in args[-1]), args[:-1:2]
    return equation, args[::2]


@declare("einsum", nodes=(DiagonalBackward0, _DiagonalScatter), method=False)
def einsum(equation: Any, *operands: Any) -> Tensor:
    """Sum of products over the subscripts ``equation`` names (``'ij,jk->ik'``, ``'...i,i'``),
    or in PyTorch's sublist form: ``einsum(a, [0, 1], b, [1, 2], [0, 2])``."""
    if not operands:
        raise ValueError(
            "einsum(): must specify the equation string and at least one operand, or at least one "
            "operand and its subscripts list"
        )
    if isinstance(equation, Tensor):
        equation, operands = _from_sublists((equation, *operands))
    elif not isinstance(equation, str):
        raise TypeError(
            f"einsum(): argument 'equation' (position 1) must be str, not {type_name(equation)}"
        )
    ops = check_tensors(
        operands[0] if len(operands) == 1 and isinstance(operands[0], (list, tuple)) else operands,
        1,
    )
    labels, output = _parse(equation, ops)
    sizes = _sizes(labels, ops)
    _same_dtypes(ops)
    contracted = []
    for ls in labels:
        for lab in ls:
            if lab not in output and lab not in contracted:
                contracted.append(lab)
    order = output + contracted
    prepared = [_prepare(op, ls, order) for op, ls in zip(ops, labels, strict=True)]
    n_out = len(output)
    if len(prepared) == 1:
        dims = tuple(range(n_out, len(order)))
        return prepared[0].sum(dims) if dims else prepared[0]
    # Fold left to right; a contracted label is summed in the pair after which no operand holds it.
    last = {lab: max(i for i, ls in enumerate(labels) if lab in ls) for lab in contracted}
    result = prepared[0]
    for i in range(1, len(prepared)):
        done = {n_out + c for c, lab in enumerate(contracted) if last[lab] <= i}
        result = _sumproduct_pair(result, prepared[i], done)
    if len(order) == n_out:
        return result  # nothing was contracted: already the output's shape
    return result.view(*[sizes[lab] for lab in output])
