"""Time travel widgets: the slider strip under the graph and the event list over the log."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, QRect, Qt
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QFontMetrics,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPen,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QSlider,
    QStyle,
    QStyleOptionSlider,
    QTableView,
    QToolButton,
    QWidget,
)

from visgrad.app import formatting as fmt
from visgrad.app.controller import Controller
from visgrad.app.theme import graph_colors, icon, mono_font
from visgrad.trace.index import MARK_NAN, MARK_UNZEROED

Index = QModelIndex | QPersistentModelIndex
# What an event's marks (``TraceModel.marks``) add to its row.
MARK_TEXT = {MARK_NAN: "   ⚠ NaN/Inf", MARK_UNZEROED: "   ⚠ added to an old .grad"}
MARK_TIPS = {
    MARK_NAN: "A NaN or Inf was made here (see the NaN / Inf panel).",
    MARK_UNZEROED: (
        "This gradient was added to a .grad still holding an earlier iteration's: "
        "zero_grad() was not called in between."
    ),
}


class EventListModel(QAbstractListModel):
    """One row per event of the controller's log; texts are made when a row is first shown."""

    def __init__(self, controller: Controller) -> None:
        super().__init__(controller)
        self.controller = controller
        self._rows = len(controller.model)
        self._texts: dict[int, str] = {}
        self._names_seen = 0  # names known when the cached texts were made
        colors = graph_colors()
        self._colors = {
            "forward": colors.node_text,
            "backward": colors.grad,
            "grad": colors.parameter,
            "error": colors.marks["nan"],
            "other": colors.muted_text,
        }
        self._mark_fill = QColor(colors.marks["nan"])
        self._mark_fill.setAlpha(34)
        self.row_font = mono_font(11)
        controller.events_appended.connect(self._on_appended)
        controller.program_changed.connect(self._on_reset)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008 - Qt virtual
        return 0 if parent.isValid() else self._rows

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        row = index.row()
        if not index.isValid() or not 0 <= row < self._rows:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            text = self._texts.get(row)
            if text is None:
                model = self.controller.model
                ev = model.events[row]
                try:
                    text = f"{row:>5}  {fmt.describe(ev, model.names, model.outputs_of)}"
                except Exception as e:  # noqa: BLE001 - one bad row must not empty the list
                    text = f"{row:>5}  ⚠ {ev.kind}: this event cannot be shown ({e!r})"
                self._texts[row] = text
            marks = self.controller.model.marks(row)
            return text + "".join(MARK_TEXT.get(m, "") for m in marks) if marks else text
        if role == Qt.ItemDataRole.ForegroundRole:
            if self.controller.model.marks(row):
                return self._colors["error"]
            return self._colors[fmt.event_category(self.controller.model.events[row])]
        if role == Qt.ItemDataRole.BackgroundRole:
            marks = self.controller.model.marks(row)
            return self._mark_fill if marks else None
        if role == Qt.ItemDataRole.ToolTipRole:
            marks = self.controller.model.marks(row)
            return "\n".join(MARK_TIPS[m] for m in marks if m in MARK_TIPS) or None
        if role == Qt.ItemDataRole.FontRole:
            return self.row_font
        return None

    def _on_appended(self, n: int) -> None:
        if n < self._rows:
            self._on_reset()
            return
        names = len(self.controller.model.names)
        if names != self._names_seen and self._rows:
            # A tensor got its name after rows mentioning it were shown: redraw them with it.
            self._names_seen = names
            self._texts.clear()
            self.dataChanged.emit(self.index(0, 0), self.index(self._rows - 1, 0))
        if n > self._rows:
            self.beginInsertRows(QModelIndex(), self._rows, n - 1)
            self._rows = n
            self.endInsertRows()

    def _on_reset(self, *_: Any) -> None:
        self.beginResetModel()
        self._rows = len(self.controller.model)
        self._texts.clear()
        self._names_seen = len(self.controller.model.names)
        self.endResetModel()


