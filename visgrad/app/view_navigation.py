"""Zoom, fit and level of detail of the graph view (a mixin of ``GraphView``).

Fit shows the whole graph when its labels stay readable that way. A long thin graph (a deep
network drawn top to bottom) would shrink to a sliver: then fit fills the narrow side and scrolls
along the long one, starting where the program starts, and the view follows the current op.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QWheelEvent

from visgrad.app.group_boxes import TITLES_ABOVE_BELOW

MIN_SCALE, MAX_SCALE, FIT_MAX = 0.02, 4.0, 1.0
OVERVIEW_BELOW = 0.16  # scale under which every node is drawn by the one overview item
READABLE = 0.45  # the smallest scale at which a fit still counts as readable
ZOOM_STEP = 1.25


class ViewNavigation:
    """Zoom and fit commands; expects ``GraphView``'s attributes."""

    def zoom_by(self, factor: float) -> None:
        self.auto_fit = False
        self.fit_narrow = False
        self._set_scale(self.transform().m11() * factor)

    def _hold_view(self) -> None:
        """The user moved the view: stop fitting it."""
        self.auto_fit = False
        self.fit_narrow = False

    def zoom_in(self) -> None:
        self.zoom_by(ZOOM_STEP)

    def zoom_out(self) -> None:
        self.zoom_by(1 / ZOOM_STEP)

    def _scale(self) -> float:
        return self.transform().m11()

    def _set_scale(self, s: float) -> None:
        s = max(MIN_SCALE, min(MAX_SCALE, s))
        cur = self.transform().m11()
        if cur > 0:
            self.scale(s / cur, s / cur)
        self._update_lod()

    def fit(self) -> None:
        """Show the whole graph (never magnified beyond 100 %), or, when that would make it
        unreadably small and it is long and thin, fill its narrow side and show its start."""
        self.auto_fit = True
        rect = self.graph_scene.sceneRect()
        if rect.isEmpty():
            return
        vp = self.viewport().rect()
        sx, sy = vp.width() / rect.width(), vp.height() / rect.height()
        whole = min(sx, sy)
        narrow = min(max(sx, sy), FIT_MAX)
        self.fit_narrow = whole < READABLE and narrow > whole * 1.5
        if not self.fit_narrow:
            self.fitInView(rect, Qt.AspectRatioMode.KeepAspectRatio)
            if self.transform().m11() > FIT_MAX:
                self.resetTransform()
                self.centerOn(rect.center())
            self._update_lod()
            return
        self.resetTransform()
        self.scale(narrow, narrow)
        half_w, half_h = vp.width() / narrow / 2, vp.height() / narrow / 2
        if sx > sy:  # tall: fill the width, start at the top
            self.centerOn(QPointF(rect.center().x(), rect.top() + half_h))
        else:  # wide: fill the height, start at the left
            self.centerOn(QPointF(rect.left() + half_w, rect.center().y()))
        self._update_lod()

    def _keep_in_sight(self) -> None:
        """After another iteration's (or scope's) drawing replaced the one on screen: when none
        of it is in sight, centre the current op (else the selection), else fit."""
        scene, seen = self.graph_scene, self.visible_scene_rect()
        if scene.overview.isVisible():
            if seen.intersects(scene.sceneRect()):
                return
        elif any(scene.shown(item) for item in scene.items(seen)):
            return
        for key in (*scene.host.current, self.selected()):
            if key and self.center_on(key):
                return
        self.fit()

    def visible_scene_rect(self) -> QRectF:
        """The part of the scene the viewport shows."""
        return self.mapToScene(self.viewport().rect()).boundingRect()

    def _update_lod(self) -> None:
        scale = self.transform().m11()
        far = scale < OVERVIEW_BELOW
        scene = self.graph_scene
        if scene.overview.isVisible() != far:
            scene.overview.setVisible(far)
            scene.show_nodes(not far)
        above = not far and scale < TITLES_ABOVE_BELOW
        if scene.box_titles.isVisible() != above:
            scene.box_titles.setVisible(above)
            scene.host.titles_above = above
            scene.update()
        self.view_moved()

    def view_moved(self) -> None:
        """Called whenever the visible part changes (the minimap follows)."""

    def wheelEvent(self, event: QWheelEvent) -> None:  # noqa: N802 - Qt virtual
        delta = event.angleDelta().y()
        if delta:
            self.zoom_by(1.0015**delta)
        event.accept()
