"""Help: the keyboard shortcuts (read from the window's own actions, so never out of date) and
a short tour of the window for a first run."""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import Any

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

# The debugger's keys first, in the order a user meets them.
SHORTCUT_ORDER = (
    "continue",
    "step_over",
    "step_into",
    "step_out",
    "step_forward",
    "step_backward",
    "pause",
    "stop",
    "restart",
    "back",
    "forward",
    "live",
    "fit",
    "zoom_in",
    "zoom_out",
    "direction_tb",
    "direction_lr",
    "scope_iteration",
    "scope_all",
    "find",
    "open_script",
    "open_trace",
    "save_trace",
)


def _keys(a: QAction) -> str:
    fmt = QKeySequence.SequenceFormat.NativeText
    return " / ".join(k.toString(fmt) for k in a.shortcuts() if not k.isEmpty())


def shortcut_rows(
    actions: dict[str, QAction], panels: Sequence[QAction] = ()
) -> list[tuple[str, str]]:
    """(keys, what they do) for every action with a shortcut, debugger keys first."""
    rows = []
    order = [k for k in SHORTCUT_ORDER if k in actions] + sorted(
        k for k in actions if k not in SHORTCUT_ORDER
    )
    for k in order:
        a = actions[k]
        keys = _keys(a)
        if keys:
            what = a.toolTip().rsplit("  (", 1)[0] or a.text().replace("&", "")
            rows.append((keys, what))
    for a in panels:
        keys = _keys(a)
        if keys:
            rows.append((keys, f"Show or hide the {a.text().replace('&', '')} panel"))
    return rows


def shortcuts_html(rows: list[tuple[str, str]]) -> str:
    body = "".join(
        f"<tr><td style='padding:2px 14px 2px 0'><b>{html.escape(k)}</b></td>"
        f"<td>{html.escape(v)}</td></tr>"
        for k, v in rows
    )
    return (
        "<p>The debugger's keys are Visual Studio Code's: <b>F5</b> continue, <b>F10</b> step "
        "over a line, <b>F11</b> step into (one event), <b>Shift+F11</b> step out (to the end "
        "of the forward or backward pass), <b>Shift+F5</b> stop.</p>"
        f"<table>{body}</table>"
    )


class ShortcutsDialog(QDialog):
    """Help ▸ Keyboard Shortcuts."""

    def __init__(self, rows: list[tuple[str, str]], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Keyboard Shortcuts")
        self.text = QTextBrowser()
        self.text.setHtml(shortcuts_html(rows))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addWidget(self.text)
        lay.addWidget(buttons)
        self.resize(560, 620)


TOUR = (
    (
        "Your program, step by step",
        "visgrad runs your script in a separate process, paused before its first line. "
        "Press <b>F10</b> to run one line (what it calls runs too), <b>F11</b> to run a single "
        "event (one op, one backward node, one gradient added), <b>F5</b> to run on to the next "
        "breakpoint or the end. Click the Source panel's margin to set a line breakpoint.",
    ),
    (
        "The graph",
        "Every tensor is a card: its name, shape and first values, and once backward has "
        "reached it, <b>∇</b> — the gradient of the loss with respect to it. Ovals are the "
        "functions autograd records (<i>MulBackward0</i>). During backward the edge carrying "
        "a gradient is drawn in red. Click a node to inspect it; F fits the graph.",
    ),
    (
        "Time travel",
        "Every event is kept. Drag the slider under the graph, click a row of the Events list, "
        "or press <b>Ctrl+Left</b> / <b>Ctrl+Right</b> to go back and forth; the graph, the "
        "panels and the source line follow. <b>Ctrl+End</b> returns to the running program.",
    ),
    (
        "Where things went wrong",
        "An exception is shown where it happened: the op that failed drawn in red with its "
        "inputs, your failing line in red, the Call Stack of your frames. A NaN or Inf, and "
        "gradients summed over iterations without <code>zero_grad()</code>, raise a banner "
        "above the graph with a button that takes you to the cause.",
    ),
    (
        "While paused",
        "The Variables panel lists the locals of your frame and the script's globals — "
        "numbers, strings, tensors with their shape and values, modules and optimizers. "
        "Click a tensor to find it in the graph. Help ▸ Keyboard Shortcuts lists every key.",
    ),
)


class TourDialog(QDialog):
    """Help ▸ Quick Tour: a few pages on what the window shows and how to drive it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Quick Tour of visgrad")
        self.page = 0
        self.title = QLabel()
        self.title.setStyleSheet("font-size:15px; font-weight:600;")
        self.body = QLabel()
        self.body.setWordWrap(True)
        self.body.setMinimumHeight(120)
        self.count = QLabel()
        self.back = QPushButton("Back")
        self.next = QPushButton("Next")
        close = QPushButton("Close")
        self.back.clicked.connect(lambda: self.show_page(self.page - 1))
        self.next.clicked.connect(lambda: self.show_page(self.page + 1))
        close.clicked.connect(self.accept)
        row = QHBoxLayout()
        row.addWidget(self.count)
        row.addStretch(1)
        for b in (self.back, self.next, close):
            row.addWidget(b)
        lay = QVBoxLayout(self)
        lay.addWidget(self.title)
        lay.addWidget(self.body, 1)
        lay.addLayout(row)
        self.resize(520, 260)
        self.show_page(0)

    def show_page(self, i: int) -> None:
        self.page = max(0, min(i, len(TOUR) - 1))
        title, text = TOUR[self.page]
        self.title.setText(title)
        self.body.setText(text)
        self.count.setText(f"{self.page + 1} / {len(TOUR)}")
        self.back.setEnabled(self.page > 0)
        self.next.setEnabled(self.page < len(TOUR) - 1)


def open_dialog(window: Any, dialog: QDialog) -> QDialog:
    """Show ``dialog`` without blocking the window (the program may be running)."""
    dialog.setParent(window, dialog.windowFlags())
    # Never taller or wider than the window (a 1024×640 screen).
    room = window.size()
    dialog.resize(
        min(dialog.width(), max(320, room.width() - 40)),
        min(dialog.height(), max(240, room.height() - 60)),
    )
    dialog.open()
    window.help_dialog = dialog
    return dialog
