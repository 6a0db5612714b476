"""Shared by the op-case topics (``nnops``, ``tensor_ops``): draw inputs, run each call with
PyTorch, record outputs, gradients, graphs and error texts. Not a topic itself (leading ``_``).
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F  # noqa: N812 - PyTorch's own alias

OUT = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "torch"
N, P, B, S, C = "normal", "pos", "bool", "stat", "const"


def draw(rng: np.random.Generator, shape: tuple[int, ...], kind: str, dtype: str) -> np.ndarray:
    if kind.startswith("index:"):
        return rng.integers(0, int(kind.split(":")[1]), size=shape).astype(np.int64)
    if kind == B:
        m = rng.random(shape) > 0.35
        m[..., 0] = True  # every query row attends somewhere, except the one row made empty below
        if m.ndim == 2 and m.shape[0] > 2:
            m[2] = False
        return m
    if kind in (P, "stat_pos", "const_pos"):
        return (rng.random(shape) + 0.5).astype(dtype)
    if kind == "prob":
        return rng.random(shape).astype(dtype) / 2
    if kind == "wide":
        return (rng.standard_normal(shape) * 3).astype(dtype)
    if kind == "const_big":
        return (rng.standard_normal(shape) * 2).astype(dtype)
    return rng.standard_normal(shape).astype(dtype)


def graph(t: torch.Tensor) -> list[str]:
    """The node names of ``t``'s graph, depth first, indented by depth."""
    lines: list[str] = []

    def walk(fn: Any, depth: int) -> None:
        if fn is None:
            lines.append("  " * depth + "None")
            return
        name = fn.name().replace("torch::autograd::", "")
        lines.append("  " * depth + name)
        if name != "AccumulateGrad":
            for nxt, _ in fn.next_functions:
                walk(nxt, depth + 1)

    walk(t.grad_fn, 0)
    return lines


def _tensors(rng: np.random.Generator, spec: dict, dtype: str, arrays: dict, prefix: str) -> dict:
    env = {}
    for name, (shape, kind) in spec.items():
        a = draw(rng, shape, kind, dtype)
        arrays[f"{prefix}/in/{name}"] = a
        grad = a.dtype.kind == "f" and kind in (N, P, "prob", "wide")
        env[name] = torch.tensor(a, requires_grad=grad)
    return env


def record_case(
    name: str, call: str, spec: dict, dtype: str, rng: np.random.Generator, arrays: dict
) -> dict:
    env = _tensors(rng, spec, dtype, arrays, name)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = eval(call, {"F": F, "torch": torch}, dict(env))  # noqa: S307 - our fixed calls
    outs = out if isinstance(out, tuple) else (out,)
    for i, o in enumerate(outs):
        arrays[f"{name}/out{i}"] = o.detach().numpy()
    row = {"call": call, "dtype": dtype, "outputs": len(outs), "grads": [], "after": []}
    y = outs[0]
    if y.requires_grad:
        v = rng.standard_normal(y.shape).astype(dtype)
        arrays[f"{name}/v"] = v
        y.backward(torch.tensor(v))
        row["grad_fn"] = y.grad_fn.name()
        row["graph"] = graph(y)
        for k, t in env.items():
            if t.grad is not None:
                arrays[f"{name}/grad/{k}"] = t.grad.numpy(force=True)  # a ZeroTensor too
                row["grads"].append(k)
    for k, (_, kind) in spec.items():
        if kind.startswith("stat") or kind == "const_big":
            arrays[f"{name}/after/{k}"] = env[k].detach().numpy()
            row["after"].append(k)
    return row


def record_error(call: str, spec: dict, rng: np.random.Generator) -> dict:
    env = {}
    for k, (shape, kind) in spec.items():
        env[k] = torch.tensor(draw(rng, shape, kind, "float32"))
    inputs = {k: [list(shape), kind] for k, (shape, kind) in spec.items()}
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            eval(call, {"F": F, "torch": torch}, env)  # noqa: S307 - our fixed calls
    except Exception as e:  # noqa: BLE001 - recording whatever PyTorch raises
        return {
            "call": call,
            "inputs": inputs,
            "type": type(e).__name__,
            "message": str(e).split("\n")[0],
        }
    raise AssertionError(f"{call} did not raise")


def write(topic: str, cases: dict, errors: dict, seed: int, extra: dict | None = None) -> None:
    """Record every case and error of a topic into ``<topic>.json`` and ``<topic>.npz``."""
    rng = np.random.default_rng(seed)
    arrays: dict[str, np.ndarray] = {}
    rows = {
        name: {**record_case(name, call, spec, dtype, rng, arrays),
               "inputs": {k: [list(s), kind] for k, (s, kind) in spec.items()}}
        for name, (call, spec, dtype) in cases.items()
    }  # fmt: skip
    errs = {name: record_error(call, spec, rng) for name, (call, spec) in errors.items()}
    OUT.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(OUT / f"{topic}.npz", **arrays)
    doc = {"torch": torch.__version__, "cases": rows, "errors": errs, **(extra or {})}
    (OUT / f"{topic}.json").write_text(json.dumps(doc, indent=1) + "\n")
