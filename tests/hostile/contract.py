"""The validation contract, as code: whatever passes the validator renders everywhere.

``exercise_model`` drives every consumer that needs no window (the model at every tick, the graph
of each scope, the ledgers, the NaN origin, the event texts, every graph export, saving and
reloading, ``visgrad info``); ``exercise_views`` adds the window with every panel, time travel,
selection of each node, and the PNG/SVG render. Any exception escapes and fails the test.
"""

from __future__ import annotations

import itertools
from pathlib import Path

from visgrad import events
from visgrad.app import formatting as fmt
from visgrad.graph.build import graph_at
from visgrad.graph.export import export_graph
from visgrad.trace.files import info_text, load_trace, save_trace
from visgrad.trace.model import TraceModel
from visgrad.trace.validate import EventValidator

GRAPH_FORMATS = (".dot", ".graphml", ".json")


def validated(evs: list[events.Event]) -> list[events.Event]:
    """The events, each checked by one run's validator (raises at the first bad one)."""
    v = EventValidator()
    for ev in evs:
        v.check(ev)
    return evs


def ticks_of(n: int, most: int = 64) -> list[int]:
    """Every tick of a short run; of a long one, the ends and an even spread between."""
    if n + 1 <= most:
        return list(range(-1, n))
    step = max(1, n // most)
    return sorted({-1, 0, n - 1, *range(0, n, step)})


def exercise_model(evs: list[events.Event], tmp: Path, budget: int | None = None) -> TraceModel:
    """Every window-free consumer of a validated run; returns the model."""
    model = TraceModel(evs, memory_budget_bytes=budget)
    assert model.fold_errors == [], model.fold_errors[:3]
    names = model.names
    for ev in model.events:
        fmt.describe(ev, names)
        fmt.event_category(ev)
    stats = model.training
    stats.parameters()
    stats.all_markers()
    for tick in ticks_of(len(model)):
        s = model.state_at(tick)
        for scope in ("all", "iteration"):
            graph_at(s, scope)
        for t in itertools.islice(s.tensors.values(), 50):
            model.ledger(t.id, tick)
            model.previous_change(t.id, tick)
            model.gradient_at(t.id, tick)
            model.grad_leaf_of(t.id)
            model.node_id(t.id)
            fmt.preview(t.value)
            fmt.preview(t.grad)
            fmt.norm(t.grad)
            fmt.grad_line(t.grad, t.grad_contributions)
            fmt.shape_text(t.shape)
        for f in itertools.islice(s.functions.values(), 50):
            model.outputs_of(f.id)
        model.nan_origins(tick)
        model.nan_origin(tick)
        model.unzeroed_grads(tick)
        model.marks(tick)
        model.source_tick(tick)
        model.next_tick(events.ForwardOp, tick)
    model.marked_ticks("nan")
    for ext in GRAPH_FORMATS:
        export_graph(model, tmp / f"graph{ext}")
        export_graph(model, tmp / f"graph{ext}", tick=0, scope="iteration")
    path = tmp / "again.vgtrace"
    save_trace(path, model)
    again = load_trace(path)
    assert len(again) == len(model)
    info_text(path)
    return model


def exercise_views(window, evs: list[events.Event], tmp: Path, budget: int | None = None) -> None:
    """The window with every panel over the run: ticks, every node selected, renders, exports.

    ``window`` is a ``MainWindow`` with panels; exceptions in Qt callbacks fail the test through
    pytest-qt, the rest escape from here.
    """
    from PySide6.QtCore import QEvent
    from PySide6.QtWidgets import QApplication

    from visgrad.app.render import export_image, save_scene

    c = window.controller
    c.open_events(TraceModel(evs, memory_budget_bytes=budget), "fuzz.vgtrace")
    view = window.graph_view
    assert view.wait_for_layout(20_000), "the layout did not finish"
    for tick in ticks_of(len(c.model), most=8):
        c.go_to(tick)
        assert view.wait_for_layout(20_000), "the layout did not finish"
        keys = list(graph_at(c.state(), view.scope).nodes)[:12]
        for key in ["", *keys]:
            c.select(key)
            for panel in window.panels.values():
                for name in ("refresh", "scan"):
                    if hasattr(panel, name):
                        getattr(panel, name)()
        QApplication.processEvents()
        # Outside an event loop, deleteLater() waits for this (the panels rebuild their rows).
        QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    window.grab()
    for ext in (".png", ".svg"):
        save_scene(view.graph_scene, tmp / f"view{ext}")
        export_image(c.model, tmp / f"export{ext}")
