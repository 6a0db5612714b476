"""The debugger window: graph in the centre, timeline under it, event list and console docked."""

from __future__ import annotations

import html
from pathlib import Path

from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QDockWidget,
    QFileDialog,
    QLabel,
    QMainWindow,
    QMessageBox,
    QTabBar,
    QVBoxLayout,
    QWidget,
)

from visgrad.app import help as help_
from visgrad.app.actions import build_actions, build_menus, build_toolbar
from visgrad.app.banner import Action, BannerArea
from visgrad.app.breadcrumbs import Breadcrumbs
from visgrad.app.canvas_hint import EmptyCanvasHint, hint_rows
from visgrad.app.contain import ErrorLabel, contained
from visgrad.app.controller import Controller
from visgrad.app.graph_view import GraphView
from visgrad.app.panels import install_panels
from visgrad.app.problems import Problems
from visgrad.app.render import save_scene
from visgrad.app.theme import icon
from visgrad.app.timeline import EventList, TimelineBar, tick_name
from visgrad.graph.export import export_graph

MAX_RECENT = 8
PANEL_MIN_HEIGHT = 60  # pixels: a panel keeps a few rows; below that it scrolls or clips
_RUN_TEXT = {
    "idle": "Ready",
    "running": "Running",
    "paused": "Paused",
    "finished": "Finished",
    "error": "Error",
    "stopped": "Stopped",
    "replay": "Replay",
}


