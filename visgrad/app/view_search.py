"""Search in the graph view (a mixin of ``GraphView``): every match highlighted, Enter to the next.

Matches are found in the whole graph of the drawing (:func:`visgrad.graph.search.find_nodes`),
not only in what is drawn: a match inside a closed group lights up that group's card, and going
to it opens the groups that hide it. Groups opened only for that close again when the search
moves on to a match outside them, so stepping through matches does not leave everything open.
"""

from __future__ import annotations

from visgrad.graph.grouped import representative
from visgrad.graph.search import MODES, find_nodes


class ViewSearch:
    """Search state and commands; expects ``GraphView``'s attributes."""

    def _init_search(self) -> None:
        self.search_text = ""
        self.search_mode = "substring"
        self.search_error = ""  # why the query finds nothing (a bad regular expression)
        self.matches: list[str] = []  # keys in the full graph, in program order
        self.match_index = -1
        self._matched_graph: object = None
        self._revealed: set[str] = set()  # groups opened only to show a match
        self._pending_center: str | None = None

    def set_search(self, text: str, mode: str = "substring") -> int:
        """Highlight every node matching ``text`` in ``mode`` (see ``MODES``); the match count."""
        if mode not in MODES:
            raise ValueError(f"search mode must be one of {MODES}, not {mode!r}")
        if (text, mode) != (self.search_text, self.search_mode):
            self.search_text, self.search_mode = text, mode
            self.match_index = -1
            self._matched_graph = None
        self._refresh_matches()
        return len(self.matches)

    def match_status(self) -> tuple[int, int]:
        """(1-based position of the current match or 0, number of matches)."""
        return (self.match_index + 1 if self.match_index >= 0 else 0, len(self.matches))

    def search(self, text: str, mode: str | None = None, backwards: bool = False) -> str | None:
        """Go to the next (or previous) node matching ``text``: select it, show it, centre it."""
        self.set_search(text, mode or self.search_mode)
        if not self.matches:
            return None
        n = len(self.matches)
        if self.match_index < 0:
            self.match_index = n - 1 if backwards else 0
        else:
            self.match_index = (self.match_index + (-1 if backwards else 1)) % n
        key = self.matches[self.match_index]
        self.node_clicked.emit(key)
        self.set_selection(key)
        self._reveal(key)
        self.search_changed.emit()
        return key

    def _refresh_matches(self) -> None:
        """Find the matches again if the drawn graph changed, and light them up."""
        drawn = self.drawn
        graph = drawn.graph if drawn is not None else None
        if graph is not self._matched_graph:
            self._matched_graph = graph
            current = self.matches[self.match_index] if self.match_index >= 0 else None
            try:
                self.matches = (
                    find_nodes(graph, self.search_text, self.search_mode) if graph else []
                )
                self.search_error = ""
            except ValueError as e:
                self.matches, self.search_error = [], str(e)
            self.match_index = self.matches.index(current) if current in self.matches else -1
        view = drawn.view if drawn is not None else None
        reps = (representative(view, k) for k in self.matches) if view is not None else ()
        self.graph_scene.host.matches = frozenset(reps)
        self.graph_scene.update()
        self.search_changed.emit()

    def match_positions(self) -> list[tuple[float, float]]:
        """Scene positions of the drawn nodes standing for the matches (for the minimap)."""
        items = self.graph_scene.items_by_key
        return [(items[k].x(), items[k].y()) for k in self.graph_scene.host.matches if k in items]

    def _reveal(self, key: str) -> None:
        tree = self.tree
        chain = set(tree.chain_of(key)) if tree is not None else set()
        opened = self.open_groups()
        hidden = chain - opened
        done = {g for g in self._revealed if g not in chain}
        if not hidden and not done:
            self.center_on(key)
            return
        self._revealed = (self._revealed - done) | hidden
        self._pending_center = key
        self.set_expanded((opened - done) | hidden)

    def _after_layout(self) -> None:
        key, self._pending_center = self._pending_center, None
        if key is not None:
            self.center_on(key)
