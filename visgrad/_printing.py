"""PyTorch-identical tensor reprs, computed from NumPy arrays.

Users write ``import visgrad as torch`` and compare printouts with PyTorch's character for
character, so every layout rule here follows PyTorch's printer: how a common element width and
number style are chosen, when the middle of a large tensor is elided, how rows wrap at the line
width, and where ``dtype=``/``grad_fn=`` suffixes go (including PyTorch's own quirks, since a
"fixed" layout would be a visible difference).
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass

import numpy as np

__all__ = [
    "format_parameter",
    "format_tensor",
    "get_printoptions",
    "printoptions",
    "set_printoptions",
]


@dataclass
class _PrintOptions:
    """The process-wide print settings (PyTorch keeps one global set too)."""

    precision: int = 4
    threshold: float = 1000
    edgeitems: int = 3
    linewidth: int = 80
    sci_mode: bool | None = None


_PROFILES: dict[str, dict[str, float]] = {
    "default": {"precision": 4, "threshold": 1000, "edgeitems": 3, "linewidth": 80},
    "short": {"precision": 2, "threshold": 1000, "edgeitems": 2, "linewidth": 80},
    "full": {"precision": 4, "threshold": math.inf, "edgeitems": 3, "linewidth": 80},
}

_OPTS = _PrintOptions()

# Dtypes whose name never appears in a non-empty tensor's repr, besides the default float dtype.
_ALWAYS_IMPLICIT = ("int64", "bool")
_DEFAULT_COMPLEX = {"float32": "complex64", "float64": "complex128", "float16": "complex32"}


def set_printoptions(
    precision: int | None = None,
    threshold: float | None = None,
    edgeitems: int | None = None,
    linewidth: int | None = None,
    profile: str | None = None,
    sci_mode: bool | None = None,
) -> None:
    """Set print options with ``torch.set_printoptions``' signature and semantics.

    A profile ("default", "short" or "full"; other names are ignored, as in PyTorch) is applied
    first and explicit arguments override it. ``sci_mode`` is always assigned, so a call that
    omits it returns scientific notation to automatic choice, exactly as PyTorch does.
    """
    if profile is not None and profile in _PROFILES:
        for name, value in _PROFILES[profile].items():
            setattr(_OPTS, name, value)
    if precision is not None:
        _OPTS.precision = precision
    if threshold is not None:
        _OPTS.threshold = threshold
    if edgeitems is not None:
        _OPTS.edgeitems = edgeitems
    if linewidth is not None:
        _OPTS.linewidth = linewidth
    _OPTS.sci_mode = sci_mode


def get_printoptions() -> dict[str, float | bool | None]:
    """Return the current print options as a dict of ``set_printoptions`` keywords."""
    return asdict(_OPTS)


@contextmanager
def printoptions(**kwargs: float | str | bool | None) -> Iterator[None]:
    """Apply ``set_printoptions(**kwargs)`` for the duration of a ``with`` block."""
    saved = asdict(_OPTS)
    set_printoptions(**kwargs)  # type: ignore[arg-type]
    try:
        yield
    finally:
        for name, value in saved.items():
            setattr(_OPTS, name, value)


class _Formatter:
    """Chooses one style and width for every element of a tensor, then renders elements."""

    def __init__(self, sample: np.ndarray) -> None:
        self.floating = sample.dtype.kind == "f"
        self.int_mode = True
        self.sci_mode = False
        self.max_width = 1
        precision = _OPTS.precision
        flat = sample.reshape(-1)

        if not self.floating:
            self.max_width = max((len(str(v)) for v in flat.tolist()), default=1)
            return

        values = flat[np.isfinite(flat) & (flat != 0)]
        if values.size == 0:
            # Only zeros, NaN and Inf: PyTorch prints them "0."-style and ignores a forced
            # sci_mode, so the style never depends on print options here.
            return
        magnitudes = np.abs(values).astype(np.float64)
        smallest = float(magnitudes.min())
        largest = float(magnitudes.max())
        py_values = values.tolist()
        self.int_mode = bool(np.all(values == np.ceil(values)))
        if _OPTS.sci_mode is not None:
            # A forced style also sets the width, so forced columns stay aligned.
            self.sci_mode = _OPTS.sci_mode
        elif self.int_mode:
            self.sci_mode = largest / smallest > 1000.0 or largest > 1.0e8
        else:
            self.sci_mode = largest / smallest > 1000.0 or largest > 1.0e8 or smallest < 1.0e-4
        if self.sci_mode:
            self.max_width = max(len(f"{v:.{precision}e}") for v in py_values)
        elif self.int_mode:
            # The +1 is the trailing "." that marks an integral float.
            self.max_width = max(len(f"{v:.0f}") + 1 for v in py_values)
        else:
            self.max_width = max(len(f"{v:.{precision}f}") for v in py_values)

    def format(self, value: float | int | bool) -> str:
        """Render one element, right-aligned to the common width."""
        if self.floating:
            if self.sci_mode:
                text = f"{value:{self.max_width}.{_OPTS.precision}e}"
            elif self.int_mode:
                text = f"{value:.0f}"
                if math.isfinite(value):
                    text += "."
            else:
                text = f"{value:.{_OPTS.precision}f}"
        else:
            text = str(value)
        return text.rjust(self.max_width)


def _summarized(data: np.ndarray) -> np.ndarray:
    """Keep only the elements a summarised print shows, so they alone set the style."""
    edge = _OPTS.edgeitems
    if data.ndim == 0:
        return data
    if data.ndim == 1:
        if data.shape[0] > 2 * edge:
            return np.concatenate((data[:edge], data[-edge:]))
        return data
    if data.shape[0] > 2 * edge:
        rows = [*range(edge), *range(data.shape[0] - edge, data.shape[0])]
    else:
        rows = list(range(data.shape[0]))
    return np.stack([_summarized(data[i]) for i in rows])


def _vector_str(data: np.ndarray, indent: int, summarize: bool, fmt: _Formatter) -> str:
    element_length = fmt.max_width + 2
    per_line = max(1, math.floor((_OPTS.linewidth - indent) / element_length))
    edge = _OPTS.edgeitems
    if summarize and data.shape[0] > 2 * edge:
        # The elision marker carries its own leading space, so it sits one column right.
        items = [fmt.format(v) for v in data[:edge].tolist()]
        items.append(" ...")
        items += [fmt.format(v) for v in data[-edge:].tolist()]
    else:
        items = [fmt.format(v) for v in data.tolist()]
    lines = [", ".join(items[i : i + per_line]) for i in range(0, len(items), per_line)]
    return "[" + (",\n" + " " * (indent + 1)).join(lines) + "]"


def _nested_str(data: np.ndarray, indent: int, summarize: bool, fmt: _Formatter) -> str:
    if data.ndim == 0:
        return fmt.format(data.item())
    if data.ndim == 1:
        return _vector_str(data, indent, summarize, fmt)
    edge = _OPTS.edgeitems
    rows = data.shape[0]
    if summarize and rows > 2 * edge:
        parts = [_nested_str(data[i], indent + 1, summarize, fmt) for i in range(edge)]
        parts.append("...")
        parts += [
            _nested_str(data[i], indent + 1, summarize, fmt) for i in range(rows - edge, rows)
        ]
    else:
        parts = [_nested_str(data[i], indent + 1, summarize, fmt) for i in range(rows)]
    # One blank line fewer than the sub-tensors' rank separates them: none between rows of a
    # matrix, one between matrices, two between 3-d blocks.
    return "[" + ("," + "\n" * (data.ndim - 1) + " " * (indent + 1)).join(parts) + "]"


def _body_str(data: np.ndarray, indent: int) -> str:
    summarize = data.size > _OPTS.threshold
    if summarize and data.ndim > 0 and _OPTS.edgeitems == 0:
        # No edge elements to show; format_tensor's size= suffix says what was elided.
        return "[...]"
    fmt = _Formatter(_summarized(data) if summarize else data)
    return _nested_str(data, indent, summarize, fmt)


def _add_suffixes(text: str, suffixes: Sequence[str], indent: int) -> str:
    parts = [text]
    # PyTorch measures the last line two characters longer than it is; matching that decides
    # when a suffix moves to its own line.
    last_line_len = len(text) - text.rfind("\n") + 1
    for suffix in suffixes:
        if last_line_len + len(suffix) + 2 > _OPTS.linewidth:
            parts.append(",\n" + " " * indent + suffix)
            last_line_len = indent + len(suffix)
        else:
            parts.append(", " + suffix)
            last_line_len += len(suffix) + 2
    parts.append(")")
    return "".join(parts)


def _as_printable(data: np.ndarray) -> np.ndarray:
    """Widen narrow floats to float32, as PyTorch prints half precision through float."""
    if data.dtype.kind == "f" and data.dtype.itemsize < 4:
        return data.astype(np.float32)
    if data.dtype.kind not in "fiub":
        raise TypeError(f"cannot print arrays of dtype {data.dtype}")
    return data


def format_tensor(
    data: np.ndarray,
    *,
    dtype_name: str,
    suffixes: Sequence[str] = (),
    prefix: str = "tensor(",
    dtype_text: str | None = None,
    default_dtype_name: str = "float32",
) -> str:
    """Return PyTorch's repr of a tensor holding ``data``.

    ``dtype_name`` is the torch dtype's name (``"float32"``, ``"int64"``, ...) and decides
    whether a ``dtype=`` suffix is due; ``dtype_text`` is what that suffix shows (default
    ``"torch." + dtype_name``). ``suffixes`` such as ``"requires_grad=True"`` or
    ``"grad_fn=<AddBackward0>"`` follow it in the given order. ``default_dtype_name`` mirrors
    ``torch.get_default_dtype()``.
    """
    data = _as_printable(np.asarray(data))
    indent = len(prefix)
    dtype_suffix = "dtype=" + (dtype_text if dtype_text is not None else "torch." + dtype_name)
    extra: list[str] = []
    if data.size == 0:
        # Empty tensors keep their shape visible (unless 1-d) and name any non-default dtype,
        # even int64 and bool.
        if data.ndim != 1:
            extra.append(f"size={tuple(data.shape)}")
        if dtype_name != default_dtype_name:
            extra.append(dtype_suffix)
        body = "[]"
    else:
        if _OPTS.edgeitems == 0:
            # With no edge items a summary shows no numbers at all, so PyTorch always adds the
            # shape, even to tensors printed in full.
            extra.append(f"size={tuple(data.shape)}")
        implicit = (default_dtype_name, _DEFAULT_COMPLEX.get(default_dtype_name), *_ALWAYS_IMPLICIT)
        if dtype_name not in implicit:
            extra.append(dtype_suffix)
        body = _body_str(data, indent)
    return _add_suffixes(prefix + body, [*extra, *suffixes], indent)


def format_parameter(
    data: np.ndarray,
    *,
    dtype_name: str,
    requires_grad: bool = True,
    dtype_text: str | None = None,
    default_dtype_name: str = "float32",
) -> str:
    """Return PyTorch's repr of an ``nn.Parameter`` holding ``data``."""
    suffixes = ["requires_grad=True"] if requires_grad else []
    body = format_tensor(
        data,
        dtype_name=dtype_name,
        suffixes=suffixes,
        dtype_text=dtype_text,
        default_dtype_name=default_dtype_name,
    )
    return "Parameter containing:\n" + body
