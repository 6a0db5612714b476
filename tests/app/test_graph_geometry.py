"""Edge paths built for the scene: batches hold exactly the edges' own paths, band by band."""

from __future__ import annotations

from PySide6.QtGui import QPainterPath

from visgrad.app.graph_geometry import BAND, EDGE_BATCH, batch_edges, edge_batches, edge_path


def _edges(n: int) -> list[list[tuple[float, float]]]:
    """Short edges all down a tall drawing, in an order that jumps about, and a few long ones."""
    out = []
    for i in range(n):
        y = float((i * 7919) % n) * 90.0
        out.append([(float(i % 13), y), *[(i + 3.0 * k, y + 40.0 * k) for k in range(1, i % 4)]])
        out[-1].append((i * 2.0, y + 300.0))
    out += [[(0.0, 0.0), (5.0, 2.5 * BAND)], [(9.0, 100.0), (1.0, 100.0 + 1.5 * BAND)]]
    return out


def test_batches_are_bands_of_the_drawing_and_hold_every_edge_once(qapp):
    edges = _edges(3 * EDGE_BATCH)
    for direction, axis in (("TB", 1), ("LR", 0)):
        if direction == "LR":
            edges = [[(y, x) for x, y in pts] for pts in edges]
        batches = edge_batches(edges, direction)
        assert sorted(i for b in batches for i in b) == list(range(len(edges)))
        assert all(len(b) <= EDGE_BATCH for b in batches)
        for b in batches:
            cs = [p[axis] for i in b for p in edges[i]]
            long = [
                i
                for i in b
                if max(p[axis] for p in edges[i]) - min(p[axis] for p in edges[i]) > BAND
            ]
            # A band holds short edges only, none deeper than a band together; long ones apart.
            assert long == b or (not long and max(cs) - min(cs) <= BAND)
        assert len(batches) < len(edges) / 10  # still a few items, not an item per edge
        paths = batch_edges(edges, direction)
        for batch, path in zip(batches, paths, strict=True):
            want = QPainterPath()
            for i in batch:
                want.addPath(edge_path(edges[i], direction))
            assert path == want
            assert path.elementCount() == want.elementCount() > 0