class EventList(QTableView):
    """The log as a list; clicking a row travels to that tick, the cursor's row stays selected.

    A one-column table with fixed row heights rather than a QListView or QTreeView: those lay out
    every row (a Python ``rowCount`` call each) when the cursor first moves after a new log, which
    took 100-200 ms on the GUI thread for 27,000 events; the table's layout is arithmetic.
    """

    def __init__(self, controller: Controller, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.setObjectName("eventList")
        model = EventListModel(controller)
        self.setModel(model)
        self.horizontalHeader().hide()
        self.horizontalHeader().setStretchLastSection(True)
        rows = self.verticalHeader()
        rows.hide()
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        rows.setDefaultSectionSize(QFontMetrics(model.row_font).height() + 4)
        self.setShowGrid(False)
        self.setWordWrap(False)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.clicked.connect(lambda idx: controller.go_to(idx.row()))
        controller.tick_changed.connect(self._follow)

    def _follow(self, tick: int) -> None:
        model = self.model()
        if 0 <= tick < model.rowCount():
            idx = model.index(tick, 0)
            # Decided before setCurrentIndex, which itself scrolls the row just into view.
            hidden = not self.viewport().rect().contains(self.visualRect(idx))
            self.setCurrentIndex(idx)
            if hidden:
                # Centred, so the events around the cursor show too (not pinned to an edge).
                self.scrollTo(idx, QAbstractItemView.ScrollHint.PositionAtCenter)
        else:
            self.clearSelection()


HORIZON_COLOR = "#d97706"  # the line where the kept ticks begin (amber: a note, not an error)


class TickSlider(QSlider):
    """A slider whose track jumps to the tick clicked (Qt's default pages by ten).

    Ticks before ``horizon`` were forgotten for the memory budget: that stretch of the track is
    hatched and ends at a marker line, so the user sees where time travel stops.
    """

    horizon = 0

    def set_horizon(self, tick: int) -> None:
        """Mark the ticks before ``tick`` forgotten (0: none)."""
        if tick != self.horizon:
            self.horizon = tick
            self.setToolTip(
                f"Ticks before {tick:,} were forgotten to stay within the memory budget"
                if tick
                else ""
            )
            self.update()

    def _groove(self) -> tuple[QRect, QRect]:
        opt = QStyleOptionSlider()
        self.initStyleOption(opt)
        style = self.style()
        cc, sc = QStyle.ComplexControl.CC_Slider, QStyle.SubControl
        return (
            style.subControlRect(cc, opt, sc.SC_SliderGroove, self),
            style.subControlRect(cc, opt, sc.SC_SliderHandle, self),
        )

    def horizon_x(self) -> int | None:
        """Where the marker line is drawn (None: nothing forgotten)."""
        if self.horizon <= 0 or self.maximum() <= self.minimum():
            return None
        groove, handle = self._groove()
        span = max(1, groove.width() - handle.width())
        at = min(self.horizon, self.maximum())
        pos = QStyle.sliderPositionFromValue(self.minimum(), self.maximum(), at, span)
        return groove.x() + handle.width() // 2 + pos

    def paintEvent(self, ev: QPaintEvent) -> None:  # noqa: N802 - Qt virtual
        super().paintEvent(ev)
        x = self.horizon_x()
        if x is None:
            return
        groove, _ = self._groove()
        colors = graph_colors()
        p = QPainter(self)
        try:
            # The forgotten stretch greyed and hatched over the track, then the horizon's line.
            mid = groove.center().y()
            band = QRect(groove.x(), mid - 4, max(0, x - groove.x()), 9)
            grey = QColor(colors.muted_text)
            grey.setAlpha(150)
            p.fillRect(band, grey)
            p.fillRect(band, QBrush(QColor(colors.node_text), Qt.BrushStyle.BDiagPattern))
            p.setPen(QPen(QColor(HORIZON_COLOR), 3))
            p.drawLine(x, mid - 9, x, mid + 9)
        finally:
            p.end()

    def mousePressEvent(self, ev: QMouseEvent) -> None:  # noqa: N802 - Qt virtual
        if ev.button() == Qt.MouseButton.LeftButton and self.maximum() > self.minimum():
            opt = QStyleOptionSlider()
            self.initStyleOption(opt)
            style = self.style()
            handle = style.subControlRect(
                QStyle.ComplexControl.CC_Slider, opt, QStyle.SubControl.SC_SliderHandle, self
            )
            if not handle.contains(ev.position().toPoint()):
                groove = style.subControlRect(
                    QStyle.ComplexControl.CC_Slider, opt, QStyle.SubControl.SC_SliderGroove, self
                )
                span = max(1, groove.width() - handle.width())
                x = ev.position().x() - groove.x() - handle.width() / 2
                value = QStyle.sliderValueFromPosition(
                    self.minimum(), self.maximum(), round(x), span, opt.upsideDown
                )
                self.setValue(value)
                # Then the press drags the handle from where it now is.
        super().mousePressEvent(ev)


def tick_name(tick: int) -> str:
    """A moment as the status bar and the panels name it ("tick 12", or "the start": -1)."""
    return f"tick {tick}" if tick >= 0 else "the start"


def tick_text(tick: int, count: int, forgotten: int = 0) -> str:
    """Where the cursor is, in the numbering of the event list and the status bar (a tick
    before ``forgotten`` was let go for the memory budget)."""
    if count == 0:
        return "no events"
    if tick < 0:
        return f"start · {count} events"
    return f"tick {tick} / {count - 1}" + (" · forgotten" if tick < forgotten else "")


class TimelineBar(QWidget):
    """Slider over the ticks, where we are, and the Live button."""

    def __init__(self, controller: Controller, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.setObjectName("timelineBar")
        lay = QHBoxLayout(self)
        lay.setContentsMargins(10, 6, 10, 6)
        lay.setSpacing(10)
        self.phase = QLabel("idle")
        self.phase.setObjectName("phaseChip")
        # As wide as the longest phase (bold, as the stylesheet draws it): the slider beside it
        # keeps its width from forward to backward to optimizer.
        bold = QFont(self.phase.font())
        bold.setBold(True)
        self.phase.setMinimumWidth(QFontMetrics(bold).horizontalAdvance("optimizer") + 24)
        self.phase.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.slider = TickSlider(Qt.Orientation.Horizontal)
        self.slider.setMinimumWidth(160)
        self.slider.setObjectName("timelineSlider")
        self.slider.setRange(-1, -1)
        self.slider.setPageStep(10)
        self.position = QLabel("—")
        self.position.setObjectName("tickLabel")
        self._fit_position(0)
        self.position.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.live = QToolButton()
        self.live.setObjectName("liveButton")
        self.live.setText("Live")
        self.live.setIcon(icon("live"))
        self.live.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.live.setCheckable(True)
        self.live.setToolTip("Follow the running program (jump to the newest event)")
        lay.addWidget(self.phase)
        lay.addWidget(self.slider, 1)
        lay.addWidget(self.position)
        lay.addWidget(self.live)
        self.slider.valueChanged.connect(self._on_slider)
        self.live.clicked.connect(lambda: controller.go_live())
        controller.events_appended.connect(self._on_appended)
        controller.tick_changed.connect(self._on_tick)
        controller.program_changed.connect(lambda *_: self._on_appended(len(controller.model)))

    def _on_slider(self, value: int) -> None:
        if value != self.controller.tick:
            self.controller.go_to(value)

    def _fit_position(self, n: int) -> None:
        """Wide enough for any tick of ``n`` events, so the slider keeps its width while stepping
        (and a short run leaves a small window its room)."""
        fm = self.position.fontMetrics()
        forgotten = self.controller.model.forgotten
        texts = (tick_text(n - 1, n), tick_text(-1, n)) if n > 0 else (tick_text(-1, 0),)
        if forgotten:
            texts += (tick_text(forgotten - 1, n, forgotten),)
        width = max(fm.horizontalAdvance(t.replace("1", "0")) for t in texts) + 8
        self.position.setMinimumWidth(max(70, width))

    def _on_appended(self, n: int) -> None:
        self._fit_position(n)
        self.slider.blockSignals(True)
        self.slider.setRange(-1, max(-1, n - 1))
        self.slider.set_horizon(self.controller.model.forgotten)
        self.slider.setValue(self.controller.tick)
        self.slider.blockSignals(False)
        self._on_tick(self.controller.tick)

    def _on_tick(self, tick: int) -> None:
        c = self.controller
        self.slider.blockSignals(True)
        self.slider.setValue(tick)
        self.slider.blockSignals(False)
        self.position.setText(tick_text(tick, len(c.model), c.model.forgotten))
        self.live.setChecked(c.live)
        phase = c.state().phase if len(c.model) else "idle"
        self.phase.setText(phase)
        self.phase.setProperty("phase", phase)
        self.phase.style().unpolish(self.phase)
        self.phase.style().polish(self.phase)
