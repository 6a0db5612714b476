"""Runner throughput and tracing overhead. Run by hand: ``python benchmarks/bench_runner.py``.

1. Events per second from child to parent, small and large payloads (free run, no pauses).
2. The MLP demo traced end to end vs run as a plain script (both in a fresh process), as shipped
   (5 steps, start-up dominates) and with 200 training steps (the steady-state cost per event).
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

from visgrad import events
from visgrad.demos import demo_path
from visgrad.runner.session import run_headless

ROOT = Path(__file__).resolve().parent.parent

THROUGHPUT = """
import torch
x = torch.ones({shape})
for i in range({n}):
    y = x * 2
"""

# Runs a script the way a user without PyTorch would: 'import torch' fails, visgrad stands in.
PLAIN = "import runpy, sys; sys.modules['torch'] = None; runpy.run_path(sys.argv[1], run_name='__main__')"


def throughput(shape: str, n: int, tmp: Path) -> tuple[int, float, float]:
    """(events, seconds from the first engine event to the end, payload MB) of one free run."""
    p = tmp / f"tp_{shape.replace(',', '_').replace(' ', '')}.py"
    p.write_text(textwrap.dedent(THROUGHPUT.format(shape=shape, n=n)))
    times: list[float] = []
    nbytes = 0

    def on_event(ev: events.Event) -> None:
        nonlocal nbytes
        if isinstance(ev, events.ForwardOp):
            times.append(time.perf_counter())
            nbytes += sum(getattr(v, "nbytes", 0) for v in ev.values)

    assert run_headless(p, on_event=on_event) == 0
    return len(times), times[-1] - times[0], nbytes / 1e6


def wall(cmd: list[str]) -> float:
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True, capture_output=True, cwd=ROOT)
    return time.perf_counter() - t0


def mlp_overhead(script: Path, repeat: int = 3) -> tuple[float, float]:
    """Best-of wall times (plain script, traced through the runner)."""
    plain = min(wall([sys.executable, "-c", PLAIN, str(script)]) for _ in range(repeat))
    traced = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        assert run_headless(script, on_event=lambda ev: None) == 0
        traced.append(time.perf_counter() - t0)
    return plain, min(traced)


def main() -> None:
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        print("child -> parent throughput (free run, y = x * 2 in a loop)")
        print(f"{'payload':<26}{'events':>8}{'events/s':>12}{'MB/s':>9}")
        for label, shape, n in (
            ("small (10 floats)", "10", 20000),
            ("large (256x256 floats)", "256, 256", 1000),
            ("over limit (512x512)", "512, 512", 1000),
        ):
            k, secs, mb = throughput(shape, n, tmp)
            print(f"{label:<26}{k:>8}{k / secs:>12,.0f}{mb / secs:>9.0f}")

        long_mlp = tmp / "mlp_200.py"
        long_mlp.write_text(demo_path("mlp").read_text().replace("range(5)", "range(200)"))
        print("\nMLP demo: plain script vs traced (wall time, fresh process, best of 3)")
        print(f"{'program':<22}{'plain s':>9}{'traced s':>10}{'ratio':>7}")
        for label, script in (("mlp (5 steps)", demo_path("mlp")), ("mlp (200 steps)", long_mlp)):
            plain, traced = mlp_overhead(script)
            print(f"{label:<22}{plain:>9.2f}{traced:>10.2f}{traced / plain:>7.2f}")


if __name__ == "__main__":
    main()
