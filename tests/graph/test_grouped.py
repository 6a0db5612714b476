"""The view graph of open groups and its compound layout: cards, boxes, edges, stability."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.graph import module_programs as mp
from visgrad.graph.grouped import representative, view_graph  # noqa: E402
from visgrad.graph.groups import build_tree  # noqa: E402
from visgrad.graph.layout_box import MIN_BOX_W, PAD, TITLE  # noqa: E402
from visgrad.graph.layout_compound import compound_layout  # noqa: E402
from visgrad.graph.layout_incremental import grow_layout  # noqa: E402


def _rect(pos, size):
    (x, y), (w, h) = pos, size
    return (x - w / 2, y - h / 2, x + w / 2, y + h / 2)


def _inside(inner, outer, tol=0.5):
    return (
        inner[0] >= outer[0] - tol
        and inner[1] >= outer[1] - tol
        and inner[2] <= outer[2] + tol
        and inner[3] <= outer[3] + tol
    )


def _overlap(a, b):
    return a[0] < b[2] - 0.5 and b[0] < a[2] - 0.5 and a[1] < b[3] - 0.5 and b[1] < a[3] - 0.5


def check_view(g, tree, opened):
    """What every view graph must be, and what every compound layout of it must look like."""
    vg = view_graph(g, tree, opened)
    # Each node of the graph is drawn as itself or by exactly the closed group holding it.
    for key in g.nodes:
        rep = representative(vg, key)
        assert rep in vg
        assert rep == key or rep in tree.chain_of(key)
    want = {(representative(vg, u), representative(vg, v)) for u, v in g.edges}
    assert set(vg.edges) == {e for e in want if e[0] != e[1]}
    lay = compound_layout(vg)
    assert set(lay.positions) == set(vg.nodes)
    rects = {k: _rect(lay.positions[k], lay.sizes[k]) for k in vg.nodes}
    boxes = getattr(lay, "boxes", {})
    assert set(boxes) == set(vg.graph["boxes"])
    units: dict = {}
    for k, a in vg.nodes(data=True):
        units.setdefault(a.get("parent"), []).append(rects[k])
        if a.get("parent") is not None:
            assert _inside(rects[k], boxes[a["parent"]])
    for b, info in vg.graph["boxes"].items():
        units.setdefault(info["parent"], []).append(boxes[b])
        if info["parent"] is not None:
            assert _inside(boxes[b], boxes[info["parent"]])
    for level_rects in units.values():  # nothing drawn on top of anything else at its level
        for i, a in enumerate(level_rects):
            assert not any(_overlap(a, b) for b in level_rects[i + 1 :])
    return vg, lay


def test_with_every_group_open_the_view_graph_is_the_graph():
    g = mp.net_graph()
    tree = build_tree(g)
    vg, _ = check_view(g, tree, tree.groups)
    assert list(vg.nodes) == list(g.nodes)
    assert set(vg.edges) == set(g.edges)


def test_a_closed_group_is_one_card_with_its_shapes_parameters_and_size():
    g = mp.net_graph()
    tree = build_tree(g)
    vg, _ = check_view(g, tree, {"g:Net"})
    cards = {k: a for k, a in vg.nodes(data=True) if a["kind"] == "group"}
    assert list(cards) == ["g:Net/inp", "g:Net/blocks", "g:Net/head"]
    blocks = cards["g:Net/blocks"]
    assert (blocks["label"], blocks["repeat"], blocks["params"]) == ("blocks · Block ×3", 3, 84)
    assert blocks["count"] == tree.groups["g:Net/blocks"].size
    (into,) = blocks["inputs"]
    (out,) = blocks["outputs"]
    assert g.nodes[into]["shape"] == g.nodes[out]["shape"] == (5, 4)
    assert into in cards["g:Net/inp"]["outputs"] and out in cards["g:Net/head"]["inputs"]
    # The chain inp -> blocks -> head, each edge once.
    assert ("g:Net/inp", "g:Net/blocks") in vg.edges and ("g:Net/blocks", "g:Net/head") in vg.edges


def test_nothing_inside_a_closed_group_is_drawn_and_its_nodes_map_to_it():
    g = mp.net_graph()
    tree = build_tree(g)
    vg = view_graph(g, tree, {"g:Net", "g:Net/blocks"})
    for key in tree.groups["g:Net/blocks/1"].members:
        assert key not in vg and representative(vg, key) == "g:Net/blocks/1"
    assert representative(vg, "t999999") == "t999999"  # newer than the view graph: itself


def test_opening_a_group_keeps_what_comes_before_it_in_place():
    g = mp.net_graph(blocks=3)
    tree = build_tree(g)
    closed = {"g:Net", "g:Net/blocks"}
    vg0, lay0 = check_view(g, tree, closed)
    vg1, lay1 = check_view(g, tree, closed | {"g:Net/blocks/1"})
    before = [k for k in ("g:Net/inp", "g:Net/blocks/0") if k in vg0]
    assert before and all(lay0.positions[k] == lay1.positions[k] for k in before)
    # What follows keeps its order down the page, moved down by the box's extra depth.
    after = ["g:Net/blocks/2", "g:Net/head"]
    ys0 = [lay0.positions[k][1] for k in after]
    ys1 = [lay1.positions[k][1] for k in after]
    assert ys1 == sorted(ys1) and ys1[0] > ys0[0]
    grew = (
        lay1.boxes["g:Net/blocks/1"][3]
        - lay1.boxes["g:Net/blocks/1"][1]
        - lay0.sizes["g:Net/blocks/1"][1]
    )
    assert abs((ys1[0] - ys0[0]) - grew) < 1e-6
    # Closing it again gives back the first picture exactly.
    _, lay2 = check_view(g, tree, closed)
    assert lay2.positions == lay0.positions


def test_a_layout_reuses_every_level_that_did_not_change():
    g = mp.net_graph(blocks=3)
    tree = build_tree(g)
    opened = {"g:Net", "g:Net/blocks", "g:Net/blocks/0"}
    lay0 = compound_layout(view_graph(g, tree, opened))
    lay1 = compound_layout(view_graph(g, tree, opened | {"g:Net/blocks/2"}), lay0)
    assert lay1.levels["g:Net/blocks/0"] is lay0.levels["g:Net/blocks/0"]
    assert lay1.levels["g:Net/blocks"] is not lay0.levels["g:Net/blocks"]
    again = compound_layout(view_graph(g, tree, opened | {"g:Net/blocks/2"}))
    assert again.positions == lay1.positions and again.bends == lay1.bends


def test_without_groups_the_layout_is_the_plain_online_layout():
    g = mp.graph_of(mp.traced(lambda: (mp.torch.randn(3, requires_grad=True) * 2).sum().backward()))
    tree = build_tree(g)
    vg = view_graph(g, tree, ())
    assert vg is g
    assert compound_layout(vg).positions == grow_layout(g).positions


def test_edges_between_boxes_leave_and_enter_them_at_their_edges():
    g = mp.net_graph()
    tree = build_tree(g)
    vg, lay = check_view(g, tree, set(tree.groups))
    crossing = 0
    for u, v in vg.edges:
        out_of = set(tree.chain_of(u)) - set(tree.chain_of(v))
        into = set(tree.chain_of(v)) - set(tree.chain_of(u))
        ys = [y for _, y in lay.bends.get((u, v), [])]
        # The outermost box it leaves: through its bottom; the outermost it enters: its top.
        for boxes, side in ((out_of, 3), (into, 1)):
            if boxes:
                crossing += 1
                outer = min(boxes, key=lambda b: tree.groups[b].depth)
                assert any(abs(y - lay.boxes[outer][side]) < 1e-6 for y in ys)
    assert crossing > 10


def test_an_open_box_hugs_its_contents_however_lopsided():
    g = mp.net_graph()
    tree = build_tree(g)
    # Across the layers: left and right in TB; in LR the title band is on top.
    for direction, across, near in (("TB", (0, 2), PAD), ("LR", (1, 3), TITLE)):
        vg = view_graph(g, tree, set(tree.groups))
        lay = compound_layout(vg, None, direction)
        lopsided = 0
        for box, rect in lay.boxes.items():
            inside = [
                _rect(lay.positions[k], lay.sizes[k])
                for k, a in vg.nodes(data=True)
                if a.get("parent") == box
            ]
            inside += [r for b, r in lay.boxes.items() if vg.graph["boxes"][b]["parent"] == box]
            lo, hi = across
            first, last = min(r[lo] for r in inside), max(r[hi] for r in inside)
            if last - first + 2 * PAD >= MIN_BOX_W:
                # Every side of the frame is the padding away from something it holds.
                assert abs(rect[lo] - (first - near)) < 1e-6
                assert abs(rect[hi] - (last + PAD)) < 1e-6
            level = lay.levels[box][2]
            lopsided += abs(level.bounds[lo] + level.bounds[hi]) > 1.0
        assert lopsided  # the case the symmetric frame drew with a side far from anything


PATHS = ["", "a", "a.x", "a.y", "b", "b.x", "-", "a.x.p"]


@settings(max_examples=60, deadline=None)
@given(
    ops=st.lists(
        st.tuples(st.integers(0, 7), st.integers(0, 40), st.integers(0, 40)),
        min_size=1,
        max_size=40,
    ),
    pick=st.lists(st.booleans(), min_size=40, max_size=40),
)
def test_any_program_and_any_open_groups_give_a_consistent_picture(ops, pick):
    g = mp.synthetic(ops, PATHS)
    tree = build_tree(g)
    placed = list(tree.top_members) + [m for grp in tree.groups.values() for m in grp.members]
    assert sorted(placed) == sorted(g.nodes)
    keys = list(tree.groups)
    opened = {k for k, p in zip(keys, pick, strict=False) if p}
    check_view(g, tree, opened)
    vg, _ = check_view(g, tree, keys)
    assert set(vg.nodes) == set(g.nodes) and set(vg.edges) == set(g.edges)


def test_levels_of_one_shape_are_laid_out_once_as_each_would_be_alone(monkeypatch):
    from visgrad.graph import layout_compound

    g = mp.net_graph(blocks=4, acts=["tanh", "tanh", "relu", "tanh"])
    tree = build_tree(g)
    vg = view_graph(g, tree, set(tree.groups))
    calls = []
    real_grow = layout_compound.grow_layout

    def counting_grow(h, *args):
        calls.append(list(h.nodes))
        return real_grow(h, *args)

    monkeypatch.setattr(layout_compound, "grow_layout", counting_grow)
    shared = compound_layout(vg)
    laid_out = len(calls)
    # Every level its own shape: each laid out on its own, as before levels were shared.
    unique = iter(range(10**6))
    monkeypatch.setattr(layout_compound, "_shape", lambda *a: next(unique))
    calls.clear()
    alone = compound_layout(vg)
    assert len(calls) == len(alone.levels) > laid_out  # blocks 0, 1 and 3 are one shape
    assert list(shared.positions.items()) == list(alone.positions.items())
    assert list(shared.bends.items()) == list(alone.bends.items())
    assert shared.boxes == alone.boxes and shared.bounds == alone.bounds
    for level, (made_from, raw, drawn) in alone.levels.items():
        got = shared.levels[level]
        assert got[0] == made_from
        assert got[1].positions == raw.positions and got[1].bends == raw.bends
        assert got[1].layers == raw.layers and got[2].positions == drawn.positions
    # Growing from a layout whose levels were shared gives the same picture too.
    regrown = compound_layout(view_graph(g, tree, set(tree.groups) - {"g:Net/blocks/3"}), shared)
    fresh = compound_layout(view_graph(g, tree, set(tree.groups) - {"g:Net/blocks/3"}))
    assert regrown.positions == fresh.positions and regrown.bends == fresh.bends
