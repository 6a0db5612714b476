"""Trace model benchmark: state_at latency at random ticks, memory, save/load time and size.

Run by hand: ``python benchmarks/bench_trace.py`` (add ``--quick`` for the 10k traces only).
"""

from __future__ import annotations

import gc
import os
import random
import statistics
import sys
import tempfile
import time
import tracemalloc

import visgrad as torch
from visgrad import events
from visgrad.trace.files import load_trace, save_trace
from visgrad.trace.model import TraceModel


def chain_trace(n_events: int) -> list[events.Event]:
    """A long chain of elementwise ops on a 16-vector, then one backward through all of it."""
    ops = n_events // 3  # one forward event, then a backward node and a release per op
    with events.Recorder() as rec:
        x = torch.randn(16, requires_grad=True)
        y = x
        for i in range(ops):
            y = y * 1.0001 if i % 2 else y.sin()
        y.sum().backward()
    return rec.events[:n_events]


def mlp_trace(n_events: int) -> list[events.Event]:
    """A two-layer MLP trained with plain SGD until the trace holds ``n_events`` events."""
    torch.manual_seed(0)
    with events.Recorder() as rec:
        x = torch.randn(32, 8)
        t = torch.randn(32, 1)
        w1 = torch.randn(8, 16, requires_grad=True)
        w2 = torch.randn(16, 1, requires_grad=True)
        while len(rec.events) < n_events:
            loss = ((torch.matmul(torch.matmul(x, w1).relu(), w2) - t) ** 2).mean()
            loss.backward()
            with torch.no_grad():
                for w in (w1, w2):
                    w.sub_(w.grad * 0.01)
                    w.grad.zero_()
    return rec.events[:n_events]


def alias_trace(n_events: int) -> list[events.Event]:
    """nn.Linear layers (a ``w.t()`` view each step) trained through ``.data`` and ``.grad.data``."""
    torch.manual_seed(0)
    with events.Recorder() as rec:
        x = torch.randn(32, 8)
        t = torch.randn(32, 1)
        net = torch.nn.Sequential(torch.nn.Linear(8, 16), torch.nn.Tanh(), torch.nn.Linear(16, 1))
        while len(rec.events) < n_events:
            loss = ((net(x) - t) ** 2).mean()
            loss.backward()
            for p in net.parameters():
                p.data -= 0.01 * p.grad.data
                p.grad.data.zero_()
    return rec.events[:n_events]


def measure(name: str, evs: list[events.Event], queries: int = 200) -> dict:
    gc.collect()
    tracemalloc.start()
    t0 = time.perf_counter()
    model = TraceModel(evs)
    build = time.perf_counter() - t0
    _, peak = tracemalloc.get_traced_memory()
    mem = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    rng = random.Random(1)
    lat = []
    for _ in range(queries):
        k = rng.randrange(len(model))
        t0 = time.perf_counter()
        model.state_at(k)
        lat.append((time.perf_counter() - t0) * 1000)
    lat.sort()
    last = model.state_at(len(model) - 1)
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "t.vgtrace")
        t0 = time.perf_counter()
        save_trace(path, model)
        save = time.perf_counter() - t0
        size = os.path.getsize(path)
        t0 = time.perf_counter()
        load_trace(path)
        load = time.perf_counter() - t0
    return {
        "trace": name,
        "events": len(model),
        "nodes": len(last.tensors) + len(last.functions),
        "build s": build,
        "median ms": statistics.median(lat),
        "p95 ms": lat[int(0.95 * (len(lat) - 1))],
        "model MB": mem / 2**20,
        "payload MB": model.payload_bytes / 2**20,
        "save s": save,
        "load s": load,
        "file MB": size / 2**20,
    }


def main() -> None:
    sizes = [10_000] if "--quick" in sys.argv else [10_000, 100_000]
    rows = []
    for n in sizes:
        rows.append(measure(f"chain {n // 1000}k", chain_trace(n)))
        rows.append(measure(f"mlp {n // 1000}k", mlp_trace(n)))
        rows.append(measure(f"alias {n // 1000}k", alias_trace(n)))
    cols = list(rows[0])
    print(" | ".join(cols))
    print(" | ".join("---" for _ in cols))
    for r in rows:
        print(" | ".join(f"{r[c]:.2f}" if isinstance(r[c], float) else str(r[c]) for c in cols))


if __name__ == "__main__":
    main()
