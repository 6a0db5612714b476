"""Menus, toolbar and shortcuts of the main window: the debugger's commands in one table."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, QSize, Qt
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import QMenu, QSizePolicy, QToolBar, QWidget

from visgrad.app.search_bar import SearchBar
from visgrad.app.theme import icon
from visgrad.demos import list_demos

if TYPE_CHECKING:
    from visgrad.app.main_window import MainWindow

KS = QKeySequence.StandardKey


def _act(
    w: MainWindow,
    text: str,
    slot: Callable[[], object],
    shortcut: str | list | KS | None = None,
    icon_name: str | None = None,
    tip: str = "",
) -> QAction:
    a = QAction(text, w)
    if icon_name:
        a.setIcon(icon(icon_name))
    if isinstance(shortcut, list):
        a.setShortcuts([QKeySequence(s) for s in shortcut])
    elif shortcut is not None:
        a.setShortcut(QKeySequence(shortcut))
    keys = a.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
    a.setToolTip(f"{tip or text.replace('&', '').rstrip('…')}" + (f"  ({keys})" if keys else ""))
    a.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
    a.triggered.connect(lambda *_: slot())
    w.addAction(a)
    return a


def build_actions(w: MainWindow) -> dict[str, QAction]:
    """Create every action of ``w`` and return them by name."""
    return {**_file_actions(w), **_run_actions(w), **_view_actions(w), **_view_choices(w)}


def _file_actions(w: MainWindow) -> dict[str, QAction]:
    return {
        "open_script": _act(w, "Open &Script…", w.choose_script, KS.Open, "open"),
        "open_trace": _act(w, "Open &Trace…", w.choose_trace, "Ctrl+Shift+O", "trace"),
        "save_trace": _act(w, "&Save Trace…", w.choose_save_trace, KS.Save, "save"),
        "export_png": _act(w, "Export View as &PNG…", lambda: w.choose_export("png")),
        "export_svg": _act(w, "Export View as S&VG…", lambda: w.choose_export("svg")),
        "export_dot": _act(w, "Export Graph as &DOT…", lambda: w.choose_export("dot")),
        "export_graphml": _act(w, "Export Graph as &GraphML…", lambda: w.choose_export("graphml")),
        "export_json": _act(w, "Export Graph as &JSON…", lambda: w.choose_export("json")),
        "quit": _act(w, "&Quit", w.close, KS.Quit),
    }


def _run_actions(w: MainWindow) -> dict[str, QAction]:
    """Running the program and travelling through its events."""
    c = w.controller
    return {
        "step_over": _act(
            w,
            "Step &Over",
            c.step_over,
            "F10",
            "step",
            "Step over: run to the next line of your program",
        ),
        "step_into": _act(
            w, "Step &Into", c.step_into, "F11", "step-into", "Step into: run one event"
        ),
        "step_out": _act(
            w,
            "Step O&ut",
            c.step_out,
            "Shift+F11",
            "step-out",
            "Step out: run to the end of this backward pass (or of the forward pass)",
        ),
        "step_forward": _act(
            w,
            "Next &Forward Op",
            c.step_forward_op,
            "F7",
            "next-forward",
            "Run to the next forward op",
        ),
        "step_backward": _act(
            w,
            "Next &Backward Node",
            c.step_backward_node,
            "F8",
            "next-backward",
            "Run to the next node backward executes",
        ),
        "continue": _act(
            w, "&Continue", c.resume, "F5", "continue", "Continue to the next breakpoint or the end"
        ),
        "pause": _act(w, "&Pause", c.pause, "F6", "pause"),
        "stop": _act(w, "S&top", c.stop, "Shift+F5", "stop", "Stop the program"),
        "restart": _act(w, "&Restart", c.restart, "Ctrl+Shift+F5", "restart"),
        "back": _act(
            w,
            "Back One Tick",
            lambda: c.go_to(c.tick - 1),
            "Ctrl+Left",
            "back",
            "Time travel one event back",
        ),
        "forward": _act(
            w,
            "Forward One Tick",
            lambda: c.go_to(c.tick + 1),
            "Ctrl+Right",
            "forward",
            "Time travel one event forward",
        ),
        "live": _act(w, "Go &Live", c.go_live, "Ctrl+End", "live", "Jump to the newest event"),
    }


def _view_actions(w: MainWindow) -> dict[str, QAction]:
    v = w.graph_view
    return {
        "zoom_in": _act(w, "Zoom &In", v.zoom_in, ["Ctrl+=", "Ctrl++"], "zoom-in"),
        "zoom_out": _act(w, "Zoom &Out", v.zoom_out, "Ctrl+-", "zoom-out"),
        "fit": _act(w, "&Fit Graph", v.fit, "F", "fit", "Fit the whole graph"),
        "find": _act(w, "&Find Node…", w.focus_search, KS.Find, "search"),
        "shortcuts": _act(w, "&Keyboard Shortcuts", w.show_shortcuts, "F1"),
        "tour": _act(w, "Quick &Tour", w.show_tour),
    }


def _one_of(w: MainWindow, *choices: QAction) -> None:
    """Make ``choices`` checkable and exclusive, the first one checked."""
    group = QActionGroup(w)
    for x in choices:
        x.setCheckable(True)
        group.addAction(x)
    choices[0].setChecked(True)


def _view_choices(w: MainWindow) -> dict[str, QAction]:
    """The checkable view settings: the layout's direction, the graph's scope, the minimap."""
    v = w.graph_view
    a: dict[str, QAction] = {}
    tb = _act(w, "Top to Bottom", lambda: v.set_direction("TB"), "Ctrl+1", "direction-tb")
    lr = _act(w, "Left to Right", lambda: v.set_direction("LR"), "Ctrl+2", "direction-lr")
    _one_of(w, tb, lr)
    a["direction_tb"], a["direction_lr"] = tb, lr
    it = _act(
        w,
        "Current &Iteration",
        lambda: w.set_graph_scope("iteration"),
        "Ctrl+3",
        "scope-iteration",
        "Show the graph of the current iteration only (PyTorch builds a new one each step)",
    )
    hist = _act(
        w,
        "Whole &History",
        lambda: w.set_graph_scope("all"),
        "Ctrl+4",
        "scope-history",
        "Show every iteration's graph side by side",
    )
    _one_of(w, it, hist)
    a["scope_iteration"], a["scope_all"] = it, hist
    mini = _act(
        w,
        "&Minimap",
        lambda: v.minimap.set_enabled_by_user(mini.isChecked()),
        "M",
        tip="Show the whole graph in a corner; click or drag in it to move the view",
    )
    mini.setCheckable(True)
    mini.setChecked(True)
    a["minimap"] = mini
    return a


def build_menus(w: MainWindow, a: dict[str, QAction]) -> None:
    """File, Run, View and Help menus."""
    mb = w.menuBar()
    file = mb.addMenu("&File")
    file.addAction(a["open_script"])
    demos = file.addMenu("Open &Demo")
    for name, description in list_demos():
        d = demos.addAction(name.replace("_", " ").capitalize())
        d.setToolTip(description)
        d.triggered.connect(lambda *_, n=name: w.controller.open_demo(n))
    file.addAction(a["open_trace"])
    w.recent_menu = QMenu("Open &Recent", w)
    file.addMenu(w.recent_menu)
    file.addSeparator()
    file.addAction(a["save_trace"])
    export = file.addMenu("&Export")
    for k in ("export_png", "export_svg", None, "export_dot", "export_graphml", "export_json"):
        export.addSeparator() if k is None else export.addAction(a[k])
    file.addSeparator()
    file.addAction(a["quit"])

    run = mb.addMenu("&Run")
    for k in (
        "continue",
        "pause",
        "stop",
        "restart",
        None,
        "step_over",
        "step_into",
        "step_out",
        None,
        "step_forward",
        "step_backward",
        None,
        "back",
        "forward",
        "live",
    ):
        run.addSeparator() if k is None else run.addAction(a[k])

    view = mb.addMenu("&View")
    for k in (
        "zoom_in",
        "zoom_out",
        "fit",
        None,
        "direction_tb",
        "direction_lr",
        None,
        "scope_iteration",
        "scope_all",
        None,
        "minimap",
        "find",
    ):
        view.addSeparator() if k is None else view.addAction(a[k])
    view.addSeparator()
    w.panels_menu = view.addMenu("&Panels")

    help_ = mb.addMenu("&Help")
    help_.addAction(a["shortcuts"])
    help_.addAction(a["tour"])
    help_.addSeparator()
    help_.addAction("&About visgrad", w.show_about)


def build_toolbar(w: MainWindow, a: dict[str, QAction]) -> SearchBar:
    """The debugger toolbar; returns its search bar."""
    bar = QToolBar("Debug", w)
    bar.setObjectName("debugToolbar")
    bar.setMovable(False)
    bar.setIconSize(QSize(18, 18))
    bar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonIconOnly)
    w.addToolBar(Qt.ToolBarArea.TopToolBarArea, bar)
    groups = (
        ("open_script", "open_trace", "save_trace"),
        ("continue", "pause", "stop", "restart"),
        ("step_over", "step_into", "step_out", "step_forward", "step_backward"),
        ("back", "forward", "live"),
        ("zoom_out", "zoom_in", "fit", "direction_tb", "direction_lr"),
        ("scope_iteration", "scope_all"),
    )
    for i, group in enumerate(groups):
        if i:
            bar.addSeparator()
        for k in group:
            bar.addAction(a[k])
    spacer = QWidget()
    spacer.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
    bar.addWidget(spacer)
    search = SearchBar(w.graph_view)
    search.setFixedWidth(SEARCH_WIDTH)
    bar.addWidget(search)
    # The search bar takes the room the buttons leave (a 1024-pixel window has 230 of the 470
    # it likes), so it never hides in the toolbar's overflow menu.
    bar.installEventFilter(_SearchFitter(bar, search))
    return search


SEARCH_WIDTH, SEARCH_MIN = 470, 190


class _SearchFitter(QObject):
    """Sizes the toolbar's search bar to the width its buttons leave, whenever it resizes."""

    def __init__(self, bar: QToolBar, search: SearchBar) -> None:
        super().__init__(bar)
        self.bar, self.search = bar, search

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt virtual
        if event.type() == QEvent.Type.Resize:
            self.fit()
        return False

    def fit(self) -> None:
        bar, used = self.bar, 0
        for action in bar.actions():
            widget = bar.widgetForAction(action)
            if widget is None or widget is self.search:
                continue
            if widget.sizePolicy().horizontalPolicy() != QSizePolicy.Policy.Expanding:
                used += widget.sizeHint().width() + bar.layout().spacing()
        margins = bar.contentsMargins()
        room = bar.width() - used - margins.left() - margins.right() - 24  # the handle, a gap
        width = max(SEARCH_MIN, min(SEARCH_WIDTH, room))
        self.search.set_compact(width < SEARCH_WIDTH - 120)
        self.search.setFixedWidth(width)
