"""App benchmarks (offscreen): step-to-repaint and zoom/pan frames on a 2,000-node graph, and the
longest GUI-thread stall while a 20,000-node trace opens.

    python benchmarks/bench_app.py [--nodes 2000] [--big 20000]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import visgrad as torch  # noqa: E402
from visgrad import events  # noqa: E402


def chain_events(n_nodes: int) -> list[events.Event]:
    """A residual chain with one weight per block, backward included: about ``n_nodes`` nodes."""
    events.reset_seq()
    blocks = max(1, n_nodes // 8)  # per block: mul + add fn, 2 outputs, w, 3 names-ish
    with events.Recorder() as rec:
        x = torch.ones(4, requires_grad=True)
        h = x
        for _ in range(blocks):
            w = torch.randn(4, requires_grad=True)
            h = (h * w).tanh() + h
        h.sum().backward()
    return rec.events


def p95(xs: list[float]) -> float:
    return sorted(xs)[int(0.95 * (len(xs) - 1))]


def bench_steps(app, n_nodes: int) -> None:
    from visgrad.app.main_window import MainWindow

    evs = chain_events(n_nodes)
    w = MainWindow(panels=False)
    w.resize(1600, 1000)
    w.show()
    c, view = w.controller, w.graph_view
    c.open_events(evs, "bench")
    view.wait_for_layout(60000)
    app.processEvents()
    nodes = view.graph_scene.node_count()
    begin = next(i for i, e in enumerate(evs) if isinstance(e, events.BackwardBegin))
    view.zoom_by(1.0 / view.transform().m11())  # 1:1, the working zoom
    times = []
    c.go_to(begin)
    for _ in range(300):
        t0 = time.perf_counter()
        c.step()  # one event in the recorded past = time travel forward
        view.viewport().repaint()
        times.append((time.perf_counter() - t0) * 1000)
    print(f"{nodes} nodes, {len(evs)} events")
    print(
        f"  step-to-repaint (backward, 1:1): p50 {statistics.median(times):.2f} ms, "
        f"p95 {p95(times):.2f} ms, max {max(times):.2f} ms"
    )
    view.fit()
    times = []
    for _ in range(100):
        t0 = time.perf_counter()
        c.step()
        view.viewport().repaint()
        times.append((time.perf_counter() - t0) * 1000)
    print(
        f"  step-to-repaint (fit, whole graph): p50 {statistics.median(times):.2f} ms, p95 {p95(times):.2f} ms"
    )
    for label, scale in (("1:1", 1.0), ("0.4", 0.4), ("fit", None)):
        if scale is None:
            view.fit()
        else:
            view.zoom_by(scale / view.transform().m11())
        zoom, pan = [], []
        for i in range(40):
            t0 = time.perf_counter()
            view.zoom_by(1.05 if i % 2 else 1 / 1.05)
            view.viewport().repaint()
            zoom.append((time.perf_counter() - t0) * 1000)
            t0 = time.perf_counter()
            view.translate(25 if i % 2 else -25, 0)
            view.horizontalScrollBar().setValue(
                view.horizontalScrollBar().value() + (15 if i % 2 else -15)
            )
            view.viewport().repaint()
            pan.append((time.perf_counter() - t0) * 1000)
        print(
            f"  zoom frame at {label}: p50 {statistics.median(zoom):.2f} ms, p95 {p95(zoom):.2f} ms; "
            f"pan frame p50 {statistics.median(pan):.2f} ms, p95 {p95(pan):.2f} ms"
        )
    w.close()


def bench_open_big(app, n_nodes: int) -> None:
    from PySide6.QtCore import QElapsedTimer, QTimer

    from visgrad.app.main_window import MainWindow
    from visgrad.trace.files import save_trace

    evs = chain_events(n_nodes)
    path = Path(tempfile.mkdtemp()) / "big.vgtrace"
    save_trace(path, evs)
    w = MainWindow(panels=False)
    w.resize(1600, 1000)
    w.show()
    app.processEvents()
    gaps: list[float] = []
    clock = QElapsedTimer()
    clock.start()
    last = [clock.elapsed()]

    def beat() -> None:
        now = clock.elapsed()
        gaps.append(now - last[0])
        last[0] = now

    heart = QTimer()
    heart.setInterval(5)
    heart.timeout.connect(beat)
    heart.start()
    t0 = time.perf_counter()
    w.open_path(str(path))
    while not (
        len(w.controller.model) == len(evs)
        and not w.graph_view.layout_pending
        and w.graph_view.graph_scene.node_count() > 0
    ):
        app.processEvents()
        time.sleep(0.001)
        if time.perf_counter() - t0 > 300:
            break
    w.graph_view.viewport().repaint()
    total = time.perf_counter() - t0
    heart.stop()
    print(f"{w.graph_view.graph_scene.node_count()} nodes, {len(evs)} events from a .vgtrace")
    print(
        f"  open to first full picture: {total:.2f} s; longest GUI-thread stall "
        f"{max(gaps):.0f} ms (heartbeat every 5 ms, p95 gap {p95(gaps):.0f} ms)"
    )
    t1 = time.perf_counter()
    w.graph_view.fit()
    w.graph_view.viewport().repaint()
    print(f"  fit frame (overview LOD): {(time.perf_counter() - t1) * 1000:.1f} ms")
    w.close()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--nodes", type=int, default=2000)
    ap.add_argument("--big", type=int, default=20000)
    args = ap.parse_args()
    from visgrad.app.main import create_app

    app = create_app()
    bench_steps(app, args.nodes)
    bench_open_big(app, args.big)


if __name__ == "__main__":
    main()
