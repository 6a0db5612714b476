"""What the window looks like before anything is selected: docks, tab bars, empty panels."""

from __future__ import annotations

from PySide6.QtWidgets import QTabBar

from visgrad.app.main_window import MainWindow
from visgrad.app.panels.inspector import Inspector
from visgrad.app.panels.source import SourcePanel
from visgrad.demos import demo_path

from .panel_harness import StaticController, trace_of

TUTORIAL = str(demo_path("tutorial"))


def test_only_the_four_dock_groups_have_a_tab_bar_at_a_small_window_size(qtbot):
    w = MainWindow()
    qtbot.addWidget(w)
    w.resize(1280, 800)
    w.show()
    qtbot.waitExposed(w)
    shown = sorted(
        [b.tabText(i) for i in range(b.count())]
        for b in w.findChildren(QTabBar)
        if b.isVisibleTo(w) and b.parent() is w
    )
    assert shown == [
        ["Events", "Grad ledger", "Console", "NaN / Inf", "Gradient check", "Training"],
        ["Inspector", "Chain rule"],
        ["Source", "Breakpoints"],
        ["Variables", "Call Stack"],
    ]
    # The panels' own tab widgets keep their tab bars.
    assert not w.panels["inspector"].tabs.tabBar().isHidden()


def test_source_panel_names_the_file_and_keeps_the_full_path_as_tooltip(qtbot):
    c = StaticController(trace_of(TUTORIAL), TUTORIAL)
    src = SourcePanel(c)
    qtbot.addWidget(src)
    src.show()
    c.go_to(3)
    qtbot.waitUntil(lambda: src.path_label.text() == "tutorial.py", timeout=2000)
    assert src.path_label.toolTip() == TUTORIAL


def test_inspector_hides_its_tables_until_a_node_is_selected(qtbot):
    c = StaticController(trace_of(TUTORIAL), TUTORIAL)
    ins = Inspector(c)
    qtbot.addWidget(ins)
    ins.show()
    c.go_to(len(c.model) - 1)
    qtbot.waitUntil(lambda: ins.title.text() == "Select a node in the graph", timeout=2000)
    assert not ins.stats.isVisible() and not ins.tabs.isVisible()
    c.select(c.key_of("w"))
    qtbot.waitUntil(lambda: ins.stats.isVisible() and ins.tabs.isVisible(), timeout=2000)
    assert ins.title.text().startswith("w")
