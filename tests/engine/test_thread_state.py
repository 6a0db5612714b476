"""Which autograd state is per thread, as in PyTorch 2.13 (checked there with the same threads):
grad mode and inference mode per thread; anomaly mode and the default dtype per process."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import numpy as np

import visgrad as torch


def in_thread(fn: Callable[[], Any]) -> Any:
    out: dict[str, Any] = {}

    def target() -> None:
        try:
            out["value"] = fn()
        except BaseException as e:  # noqa: BLE001 - handed to the test's thread
            out["error"] = e

    t = threading.Thread(target=target)
    t.start()
    t.join(30)
    assert not t.is_alive()
    if "error" in out:
        raise out["error"]
    return out["value"]


def test_no_grad_in_one_thread_leaves_another_recording() -> None:
    entered, done = threading.Event(), threading.Event()

    def hold_no_grad() -> bool:
        with torch.no_grad():
            entered.set()
            done.wait(30)
            return torch.is_grad_enabled()

    t = threading.Thread(target=hold_no_grad)
    t.start()
    assert entered.wait(30)
    try:
        x = torch.ones(3, requires_grad=True)
        y = x * 2
        assert torch.is_grad_enabled()
        assert y.requires_grad and y.grad_fn.name() == "MulBackward0"
    finally:
        done.set()
        t.join(30)


def test_a_new_thread_starts_with_grad_mode_on() -> None:
    with torch.no_grad():
        assert in_thread(torch.is_grad_enabled) is True
        assert in_thread(lambda: (torch.ones(2, requires_grad=True) * 3).requires_grad)
    with torch.inference_mode():
        assert in_thread(torch.is_grad_enabled) is True
    torch.set_grad_enabled(False)
    try:
        assert in_thread(torch.is_grad_enabled) is True
    finally:
        torch.set_grad_enabled(True)


def test_set_grad_enabled_in_a_thread_does_not_leak_out() -> None:
    def off() -> bool:
        torch.set_grad_enabled(False)
        return torch.is_grad_enabled()

    assert in_thread(off) is False
    assert torch.is_grad_enabled()


def test_anomaly_mode_is_seen_by_every_thread() -> None:
    with torch.autograd.set_detect_anomaly(True, check_nan=False):
        assert in_thread(torch.is_anomaly_enabled) is True
        assert in_thread(torch.is_anomaly_check_nan_enabled) is False
    assert in_thread(torch.is_anomaly_enabled) is False
    assert torch.is_anomaly_check_nan_enabled()


def test_default_dtype_is_seen_by_every_thread() -> None:
    torch.set_default_dtype(torch.float64)
    try:
        assert in_thread(torch.get_default_dtype) is torch.float64
        assert in_thread(lambda: torch.tensor([1.5]).dtype) is torch.float64
    finally:
        torch.set_default_dtype(torch.float32)
    assert in_thread(torch.get_default_dtype) is torch.float32


def test_threads_train_side_by_side() -> None:
    """Six threads doing forward and backward at once, one of them under no_grad at times."""
    start = threading.Barrier(6)

    def train(k: int) -> list[float]:
        w = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
        start.wait(30)
        grads = []
        for i in range(40):
            if k == 0 and i % 2:
                with torch.no_grad():
                    assert not (w * 2).requires_grad
                continue
            loss = (w * w * float(k + 1)).sum()
            loss.backward()
            grads.append(w.grad.numpy().copy())
            w.grad = None
        return grads

    results: dict[int, Any] = {}
    errors: list[BaseException] = []

    def run(k: int) -> None:
        try:
            results[k] = train(k)
        except BaseException as e:  # noqa: BLE001 - reported below
            errors.append(e)

    threads = [threading.Thread(target=run, args=(k,)) for k in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors, errors
    for k, grads in results.items():
        assert len(grads) == (20 if k == 0 else 40)
        for g in grads:
            np.testing.assert_allclose(g, 2 * (k + 1) * np.array([1.0, 2.0, 3.0]))
