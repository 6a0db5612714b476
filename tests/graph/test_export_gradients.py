"""Exports carry every tensor's value and gradient, equal to PyTorch's retain_grad() values."""

from __future__ import annotations

import json
from pathlib import Path

import networkx as nx
import numpy as np
import pytest

import visgrad as torch
from visgrad import events
from visgrad.graph.export import array_record, export_graph
from visgrad.trace.model import TraceModel

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "torch" / "intermediate_grads.json"
PROGRAMS = json.loads(FIXTURE.read_text())["programs"]


def _run(prog: dict) -> tuple[TraceModel, dict[str, int]]:
    ids: dict[str, int] = {}

    def keep(name: str, t):
        ids[name] = t._id  # no retain_grad(): the trace knows every gradient anyway
        return t

    with events.Recorder() as rec:
        exec(prog["source"], {"torch": torch, "data": prog["data"], "keep": keep})
    return TraceModel(rec.events), ids


def _array(rec: dict) -> np.ndarray:
    return np.array(rec["data"], dtype=float)


@pytest.mark.parametrize("prog", PROGRAMS, ids=lambda p: p["name"])
def test_json_export_gradients_equal_pytorch_retain_grad(prog: dict, tmp_path) -> None:
    model, ids = _run(prog)
    export_graph(model, tmp_path / "g.json")
    nodes = {n["id"]: n for n in json.loads((tmp_path / "g.json").read_text())["nodes"]}
    for name, want in prog["tensors"].items():
        node = nodes[f"t{model.node_id(ids[name])}"]
        np.testing.assert_allclose(_array(node["value"]), want["value"], rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(_array(node["gradient"]), want["grad"], rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("prog", PROGRAMS[:1], ids=lambda p: p["name"])
def test_graphml_export_carries_the_same_records(prog: dict, tmp_path) -> None:
    model, ids = _run(prog)
    export_graph(model, tmp_path / "g.graphml")
    g = nx.read_graphml(tmp_path / "g.graphml")
    want = prog["tensors"]["z"]
    got = json.loads(g.nodes[f"t{ids['z']}"]["gradient"])
    np.testing.assert_allclose(_array(got), want["grad"], rtol=1e-5, atol=1e-6)


def test_big_arrays_become_statistics_and_non_finite_numbers_strings() -> None:
    big = np.arange(10.0)
    rec = array_record(big, limit=4)
    assert rec["shape"] == [10] and "data" not in rec
    assert rec["summary"]["max"] == 9.0 and rec["summary"]["nan"] == 0
    odd = array_record(np.array([1.0, np.nan, -np.inf], dtype=np.float32))
    assert odd["data"] == [1.0, "NaN", "-Infinity"]
    assert json.loads(json.dumps(odd, allow_nan=False)) == odd
    assert array_record(None) is None
