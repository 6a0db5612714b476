"""App benchmarks (offscreen): step-to-repaint and zoom/pan frames on a 2,000-node graph, the
longest GUI-thread stall while a 20,000-node trace opens, and a 20,000-node model with module
groups (a deep tiny GPT): its collapsed view's layout, step-to-repaint and whole-graph frames,
collapsed and expanded.

    python benchmarks/bench_app.py [--nodes 2000] [--big 20000] [--model 20000] [--only model]
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


def gpt_events(n_nodes: int) -> list[events.Event]:
    """One forward and backward of a GPT-shaped model deep enough for about ``n_nodes`` nodes."""
    import visgrad.nn as nn
    import visgrad.nn.functional as F

    class Attention(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.qkv, self.proj = nn.Linear(8, 24), nn.Linear(8, 8)

        def forward(self, x):
            q, k, v = self.qkv(x).split(8, dim=2)
            return self.proj(F.scaled_dot_product_attention(q, k, v, is_causal=True))

    class Block(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.ln_1, self.attn = nn.LayerNorm(8), Attention()
            self.ln_2, self.fc, self.out = nn.LayerNorm(8), nn.Linear(8, 32), nn.Linear(32, 8)

        def forward(self, x):
            x = x + self.attn(self.ln_1(x))
            return x + self.out(F.gelu(self.fc(self.ln_2(x))))

    class Deep(nn.Module):
        def __init__(self, n: int) -> None:
            super().__init__()
            self.wte = nn.Embedding(16, 8)
            self.blocks = nn.ModuleList([Block() for _ in range(n)])
            self.head = nn.Linear(8, 16)

        def forward(self, idx):
            x = self.wte(idx)
            for b in self.blocks:
                x = b(x)
            return self.head(x)

    events.reset_seq()
    torch.manual_seed(0)
    with events.Recorder() as rec:
        model = Deep(max(1, n_nodes // 93))  # about 93 nodes per block
        idx = torch.tensor([[1, 2, 3, 4]])
        F.cross_entropy(model(idx).view(-1, 16), torch.tensor([2, 3, 4, 5])).backward()
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


def _median_ms(fn, repeats: int = 5) -> float:
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def bench_model_layout(evs: list[events.Event]) -> None:
    """The layout job's parts on the model's graph, collapsed (as it opens) and expanded."""
    from visgrad.app.graph_geometry import build_geometry
    from visgrad.app.graph_scene import GraphScene
    from visgrad.app.layout_job import AUTO_BUDGET, LAYER_GAP, NODE_GAP
    from visgrad.app.minimap import render_minimap
    from visgrad.app.theme import graph_colors
    from visgrad.graph.build import graph_at
    from visgrad.graph.grouped import view_graph
    from visgrad.graph.groups import auto_expanded, build_tree
    from visgrad.graph.layout_compound import compound_layout
    from visgrad.trace.model import TraceModel

    model = TraceModel(evs)
    state = model.state_at(len(model) - 1)
    scene = GraphScene(graph_colors(False))
    graph = graph_at(state, "iteration")
    tree = build_tree(graph)
    print(f"{graph.number_of_nodes()} nodes, {len(tree.groups)} groups, {len(evs)} events")
    print(
        f"  graph_at {_median_ms(lambda: graph_at(state, 'iteration')):.1f} ms, "
        f"build_tree {_median_ms(lambda: build_tree(graph)):.1f} ms"
    )
    for label, opened in (
        ("collapsed", auto_expanded(tree, AUTO_BUDGET)),
        ("expanded", set(tree.groups)),
    ):

        def view_and_layout(opened=opened) -> None:
            vg = view_graph(graph, tree, opened)
            scene.prepare_graph(vg, state)
            compound_layout(vg, None, "TB", NODE_GAP, LAYER_GAP)

        vg = view_graph(graph, tree, opened)
        print(
            f"  {label} ({vg.number_of_nodes()} drawn): view graph + layout "
            f"{_median_ms(view_and_layout, 3 if label == 'expanded' else 9):.1f} ms (target "
            f"{'<= 50 ms' if label == 'collapsed' else 'background thread'})"
        )
        scene.prepare_graph(vg, state)
        layout = compound_layout(vg, None, "TB", NODE_GAP, LAYER_GAP)
        geometry = build_geometry(vg, layout, state)
        picture = _median_ms(lambda l=layout, g=geometry: render_minimap(l, g, scene.colors))
        print(f"  {label}: minimap picture {picture:.1f} ms (layout thread, once per layout)")


def _frames(app, w, label: str) -> None:
    from PySide6.QtCore import Qt

    c, view = w.controller, w.graph_view
    begin = next(i for i, e in enumerate(c.model.events) if isinstance(e, events.BackwardBegin))
    for where in ("1:1", "fit"):
        if where == "fit":
            view.fit()
        else:
            view.zoom_by(1.0 / view.transform().m11())
        c.go_to(begin)
        app.processEvents()
        wall, cpu = _timed_frames(lambda: (c.step(), _repaint(view)), 120)
        print(f"  {label}: step-to-repaint (backward, {where}): {_stats(wall, cpu)}")
    view.fit()
    flip = [1.02]

    def zoom_frame() -> None:
        flip[0] = 1 / flip[0]
        view.zoom_by(flip[0])
        _repaint(view)

    wall, cpu = _timed_frames(zoom_frame, 40)
    print(f"  {label}: frame after Fit (zooming): {_stats(wall, cpu)}")
    # All of it on screen at once (a tall graph's Fit fills its width and scrolls instead).
    view.fitInView(view.graph_scene.sceneRect(), Qt.AspectRatioMode.KeepAspectRatio)
    view.zoom_by(1.0)
    wall, cpu = _timed_frames(zoom_frame, 40)
    print(
        f"  {label}: whole-graph frame (scale {view.transform().m11():.3f}, zooming): "
        f"{_stats(wall, cpu)}"
    )
    # Every zoom between the whole graph and 1:1, in the middle of the drawing: each level of
    # detail (the overview's picture, boxes with titles over them, cards) has its own cost.
    middle = view.graph_scene.sceneRect().center()
    worst = []
    for scale in (0.05, 0.15, 0.25, 0.4, 0.6, 1.0):
        view.zoom_by(scale / view.transform().m11())
        view.centerOn(middle)
        wall, cpu = _timed_frames(zoom_frame, 30)
        worst.append((p95(cpu), p95(wall), scale))
    print(
        f"  {label}: zoom sweep 0.05-1.0, worst scale {max(worst)[2]}: CPU p95 {max(worst)[0]:.2f}"
        f" ms (wall p95 {max(worst)[1]:.2f} ms); CPU p95 by scale "
        + ", ".join(f"{s}: {c:.1f}" for c, _, s in worst)
    )


def _repaint(view) -> None:
    """Paint what a frame shows now: the graph and, when it is up, the minimap over it."""
    view.repaint()  # the view's children too: the viewport and the minimap


def _timed_frames(frame, n: int) -> tuple[list[float], list[float]]:
    """Wall-clock and GUI-thread CPU milliseconds of ``n`` calls of ``frame``."""
    wall, cpu = [], []
    for _ in range(n):
        t0, c0 = time.perf_counter(), time.thread_time()
        frame()
        wall.append((time.perf_counter() - t0) * 1000)
        cpu.append((time.thread_time() - c0) * 1000)
    return wall, cpu


def _stats(wall: list[float], cpu: list[float]) -> str:
    # On a shared machine the wall clock includes waiting for a core; CPU time is our own cost.
    return (
        f"wall p50 {statistics.median(wall):.2f} ms, p95 {p95(wall):.2f} ms; "
        f"CPU p50 {statistics.median(cpu):.2f} ms, p95 {p95(cpu):.2f} ms (target < 16 ms)"
    )


def bench_model(app, n_nodes: int) -> None:
    from visgrad.app.main_window import MainWindow

    evs = gpt_events(n_nodes)
    bench_model_layout(evs)
    w = MainWindow(panels=False)
    w.resize(1600, 1000)
    w.show()
    c, view = w.controller, w.graph_view
    c.open_events(evs, "bench")
    view.wait_for_layout(120000)
    app.processEvents()
    print(
        f"  opens collapsed: {view.graph_scene.node_count()} drawn, "
        f"{len(view.graph_scene.boxes)} boxes"
    )
    _frames(app, w, "collapsed")
    view.expand_all()
    view.wait_for_layout(300000)
    app.processEvents()
    print(f"  expanded: {view.graph_scene.node_count()} drawn, {len(view.graph_scene.boxes)} boxes")
    _frames(app, w, "expanded")
    w.close()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--nodes", type=int, default=2000)
    ap.add_argument("--big", type=int, default=20000)
    ap.add_argument("--model", type=int, default=20000)
    ap.add_argument("--only", choices=("steps", "open", "model"))
    args = ap.parse_args()
    from visgrad.app.main import create_app

    app = create_app()
    if args.only in (None, "steps"):
        bench_steps(app, args.nodes)
    if args.only in (None, "open"):
        bench_open_big(app, args.big)
    if args.only in (None, "model"):
        bench_model(app, args.model)


if __name__ == "__main__":
    main()
