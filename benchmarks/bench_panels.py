"""Panel timings: selecting a node with a 1,000×1,000 tensor; scrolling a 10,000-row grad ledger.

Run by hand: ``QT_QPA_PLATFORM=offscreen python benchmarks/bench_panels.py``. Prints milliseconds.
"""

from __future__ import annotations

import os
import statistics
import sys
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import numpy as np  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from tests.app.panel_harness import StaticController  # noqa: E402
from visgrad import events  # noqa: E402
from visgrad.trace.model import TraceModel  # noqa: E402


def _big_tensor_model() -> tuple[TraceModel, str]:
    """A 1,000×1,000 leaf with a gradient, as full arrays (no payload limit)."""
    import visgrad as torch

    with events.Recorder() as r:
        w = torch.randn(1000, 1000, requires_grad=True)
        (w * w).sum().backward()
    return TraceModel(r.events), f"t{w._id}"


def _ledger_model(n: int) -> tuple[TraceModel, str]:
    """A leaf whose .grad receives ``n`` contributions (n backward calls of a small graph)."""
    import visgrad as torch

    with events.Recorder() as r:
        x = torch.ones(8, requires_grad=True)
        y = (x * 2).sum()
        for _ in range(n):
            y.backward(retain_graph=True)
    return TraceModel(r.events), f"t{x._id}"


def bench_select_big(app: QApplication, repeats: int = 7) -> list[float]:
    from visgrad.app.panels.inspector import Inspector

    model, key = _big_tensor_model()
    c = StaticController(model)
    c.state()  # the state at the tick is the controller's (cached) job, not the panel's
    insp = Inspector(c)
    insp.resize(600, 800)
    insp.show()
    app.processEvents()
    times = []
    for i in range(repeats):
        c.select("" if i % 2 else key)
        app.processEvents()
        t = time.perf_counter()
        c.select(key)
        insp.refresh()  # what the panel does on a selection (normally on the next event turn)
        insp.repaint()  # table and heatmap painted
        for v in insp.views.values():
            v.heatmap.repaint()
            v.table.viewport().repaint()
        times.append((time.perf_counter() - t) * 1000)
    insp.grab().save("/tmp/bench_inspector_1000x1000.png")
    assert insp.views["Value"].model.rowCount() == 1000
    return times


def bench_ledger(app: QApplication, n: int = 10_000) -> dict[str, float]:
    from visgrad.app.panels.ledger import GradLedger

    t0 = time.perf_counter()
    model, key = _ledger_model(n)
    build = time.perf_counter() - t0
    c = StaticController(model)
    c.state()
    led = GradLedger(c)
    led.resize(1000, 500)
    led.show()
    app.processEvents()
    t = time.perf_counter()
    c.selection = key
    led.refresh()
    led.repaint()
    select_ms = (time.perf_counter() - t) * 1000
    assert led.model.rowCount() == n, led.model.rowCount()
    bar = led.table.verticalScrollBar()
    frames = []
    for v in np.linspace(0, bar.maximum(), 200).astype(int):
        t = time.perf_counter()
        bar.setValue(int(v))
        led.table.viewport().repaint()
        frames.append((time.perf_counter() - t) * 1000)
    led.grab().save("/tmp/bench_ledger_10000.png")
    return {
        "trace_build_s": build,
        "select_ms": select_ms,
        "scroll_frame_median_ms": statistics.median(frames),
        "scroll_frame_max_ms": max(frames),
    }


def main() -> int:
    app = QApplication.instance() or QApplication(sys.argv)
    sel = bench_select_big(app)
    print(
        f"select 1000x1000 tensor (table + heatmap painted): median {statistics.median(sel):.1f} ms,"
        f" max {max(sel):.1f} ms over {len(sel)} selections"
    )
    led = bench_ledger(app)
    print(
        f"ledger of 10,000 contributions: select {led['select_ms']:.1f} ms; scroll frame median "
        f"{led['scroll_frame_median_ms']:.2f} ms, max {led['scroll_frame_max_ms']:.2f} ms "
        f"(trace built in {led['trace_build_s']:.1f} s)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
