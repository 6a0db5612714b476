"""Problems the run had, raised where the user looks: a banner above the graph, the status bar.

Three kinds, each found by the trace model (this only reads its queries): the program raised
(``State.error`` at the head), a value or gradient went NaN/Inf (``TraceModel.nan_origins``), a
gradient was added onto a ``.grad`` left from an earlier iteration (``unzeroed_grads``: a training
loop without ``zero_grad()``). Each banner has the actions that lead to the cause. A fourth, a
note rather than a problem: the trace forgot its oldest events to stay within the memory budget
(``TraceModel.forgotten``; ``trace/horizon.py``).
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject

from visgrad.trace import horizon
from visgrad.trace.state import fkey, tkey

if TYPE_CHECKING:
    from visgrad.app.main_window import MainWindow


def _where(source: Any) -> str:
    if not source:
        return ""
    file, line, func = source[:3]
    inside = "" if func == "<module>" else f" in {func}()"
    return f" at {os.path.basename(file)}:{line}{inside}"


class Problems(QObject):
    """Watches the window's run and shows one banner per problem found."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.banners = window.banners
        c = self.controller = window.controller
        self._seen: tuple[Any, int, int, bool] = (None, 0, 0, False)
        self._forgotten = 0  # events forgotten when the banner was last written
        c.events_appended.connect(self.scan)
        c.program_changed.connect(self.reset)
        c.program_failed.connect(self._failed)

    def reset(self, *_: Any) -> None:
        self._seen = (None, 0, 0, False)
        self._forgotten = 0
        self.banners.clear()

    # -- finding -----------------------------------------------------------------------------------
    def scan(self, *_: Any) -> None:
        """Raise what the events so far show and was not raised yet."""
        model = self.controller.model
        seen_model, nans, unzeroed, errored = self._seen
        if model is not seen_model:
            nans = unzeroed = 0
            errored = False
        origins = model.nan_origins()
        if len(origins) > nans:
            self._nan(origins)
        stale = model.unzeroed_grads()
        if len(stale) > unzeroed:
            self._unzeroed(stale)
        error = model.state_at(len(model) - 1).error if len(model) else None
        if error is not None and not errored:
            self._error(error)
        self._seen = (model, len(origins), len(stale), errored or error is not None)
        if model.forgotten != self._forgotten:
            self._forgot(model)

    def _forgot(self, model: Any) -> None:
        """Say the trace forgot events; once closed, the banner only keeps its count current."""
        first = not self._forgotten
        self._forgotten = n = model.forgotten
        if not n:
            self.banners.clear("forgotten")
            return
        text = _escape(horizon.note(n, model.memory_budget_bytes, len(model.kept_events)))
        actions = [("Go to first kept", lambda: self.controller.go_to(model.forgotten))]
        self.banners.show_problem("forgotten", "info", text, actions, reveal=first)
        if first:
            self.window.statusBar().showMessage(
                f"{n:,} earlier events forgotten (memory budget)", 15000
            )

    def _failed(self, summary: str, traceback: str) -> None:
        """A run that failed without a ProgramError of the program's (refused, did not start)."""
        model = self.controller.model
        if len(model) and model.state_at(len(model) - 1).error is not None:
            return  # the scan shows it, with its line and node
        self.banners.show_problem(
            "error", "error", f"<b>The run failed:</b> {_escape(summary)}", [self._console()]
        )

    # -- the banners -------------------------------------------------------------------------------
    def _error(self, err: Any) -> None:
        self.window.last_error = (f"{err.exc_type}: {err.message}", err.traceback)
        text = f"<b>{_escape(err.exc_type)}</b>{_where(err.source)}: {_escape(err.message)}"
        actions = []
        if err.source:
            actions.append(("Go to line", lambda: self.go_to_line(err.source[0], err.source[1])))
        if err.op:
            actions.append(("Show node", lambda: self.show_node(fkey(-err.seq))))
        actions.append(self._console())
        self.banners.show_problem("error", "error", text, actions)

    def _nan(self, origins: list[Any]) -> None:
        o = origins[0]
        what = o.name or o.forward_op or "an op"
        more = f" ({len(origins)} places in all)" if len(origins) > 1 else ""
        text = f"<b>NaN/Inf</b> first made by {_escape(what)}{_where(o.source)}{more}."
        self.banners.show_problem(
            "nan", "warning", text, [("Go to origin", lambda: self.go_to_origin(o))]
        )
        self.window.statusBar().showMessage(f"The run produced NaN/Inf: {what}", 15000)

    def _unzeroed(self, stale: list[Any]) -> None:
        u = stale[0]
        state = self.controller.model.state_at(u.tick)
        ts = state.tensors.get(u.tensor)
        name = ts.name if ts is not None else tkey(u.tensor)
        names = {u.tensor for u in stale}
        others = f" (and {len(names) - 1} more)" if len(names) > 1 else ""
        text = (
            f"<b>{_escape(name)}.grad{others}</b> summed the gradients of iterations "
            f"{u.since_iteration} and {u.iteration}: <code>zero_grad()</code> was not called "
            "between them."
        )
        self.banners.show_problem(
            "unzeroed", "warning", text, [("Show", lambda: self.show_tick(u.tick, tkey(u.tensor)))]
        )
        self.window.statusBar().showMessage(
            f"{name}.grad accumulated across iterations without zero_grad()", 15000
        )

    def _console(self) -> tuple[str, Any]:
        return ("Console", lambda: self.raise_panel("console"))

    # -- the actions -------------------------------------------------------------------------------
    def raise_panel(self, key: str) -> None:
        dock = getattr(self.window, "docks", {}).get(key)
        if dock is not None:
            dock.show()
            dock.raise_()

    def go_to_line(self, file: str, line: int) -> None:
        self.controller.go_live()
        self.raise_panel("source")
        source = getattr(self.window, "panels", {}).get("source")
        if source is not None:
            source.go_to_line(file, line)

    def show_node(self, key: str) -> None:
        self.controller.go_live()
        self.controller.select(key)
        self.window.graph_view.center_on(key)

    def show_tick(self, tick: int, key: str) -> None:
        self.controller.go_to(tick)
        self.controller.select(key)
        self.window.graph_view.center_on(key)

    def go_to_origin(self, origin: Any) -> None:
        self.controller.go_to(origin.tick)
        self.raise_panel("nan")
        panel = getattr(self.window, "panels", {}).get("nan")
        if panel is not None:
            panel.show_origin(origin)
        elif origin.select:
            self.controller.select(origin.select)
            self.window.graph_view.center_on(origin.select)


def _escape(text: str) -> str:
    import html

    return html.escape(str(text))
