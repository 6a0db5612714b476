"""Edge paths built for the scene: batches hold exactly the edges' own paths."""

from __future__ import annotations

from PySide6.QtGui import QPainterPath

from visgrad.app.graph_geometry import EDGE_BATCH, batch_edges, edge_path


def test_a_batch_of_edges_is_their_own_paths_one_after_another(qapp):
    edges = [
        [(float(i), 0.0), *[(i + 3.0 * k, 40.0 * k) for k in range(1, i % 4)], (i * 2.0, 300.0)]
        for i in range(EDGE_BATCH + 7)
    ]
    for direction in ("TB", "LR"):
        batches = batch_edges(edges, direction)
        assert len(batches) == 2
        for batch, part in zip(batches, (edges[:EDGE_BATCH], edges[EDGE_BATCH:]), strict=True):
            want = QPainterPath()
            for pts in part:
                want.addPath(edge_path(pts, direction))
            assert batch == want
            assert batch.elementCount() == want.elementCount() > 0
