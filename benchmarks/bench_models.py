"""Model benchmarks: one training step of a small CNN and of a tiny GPT, visgrad against PyTorch.

Run ``python benchmarks/bench_models.py`` (``--torch-python PATH`` runs the PyTorch side with
another interpreter, one that has torch; ``--profile`` adds cProfile listings of visgrad's steps).
Everything runs on one thread; each number is the median of several timed runs, and each library
is measured in its own process, as in ``bench_engine.py``.

- CNN: batch 32 of 3×32×32, conv 3→16 (3×3) → ReLU → max-pool 2 → conv 16→32 → ReLU →
  max-pool 2 → linear 2048→10, cross-entropy, backward, SGD step.
- GPT: 4 layers, 4 heads, 64 dims, context 32, batch 16, vocabulary 65; pre-norm blocks with
  ``scaled_dot_product_attention(is_causal=True)`` and a GELU MLP, cross-entropy, backward, AdamW.
- GPT (lecture attention): the same model with attention written out as in the makemore / nanoGPT
  lectures (``q @ k.transpose`` · scale, ``masked_fill`` of a ``tril`` buffer, softmax).
"""

from __future__ import annotations

import os

# Single thread for every library; must be set before NumPy / PyTorch load their BLAS.
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import cProfile  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402
import pstats  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

import numpy as np  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

REPEATS = 7


def _lib(name: str) -> Any:
    if name == "visgrad":
        import visgrad

        return visgrad
    import torch

    torch.set_num_threads(1)
    return torch


def median_seconds(fn: Callable[[], None], inner: int, repeats: int = REPEATS) -> list[float]:
    """[median wall seconds, median CPU seconds] of one call over ``repeats`` runs."""
    fn()  # warm-up
    walls, cpus = [], []
    for _ in range(repeats):
        t0, c0 = time.perf_counter(), time.process_time()
        for _ in range(inner):
            fn()
        walls.append((time.perf_counter() - t0) / inner)
        cpus.append((time.process_time() - c0) / inner)
    return [statistics.median(walls), statistics.median(cpus)]


