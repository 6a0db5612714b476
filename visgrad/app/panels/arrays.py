"""Array widgets shared by the panels: a lazy table model, a heatmap with a colour bar, a viewer.

Nothing here copies or formats a whole array up front: the table formats only the cells Qt asks
for, and the heatmap is one vectorised NumPy pass into a QImage, so a 1,000×1,000 tensor shows at
once.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QImage, QLinearGradient, QPainter, QPen, QPixmap
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QSizePolicy,
    QSpinBox,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from visgrad.app.panels.colormaps import heat_colors, heat_image
from visgrad.app.theme import is_dark
from visgrad.trace.summary import ArraySummary

BAD_BG = QColor("#ffd6d6")
BAD_FG = QColor("#a00000")
CHANGED_BG = QColor("#fff3c4")
# In dark mode the light tints would put the table's light text on a light cell.
DARK_BAD_BG = QColor("#5c2227")
DARK_BAD_FG = QColor("#ffb3b3")
DARK_CHANGED_BG = QColor("#4d4322")
MONO = QFont("DejaVu Sans Mono")
MONO.setStyleHint(QFont.StyleHint.Monospace)
MONO.setPointSize(9)
Index = QModelIndex | QPersistentModelIndex


def fmt(x: float) -> str:
    """A number for a cell or a stats line: short, and exact enough to compare by eye."""
    if x != x:
        return "nan"
    if x in (float("inf"), float("-inf")):
        return "inf" if x > 0 else "-inf"
    if x == 0:
        return "0"
    ax = abs(x)
    if 1e-4 <= ax < 1e6:
        return f"{x:.6g}"
    return f"{x:.4e}"


def as_2d(a: np.ndarray, lead: tuple[int, ...] = ()) -> np.ndarray:
    """A 2-D view of ``a``: 0-d as 1×1, 1-d as a row, n-d as the slice ``a[lead]``."""
    if a.ndim == 0:
        return a.reshape(1, 1)
    if a.ndim == 1:
        return a.reshape(1, -1) if a.shape[0] <= 64 else a.reshape(-1, 1)
    if a.ndim > 2:
        return a[tuple(lead) + (slice(None), slice(None))]
    return a


class ArrayTableModel(QAbstractTableModel):
    """A 2-D slice of an array; cells are formatted only when shown."""

    def __init__(self, parent: Any = None, dark: bool | None = None) -> None:
        super().__init__(parent)
        dark = is_dark() if dark is None else dark
        self._bad_bg, self._bad_fg = (DARK_BAD_BG, DARK_BAD_FG) if dark else (BAD_BG, BAD_FG)
        self._changed_bg = DARK_CHANGED_BG if dark else CHANGED_BG
        self._a: np.ndarray = np.zeros((0, 0))
        self._changed: np.ndarray | None = None
        self._float = False

    def set_array(self, a: np.ndarray | None, changed: np.ndarray | None = None) -> None:
        """Show ``a`` (2-D); ``changed`` is a same-shape mask of cells to tint."""
        self.beginResetModel()
        self._a = np.zeros((0, 0)) if a is None else a
        self._float = self._a.dtype.kind == "f"
        self._changed = changed if changed is not None and changed.shape == self._a.shape else None
        self.endResetModel()

    def array(self) -> np.ndarray:
        return self._a

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else self._a.shape[0]

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else self._a.shape[1]

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        if role == Qt.ItemDataRole.DisplayRole or role == Qt.ItemDataRole.ToolTipRole:
            v = self._a[index.row(), index.column()]
            return fmt(float(v)) if self._float else str(v.item())
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if self._float and role in (Qt.ItemDataRole.BackgroundRole, Qt.ItemDataRole.ForegroundRole):
            v = self._a[index.row(), index.column()]
            if not np.isfinite(v):
                return self._bad_bg if role == Qt.ItemDataRole.BackgroundRole else self._bad_fg
            if role == Qt.ItemDataRole.BackgroundRole and self._changed is not None:
                if self._changed[index.row(), index.column()]:
                    return self._changed_bg
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:  # noqa: N802
        if role == Qt.ItemDataRole.DisplayRole:
            return str(section)
        return None


class Heatmap(QWidget):
    """The array as an image, nearest-neighbour scaled, with a colour bar and its min/max."""

    def __init__(self, parent: QWidget | None = None, dark: bool | None = None) -> None:
        super().__init__(parent)
        self.colors = heat_colors(dark)
        self._img: QImage | None = None
        self._lo = self._hi = 0.0
        self._div = False
        self._lut: np.ndarray = self.colors.sequential
        self._scaled: tuple[tuple[int, int], QPixmap] | None = None
        self.setMinimumHeight(90)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def set_array(self, a2: np.ndarray | None) -> None:
        if a2 is None or a2.size == 0 or a2.dtype.kind not in "biuf":
            self._img = None
        else:
            self._img, self._lo, self._hi, self._div = heat_image(a2, self.colors)
            self._lut = self.colors.diverging if self._div else self.colors.sequential
        self._scaled = None
        self.update()

    def range(self) -> tuple[float, float, bool]:
        return self._lo, self._hi, self._div

    def image(self) -> QImage | None:
        return self._img

    def paintEvent(self, _ev: Any) -> None:  # noqa: N802
        p = QPainter(self)
        colors = self.colors
        p.fillRect(self.rect(), colors.background)
        if self._img is None:
            p.setPen(colors.muted)
            p.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, "no numbers to draw")
            return
        bar_w, label_w, pad = 12, 64, 6
        avail_w = self.width() - bar_w - label_w - 3 * pad
        avail_h = self.height() - 2 * pad
        iw, ih = self._img.width(), self._img.height()
        s = min(avail_w / iw, avail_h / ih)
        dw, dh = max(1.0, iw * s), max(1.0, ih * s)
        target = QRectF(pad, pad + (avail_h - dh) / 2, dw, dh)
        key = (int(dw), int(dh))
        if self._scaled is None or self._scaled[0] != key:
            # Scale once per size (nearest neighbour: every entry stays a crisp block).
            self._scaled = (
                key,
                QPixmap.fromImage(
                    self._img.scaled(
                        key[0],
                        key[1],
                        Qt.AspectRatioMode.IgnoreAspectRatio,
                        Qt.TransformationMode.FastTransformation,
                    )
                ),
            )
        p.drawPixmap(int(target.x()), int(target.y()), self._scaled[1])
        p.setPen(QPen(colors.frame))
        p.drawRect(target)
        # Colour bar: top is the max, bottom the min (0 sits in the middle of a diverging scale).
        bx = target.right() + pad
        by, bh = pad, avail_h
        grad = QLinearGradient(0, by + bh, 0, by)
        for k in range(0, 256, 32):
            c = self._lut[k]
            grad.setColorAt(k / 255, QColor(int(c[2]), int(c[1]), int(c[0])))
        c = self._lut[255]
        grad.setColorAt(1.0, QColor(int(c[2]), int(c[1]), int(c[0])))
        p.fillRect(QRectF(bx, by, bar_w, bh), grad)
        p.setPen(colors.frame)
        p.drawRect(QRectF(bx, by, bar_w, bh))
        p.setPen(colors.text)
        p.setFont(MONO)
        lx = int(bx + bar_w + 4)
        p.drawText(lx, int(by + 10), fmt(self._hi))
        p.drawText(lx, int(by + bh), fmt(self._lo))
        if self._div:
            p.drawText(lx, int(by + bh / 2 + 4), "0")


def _dense(a: Any) -> np.ndarray | None:
    return a if isinstance(a, np.ndarray) else None


class ArrayView(QWidget):
    """Heatmap over table for one array; n-d arrays get a selector per leading dimension."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._a: np.ndarray | None = None
        self._changed: np.ndarray | None = None
        self.model = ArrayTableModel(self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setFont(MONO)
        vh, hh = self.table.verticalHeader(), self.table.horizontalHeader()
        # Fixed section sizes: Qt never measures a million cells to size the headers.
        vh.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        vh.setDefaultSectionSize(20)
        hh.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        hh.setDefaultSectionSize(92)
        self.table.setWordWrap(False)
        self.heatmap = Heatmap()
        self.note = QLabel()
        self.note.setWordWrap(True)
        self.note.setStyleSheet("color:#555;")
        self._slice_row = QHBoxLayout()
        self._slice_row.setContentsMargins(0, 0, 0, 0)
        self._spins: list[QSpinBox] = []
        self._slice_label = QLabel("slice")
        self._slice_row.addWidget(self._slice_label)
        self._slice_row.addStretch(1)
        self._slice_box = QWidget()
        self._slice_box.setLayout(self._slice_row)
        self._slice_box.hide()
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.heatmap)
        split.addWidget(self.table)
        split.setSizes([140, 220])
        lay = QVBoxLayout(self)
        lay.setContentsMargins(2, 2, 2, 2)
        lay.addWidget(self._slice_box)
        lay.addWidget(self.note)
        lay.addWidget(split, 1)

    def set_array(
        self,
        a: np.ndarray | ArraySummary | None,
        changed: np.ndarray | None = None,
        missing: str = "not computed",
    ) -> None:
        """Show an array; a summary (too large to have been sent) shows its statistics instead;
        no array at all says ``missing``."""
        dense = _dense(a)
        self._a, self._changed = dense, changed
        if isinstance(a, ArraySummary):
            self.note.setText(
                f"{a.size:,} entries: too large to keep in the trace, statistics only "
                f"(first values: {', '.join(fmt(x) for x in a.preview[:6])} …)"
            )
        else:
            self.note.setText("" if a is not None else missing)
        self.note.setVisible(bool(self.note.text()))
        self._build_spins(dense.shape[:-2] if dense is not None and dense.ndim > 2 else ())
        self._show_slice()

    def _build_spins(self, lead: tuple[int, ...]) -> None:
        if tuple(s.maximum() + 1 for s in self._spins) == lead:
            return
        for s in self._spins:
            s.deleteLater()
        self._spins = []
        for d, n in enumerate(lead):
            s = QSpinBox()
            s.setRange(0, n - 1)
            s.setPrefix(f"dim {d}: ")
            s.valueChanged.connect(self._show_slice)
            self._slice_row.insertWidget(self._slice_row.count() - 1, s)
            self._spins.append(s)
        self._slice_box.setVisible(bool(lead))

    def lead_index(self) -> tuple[int, ...]:
        return tuple(s.value() for s in self._spins)

    def set_slice(self, lead: tuple[int, ...]) -> None:
        for s, v in zip(self._spins, lead, strict=False):
            s.setValue(v)

    def _show_slice(self) -> None:
        if self._a is None:
            self.model.set_array(None)
            self.heatmap.set_array(None)
            return
        lead = self.lead_index()
        a2 = as_2d(self._a, lead)
        ch = as_2d(self._changed, lead) if self._changed is not None else None
        self.model.set_array(a2, ch)
        self.heatmap.set_array(a2)

    def first_bad(self) -> tuple[int, ...] | None:
        """Index of the first NaN/Inf entry of the whole array, and scroll the table to it."""
        if self._a is None or self._a.dtype.kind != "f":
            return None
        bad = np.argwhere(~np.isfinite(self._a))
        if not len(bad):
            return None
        idx = tuple(int(i) for i in bad[0])
        if self._a.ndim > 2:
            self.set_slice(idx[:-2])
        a2 = as_2d(self._a, self.lead_index())
        flat = np.argwhere(~np.isfinite(a2))[0]
        self.table.scrollTo(self.model.index(int(flat[0]), int(flat[1])))
        return idx
