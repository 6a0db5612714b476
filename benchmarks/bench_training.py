"""Training panel benchmarks (offscreen).

1. fold: what the training statistics add to ``TraceModel.append`` (events/s with and without).
2. redraw: the panel's full redraw (curves set + paint) with 10,000 iterations, median of 20.
3. live: events pushed at 5,000/s into the app's Controller (the runner's reader thread does the
   same) with the panel shown: events/s kept, GUI-thread busy share, the longest frame, and the
   backlog when the stream stops.
4. run: the makemore demo run to its end live in the Controller with the panel shown, against
   the same live run without the panel and the demo run headless (no app): the program's wall
   time.

    python benchmarks/bench_training.py [--iterations 10000] [--rate 5000] [--seconds 6]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import visgrad as torch  # noqa: E402
from visgrad import events  # noqa: E402
from visgrad.trace.model import TraceModel  # noqa: E402

_KEEP: list = []


def training_events(steps: int) -> list[events.Event]:
    """A small MLP (4 -> 16 tanh -> 1, 4 parameters) trained ``steps`` SGD steps, in-process."""
    events.reset_seq()
    with events.Recorder() as rec:
        torch.manual_seed(0)
        net = torch.nn.Sequential(torch.nn.Linear(4, 16), torch.nn.Tanh(), torch.nn.Linear(16, 1))
        opt = torch.optim.SGD(net.parameters(), lr=0.05)
        x = torch.randn(8, 4)
        y = x.sum(dim=1, keepdim=True)
        for _ in range(steps):
            opt.zero_grad()
            torch.nn.functional.mse_loss(net(x), y).backward()
            opt.step()
    return rec.events


def bench_fold(evs: list[events.Event]) -> None:
    """Append the same events with the statistics on and off, alternating, medians of 3."""
    on, off = [], []
    for _ in range(3):
        for store in (on, off):
            m = TraceModel()
            if store is off:
                m._training.observe = lambda *a: None  # type: ignore[method-assign]
            t0 = time.perf_counter()
            m.extend(evs)
            store.append(time.perf_counter() - t0)
    a, b = statistics.median(on), statistics.median(off)
    print(
        f"fold: {len(evs):,} events  with statistics {len(evs) / a:,.0f} ev/s, "
        f"without {len(evs) / b:,.0f} ev/s  (+{100 * (a / b - 1):.0f}% append time)"
    )


def _panel(model: TraceModel):
    from visgrad.app.controller import Controller
    from visgrad.app.panels.training import TrainingPanel

    c = Controller()
    _KEEP.append(c)  # deleted on the GUI thread at the end, never by a collector elsewhere
    if len(model):
        c.open_events(model, "bench")
    panel = TrainingPanel(c)
    _KEEP.append(panel)
    panel.resize(1100, 420)
    panel.show()
    return c, panel


def bench_redraw(app, evs: list[events.Event]) -> None:
    model = TraceModel(evs, memory_budget_bytes=64 << 20)
    n = len(model.training.iterations)
    c, panel = _panel(model)
    app.processEvents()
    sets, paints, cpus = [], [], []
    for i in range(20):
        c.go_to(model.training.iterations[(i * 487) % n].loss_tick)
        panel._curves_key = ()  # force the full redraw a growing log causes
        c0 = time.process_time()
        t0 = time.perf_counter()
        panel.refresh()
        t1 = time.perf_counter()
        panel.curves_view.viewport().repaint()
        panel.hist_view.viewport().repaint()
        paints.append(time.perf_counter() - t1)
        sets.append(t1 - t0)
        cpus.append(time.process_time() - c0)
    total = [a + b for a, b in zip(sets, paints, strict=True)]
    # The CPU time is the figure to trust on a machine shared with other jobs: the wall clock
    # also counts the time the scheduler gave them.
    print(
        f"redraw: {n:,} iterations, {len(model):,} events (payload dropped for "
        f"{model.dropped_payloads:,})  set {1e3 * statistics.median(sets):.1f} ms + paint "
        f"{1e3 * statistics.median(paints):.1f} ms = {1e3 * statistics.median(total):.1f} ms "
        f"median, max {1e3 * max(total):.1f} ms; CPU {1e3 * statistics.median(cpus):.1f} ms "
        f"median, max {1e3 * max(cpus):.1f} ms"
    )
    panel.close()


def bench_live(app, evs: list[events.Event], rate: int, seconds: float) -> None:
    c, panel = _panel(TraceModel())
    put, _ = c._make_sinks()
    busy: list[float] = []
    drain, refresh = c.drain, panel.refresh

    def timed(f):
        def run(*a):
            t0 = time.perf_counter()
            out = f(*a)
            busy.append(time.perf_counter() - t0)
            return out

        return run

    c._timer.timeout.disconnect()
    c._timer.timeout.connect(timed(drain))
    panel.refresh = timed(refresh)  # type: ignore[method-assign]
    n = min(len(evs), int(rate * seconds))
    done = threading.Event()

    def produce() -> None:
        t0 = time.perf_counter()
        for i in range(0, n, 50):  # 50 at a time, paced to the rate
            for ev in evs[i : i + 50]:
                put(ev)
            lag = t0 + (i + 50) / rate - time.perf_counter()
            if lag > 0:
                time.sleep(lag)
        done.set()

    t_start = time.perf_counter()
    threading.Thread(target=produce, daemon=True).start()
    while not done.is_set():
        app.processEvents()
        time.sleep(0.002)
    t_sent = time.perf_counter()
    while len(c.model) < n:
        app.processEvents()
        time.sleep(0.002)
    t_end = time.perf_counter()
    app.processEvents()
    span = t_end - t_start
    print(
        f"live: {n:,} events at {rate:,}/s for {t_sent - t_start:.1f} s -> {n / span:,.0f} ev/s "
        f"folded and drawn; GUI thread busy {100 * sum(busy) / span:.0f}%, longest frame "
        f"{1e3 * max(busy):.1f} ms, backlog at the end {1e3 * (t_end - t_sent):.0f} ms; "
        f"{len(c.model.training.iterations):,} iterations shown"
    )
    panel.close()


def bench_run(app) -> None:
    from visgrad.runner.session import run_headless

    def live(with_panel: bool) -> float:
        if with_panel:
            c, panel = _panel(TraceModel())
        else:
            from visgrad.app.controller import Controller

            c, panel = Controller(), None
            _KEEP.append(c)
        c.open_demo("makemore")
        t0 = time.perf_counter()
        deadline = t0 + 120
        while c.run_state != "paused" and time.perf_counter() < deadline:  # before its first op
            app.processEvents()
            time.sleep(0.002)
        c.resume()
        while c.run_state not in ("finished", "error", "stopped"):
            if time.perf_counter() > deadline:
                raise SystemExit("the live makemore run did not finish in 120 s")
            app.processEvents()
            time.sleep(0.002)
        took = time.perf_counter() - t0
        c.shutdown()
        if panel is not None:
            panel.close()
        return took

    def headless() -> float:
        t0 = time.perf_counter()
        run_headless("makemore", demo=True, on_event=lambda ev: None)
        return time.perf_counter() - t0

    a, b, h = [], [], []
    for _ in range(3):
        a.append(live(True))
        b.append(live(False))
        h.append(headless())
    print(
        f"run: makemore demo (300 steps) live with the panel {statistics.median(a):.2f} s, "
        f"live without it {statistics.median(b):.2f} s, headless {statistics.median(h):.2f} s "
        f"(medians of 3, alternating; the panel's cost is the first against the second)"
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--iterations", type=int, default=10_000)
    ap.add_argument("--rate", type=int, default=5_000)
    ap.add_argument("--seconds", type=float, default=6.0)
    ap.add_argument("--parts", default="fold,redraw,live,run", help="which measurements to run")
    args = ap.parse_args(argv)
    parts = set(args.parts.split(","))
    from PySide6.QtCore import QSettings

    from visgrad.app.main import create_app

    tmp = tempfile.mkdtemp()  # nothing here may touch the user's settings
    QSettings.setPath(QSettings.Format.NativeFormat, QSettings.Scope.UserScope, tmp)
    app = create_app()
    evs = training_events(args.iterations) if parts - {"run"} else []
    if "fold" in parts:
        bench_fold(evs[:60_000])
    if "redraw" in parts:
        bench_redraw(app, evs)
    if "live" in parts:
        bench_live(app, evs, args.rate, args.seconds)
    if "run" in parts:
        bench_run(app)
    for obj in _KEEP:
        obj.deleteLater()
    app.processEvents()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
