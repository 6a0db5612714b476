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


def _import_visgrad() -> Any:
    # Imported only where visgrad runs: the torch child's interpreter need not have its deps.
    import visgrad

    return visgrad


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


POINTS = 2000


def poly_fit(lib: Any) -> Callable[[], None]:
    """(f) "Learning PyTorch with Examples": a cubic fitted to sin by hand, without autograd."""
    x = lib.linspace(-np.pi, np.pi, POINTS)
    y = lib.sin(x)
    rng = np.random.default_rng(0)
    coef = [lib.tensor(float(v)) for v in rng.standard_normal(4)]
    lr = 1e-6

    def step() -> None:
        a, b, c, d = coef
        y_pred = a + b * x + c * x**2 + d * x**3
        _loss = (y_pred - y).pow(2).sum().item()
        grad_y_pred = 2.0 * (y_pred - y)
        grad_a = grad_y_pred.sum()
        grad_b = (grad_y_pred * x).sum()
        grad_c = (grad_y_pred * x**2).sum()
        grad_d = (grad_y_pred * x**3).sum()
        a -= lr * grad_a
        b -= lr * grad_b
        c -= lr * grad_c
        d -= lr * grad_d

    return step


def small_cnn(lib: Any) -> Callable[[], None]:
    """(g) bench_models' CNN step at a smaller size, where per-op costs weigh more."""
    from benchmarks.bench_models import cnn

    return cnn(lib, channels=1, width=8, size=28, batch=16)


def small_gpt(lib: Any) -> Callable[[], None]:
    """(h) bench_models' GPT step (scaled_dot_product_attention) at a smaller size."""
    from benchmarks.bench_models import gpt

    return gpt(lib, n_layer=2, n_embd=32, block=16, batch=8)


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
        with _import_visgrad().events.Recorder():
            fn()

    return step


# -- report -------------------------------------------------------------------------------------
WORKLOADS: list[tuple[str, Callable[[Any], Callable[[], None]], int]] = [
    ("(a) tiny ((a*b + a).sum()).backward()", tiny, 2000),
    ("(b) MLP 784-256-128-10, batch 64, SGD step", mlp, 50),
    (f"(c) chain of {CHAIN} ops y = y*1.0001 + 0.0001", chain, 3),
    (f"(d) sum of {CHAIN} terms x*x", wide_sum, 3),
    (f"(f) polynomial fit by hand, {POINTS} points, no autograd", poly_fit, 300),
    ("(g) CNN step: conv 8/16 ch on 1x28x28, batch 16, SGD", small_cnn, 10),
    ("(h) tiny GPT step: 2 layers, 32 dims, T=16, B=8, AdamW", small_gpt, 5),
]

# Per-op costs on small tensors: (label, op on a 3-element ``a``, ``b`` and a 3x3 ``m``).
OPS: list[tuple[str, Callable[[Any, Any, Any], Any]]] = [
    ("a * b", lambda a, b, m: a * b),
    ("a + b", lambda a, b, m: a + b),
    ("a * 2.0", lambda a, b, m: a * 2.0),
    ("2.0 - a", lambda a, b, m: 2.0 - a),
    ("a ** 2", lambda a, b, m: a**2),
    ("a.exp()", lambda a, b, m: a.exp()),
    ("a.relu()", lambda a, b, m: a.relu()),
    ("a.sum()", lambda a, b, m: a.sum()),
    ("m @ a", lambda a, b, m: m @ a),
    ("m.t()", lambda a, b, m: m.t()),
]


def per_op(lib: Any) -> dict[str, list[float]]:
    """{label: [CPU seconds without grad, CPU seconds with grad]} per op call (CPU time, as the
    workloads' ratios: wall time on a loaded machine counts the waits for a core)."""
    out = {}
    for label, op in OPS:
        row = []
        for rg in (False, True):
            a = lib.tensor([1.0, 2.0, 3.0], requires_grad=rg)
            b = lib.tensor([4.0, 5.0, 6.0], requires_grad=rg)
            m = lib.tensor(np.arange(9.0, dtype=np.float32).reshape(3, 3), requires_grad=rg)
            median_seconds(lambda a=a, b=b, m=m, op=op: op(a, b, m), 5000)
            row.append(LAST_CPU[0])
        out[label] = row
    return out


