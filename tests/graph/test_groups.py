"""Module groups from module paths: calls, owners, folds of identical siblings and loop turns."""

from __future__ import annotations

from tests.graph import module_programs as mp
from visgrad.graph.groups import auto_expanded, build_tree, is_group  # noqa: E402


def _labels(tree, keys):
    return [tree.groups[k].label for k in keys]


def test_each_module_call_is_a_group_nested_as_the_modules_are():
    g = mp.net_graph()
    tree = build_tree(g)
    assert tree.top == ["g:Net"]
    net = tree.groups["g:Net"]
    assert _labels(tree, net.children) == ["inp · Linear", "blocks · Block ×3", "head · Linear"]
    blocks = tree.groups["g:Net/blocks"]
    assert [tree.groups[c].path for c in blocks.children] == ["blocks.0", "blocks.1", "blocks.2"]
    fc = tree.groups["g:Net/blocks/1/fc"]
    assert (fc.path, fc.cls, fc.depth) == ("blocks.1.fc", "Linear", 3)
    assert fc.chain == ("g:Net", "g:Net/blocks", "g:Net/blocks/1", "g:Net/blocks/1/fc")
    # Every node is in exactly one place, and sizes add up.
    placed = list(tree.top_members) + [m for grp in tree.groups.values() for m in grp.members]
    assert sorted(placed) == sorted(g.nodes)
    assert len(tree.top_members) + net.size == g.number_of_nodes()
    assert net.size == sum(tree.groups[c].size for c in net.children) + len(net.members)


def test_an_op_belongs_to_its_call_a_tensor_to_its_op_a_parameter_to_its_module():
    g = mp.net_graph()
    tree = build_tree(g)
    for key, attrs in g.nodes(data=True):
        owner = tree.owner.get(key)
        if attrs["kind"] == "function" and attrs["module_classes"]:
            assert tree.groups[owner].path == attrs["module"]
        if attrs["role"] == "parameter":
            name = attrs["name"]  # "blocks.1.fc.weight" lives in blocks.1.fc
            assert tree.groups[owner].path == name.rsplit(".", 1)[0]
    assert tree.groups["g:Net/blocks/0/fc"].params == 4 * 4 + 4
    assert tree.groups["g:Net"].params == 2 * 4 + 4 + 3 * (20 + 8) + 4 + 1
    inputs = [k for k in tree.top_members if g.nodes[k]["role"] == "input"]
    assert inputs  # the data stays outside every module


def test_identical_siblings_fold_and_different_ones_do_not():
    same = build_tree(mp.net_graph(acts=["tanh", "tanh", "tanh"]))
    assert (same.groups["g:Net/blocks"].repeat, same.groups["g:Net/blocks"].repeat_cls) == (
        3,
        "Block",
    )
    mixed = build_tree(mp.net_graph(acts=["tanh", "relu", "relu"]))
    blocks = mixed.groups["g:Net/blocks"]
    assert blocks.repeat == 1
    # The two relu blocks are still a run of their own: a fold inside blocks.
    assert _labels(mixed, blocks.children) == ["0 · Block", "blocks.1–2 · Block ×2"]
    fold = mixed.groups[blocks.children[1]]
    assert fold.fold and fold.children == ["g:Net/blocks/1", "g:Net/blocks/2"]
    assert mixed.groups["g:Net/blocks/2"].parent == fold.key
    assert mixed.groups["g:Net/blocks/2/fc"].chain[2] == fold.key


def test_a_module_called_in_a_loop_is_one_group_per_call_folded():
    tree = build_tree(mp.loop_graph(steps=4))
    loop = tree.groups["g:Loop"]
    assert _labels(tree, loop.children) == ["cell · Cell ×4"]
    fold = tree.groups[loop.children[0]]
    assert fold.children == ["g:Loop/cell", "g:Loop/cell#2", "g:Loop/cell#3", "g:Loop/cell#4"]
    # The cell's parameters serve every call: they sit with the loop, not in one call.
    assert tree.groups["g:Loop/cell#2/lin"].params == 0 and loop.params == 12


def test_training_iterations_fold_into_turns_of_model_then_loss():
    tree = build_tree(mp.training_graph(iterations=3))
    (top,) = tree.top
    assert tree.groups[top].label == "Linear + MSELoss ×3"
    turns = tree.groups[top].children
    assert _labels(tree, turns) == [f"Linear + MSELoss · {i}" for i in (1, 2, 3)]
    assert _labels(tree, tree.groups[turns[1]].children) == ["Linear", "MSELoss"]


def test_a_graph_without_modules_has_no_groups():
    g = mp.graph_of(mp.traced(lambda: (mp.torch.randn(3, requires_grad=True) * 2).sum().backward()))
    tree = build_tree(g)
    assert not tree and tree.top_members == list(g.nodes)
    assert list(tree.edges_at) == [None]


def test_edges_are_filed_under_the_deepest_group_holding_both_ends():
    g = mp.net_graph()
    tree = build_tree(g)
    assert sum(len(v) for v in tree.edges_at.values()) == g.number_of_edges()
    for level, edges in tree.edges_at.items():
        for u, v in edges:
            cu, cv = tree.chain_of(u), tree.chain_of(v)
            common = [a for a, b in zip(cu, cv, strict=False) if a == b]
            assert (common[-1] if common else None) == level


def test_auto_open_shows_top_level_modules_of_a_big_graph_and_everything_of_a_small_one():
    tree = build_tree(mp.net_graph())
    assert auto_expanded(tree, budget=10_000) == set(tree.groups)
    assert auto_expanded(tree, budget=5) == {"g:Net"}  # the model open, its modules closed
    some = auto_expanded(tree, budget=30)
    assert "g:Net" in some and "g:Net/inp" in some
    assert "g:Net/blocks" not in some  # a x3 opens only when everything fits
    assert all(is_group(k) for k in some)
