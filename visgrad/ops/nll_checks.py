"""The checks ``nll_loss`` and ``cross_entropy`` make before they compute, in PyTorch's order.

PyTorch's ``nll_loss_nd`` checks the dims and the batch size, then the kernel for the input's
rank (``nll_loss`` for 1-D and 2-D inputs, ``nll_loss2d`` for the rest, reshaped to 4-D) checks
the target's rank, sizes and the weight, then the target's dtype, then dispatches on the input's
dtype. The first failing check is the error the user sees, so the order is kept.
"""

from __future__ import annotations

import numpy as np

from visgrad.ops.gate_tables import c_name

__all__ = ["check_nll", "check_probabilities"]


def check_nll(x: np.ndarray, t: np.ndarray, w: np.ndarray | None) -> None:
    """Raise what PyTorch raises for ``nll_loss(x, t, w)``, if anything."""
    if x.ndim < 1:
        raise ValueError(f"Expected 1 or more dimensions (got {x.ndim})")
    if x.ndim == 1 and t.ndim == 1 and t.shape[0] != 1:
        raise ValueError(
            f"For 1D input, 1D target must have size 1, but got target size: {t.shape[0]}"
        )
    batch = t.shape[0] if t.ndim else 0  # PyTorch reads a 0-d target's batch size as 0
    if x.ndim != 1 and batch != x.shape[0]:
        raise ValueError(
            f"Expected input batch_size ({x.shape[0]}) to match target batch_size ({batch})."
        )
    if x.ndim <= 2:
        if t.ndim > 1:
            raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
        n = x.shape[-1]
        if w is not None and (w.ndim != 1 or w.size != n):
            raise RuntimeError(
                f"weight tensor should be defined either for all {n} classes or no classes but "
                f"got weight tensor of shape: {list(w.shape)}"
            )
    else:
        if x.ndim != 4 and t.shape[1:] != x.shape[2:]:
            want = [x.shape[0], *x.shape[2:]]
            raise RuntimeError(f"Expected target size {want}, got {list(t.shape)}")
        if x.ndim == 4 and t.ndim != 3:
            raise RuntimeError(
                "only batches of spatial targets supported (3D tensors) but got targets of "
                f"dimension: {t.ndim}"
            )
        if x.ndim == 4 and t.shape[1:] != x.shape[2:]:
            raise RuntimeError(
                "input and target batch or spatial sizes don't match: target "
                f"{list(t.shape)}, input {list(x.shape)}"
            )
        if w is not None and w.size != x.shape[1]:
            raise RuntimeError("weight tensor should be defined either for all or no classes")
    if t.dtype not in (np.int64, np.uint8):
        raise RuntimeError(f"expected target dtype to be Long or Byte, but got {c_name(t.dtype)}")
    if x.dtype.kind != "f":
        kernel = "nll_loss_out_frame" if x.ndim <= 2 else "nll_loss2d_forward_out_frame"
        raise NotImplementedError(f"\"{kernel}\" not implemented for '{c_name(x.dtype)}'")


def check_probabilities(t: np.ndarray) -> None:
    """A target of the input's shape holds class probabilities: it must be floating point."""
    if t.dtype.kind != "f":
        raise RuntimeError(
            f"Expected floating point type for target with class probabilities, got {c_name(t.dtype)}"
        )