class MainWindow(QMainWindow):
    """The main window; ``controller`` is the model/commands, ``graph_view`` the DAG."""

    def __init__(self, controller: Controller | None = None, *, panels: bool = True) -> None:
        super().__init__()
        self.setObjectName("mainWindow")
        self.setWindowIcon(icon("visgrad"))
        self.resize(1600, 1000)
        self.controller = controller or Controller(self)
        if self.controller.parent() is None:
            self.controller.setParent(self)
        self.graph_view = GraphView()
        self._graph_error = ErrorLabel(self.graph_view)
        self.empty_hint = EmptyCanvasHint(self.graph_view, self.graph_view.colors)
        self.timeline = TimelineBar(self.controller)
        central = QWidget()
        lay = QVBoxLayout(central)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(0)
        self.breadcrumbs = Breadcrumbs(self.graph_view)
        lay.addWidget(self.breadcrumbs)
        # Problems of the run (an exception, NaN/Inf, gradients never zeroed), above the graph.
        self.banners = BannerArea()
        lay.addWidget(self.banners)
        lay.addWidget(self.graph_view, 1)
        lay.addWidget(self.timeline)
        self.setCentralWidget(central)
        self.setDockOptions(
            QMainWindow.DockOption.AnimatedDocks | QMainWindow.DockOption.AllowTabbedDocks
        )
        self.setCorner(Qt.Corner.BottomRightCorner, Qt.DockWidgetArea.RightDockWidgetArea)

        self.actions_by_name = build_actions(self)
        build_menus(self, self.actions_by_name)
        self.search_bar = build_toolbar(self, self.actions_by_name)
        self.search_field = self.search_bar.field

        self.event_list = EventList(self.controller)
        self.events_dock = self.add_panel(
            "Events", self.event_list, Qt.DockWidgetArea.BottomDockWidgetArea, "Ctrl+Shift+E"
        )
        self.resizeDocks([self.events_dock], [190], Qt.Orientation.Vertical)

        self.status_text = QLabel()
        self.status_text.setObjectName("statusText")
        self.status_counts = QLabel()
        self.status_counts.setObjectName("statusCounts")
        self.statusBar().addWidget(self.status_text, 1)
        self.statusBar().addPermanentWidget(self.status_counts)
        self.last_error: tuple[str, str] | None = None

        c = self.controller
        c.tick_changed.connect(self._on_tick)
        c.events_appended.connect(lambda *_: self._update_status())
        c.run_state_changed.connect(self._on_run_state)
        c.paused_at.connect(lambda *_: self._update_status())
        c.program_changed.connect(self._on_program)
        c.selection_changed.connect(self.graph_view.set_selection)
        c.program_failed.connect(self._on_program_failed)
        c.file_failed.connect(self._on_file_failed)
        c.message.connect(lambda m: self.statusBar().showMessage(m, 5000))
        self.graph_view.node_clicked.connect(c.select)
        self.graph_view.group_clicked.connect(c.select)  # the Inspector tells what it holds
        self.graph_view.scene_updated.connect(self._update_status)
        self.graph_view.layout_failed.connect(
            lambda m: self.statusBar().showMessage(f"Layout failed: {m}", 8000)
        )
        self._refresh_recent()
        self.set_graph_scope(self._saved_scope(), remember=False)
        self._update_status()
        self.docks: dict[str, QDockWidget] = {"events": self.events_dock}
        self.panels: dict[str, QWidget] = {}
        if panels:
            self._install_panels()
        self.problems = Problems(self)

    # -- panels ------------------------------------------------------------------------------------
    def _install_panels(self) -> None:
        install_panels(self)
        self.panels["inspector"].describe_group = self.graph_view.group_facts
        bottom = Qt.DockWidgetArea.BottomDockWidgetArea
        # Everything docked at the bottom (events, console, ...) shares one tab group.
        for dock in self.findChildren(QDockWidget):
            if dock is not self.events_dock and self.dockWidgetArea(dock) == bottom:
                self.tabifyDockWidget(self.events_dock, dock)
        self.events_dock.raise_()
        sides = [d for d in self.findChildren(QDockWidget) if self.dockWidgetArea(d) != bottom]
        self.resizeDocks(sides, [330] * len(sides), Qt.Orientation.Horizontal)
        # Tabifying leaves tab bars Qt made along the way as visible children, drawn over the
        # bottom docks at some window sizes; hide them all and let a state round-trip re-show
        # only the ones in use.
        # Direct children only: the panels' own tab widgets have tab bars too.
        for bar in self.findChildren(QTabBar, options=Qt.FindChildOption.FindDirectChildrenOnly):
            bar.hide()
        self.restoreState(self.saveState())

    def add_panel(
        self, title: str, widget: QWidget, area: Qt.DockWidgetArea, shortcut: str | None = None
    ) -> QDockWidget:
        """Dock ``widget``; its toggle goes into View ▸ Panels (with ``shortcut``)."""
        dock = QDockWidget(title, self)
        dock.setObjectName(f"dock_{title.lower().replace(' ', '_')}")
        # The panel's own minimum (labels whose text arrives later, wrapped notes) would set its
        # dock's and move the docks whenever a text changed: the window's split decides instead.
        widget.setMinimumHeight(PANEL_MIN_HEIGHT)
        dock.setWidget(widget)
        dock.setFeatures(
            QDockWidget.DockWidgetFeature.DockWidgetClosable
            | QDockWidget.DockWidgetFeature.DockWidgetMovable
            | QDockWidget.DockWidgetFeature.DockWidgetFloatable
        )
        self.addDockWidget(area, dock)
        toggle = dock.toggleViewAction()
        if shortcut:
            toggle.setShortcut(QKeySequence(shortcut))
        self.panels_menu.addAction(toggle)
        return dock

    # -- reacting to the controller ----------------------------------------------------------------
    def _on_tick(self, tick: int) -> None:
        ok = contained(
            "The graph",
            lambda: self.graph_view.show_state(self.controller.state()),
            self._graph_failed,
        )
        if ok and self._graph_error.isVisible():
            self._graph_error.hide()
        contained("The status bar", self._update_status, self.status_text.setText)

    def _graph_failed(self, text: str) -> None:
        self._graph_error.show_text(text)
        self.statusBar().showMessage(text, 8000)

    def _on_program(self, path: str) -> None:
        self.graph_view.clear()
        if path:
            self._remember(path)
        self._on_tick(self.controller.tick)

    def _on_run_state(self, state: str) -> None:
        a = self.actions_by_name
        alive = state in ("running", "paused")
        a["pause"].setEnabled(state == "running")
        a["stop"].setEnabled(alive)
        a["continue"].setEnabled(state == "paused" or state == "replay")
        a["restart"].setEnabled(self.controller.program_path is not None)
        self._update_status()

    def _on_program_failed(self, summary: str, traceback: str) -> None:
        # No dialog: the banner above the graph says it, with the way to the failing line.
        self.last_error = (summary, traceback)
        self.statusBar().showMessage(f"The program raised {summary}", 15000)

    def _on_file_failed(self, path: str, message: str) -> None:
        self.last_error = (message, "")
        self.show_error(
            "Could not open the file",
            f"{Path(path).name}: {message}",
            [("Open another…", self.choose_trace)],
        )

    def show_error(self, title: str, text: str, actions: list[Action] | None = None) -> None:
        """A problem of the window's own (a file, an export): a banner above the graph, which
        stays usable under it, until the user closes it or a new run starts."""
        body = f"<b>{html.escape(title)}:</b> {html.escape(text)}"
        self.banners.show_problem("window", "error", body, actions or [])
        self.statusBar().showMessage(f"{title}: {text}", 15000)

    def status_line(self) -> str:
        """ "Paused at tick 12 · backward", "Running", "Error: ValueError: ..." — what the user sees."""
        c = self.controller
        run = c.run_state
        where = tick_name(c.tick)
        phase = c.state().phase if len(c.model) else "idle"
        line = c.pause_line() if run == "paused" else None
        if line is not None:
            text = f"Paused at line {line[1]} · {where} · {phase}"
        elif run == "paused":
            text = f"Paused at {where} · {phase}"
        elif run == "error" and self.last_error:
            text = f"Error: {self.last_error[0]}"
        elif run in ("finished", "stopped", "replay"):
            text = f"{_RUN_TEXT[run]} · viewing {where} · {phase}"
        else:
            text = _RUN_TEXT.get(run, run.capitalize())
        if not c.live and run in ("running", "paused"):
            text += " · time travel"
        return text

    def _update_status(self) -> None:
        c = self.controller
        text = self.status_line()
        self.status_text.setText(text)
        scene = self.graph_view.graph_scene
        iteration = c.state().iteration if len(c.model) and c.tick >= 0 else 0
        shown = "history" if self.graph_view.scope == "all" else f"iteration {iteration}"
        self.status_counts.setText(
            (f"{shown} · " if iteration else "")
            + f"{scene.node_count()} nodes · {scene.edge_count()} edges · {len(c.model)} events"
            + (f" ({c.model.forgotten:,} forgotten)" if c.model.forgotten else "")
        )
        name = Path(c.program_path).name if c.program_path else "no program"
        self.setWindowTitle(f"{name} — {text} — visgrad")
        self._update_hint()

    def _update_hint(self) -> None:
        """What to press, over the canvas while it has no node to draw."""
        c, view = self.controller, self.graph_view
        if view.graph_scene.node_count() or view.layout_pending:
            self.empty_hint.hide()
            return
        run = c.run_state
        if run == "paused":
            title = "Paused before the first op" if c.tick < 0 else "Paused · no graph yet"
        elif run == "running":
            title = "Running · the graph appears with the first op"
        elif not len(c.model):
            title = "No program open" if c.program_path is None else "Starting the program…"
        else:
            title = "No graph at this tick · drag the timeline to travel in time"
        rows = hint_rows(self.actions_by_name, program=run == "paused")
        self.empty_hint.show_hint(title, rows)

    # -- commands ----------------------------------------------------------------------------------
    @staticmethod
    def _saved_scope() -> str:
        scope = QSettings("visgrad", "visgrad").value("graph_scope", "iteration")
        return scope if scope in ("iteration", "all") else "iteration"

    def set_graph_scope(self, scope: str, *, remember: bool = True) -> None:
        """Draw the current iteration's graph ("iteration") or the whole history ("all")."""
        self.graph_view.set_scope(scope)
        key = "scope_iteration" if scope == "iteration" else "scope_all"
        self.actions_by_name[key].setChecked(True)
        if remember:
            QSettings("visgrad", "visgrad").setValue("graph_scope", scope)
        self._update_status()

    def focus_search(self) -> None:
        self.search_bar.focus()

    def choose_script(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open Script", "", "Python (*.py)")
        if path:
            self.controller.open_script(path)

    def choose_trace(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open Trace", "", "visgrad trace (*.vgtrace)")
        if path:
            self.open_path(path)

    def open_path(self, path: str) -> None:
        """A script runs; a ``.vgtrace`` is replayed."""
        if path.endswith(".vgtrace"):
            self._remember(path)
            self.controller.open_trace(path)
        else:
            self.controller.open_script(path)

    def choose_save_trace(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self, "Save Trace", "run.vgtrace", "visgrad trace (*.vgtrace)"
        )
        if path:
            self.controller.save_trace(path)

    def choose_export(self, kind: str) -> None:
        filters = {
            "png": "PNG image (*.png)",
            "svg": "SVG image (*.svg)",
            "dot": "Graphviz (*.dot)",
            "graphml": "GraphML (*.graphml)",
            "json": "JSON node-link (*.json)",
        }
        path, _ = QFileDialog.getSaveFileName(self, "Export", f"graph.{kind}", filters[kind])
        if path:
            self.export(path)

    def export(self, path: str) -> None:
        """Write the view (.png/.svg) or the graph drawn at the cursor (.dot/.graphml/.json)."""
        try:
            if path.lower().endswith((".png", ".svg")):
                note = lambda m: self.statusBar().showMessage(m, 10000)  # noqa: E731
                save_scene(self.graph_view.graph_scene, path, note=note)
            else:
                export_graph(
                    self.controller.model,
                    path,
                    tick=max(self.controller.tick, 0),
                    scope=self.graph_view.scope,
                )
        except (OSError, ValueError) as e:
            self.show_error("Export failed", str(e))
            return
        self.statusBar().showMessage(f"Exported {path}", 5000)

    def show_shortcuts(self) -> None:
        """Help ▸ Keyboard Shortcuts: every key of the window, from its actions."""
        rows = help_.shortcut_rows(self.actions_by_name, self.panels_menu.actions())
        help_.open_dialog(self, help_.ShortcutsDialog(rows))

    def show_tour(self) -> None:
        """Help ▸ Quick Tour."""
        help_.open_dialog(self, help_.TourDialog())

    def show_about(self) -> None:
        QMessageBox.about(self, "About visgrad", "visgrad — see and debug backpropagation.")

    # -- recent files ------------------------------------------------------------------------------
    def _remember(self, path: str) -> None:
        s = QSettings("visgrad", "visgrad")
        recent = [p for p in (s.value("recent") or []) if p != path]
        s.setValue("recent", [path, *recent][:MAX_RECENT])
        self._refresh_recent()

    def _refresh_recent(self) -> None:
        menu = self.recent_menu
        menu.clear()
        recent = QSettings("visgrad", "visgrad").value("recent") or []
        if isinstance(recent, str):
            recent = [recent]
        for p in recent:
            menu.addAction(Path(p).name, lambda p=p: self.open_path(p)).setToolTip(p)
        menu.setEnabled(bool(recent))

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt virtual
        self.controller.shutdown()
        self.graph_view.shutdown()
        super().closeEvent(event)