# -- workloads, written once against the torch API --------------------------------------------------
def cnn(
    lib: Any, channels: int = 3, width: int = 16, size: int = 32, batch: int = 32
) -> Callable[[], None]:
    """The CNN step: conv ``channels``->``width`` and ``width``->2*``width`` on ``size`` pixels."""
    nn, F = lib.nn, lib.nn.functional
    lib.manual_seed(0)
    model = nn.Sequential(
        nn.Conv2d(channels, width, 3, padding=1),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Conv2d(width, 2 * width, 3, padding=1),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(2 * width * (size // 4) ** 2, 10),
    )
    opt = lib.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    rng = np.random.default_rng(0)
    x = lib.tensor(rng.standard_normal((batch, channels, size, size)).astype(np.float32))
    y = lib.tensor(rng.integers(0, 10, batch))

    def step() -> None:
        opt.zero_grad()
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        opt.step()

    return step


def _gpt_model(lib: Any, lecture: bool, n_layer: int, n_embd: int, block: int) -> Any:
    nn, F = lib.nn, lib.nn.functional
    vocab, n_head = 65, 4

    class Attention(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.qkv = nn.Linear(n_embd, 3 * n_embd)
            self.proj = nn.Linear(n_embd, n_embd)
            self.register_buffer("tril", lib.tril(lib.ones(block, block)))

        def forward(self, x: Any) -> Any:
            b, t, c = x.shape
            q, k, v = self.qkv(x).split(n_embd, dim=2)
            q, k, v = (z.view(b, t, n_head, c // n_head).transpose(1, 2) for z in (q, k, v))
            if lecture:
                wei = q @ k.transpose(-2, -1) * (1.0 / math.sqrt(c // n_head))
                wei = wei.masked_fill(self.tril[:t, :t] == 0, float("-inf"))
                y = F.softmax(wei, dim=-1) @ v
            else:
                y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
            return self.proj(y.transpose(1, 2).contiguous().view(b, t, c))

    class MLP(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.fc, self.proj = nn.Linear(n_embd, 4 * n_embd), nn.Linear(4 * n_embd, n_embd)

        def forward(self, x: Any) -> Any:
            return self.proj(F.gelu(self.fc(x)))

    class Block(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.ln1, self.ln2 = nn.LayerNorm(n_embd), nn.LayerNorm(n_embd)
            self.attn = Attention()
            self.mlp = MLP()

        def forward(self, x: Any) -> Any:
            x = x + self.attn(self.ln1(x))
            return x + self.mlp(self.ln2(x))

    class GPT(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.tok = nn.Embedding(vocab, n_embd)
            self.pos = nn.Embedding(block, n_embd)
            self.blocks = nn.Sequential(*[Block() for _ in range(n_layer)])
            self.ln_f = nn.LayerNorm(n_embd)
            self.head = nn.Linear(n_embd, vocab)

        def forward(self, idx: Any, targets: Any) -> Any:
            t = idx.shape[1]
            x = self.tok(idx) + self.pos(lib.arange(t))
            logits = self.head(self.ln_f(self.blocks(x)))
            return F.cross_entropy(logits.view(-1, vocab), targets.view(-1))

    return GPT()


def gpt(
    lib: Any,
    lecture: bool = False,
    n_layer: int = 4,
    n_embd: int = 64,
    block: int = 32,
    batch: int = 16,
) -> Callable[[], None]:
    """The GPT step: ``n_layer`` blocks of ``n_embd`` dims, 4 heads, context ``block``."""
    lib.manual_seed(0)
    model = _gpt_model(lib, lecture, n_layer, n_embd, block)
    opt = lib.optim.AdamW(model.parameters(), lr=1e-3)
    rng = np.random.default_rng(0)
    idx = lib.tensor(rng.integers(0, 65, (batch, block)))
    targets = lib.tensor(rng.integers(0, 65, (batch, block)))

    def step() -> None:
        opt.zero_grad(set_to_none=True)
        loss = model(idx, targets)
        loss.backward()
        opt.step()

    return step


WORKLOADS: list[tuple[str, Callable[[Any], Callable[[], None]], int]] = [
    ("CNN step (batch 32, 3x32x32, conv16-conv32-linear)", cnn, 3),
    ("tiny GPT step (4 layers, 4 heads, 64 dims, T=32, B=16)", gpt, 3),
    ("tiny GPT step, lecture-style masked attention", lambda lib: gpt(lib, True), 3),
]


def measure(lib_name: str) -> dict[str, list[float]]:
    lib = _lib(lib_name)
    return {name: median_seconds(make(lib), inner) for name, make, inner in WORKLOADS}


def _child(lib_name: str, python: str) -> dict[str, list[float]]:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.run(
        [python, __file__, "--only", lib_name], capture_output=True, text=True, env=env
    )
    if proc.returncode:
        raise SystemExit(f"{lib_name} run failed:\n{proc.stderr}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--torch-python", default=sys.executable, help="interpreter with torch")
    parser.add_argument("--rounds", type=int, default=3, help="alternating runs of each library")
    parser.add_argument("--profile", action="store_true", help="cProfile visgrad's steps")
    parser.add_argument("--only", choices=("visgrad", "torch"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.only:
        print(json.dumps(measure(args.only)))
        return
    # The libraries alternate, round after round, so a load on the shared machine falls on both.
    runs: dict[str, list[dict[str, list[float]]]] = {"visgrad": [], "torch": []}
    for _ in range(args.rounds):
        runs["visgrad"].append(_child("visgrad", sys.executable))
        runs["torch"].append(_child("torch", args.torch_python))
    vg, th = (
        {
            n: [statistics.median(r[n][i] for r in runs[lib]) for i in (0, 1)]
            for n, _, _ in WORKLOADS
        }
        for lib in ("visgrad", "torch")
    )
    print(
        f"1 thread; each library in its own process, {args.rounds} alternating rounds; per round "
        f"the median of {REPEATS} timed runs; the table shows the median round"
    )
    print(f"{'workload':<58}{'visgrad':>11}{'(cpu)':>11}{'torch':>11}{'(cpu)':>11}{'ratio':>8}")
    for name, _, _ in WORKLOADS:
        (vw, vc), (tw, tc) = vg[name], th[name]
        print(
            f"{name:<58}{vw * 1e3:8.2f} ms{vc * 1e3:8.2f} ms{tw * 1e3:8.2f} ms"
            f"{tc * 1e3:8.2f} ms{vc / tc:7.2f}x"
        )
    print("ratio: visgrad CPU time / torch CPU time (target <= 2)")
    if args.profile:
        import visgrad

        for name, make, _ in WORKLOADS:
            fn = make(visgrad)
            fn()
            prof = cProfile.Profile()
            prof.enable()
            for _ in range(3):
                fn()
            prof.disable()
            print(f"\ncProfile {name} x3:")
            pstats.Stats(prof).sort_stats("tottime").print_stats(16)


if __name__ == "__main__":
    main()
