"""Opening and closing module groups in the graph view (a mixin of ``GraphView``).

The view keeps which groups are open (``expanded``; None until the user opens or closes one, and
then the layout job opens to the depth that fits). Opening or closing a group re-lays out the
same graph with the group's corner kept where it was on screen.
"""

from __future__ import annotations

from collections.abc import Collection

from PySide6.QtCore import QPointF, QRectF

from visgrad.app import formatting as fmt
from visgrad.app.group_items import GroupItem, grad_reached, shapes_text
from visgrad.graph.groups import ModuleTree


class ViewGroups:
    """Group commands of the graph view; expects ``GraphView``'s attributes."""

    @property
    def tree(self) -> ModuleTree | None:
        """The module groups of the drawn graph (None before the first layout)."""
        return self.drawn.tree if self.drawn is not None else None

    def group_facts(self, key: str) -> tuple[str, list[tuple[str, str]]] | None:
        """A closed group's title and facts for the Inspector (None when it is not drawn)."""
        item = self.graph_scene.items_by_key.get(key)
        if not isinstance(item, GroupItem) or not self.graph_scene.shown(item):
            return None
        a, state = item.attrs, self._state
        grad = grad_reached(state, a.get("outputs", []))
        rows = [
            ("module", key[2:].replace("/", " › ")),
            ("class", a.get("cls", "")),
            ("inputs", shapes_text(state, a.get("inputs", []))),
            ("outputs", shapes_text(state, a.get("outputs", []))),
            ("parameters", f"{a.get('params', 0):,}"),
            ("nodes", f"{a.get('count', 0):,}"),
            ("∇ outputs", fmt.fmt_num(grad, 4) if grad is not None else "not reached yet"),
        ]
        if a.get("repeat", 1) > 1:
            rows.insert(2, ("repeated", f"×{a['repeat']} (identical siblings, folded)"))
        return f"{a.get('name', '')} · {a.get('cls', '')} · module", rows

    def open_groups(self) -> set[str]:
        """The groups open now."""
        if self.expanded is not None:
            return set(self.expanded)
        return set(self.drawn.expanded) if self.drawn is not None else set()

    def set_expanded(self, keys: Collection[str] | None, anchor: str | None = None) -> None:
        """Open exactly ``keys`` (None: back to the depth that fits); ``anchor`` stays put."""
        self.expanded = None if keys is None else set(keys)
        self._anchor = None
        if anchor is not None:
            rect = self._rect_of(anchor)
            if rect is not None:
                self._anchor = (anchor, self.mapFromScene(rect.topLeft()).toPointF())
        if self._state is not None:
            self.auto_fit = self.auto_fit and anchor is None
            self._submit(self._state, self.graph_scene.layout, same_graph=True)

    def toggle_group(self, key: str) -> None:
        """Open a closed group or close an open one, keeping it where it is on screen."""
        opened = self.open_groups()
        self._revealed.discard(key)  # the user's choice now, not the search's
        if key in opened:
            opened.discard(key)
        else:
            opened.add(key)
        self.set_expanded(opened, anchor=key)

    def focus_group(self, key: str) -> None:
        """Close ``key`` and everything inside it, open what holds it, select its card, centre it."""
        tree = self.tree
        if tree is None or key not in tree.groups:
            return
        chain = tree.groups[key].chain
        opened = {g for g in self.open_groups() if key not in tree.groups[g].chain}
        opened.update(chain[:-1])
        self._revealed.clear()
        self.set_selection(key)
        self._pending_center = key
        self.set_expanded(opened)

    def expand_all(self) -> None:
        tree = self.tree
        self.set_expanded(set(tree.groups) if tree is not None else set())
        self.auto_fit = True

    def collapse_to_fit(self) -> None:
        """Back to the depth that fits, as the graph first opened."""
        self.set_expanded(None)
        self.auto_fit = True

    def _rect_of(self, key: str) -> QRectF | None:
        scene = self.graph_scene
        if key in scene.boxes:
            return scene.boxes[key].rect
        item = scene.items_by_key.get(key)
        if item is not None and scene.shown(item):
            return item.sceneBoundingRect()
        return None

    def _anchor_point(self) -> tuple[str, QPointF] | None:
        anchor, self._anchor = self._anchor, None
        return anchor

    def _keep_anchor(self, key: str, where: QPointF) -> None:
        """Scroll so ``key``'s top-left corner is back at ``where`` in the viewport."""
        rect = self._rect_of(key)
        if rect is None:
            return
        now = self.mapToScene(where.toPoint())
        centre = self.mapToScene(self.viewport().rect().center())
        self.centerOn(centre + (rect.topLeft() - now))
        if key in self.graph_scene.boxes:  # just opened: bring in what it grew, corner first
            self._reveal_box(rect)

    def _reveal_box(self, rect: QRectF) -> None:
        """Scroll the least that shows ``rect`` (or as much of it as fits, its top-left first)."""
        seen = self.visible_scene_rect()
        m = 30.0 / max(self._scale(), 1e-3)

        def shift(lo: float, hi: float, seen_lo: float, seen_hi: float) -> float:
            if hi + m <= seen_hi:
                return 0.0
            return max(0.0, min(hi + m - seen_hi, lo - m - seen_lo))

        dx = shift(rect.left(), rect.right(), seen.left(), seen.right())
        dy = shift(rect.top(), rect.bottom(), seen.top(), seen.bottom())
        if dx or dy:
            self.centerOn(seen.center() + QPointF(dx, dy))
