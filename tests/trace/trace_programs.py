"""Recorded runs of small visgrad programs, shared by the trace and graph tests."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

import visgrad as torch
from visgrad import events
from visgrad.ops.loss import binary_cross_entropy_with_logits


@dataclass
class Run:
    """The events of a run plus the engine's own objects to compare against."""

    events: list
    tensors: dict = field(default_factory=dict)
    grads: dict = field(default_factory=dict)


def tutorial() -> Run:
    """The PyTorch autograd tutorial: z = x @ w + b, BCE-with-logits loss, backward."""
    torch.manual_seed(0)
    with events.Recorder() as rec:
        x = torch.ones(5)
        y = torch.zeros(3)
        w = torch.randn(5, 3, requires_grad=True)
        b = torch.randn(3, requires_grad=True)
        z = torch.matmul(x, w) + b
        loss = binary_cross_entropy_with_logits(z, y)
        loss.backward()
    return Run(
        rec.events,
        {"x": x, "y": y, "w": w, "b": b, "z": z, "loss": loss},
        {"w": np.array(w.grad._data), "b": np.array(b.grad._data)},
    )


def square() -> Run:
    """A leaf used twice: s = (x * x).sum(), so x.grad = 2x arrives along two edges."""
    with events.Recorder() as rec:
        x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
        s = (x * x).sum()
        s.backward()
    return Run(rec.events, {"x": x, "s": s}, {"x": np.array(x.grad._data)})


def jacobian() -> Run:
    """The tutorial's Jacobian product: three backward calls, ``inp.grad.zero_()`` before the third."""
    with events.Recorder() as rec:
        inp = torch.eye(4, 5, requires_grad=True)
        out = (inp + 1).pow(2).t()
        out.backward(torch.ones_like(out), retain_graph=True)
        out.backward(torch.ones_like(out), retain_graph=True)
        inp.grad.zero_()
        out.backward(torch.ones_like(out), retain_graph=True)
    return Run(rec.events, {"inp": inp, "out": out}, {"inp": np.array(inp.grad._data)})


def first(evs: list, kind: type, **match: object) -> int:
    """Tick of the first event of ``kind`` whose fields equal ``match``."""
    for i, e in enumerate(evs):
        if isinstance(e, kind) and all(getattr(e, k) == v for k, v in match.items()):
            return i
    raise AssertionError(f"no {kind.__name__} with {match}")
