"""Finding nodes: by name, op, shape or module path; substring, exact and regex; counts."""

from __future__ import annotations

import pytest

from tests.graph import module_programs as mp
from visgrad.graph.search import find_nodes, matcher, node_fields  # noqa: E402


@pytest.fixture(scope="module")
def g():
    return mp.net_graph()


def _names(g, keys):
    return [g.nodes[k]["name"] for k in keys]


def test_substring_finds_every_node_containing_the_text_in_program_order(g):
    hits = find_nodes(g, "blocks.1.fc.")
    assert _names(g, hits) == ["blocks.1.fc.weight", "blocks.1.fc.bias"]
    tanh = find_nodes(g, "tanh")
    assert len(tanh) == 3 and all(g.nodes[k]["grad_fn"] == "TanhBackward0" for k in tanh)
    assert find_nodes(g, "TANHbackward") == tanh  # case does not matter
    order = [list(g.nodes).index(k) for k in tanh]
    assert order == sorted(order)


def test_exact_matches_a_whole_field_only():  # "t1" no longer means "t1005, somehow"
    g = mp.net_graph()
    named = sorted(a["name"] for _, a in g.nodes(data=True) if a["name"].startswith("t"))
    name = named[0]  # an unnamed tensor's stand-in name: "t33"
    assert _names(g, find_nodes(g, name, "exact")) == [name]
    assert len(find_nodes(g, name[:2])) > 1  # "t3" as a substring: t33, t34, ...
    assert _names(g, find_nodes(g, "head.bias", "exact")) == ["head.bias"]
    assert find_nodes(g, "head.bia", "exact") == []


def test_module_path_finds_what_ran_under_the_module(g):
    hits = find_nodes(g, "blocks.2.norm", "exact")
    assert hits and all(g.nodes[k]["module"] == "blocks.2.norm" for k in hits)
    assert {g.nodes[k]["kind"] for k in hits} == {"function"}


def test_shapes_are_found_however_they_are_written(g):
    exact = find_nodes(g, "[5, 4]", "exact")
    assert exact and all(g.nodes[k]["shape"] == (5, 4) for k in exact)
    for written in ("5x4", "5, 4", "(5,4)", "5×4"):
        assert find_nodes(g, written, "exact") == exact
    assert set(exact) <= set(find_nodes(g, "5, 4"))


def test_regex_mode_and_a_bad_pattern(g):
    hits = find_nodes(g, r"^blocks\.[02]\.fc\.weight$", "regex")
    assert _names(g, hits) == ["blocks.0.fc.weight", "blocks.2.fc.weight"]
    with pytest.raises(ValueError, match="bad regular expression"):
        find_nodes(g, "blocks.(", "regex")
    with pytest.raises(ValueError, match="search mode"):
        matcher("x", "fuzzy")


def test_empty_text_finds_nothing_and_fields_are_lower_case(g):
    assert find_nodes(g, "   ") == []
    k = find_nodes(g, "head.weight", "exact")[0]
    assert node_fields(g.nodes[k]) == ("head.weight", "[1, 4]")


def test_substring_goes_to_the_node_the_text_names_exactly_first():  # t1 before t1005
    import networkx as nx

    g = nx.DiGraph()
    for key, name in [("t10", "t10"), ("t1005", "t1005"), ("t1", "t1"), ("t12", "t12")]:
        g.add_node(key, kind="tensor", name=name, shape=(2,), module="")
    g.add_node("f3", kind="function", name="", op="mul", grad_fn="MulBackward0", module="")
    assert find_nodes(g, "t1") == ["t1", "t10", "t1005", "t12"]  # then program order
    assert find_nodes(g, "T1", "exact") == ["t1"]
    assert find_nodes(g, "t1", "regex") == ["t10", "t1005", "t1", "t12"]
    assert find_nodes(g, "t10") == ["t10", "t1005"]