def measure(lib_name: str) -> dict[str, list[float]]:
    """Run every workload of one library in this process: {name: [wall, cpu]}."""
    out: dict[str, list[float]] = {}
    visgrad = _import_visgrad() if lib_name == "visgrad" else None
    lib = visgrad if lib_name == "visgrad" else _import_torch()
    for name, make, inner in WORKLOADS:
        out[name] = [median_seconds(make(lib), inner), LAST_CPU[0]]
    for label, times in per_op(lib).items():
        out["op " + label] = times
    if lib_name == "visgrad":
        out["(e)"] = [median_seconds(recorded(mlp(visgrad)), 20), LAST_CPU[0]]
        out["floor"] = [median_seconds(numpy_mlp(), 50), LAST_CPU[0]]
        a = visgrad.tensor([1.0, 2.0, 3.0], requires_grad=True)
        b = visgrad.tensor([4.0, 5.0, 6.0], requires_grad=True)
        out["op"] = [median_seconds(lambda: a * b, 20000), LAST_CPU[0]]
        detach = visgrad.events.subscribe(lambda ev: None)
        out["op_sink"] = [median_seconds(lambda: a * b, 20000), LAST_CPU[0]]
        detach()
    return out


def _run_child(lib_name: str, python: str) -> dict[str, list[float]]:
    import json
    import subprocess

    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parent.parent))
    proc = subprocess.run(
        [python, __file__, "--only", lib_name], capture_output=True, text=True, env=env
    )
    if proc.returncode:
        raise SystemExit(f"{lib_name} run failed:\n{proc.stderr}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    import json

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--profile", action="store_true", help="cProfile workloads (a) and (c)")
    parser.add_argument("--torch-python", default=sys.executable, help="interpreter with torch")
    parser.add_argument("--only", choices=("visgrad", "torch"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.only:
        print(json.dumps(measure(args.only)))
        return

    visgrad = _import_visgrad()
    vg = _run_child("visgrad", sys.executable)
    torch_version = subprocess_torch_version(args.torch_python)
    have_torch = torch_version is not None
    th = _run_child("torch", args.torch_python) if have_torch else {}

    print(
        f"visgrad {visgrad.__version__}, numpy {np.__version__}, "
        f"torch {torch_version or '(not installed)'}; "
        f"1 thread, median of {REPEATS}, each library in its own process"
    )
    print(f"{'workload':<56}{'visgrad':>11}{'(cpu)':>11}{'torch':>11}{'(cpu)':>11}{'ratio':>8}")
    rows = [(name, *vg[name], *th.get(name, [None, None])) for name, _, _ in WORKLOADS]
    rows.append(("(e) = (b) with a Recorder keeping every event", *vg["(e)"], None, None))
    rows.append(("NumPy floor: (b) by hand", *vg["floor"], None, None))
    for name, wall, cpu, t, tc in rows:
        th_text = f"{t * 1e3:8.3f} ms{tc * 1e3:8.3f} ms" if t is not None else f"{'':>22}"
        ratio = f"{cpu / tc:7.2f}x" if t is not None else ""
        print(f"{name:<56}{wall * 1e3:8.3f} ms{cpu * 1e3:8.3f} ms{th_text}{ratio:>8}")
    print("ratio: visgrad CPU time / torch CPU time (steadier than wall time on a shared machine)")
    print("targets (issue 12): (a), (b) <= 1.0; (c), (d), (f) <= 1.5; (g), (h) <= 2")
    b_name = WORKLOADS[1][0]
    print()
    print(f"(b) / NumPy floor:      {vg[b_name][1] / vg['floor'][1]:5.2f}x   (target <= 1.3)")
    print(f"(e) / (b):              {vg['(e)'][1] / vg[b_name][1]:5.2f}x   (target <= 1.3)")
    print(
        f"per op a*b (3 floats), CPU:  no sink {vg['op'][1] * 1e6:6.2f} us, "
        f"no-op sink {vg['op_sink'][1] * 1e6:6.2f} us "
        "(with a sink every op builds its event: ids, snapshots, source line)"
    )
    print()
    print(
        "per op on 3-element tensors (m: 3x3), CPU us; targets: <= 2 without grad, <= 4 with grad"
    )
    print(f"{'op':<12}{'no grad':>10}{'torch':>10}{'grad':>10}{'torch':>10}")
    for label, _ in OPS:
        v = vg["op " + label]
        t = th.get("op " + label, [float("nan")] * 2)
        print(
            f"{label:<12}{v[0] * 1e6:10.2f}{t[0] * 1e6:10.2f}{v[1] * 1e6:10.2f}{t[1] * 1e6:10.2f}"
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


def subprocess_torch_version(python: str) -> str | None:
    import subprocess

    code = "import torch; print(torch.__version__)"
    proc = subprocess.run([python, "-c", code], capture_output=True, text=True)
    return proc.stdout.strip() if proc.returncode == 0 else None


if __name__ == "__main__":
    main()
