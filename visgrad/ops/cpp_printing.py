"""How ATen's C++ ``operator<<`` prints a tensor, which some of its error messages embed.

Not Python's ``repr``: one format for the whole tensor (fixed with 4 decimals, scientific, or
integers, its width from the largest and smallest finite magnitudes), a scale line when the
values are large, matrices row by row (split into column blocks past 80 characters), higher
dims as ``(i,j,.,.) =`` slices, and a ``[ torch.FloatTensor{2,3} ]`` footer.
"""

from __future__ import annotations

import math

import numpy as np

from visgrad import dtypes

_LINE = 80


def _format(flat: np.ndarray) -> tuple[str, float, int]:
    """(mode, scale, width) as ATen's ``__printFormat`` picks them."""
    finite = flat[np.isfinite(flat)]
    int_mode = bool(np.all(finite == np.ceil(finite)))
    exp_min = exp_max = 1.0
    if finite.size:
        first = float(abs(finite[0]))
        low, high = first, first
        for z in finite[1:]:  # ATen compares the signed value with the largest magnitude
            a = abs(float(z))
            low = min(low, a)
            if float(z) > high:
                high = a
        exp_min = math.floor(math.log10(low)) + 1 if low else 1
        exp_max = math.floor(math.log10(high)) + 1 if high else 1
    if int_mode:
        return ("sci", 1.0, 11) if exp_max > 9 else ("int", 1.0, int(exp_max) + 1)
    if exp_max - exp_min > 4:
        return "sci", 1.0, 12 if abs(exp_max) > 99 or abs(exp_min) > 99 else 11
    if exp_max > 5 or exp_max < 0:
        return "fixed", 10.0 ** (exp_max - 1), 7
    return "fixed", 1.0, 7 if exp_max == 0 else int(exp_max) + 6


def _number(v: float, mode: str, width: int) -> str:
    if math.isnan(v):
        text = "nan"
    elif math.isinf(v):
        text = "inf" if v > 0 else "-inf"
    elif mode == "sci":
        text = f"{v:.4e}"
    elif mode == "fixed":
        text = f"{v:.4f}"
    else:
        text = f"{v:g}"
    return text.rjust(width)


def _matrix(values: np.ndarray, mode: str, scale: float, width: int, indent: int) -> list[str]:
    """A matrix's lines: a block of columns per 80 characters (a blank line between blocks),
    its header ("Columns 1 to 10") running straight into the block's first row and the other
    rows indented, as ATen's stream has it."""
    lines = [f"{scale:g} *"] if scale != 1 else []
    per_line = max((_LINE - indent) // (width + 1), 1)
    columns = values.shape[1]
    for first in range(0, columns, per_line):
        last = min(first + per_line, columns)
        if first:
            lines.append("")
        header = f"Columns {first + 1} to {last}" if per_line < columns else ""
        for r, row in enumerate(values[:, first:last]):
            text = " ".join(_number(float(v) / scale, mode, width) for v in row)
            lines.append(header + text if r == 0 else " " * indent + text)
    return lines


def printout(x: np.ndarray) -> str:
    """ATen's printout of a tensor of two or more dims."""
    name = dtypes.from_numpy(x.dtype).tensor_type
    footer = f"[ torch.{name}{{{','.join(str(s) for s in x.shape)}}} ]"
    if x.size == 0:
        return footer
    values = x.astype(np.float64)
    mode, scale, width = _format(values.reshape(-1))
    if x.ndim == 2:
        return "\n".join([*_matrix(values, mode, scale, width, 0), footer])
    lines: list[str] = []
    for n, lead in enumerate(np.ndindex(*x.shape[:-2])):
        if n:
            lines.append("")
        lines.append("(" + ",".join(str(i + 1) for i in lead) + ",.,.) = ")
        lines += _matrix(values[lead], mode, scale, width, 1)
    return "\n".join([*lines, footer])
