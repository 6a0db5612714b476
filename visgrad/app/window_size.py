"""The window's first size: within the screen, with docks in proportion to it.

The panels are docked at fixed widths for a large window; on a 1280×720 or 1024×640 screen those
widths would leave the graph a strip. Here the window takes at most most of the screen, and the
side and bottom docks a share of the window, within bounds that keep each panel usable.
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import QDockWidget, QMainWindow

PREFERRED = QSize(1600, 1000)
SCREEN_SHARE = 0.94  # leave room for the desktop's panels and the window frame
SIDE_SHARE, SIDE_MIN, SIDE_MAX = 0.22, 230, 330  # each side dock's width
BOTTOM_SHARE, BOTTOM_MIN, BOTTOM_MAX = 0.21, 120, 200  # the bottom docks' height
SOURCE_SHARE = 0.62  # of the left column, over the Variables panel: the program is read most


def first_size(available: QSize | None) -> QSize:
    """The preferred size, shrunk to fit ``available`` (the screen's free area) when given."""
    if available is None or available.isEmpty():
        return QSize(PREFERRED)
    return QSize(
        min(PREFERRED.width(), int(available.width() * SCREEN_SHARE)),
        min(PREFERRED.height(), int(available.height() * SCREEN_SHARE)),
    )


def dock_sizes(size: QSize) -> tuple[int, int]:
    """(side dock width, bottom dock height) for a window of ``size``."""
    side = round(min(SIDE_MAX, max(SIDE_MIN, size.width() * SIDE_SHARE)))
    bottom = round(min(BOTTOM_MAX, max(BOTTOM_MIN, size.height() * BOTTOM_SHARE)))
    return side, bottom


def fit_window(window: QMainWindow, size: QSize) -> None:
    """Resize ``window`` to ``size`` and its docks in proportion (before or after it is shown)."""
    side, bottom = dock_sizes(size)
    areas = {
        Qt.DockWidgetArea.LeftDockWidgetArea: Qt.Orientation.Horizontal,
        Qt.DockWidgetArea.RightDockWidgetArea: Qt.Orientation.Horizontal,
        Qt.DockWidgetArea.BottomDockWidgetArea: Qt.Orientation.Vertical,
    }
    docks: dict[Qt.Orientation, list[QDockWidget]] = {o: [] for o in areas.values()}
    for dock in window.findChildren(QDockWidget):
        orientation = areas.get(window.dockWidgetArea(dock))
        if orientation is not None and not dock.isFloating():
            docks[orientation].append(dock)
    # Docks first: a window resized to a small size while they are wide is held at their sum.
    for orientation, group in docks.items():
        if group:
            extent = side if orientation == Qt.Orientation.Horizontal else bottom
            window.resizeDocks(group, [extent] * len(group), orientation)
    _split_left_column(window, size, bottom)
    window.resize(size)


def _split_left_column(window: QMainWindow, size: QSize, bottom: int) -> None:
    """Source (with its tabs) over Variables: the source gets the larger share."""
    left = Qt.DockWidgetArea.LeftDockWidgetArea
    column = [
        d
        for d in window.findChildren(QDockWidget)
        if window.dockWidgetArea(d) == left and not d.isFloating() and d.isVisibleTo(window)
    ]
    source = next((d for d in column if d.objectName() == "dock_source"), None)
    # The one other group in the column (Variables, with any dock tabbed on it), one dock each.
    beside = set(window.tabifiedDockWidgets(source)) if source is not None else set()
    below: list[QDockWidget] = []
    for d in column:
        if d is not source and d not in beside:
            if not any(b in window.tabifiedDockWidgets(d) for b in below):
                below.append(d)
    if source is None or len(below) != 1:
        return
    # The column stands above the bottom docks: menu, toolbar, status bar and their tab bars
    # take the rest (a share of the whole height gave the Source less than Variables).
    height = size.height() - 150 - bottom
    top = round(height * SOURCE_SHARE)
    window.resizeDocks([source, below[0]], [top, height - top], Qt.Orientation.Vertical)
