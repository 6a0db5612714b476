"""The networkx graph of a tick and its DOT / GraphML / node-link JSON exports."""

from __future__ import annotations

import json

import networkx as nx
import pytest

from tests.trace import trace_programs as tp
from visgrad import events as ev  # noqa: E402
from visgrad.graph.build import graph_at  # noqa: E402
from visgrad.graph.export import ExportError, dot_quote, export_graph  # noqa: E402
from visgrad.trace.model import TraceModel  # noqa: E402
from visgrad.trace.state import fkey, tkey  # noqa: E402


def test_graph_of_the_tutorial_has_tensor_and_function_nodes_with_attributes() -> None:
    run = tp.tutorial()
    m = TraceModel(run.events)
    g = graph_at(m.state_at(len(m) - 1))
    assert (g.number_of_nodes(), g.number_of_edges()) == (14, 13)
    assert nx.is_directed_acyclic_graph(g)
    w = g.nodes[tkey(run.tensors["w"]._id)]
    assert (w["kind"], w["role"], w["shape"], w["dtype"]) == ("tensor", "leaf", (5, 3), "float32")
    assert w["is_leaf"] and w["requires_grad"] and w["has_grad"]
    mm = g.nodes[fkey(mm_id(g))]
    assert (mm["kind"], mm["grad_fn"], mm["op"]) == ("function", "MmBackward0", "mm")
    assert mm["line"] > 0
    x = tkey(run.tensors["x"]._id)
    assert not g.edges[x, next(iter(g.successors(x)))]["has_grad"]
    assert g.edges[tkey(run.tensors["w"]._id), fkey(mm_id(g))]["has_grad"]


def mm_id(g: nx.DiGraph) -> int:
    return next(int(k[1:]) for k, a in g.nodes(data=True) if a["grad_fn"] == "MmBackward0")


def test_edges_carrying_the_current_gradient_are_marked_active() -> None:
    run = tp.tutorial()
    m = TraceModel(run.events)
    z = run.tensors["z"]
    s = m.state_at(tp.first(run.events, ev.BackwardNode, node=z.grad_fn.id))
    g = graph_at(s)
    active = {(u, v) for u, v, a in g.edges(data=True) if a["active"]}
    assert active == {(dst, src) for src, dst in s.grad_edges}
    assert len(active) == 2


@pytest.fixture
def model() -> TraceModel:
    return TraceModel(tp.tutorial().events)


def test_graphml_export_reads_back_with_networkx(tmp_path, model) -> None:
    export_graph(model, tmp_path / "g.graphml")
    g = nx.read_graphml(tmp_path / "g.graphml")
    assert g.number_of_nodes() == 14 and g.number_of_edges() == 13
    kinds = {a["kind"] for _, a in g.nodes(data=True)}
    assert kinds == {"tensor", "function"}
    assert any(a["shape"] == "[5, 3]" for _, a in g.nodes(data=True))


def test_json_export_is_node_link_data(tmp_path, model) -> None:
    export_graph(model.events, tmp_path / "g.json", tick=8)
    data = json.loads((tmp_path / "g.json").read_text())
    g = nx.node_link_graph(data, edges="links")
    assert g.number_of_nodes() == 14 and g.number_of_edges() == 13


def test_dot_export_names_every_node_and_edge(tmp_path, model) -> None:
    export_graph(model, tmp_path / "g.dot")
    text = (tmp_path / "g.dot").read_text()
    s = model.state_at(len(model) - 1)
    assert text.startswith('digraph "visgrad" {') and text.rstrip().endswith("}")
    for t in s.tensors:
        assert f'"{tkey(t)}" [' in text
    for f in s.functions:
        assert f'"{fkey(f)}" [' in text
    for a, b in s.edges:
        assert f'"{a}" -> "{b}"' in text


def test_dot_quoting_escapes_quotes_backslashes_and_newlines() -> None:
    assert dot_quote('a"b\\c\nd') == '"a\\"b\\\\c\\nd"'


def test_unknown_extension_is_an_export_error(tmp_path, model) -> None:
    with pytest.raises(ExportError, match="use .dot, .gv, .graphml or .json"):
        export_graph(model, tmp_path / "g.png")
