"""Optional "pretty" pass through Graphviz ``dot`` (a system binary, run as a subprocess).

dot draws the best pictures (network-simplex ranking, median + transpose ordering) but costs
seconds at 5,000 nodes and does not finish at 20,000, and it may not be installed; so it is an
explicit, bounded extra: ``None`` comes back when dot is absent, the graph is too big or the run
times out (the child is killed), and the caller keeps its own layout.
"""

from __future__ import annotations

import shutil
import subprocess

import networkx as nx
import numpy as np

from visgrad.graph.layout_model import (
    DEFAULT_SIZE,
    DIRECTIONS,
    Layout,
    Point,
    compute_bounds,
    node_size,
)
from visgrad.trace.keys import GraphKey

_PT = 72.0  # dot works in inches (sizes) and points (coordinates in -Tplain are inches too)
_SAMPLES = 8  # points per cubic Bezier piece of a dot spline


def dot_available() -> bool:
    """Whether a ``dot`` executable is on PATH."""
    return shutil.which("dot") is not None


def _to_dot(
    graph: nx.DiGraph[GraphKey],
    ids: dict[GraphKey, int],
    sizes: dict[GraphKey, tuple[float, float]],
    direction: str,
    node_gap: float,
    layer_gap: float,
) -> str:
    lines = [
        "digraph G {",
        f"  graph [rankdir={direction}, nodesep={node_gap / _PT:.4f}, "
        f"ranksep={layer_gap / _PT:.4f}];",
        '  node [shape=box, fixedsize=true, label=""];',
    ]
    for v, i in ids.items():
        w, h = sizes[v]
        lines.append(f"  n{i} [width={w / _PT:.4f}, height={h / _PT:.4f}];")
    for u, v in graph.edges:
        if u != v:
            lines.append(f"  n{ids[u]} -> n{ids[v]};")
    lines.append("}")
    return "\n".join(lines)


def _sample_spline(pts: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """Sample dot's piecewise cubic Bezier (p0, then c1 c2 p per piece)."""
    out = [pts[0]]
    t = np.arange(1, _SAMPLES + 1) / _SAMPLES
    for i in range(0, len(pts) - 3, 3):
        p0, c1, c2, p1 = (np.asarray(p) for p in pts[i : i + 4])
        mt = 1.0 - t
        curve = (
            np.outer(mt**3, p0)
            + np.outer(3 * mt**2 * t, c1)
            + np.outer(3 * mt * t**2, c2)
            + np.outer(t**3, p1)
        )
        out.extend((float(a), float(b)) for a, b in curve)
    return out


def dot_layout(
    graph: nx.DiGraph[GraphKey],
    direction: str = "TB",
    node_gap: float = 40.0,
    layer_gap: float = 60.0,
    default_size: tuple[float, float] = DEFAULT_SIZE,
    timeout: float = 60.0,
    max_nodes: int = 5000,
) -> Layout | None:
    """Lay out ``graph`` with ``dot -Tplain``; same result type as ``layered_layout``.

    Bends are the sampled spline of each edge (every edge has some, dot routes all edges as
    curves). Layers are recovered from the distinct rank coordinates, so the result can seed an
    incremental ``layered_layout(..., previous=...)``. Returns ``None`` when dot is not installed,
    the graph has more than ``max_nodes`` nodes, or dot runs longer than ``timeout`` seconds.
    """
    if direction not in DIRECTIONS:
        raise ValueError(f"direction must be one of {DIRECTIONS}, not {direction!r}")
    exe = shutil.which("dot")
    if exe is None or graph.number_of_nodes() > max_nodes:
        return None
    nodes = list(graph.nodes)
    ids = {v: i for i, v in enumerate(nodes)}
    sizes = {v: node_size(graph.nodes[v], default_size) for v in nodes}
    if not nodes:
        return Layout({}, {}, 0.0, 0.0, direction, node_gap=node_gap, layer_gap=layer_gap)
    text = _to_dot(graph, ids, sizes, direction, node_gap, layer_gap)
    try:
        proc = subprocess.run(
            [exe, "-Tplain"], input=text, capture_output=True, text=True, timeout=timeout
        )
    except subprocess.TimeoutExpired:
        return None  # subprocess.run has already killed the child
    if proc.returncode != 0:
        raise RuntimeError(f"dot failed ({proc.returncode}): {proc.stderr.strip()[:500]}")
    height_in = 0.0
    positions: dict[GraphKey, Point] = {}
    bends: dict[tuple[GraphKey, GraphKey], list[Point]] = {}
    for line in proc.stdout.splitlines():
        f = line.split()
        if not f:
            continue
        if f[0] == "graph":
            height_in = float(f[3])
        elif f[0] == "node":
            v = nodes[int(f[1][1:])]
            positions[v] = (float(f[2]) * _PT, (height_in - float(f[3])) * _PT)
        elif f[0] == "edge":
            u, v = nodes[int(f[1][1:])], nodes[int(f[2][1:])]
            k = int(f[3])
            raw = [
                (float(f[4 + 2 * j]) * _PT, (height_in - float(f[5 + 2 * j])) * _PT)
                for j in range(k)
            ]
            bends[(u, v)] = _sample_spline(raw)
    bounds = compute_bounds(positions, sizes, bends)
    dx, dy = -bounds[0], -bounds[1]
    positions = {v: (x + dx, y + dy) for v, (x, y) in positions.items()}
    bends = {e: [(x + dx, y + dy) for x, y in pts] for e, pts in bends.items()}
    axis = 1 if direction == "TB" else 0
    coords = np.round(np.array([p[axis] for p in positions.values()]), 3)
    levels, layer_idx = np.unique(coords, return_inverse=True)
    layers = dict(zip(positions, layer_idx.reshape(-1).tolist(), strict=True))
    w, h = bounds[2] - bounds[0], bounds[3] - bounds[1]
    return Layout(
        positions=positions,
        bends=bends,
        width=w,
        height=h,
        direction=direction,
        layers=layers,
        sizes=sizes,
        layer_coords=dict(enumerate(levels.tolist())),
        bounds=(0.0, 0.0, w, h),
        node_gap=node_gap,
        layer_gap=layer_gap,
    )
