"""Breadcrumbs over the graph: the module path of the selection, one button per module call.

``GPT › blocks › 2 › attn › t205``: clicking a module closes it (with everything inside) and selects
its card, so the way back out of a deep module is one click. Hidden for graphs with no modules.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QHBoxLayout, QLabel, QSizePolicy, QToolButton, QWidget

from visgrad.graph.groups import Group

if TYPE_CHECKING:
    from visgrad.app.graph_view import GraphView

SEPARATOR = "›"


class Breadcrumbs(QWidget):
    """The bar; follows the view's selection and layouts."""

    def __init__(self, view: GraphView, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("breadcrumbs")
        self.view = view
        self.crumbs: list[tuple[str, str]] = []  # (key, text): groups outermost first, the node
        self._lay = QHBoxLayout(self)
        self._lay.setContentsMargins(8, 2, 8, 2)
        self._lay.setSpacing(2)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        view.selection_moved.connect(lambda _: self.refresh())
        view.scene_updated.connect(self.refresh)
        self.refresh()

    def texts(self) -> list[str]:
        """What the bar says, crumb by crumb."""
        return [t for _, t in self.crumbs]

    def refresh(self) -> None:
        view = self.view
        tree = view.tree
        if not tree:
            self.crumbs = []
            self.hide()
            return
        key = view.selected()
        if key in tree.groups:
            chain, node = tree.groups[key].chain, ""
        elif key:
            chain, node = tree.chain_of(key), key
        else:
            chain, node = (), ""
        crumbs = [(g, _group_text(tree.groups[g])) for g in chain]
        if node:
            crumbs.append((node, _node_text(view, node)))
        if crumbs != self.crumbs or not self._lay.count():
            self.crumbs = crumbs
            self._rebuild()
        self.show()

    def _rebuild(self) -> None:
        while self._lay.count():
            w = self._lay.takeAt(0).widget()
            if w is not None:
                w.hide()  # deleted later: not drawn under the new crumbs meanwhile
                w.deleteLater()
        if not self.crumbs:
            hint = QLabel("Select a node to see the modules it ran in")
            self._lay.addWidget(hint)
        for i, (key, text) in enumerate(self.crumbs):
            if i:
                self._lay.addWidget(QLabel(SEPARATOR))
            b = QToolButton()
            b.setText(text)
            b.setObjectName(f"crumb{i}")
            b.setAutoRaise(True)
            if key.startswith("g:"):
                b.setToolTip(f"Close {self.view.tree.groups[key].label} and select it")
            else:
                b.setToolTip("Show the selected node")
            b.clicked.connect(lambda *_, k=key: self.go(k))
            self._lay.addWidget(b)
        self._lay.addStretch(1)

    def go(self, key: str) -> None:
        """A crumb's click: close and select a module, or show the node."""
        if key.startswith("g:"):
            self.view.focus_group(key)
        else:
            self.view.center_on(key)


def _group_text(group: Group) -> str:
    """``attn``; a numbered child by its class: ``Block 2`` (not ``2``)."""
    name = group.name
    return f"{group.cls} {name}" if name.isdigit() else name


def _node_text(view: GraphView, key: str) -> str:
    drawn = view.drawn
    attrs = drawn.graph.nodes[key] if drawn is not None and key in drawn.graph else {}
    if attrs.get("kind") == "function":
        return attrs.get("grad_fn") or attrs.get("op") or key
    return attrs.get("name") or key
