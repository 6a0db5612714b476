"""Engine benchmarks: visgrad against PyTorch (when importable) and a hand-written NumPy floor.

Run ``python benchmarks/bench_engine.py`` (``--profile`` adds cProfile listings of the hot paths of
workloads (a) and (c)). Everything runs on one thread; each number is the median of several runs.
Each library is measured in its own process (``--only visgrad|torch``): importing PyTorch puts
~170k objects on the heap, and every full garbage collection in a visgrad run would walk them.
"""

from __future__ import annotations

import os

# Single thread for every library; must be set before NumPy / PyTorch load their BLAS.
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import cProfile  # noqa: E402
import pstats  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import visgrad  # noqa: E402
from visgrad import events  # noqa: E402


def _import_torch() -> Any:
    try:
        import torch
    except ImportError:
        return None
    torch.set_num_threads(1)
    return torch


REPEATS = 7
CHAIN = 3000
BATCH, SIZES = 64, (784, 256, 128, 10)


# Median CPU seconds (time.process_time) of the last median_seconds call: steadier than wall time
# on a shared machine, since waiting for a core is not counted.
LAST_CPU = [0.0]


def median_seconds(fn: Callable[[], Any], inner: int, repeats: int = REPEATS) -> float:
    """Median over ``repeats`` runs of the time of one call (each run makes ``inner`` calls)."""
    fn()  # warm-up: imports, caches, first allocation
    times, cpu = [], []
    for _ in range(repeats):
        t0, c0 = time.perf_counter(), time.process_time()
        for _ in range(inner):
            fn()
        times.append((time.perf_counter() - t0) / inner)
        cpu.append((time.process_time() - c0) / inner)
    LAST_CPU[0] = statistics.median(cpu)
    return statistics.median(times)


# -- workloads, written once against the torch API (visgrad is a drop-in) -----------------------
def tiny(lib: Any) -> Callable[[], None]:
    a = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
    b = lib.tensor([4.0, 5.0, 6.0], requires_grad=True)

    def step() -> None:
        ((a * b + a).sum()).backward()

    return step


