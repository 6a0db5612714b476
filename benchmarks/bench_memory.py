"""What a run costs the app's process in memory, with and without a memory budget.

Each measurement runs in a fresh interpreter and reports its resident-set growth (RSS, read from
``/proc/self/statm`` after a garbage collection, and the peak from ``VmHWM``) while a ``TraceModel`` takes in a run:

1. ops: ``y = x * 2`` on a 1,000-float tensor, 100,000 events, through the wire codec and the
   frame validator as the runner's events arrive: MB per 100k events, and bytes per event beyond
   the arrays still held.
2. mlp: a 3,000-step MLP (the ``mlp`` demo's model) traced through the real child process, as
   ``visgrad SCRIPT`` runs it.
3. prints: 200 MB printed in 1 MB prints: the output text kept, and how long ``state_at`` of a
   past tick takes (time travel).

    python benchmarks/bench_memory.py [--only ops,mlp,prints] [--budget-mb 32] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

MLP = """
import torch
import torch.nn as nn

torch.manual_seed(0)
inputs = torch.randn(32, 2)
targets = (inputs.sum(dim=1, keepdim=True) > 0).float()
model = nn.Sequential(nn.Linear(2, 8), nn.ReLU(), nn.Linear(8, 1))
loss_fn = nn.BCEWithLogitsLoss()
optimizer = torch.optim.SGD(model.parameters(), lr=0.5)
for step in range({steps}):
    optimizer.zero_grad()
    loss = loss_fn(model(inputs), targets)
    loss.backward()
    optimizer.step()
    if step % 100 == 0:
        print(f"step {{step}}: loss {{loss.item():.4f}}")
"""

PRINTS = """
line = "x" * 99 + "\\n"
for i in range(200):
    print(line * 10486, end="")
"""

# Runs in the fresh interpreter: measures one case and prints one JSON line.
PROBE = """
import gc, json, os, sys, time
sys.path.insert(0, {root!r})
case, budget, arg = sys.argv[1], sys.argv[2], sys.argv[3]

def rss():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")

def peak():
    with open("/proc/self/status") as f:
        return next(int(l.split()[1]) * 1024 for l in f if l.startswith("VmHWM:"))

import numpy as np
import visgrad as torch
from visgrad import events
from visgrad.runner.stream import FrameStream
from visgrad.runner.session import run_headless
from visgrad.trace import codec
from visgrad.trace.model import TraceModel

limit = None if budget == "none" else int(float(budget) * 2**20)
if case == "ops":
    # Warm up outside the measurement: the engine's lazy imports and the codec's first frame
    # cost the process ~30 MB once, which is not the trace's (it was counted per event before).
    warm_stream, warm_model = FrameStream(), TraceModel(memory_budget_bytes=limit)
    warm_detach = events.subscribe(
        lambda ev: [warm_model.append(g) for g in warm_stream.feed(codec.encode_frame(ev))]
    )
    wx = torch.ones(1000)
    for _ in range(3):
        wy = wx * 2
    warm_detach()
    del warm_stream, warm_model, wx, wy
gc.collect()
before = rss()
model = TraceModel(memory_budget_bytes=limit)
t0 = time.perf_counter()
out = {{}}
if case == "ops":
    stream = FrameStream()

    def sink(ev):
        for got in stream.feed(codec.encode_frame(ev)):
            model.append(got)

    events.reset_seq()
    detach = events.subscribe(sink)
    x = torch.ones(1000)
    for _ in range(int(arg) - 1):
        y = x * 2
    detach()
elif case == "mlp":
    run_headless(arg, on_event=model.append)
elif case == "prints":
    run_headless(arg, on_event=model.append)
    n = len(model)
    ticks = [n // 2 + k for k in range(-3, 3)]
    times = []
    for k in ticks:
        t = time.perf_counter()
        s = model.state_at(k)
        times.append(time.perf_counter() - t)
    out["state_at_ms"] = 1000 * sorted(times)[len(times) // 2]
    out["output_chars"] = len(model.state_at(n - 1).output)
seconds = time.perf_counter() - t0
gc.collect()
grown = rss() - before
out.update(
    events=len(model), seconds=seconds, rss=grown, peak=peak() - before, payload=model.payload_bytes,
    footprint=getattr(model, "footprint_bytes", 0), dropped=model.dropped_payloads,
)
print(json.dumps(out))
"""


def probe(case: str, budget: str, arg: str, tmp: Path) -> dict:
    script = tmp / "probe.py"
    script.write_text(PROBE.format(root=str(ROOT)))
    done = subprocess.run(
        [sys.executable, str(script), case, budget, arg],
        capture_output=True,
        text=True,
        check=True,
        cwd=tmp,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def median_of(case: str, budget: str, arg: str, tmp: Path, repeat: int) -> dict:
    runs = [probe(case, budget, arg, tmp) for _ in range(repeat)]
    return {k: statistics.median(r[k] for r in runs) for k in runs[0]}


def show_prints(label: str, r: dict) -> None:
    print(
        f"  {label:<14} {r['events']:>9,.0f} events  RSS +{r['rss'] / 2**20:7.1f} MB  "
        f"output kept {r['output_chars'] / 1e6:.2f} M characters  "
        f"state_at of a past tick {r['state_at_ms']:.2f} ms  {r['seconds']:5.1f} s"
    )


def show(label: str, r: dict) -> None:
    per = r["rss"] / r["events"]
    beyond = (r["rss"] - r["payload"]) / r["events"]
    line = (
        f"  {label:<14} {r['events']:>9,.0f} events  RSS +{r['rss'] / 2**20:7.1f} MB "
        f"(peak +{r['peak'] / 2**20:6.1f})  ({per * 1e5 / 2**20:6.1f} MB per 100k events, {beyond:6.0f} B/event beyond arrays)  "
        f"arrays kept {r['payload'] / 2**20:6.1f} MB  footprint {r['footprint'] / 2**20:6.1f} MB  "
        f"{r['seconds']:5.1f} s"
    )
    print(line)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--only", default="ops,mlp,prints")
    ap.add_argument("--budget-mb", default="32")
    ap.add_argument("--events", type=int, default=100_000)
    ap.add_argument("--steps", type=int, default=3000)
    ap.add_argument("--repeat", type=int, default=1)
    args = ap.parse_args()
    only = set(args.only.split(","))
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        if "ops" in only:
            print(f"ops: y = x * 2 on 1,000 floats, {args.events:,} events (wire codec)")
            for budget in (args.budget_mb, "none"):
                r = median_of("ops", budget, str(args.events), tmp, args.repeat)
                show(f"budget {budget}", r)
        if "mlp" in only:
            mlp = tmp / "mlp.py"
            mlp.write_text(textwrap.dedent(MLP.format(steps=args.steps)))
            print(f"mlp: {args.steps:,} SGD steps through the runner")
            for budget in (args.budget_mb, "none"):
                show(f"budget {budget}", median_of("mlp", budget, str(mlp), tmp, args.repeat))
        if "prints" in only:
            prints = tmp / "prints.py"
            prints.write_text(PRINTS)
            print("prints: 200 MB printed, 1 MB per print")
            for budget in (args.budget_mb, "none"):
                r = median_of("prints", budget, str(prints), tmp, args.repeat)
                show_prints(f"budget {budget}", r)


if __name__ == "__main__":
    main()
