"""Random samplers: visgrad's PyTorch-exact streams against PyTorch itself (when importable).

Run ``python benchmarks/bench_random.py`` (``--only visgrad|torch`` measures one library; without
it each library runs in its own process). Single-threaded; each number is the median of several
repetitions, in milliseconds per call.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import json  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent

WORKLOADS = {
    "randn(1_000_000) float32": lambda t: t.randn(1_000_000),
    "randn(1_000_000) float64": lambda t: t.randn(1_000_000, dtype=t.float64),
    "randn(10) (scalar path)": lambda t: t.randn(10),
    "rand(1_000_000)": lambda t: t.rand(1_000_000),
    "randint(0, 10, 1_000_000)": lambda t: t.randint(0, 10, (1_000_000,)),
    "randperm(60_000)": lambda t: t.randperm(60_000),
    "multinomial(64 x 65, 1)": lambda t: t.multinomial(t.ones(64, 65), 1),
    "multinomial(65, 1000, replacement)": lambda t: t.multinomial(t.ones(65), 1000, True),
    "dropout(1_000_000, 0.1)": lambda t: t.nn.functional.dropout(t.ones(1_000_000), 0.1),
    "Linear(512, 512)": lambda t: t.nn.Linear(512, 512),
    "linspace(0, 1, 1_000_000)": lambda t: t.linspace(0, 1, 1_000_000),
}


def _measure(lib: Any, repeats: int) -> dict[str, float]:
    out = {}
    for name, fn in WORKLOADS.items():
        lib.manual_seed(0)
        fn(lib)  # warm up
        times = []
        for _ in range(repeats):
            t0 = time.perf_counter()
            fn(lib)
            times.append((time.perf_counter() - t0) * 1e3)
        out[name] = statistics.median(times)
    return out


def _run_alone(which: str, repeats: int) -> dict[str, float] | None:
    cmd = [sys.executable, __file__, "--only", which, "--repeats", str(repeats), "--json"]
    res = subprocess.run(cmd, capture_output=True, text=True, check=False)
    return json.loads(res.stdout) if res.returncode == 0 else None


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--only", choices=("visgrad", "torch"))
    ap.add_argument("--repeats", type=int, default=7)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    if args.only:
        if args.only == "torch":
            import torch as lib

            lib.set_num_threads(1)
        else:
            sys.path.insert(0, str(ROOT))
            import visgrad as lib
        result = _measure(lib, args.repeats)
        print(json.dumps(result) if args.json else result)
        return
    ours = _run_alone("visgrad", args.repeats) or {}
    theirs = _run_alone("torch", args.repeats) or {}
    print(f"{'workload':38} {'visgrad ms':>11} {'torch ms':>9} {'ratio':>7}")
    for name in WORKLOADS:
        v, t = ours.get(name), theirs.get(name)
        ratio = f"{v / t:7.1f}" if v and t else "      -"
        tt = f"{t:9.3f}" if t else "        -"
        print(f"{name:38} {v:11.3f} {tt} {ratio}")


if __name__ == "__main__":
    main()
