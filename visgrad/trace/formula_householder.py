"""Formula functions of ``linalg.householder_product``: the gradients its backward sends, on
NumPy arrays (the same sums as the op's backward: see ``visgrad.ops.householder``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np


def _grads(grad: Any, input: Any, tau: Any) -> tuple[np.ndarray, np.ndarray]:  # noqa: A002
    a, t, g = np.asarray(input), np.asarray(tau), np.asarray(grad)
    n, k = a.shape[-2:]
    eye = np.eye(n, dtype=a.dtype)
    rows = np.arange(n)[:, None]
    vs = [a[..., :, i : i + 1] * (rows > i) + (rows == i) for i in range(t.shape[-1])]
    hs = [eye - t[..., i, None, None] * (v @ np.swapaxes(v, -1, -2)) for i, v in enumerate(vs)]
    after = [np.broadcast_to(eye[:, :k], a.shape)]
    for h in reversed(hs):
        after.append(h @ after[-1])
    before = np.broadcast_to(eye, (*a.shape[:-2], n, n))
    ga = np.zeros_like(a)
    gt = np.zeros_like(t)
    for i, (v, h) in enumerate(zip(vs, hs, strict=True)):
        m = np.swapaxes(before, -1, -2) @ g @ np.swapaxes(after[len(hs) - 1 - i], -1, -2)
        gt[..., i] = -(np.swapaxes(v, -1, -2) @ m @ v)[..., 0, 0]
        gv = -t[..., i, None, None] * ((m + np.swapaxes(m, -1, -2)) @ v)
        ga[..., :, i] = (gv * (rows > i))[..., 0]
        before = before @ h
    return ga, gt


def householder_product_input_grad(grad: Any, input: Any, tau: Any) -> np.ndarray:  # noqa: A002
    return _grads(grad, input, tau)[0]


def householder_product_tau_grad(grad: Any, input: Any, tau: Any) -> np.ndarray:  # noqa: A002
    return _grads(grad, input, tau)[1]


HOUSEHOLDER_FUNCTIONS: dict[str, Callable[..., Any]] = {
    f.__name__: f for f in (householder_product_input_grad, householder_product_tau_grad)
}
