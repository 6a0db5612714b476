"""Debugger panels around the graph: inspector, chain rule, grad ledger, source, console,
breakpoints, variables, call stack, NaN/Inf origin, gradient check and training. ``install_panels(window)`` docks them all.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt

from visgrad.app.panels.base import Marks
from visgrad.app.panels.breakpoints import BreakpointsPanel
from visgrad.app.panels.call_stack import CallStackPanel
from visgrad.app.panels.chain_rule import ChainRulePanel
from visgrad.app.panels.console import ConsolePanel
from visgrad.app.panels.gradcheck import GradcheckPanel
from visgrad.app.panels.inspector import Inspector
from visgrad.app.panels.ledger import GradLedger
from visgrad.app.panels.nan_origin import NanOriginPanel
from visgrad.app.panels.source import SourcePanel
from visgrad.app.panels.training import TrainingPanel
from visgrad.app.panels.variables import VariablesPanel


def install_panels(window: Any) -> dict[str, Any]:
    """Create every panel for ``window.controller`` and dock it with ``window.add_panel``."""
    c = window.controller
    marks = Marks(window)
    right = Qt.DockWidgetArea.RightDockWidgetArea
    left = Qt.DockWidgetArea.LeftDockWidgetArea
    bottom = Qt.DockWidgetArea.BottomDockWidgetArea
    panels: dict[str, Any] = {
        "inspector": Inspector(c),
        "chain_rule": ChainRulePanel(c),
        "ledger": GradLedger(c),
        "source": SourcePanel(c),
        "breakpoints": BreakpointsPanel(c, window),
        "console": ConsolePanel(c),
        "nan": NanOriginPanel(c, marks),
        "gradcheck": GradcheckPanel(c, marks),
        "training": TrainingPanel(c),
        "variables": VariablesPanel(c, center_on=window.graph_view.center_on),
    }
    panels["call_stack"] = CallStackPanel(c, go_to_line=lambda f, n: _show_line(window, f, n))
    layout = [
        ("Inspector", "inspector", right, "Alt+I"),
        ("Chain rule", "chain_rule", right, "Alt+C"),
        ("Grad ledger", "ledger", bottom, "Alt+L"),
        ("Source", "source", left, "Alt+S"),
        ("Breakpoints", "breakpoints", left, "Alt+B"),
        ("Variables", "variables", left, "Alt+V"),
        ("Call Stack", "call_stack", left, "Alt+K"),
        ("Console", "console", bottom, "Alt+O"),
        ("NaN / Inf", "nan", bottom, "Alt+N"),
        ("Gradient check", "gradcheck", bottom, "Alt+G"),
        ("Training", "training", bottom, "Alt+T"),
    ]
    docks = {}
    for title, key, area, shortcut in layout:
        docks[key] = window.add_panel(title, panels[key], area, shortcut)
    # Panels that share a side open as tabs (the window itself groups everything at the bottom).
    for group in (
        ("inspector", "chain_rule"),
        ("source", "breakpoints"),
        ("variables", "call_stack"),
    ):
        present = [docks[k] for k in group if docks.get(k) is not None]
        for first, second in zip(present, present[1:], strict=False):
            window.tabifyDockWidget(first, second)
        if present:
            present[0].raise_()
    window.panels = panels
    window.panel_marks = marks
    if isinstance(getattr(window, "docks", None), dict):
        window.docks.update(docks)
    else:
        window.docks = docks
    return panels


def _show_line(window: Any, file: str, line: int) -> None:
    """A call-stack frame's line, in the Source panel (brought to the front)."""
    dock = window.docks.get("source")
    if dock is not None:
        dock.show()
        dock.raise_()
    window.panels["source"].go_to_line(file, line)