def mlp_data(seed: int = 0) -> tuple[list[np.ndarray], np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    params = []
    for n_in, n_out in zip(SIZES[:-1], SIZES[1:], strict=True):
        bound = 1 / np.sqrt(n_in)
        params.append(rng.uniform(-bound, bound, (n_out, n_in)).astype(np.float32))
        params.append(rng.uniform(-bound, bound, (n_out,)).astype(np.float32))
    x = rng.standard_normal((BATCH, SIZES[0])).astype(np.float32)
    y = rng.integers(0, SIZES[-1], BATCH)
    return params, x, y


def mlp(lib: Any) -> Callable[[], None]:
    arrays, xa, ya = mlp_data()
    params = [lib.tensor(p.copy(), requires_grad=True) for p in arrays]
    x, y = lib.tensor(xa), lib.tensor(ya)
    F = lib.nn.functional

    def step() -> None:
        w1, b1, w2, b2, w3, b3 = params
        h = F.relu(F.linear(x, w1, b1))
        h = F.relu(F.linear(h, w2, b2))
        loss = F.cross_entropy(F.linear(h, w3, b3), y)
        loss.backward()
        with lib.no_grad():
            for p in params:
                p -= 0.01 * p.grad
                p.grad = None

    return step


def chain(lib: Any) -> Callable[[], None]:
    x = lib.tensor(1.0, requires_grad=True)

    def step() -> None:
        y = x
        for _ in range(CHAIN):
            y = y * 1.0001 + 0.0001
        y.backward()

    return step


def wide_sum(lib: Any) -> Callable[[], None]:
    x = lib.tensor([0.5, -1.0, 2.0], requires_grad=True)

    def step() -> None:
        s = x * x
        for _ in range(CHAIN - 1):
            s = s + x * x
        s.sum().backward()

    return step


def numpy_mlp() -> Callable[[], None]:
    """The floor: the same MLP step with hand-written NumPy forward and backward."""
    params, x, y = mlp_data()
    rows = np.arange(BATCH)

    def step() -> None:
        w1, b1, w2, b2, w3, b3 = params
        z1 = x @ w1.T + b1
        h1 = np.maximum(z1, 0)
        z2 = h1 @ w2.T + b2
        h2 = np.maximum(z2, 0)
        z3 = h2 @ w3.T + b3
        shifted = z3 - z3.max(axis=1, keepdims=True)
        e = np.exp(shifted)
        p = e / e.sum(axis=1, keepdims=True)
        _loss = -np.log(p[rows, y]).mean()
        g3 = p
        g3[rows, y] -= 1
        g3 /= BATCH
        grads = [None] * 6
        grads[4], grads[5] = g3.T @ h2, g3.sum(0)
        g2 = (g3 @ w3) * (z2 > 0)
        grads[2], grads[3] = g2.T @ h1, g2.sum(0)
        g1 = (g2 @ w2) * (z1 > 0)
        grads[0], grads[1] = g1.T @ x, g1.sum(0)
        for prm, g in zip(params, grads, strict=True):
            prm -= 0.01 * g

    return step


def recorded(fn: Callable[[], None]) -> Callable[[], None]:
    """(e): every event kept in memory; a fresh Recorder per step so memory stays bounded."""

    def step() -> None:
        with events.Recorder():
            fn()

    return step


# -- report -------------------------------------------------------------------------------------
WORKLOADS: list[tuple[str, Callable[[Any], Callable[[], None]], int]] = [
    ("(a) tiny ((a*b + a).sum()).backward()", tiny, 2000),
    ("(b) MLP 784-256-128-10, batch 64, SGD step", mlp, 50),
    (f"(c) chain of {CHAIN} ops y = y*1.0001 + 0.0001", chain, 3),
    (f"(d) sum of {CHAIN} terms x*x", wide_sum, 3),
]


def measure(lib_name: str) -> dict[str, list[float]]:
    """Run every workload of one library in this process: {name: [wall, cpu]}."""
    out: dict[str, list[float]] = {}
    lib = visgrad if lib_name == "visgrad" else _import_torch()
    for name, make, inner in WORKLOADS:
        out[name] = [median_seconds(make(lib), inner), LAST_CPU[0]]
    if lib_name == "visgrad":
        out["(e)"] = [median_seconds(recorded(mlp(visgrad)), 20), LAST_CPU[0]]
        out["floor"] = [median_seconds(numpy_mlp(), 50), LAST_CPU[0]]
        a = visgrad.tensor([1.0, 2.0, 3.0], requires_grad=True)
        b = visgrad.tensor([4.0, 5.0, 6.0], requires_grad=True)
        out["op"] = [median_seconds(lambda: a * b, 20000), 0.0]
        detach = events.subscribe(lambda ev: None)
        out["op_sink"] = [median_seconds(lambda: a * b, 20000), 0.0]
        detach()
    return out


def _run_child(lib_name: str) -> dict[str, list[float]]:
    import json
    import subprocess

    proc = subprocess.run(
        [sys.executable, __file__, "--only", lib_name], capture_output=True, text=True, check=True
    )
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    import importlib.util
    import json

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--profile", action="store_true", help="cProfile workloads (a) and (c)")
    parser.add_argument("--only", choices=("visgrad", "torch"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.only:
        print(json.dumps(measure(args.only)))
        return

    vg = _run_child("visgrad")
    have_torch = importlib.util.find_spec("torch") is not None
    th = _run_child("torch") if have_torch else {}
    torch_version = "(not installed)"
    if have_torch:
        torch_version = subprocess_torch_version()

    print(
        f"visgrad {visgrad.__version__}, numpy {np.__version__}, torch {torch_version}; "
        f"1 thread, median of {REPEATS}, each library in its own process"
    )
    print(f"{'workload':<52}{'visgrad':>12}{'(cpu)':>12}{'torch':>12}{'ratio':>8}")
    rows = [(name, *vg[name], th.get(name, [None])[0]) for name, _, _ in WORKLOADS]
    rows.append(("(e) = (b) with a Recorder keeping every event", *vg["(e)"], None))
    rows.append(("NumPy floor: (b) by hand", *vg["floor"], None))
    for name, wall, cpu, t in rows:
        th_text = f"{t * 1e3:9.3f} ms" if t is not None else f"{'':>12}"
        ratio = f"{wall / t:7.2f}x" if t is not None else ""
        print(f"{name:<52}{wall * 1e3:9.3f} ms{cpu * 1e3:9.3f} ms{th_text}{ratio:>8}")
    b_name = WORKLOADS[1][0]
    print()
    print(f"(b) / NumPy floor:      {vg[b_name][0] / vg['floor'][0]:5.2f}x   (target <= 1.3)")
    print(f"(e) / (b):              {vg['(e)'][0] / vg[b_name][0]:5.2f}x   (target <= 1.3)")
    print(
        f"per op a*b (3 floats):  no sink {vg['op'][0] * 1e6:6.2f} us, "
        f"no-op sink {vg['op_sink'][0] * 1e6:6.2f} us "
        "(with a sink every op builds its event: ids, snapshots, source line)"
    )

    if args.profile:
        for label, make, inner in ((WORKLOADS[0][0], tiny, 2000), (WORKLOADS[2][0], chain, 3)):
            fn = make(visgrad)
            prof = cProfile.Profile()
            prof.enable()
            for _ in range(inner):
                fn()
            prof.disable()
            print(f"\ncProfile {label} x{inner}:")
            pstats.Stats(prof).sort_stats("tottime").print_stats(14)


def subprocess_torch_version() -> str:
    import subprocess

    code = "import torch; print(torch.__version__)"
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()


if __name__ == "__main__":
    main()
