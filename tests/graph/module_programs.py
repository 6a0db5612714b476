"""Small programs with nn.Modules, traced in-process, and their graphs (for the group tests)."""

from __future__ import annotations

import networkx as nx

import visgrad as torch
import visgrad.nn as nn
from visgrad import events
from visgrad.graph.build import graph_at
from visgrad.trace.model import TraceModel


class Block(nn.Module):
    def __init__(self, width: int, act: str = "tanh") -> None:
        super().__init__()
        self.fc = nn.Linear(width, width)
        self.norm = nn.LayerNorm(width)
        self.act = act

    def forward(self, x):
        y = self.norm(self.fc(x))
        return x + (y.tanh() if self.act == "tanh" else y.relu())


class Net(nn.Module):
    """An embedding-free tiny transformer-ish stack: ``blocks`` of identical Blocks, a head."""

    def __init__(self, blocks: int = 3, width: int = 4, acts: list[str] | None = None) -> None:
        super().__init__()
        self.inp = nn.Linear(2, width)
        self.blocks = nn.ModuleList([Block(width, a) for a in (acts or ["tanh"] * blocks)])
        self.head = nn.Linear(width, 1)

    def forward(self, x):
        h = self.inp(x)
        for b in self.blocks:
            h = b(h)
        return self.head(h)


class Cell(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.lin = nn.Linear(3, 3)

    def forward(self, x, h):
        return (self.lin(h) + x).tanh()


class Loop(nn.Module):
    """A recurrent loop: one ``cell`` called once per time step."""

    def __init__(self) -> None:
        super().__init__()
        self.cell = Cell()

    def forward(self, xs):
        h = xs[0] * 0  # recorded, like every later h
        for t in range(xs.shape[0]):
            h = self.cell(xs[t], h)
        return h.sum()


def traced(fn) -> TraceModel:
    events.reset_seq()
    torch.manual_seed(0)
    with events.Recorder() as rec:
        fn()
    return TraceModel(rec.events)


def graph_of(model: TraceModel, scope: str = "all") -> nx.DiGraph:
    return graph_at(model.state_at(len(model) - 1), scope)


def net_graph(blocks: int = 3, acts: list[str] | None = None, backward: bool = True):
    """The graph of one forward (and backward) of :class:`Net`."""

    def run() -> None:
        net = Net(blocks, acts=acts)
        loss = net(torch.randn(5, 2)).pow(2).mean()
        if backward:
            loss.backward()

    return graph_of(traced(run))


def loop_graph(steps: int = 4):
    def run() -> None:
        Loop()(torch.randn(steps, 3, requires_grad=True)).backward()

    return graph_of(traced(run))


def training_graph(iterations: int = 3):
    """A training loop: ``model`` then ``loss_fn`` (both modules) per iteration."""

    def run() -> None:
        model, loss_fn = nn.Linear(2, 1), nn.MSELoss()
        opt = torch.optim.SGD(model.parameters(), lr=0.1)
        x, y = torch.randn(4, 2), torch.randn(4, 1)
        for _ in range(iterations):
            opt.zero_grad()
            loss_fn(model(x), y).backward()
            opt.step()

    return graph_of(traced(run))


def synthetic(ops: list[tuple[int, int, int]], paths: list[str]) -> nx.DiGraph:
    """A graph shaped like ``graph_at``'s from a recipe: op ``i`` runs under ``paths[p]`` (a
    dotted path, "" for the model itself, or None-like "-" outside every module), reads tensor
    ``a`` and ``b`` (indexes into the tensors made so far, modulo) and makes one tensor."""
    g = nx.DiGraph()
    tensors = []
    for j in range(2):  # two parameters and an input first
        key = f"t{j}"
        g.add_node(
            key,
            kind="tensor",
            role="parameter",
            shape=(2,),
            name=f"p{j}",
            module="",
            module_classes=(),
        )
        tensors.append(key)
    g.add_node(
        "t2", kind="tensor", role="input", shape=(2,), name="x", module="", module_classes=()
    )
    tensors.append("t2")
    for i, (p, a, b) in enumerate(ops):
        path = paths[p % len(paths)]
        classes = (
            ()
            if path == "-"
            else tuple(["Model", *(f"M{len(s)}" for s in path.split("."))] if path else ["Model"])
        )
        module = "" if path == "-" else path
        out, fn = f"t{100 + i}", f"f{100 + i}"
        g.add_node(
            out,
            kind="tensor",
            role="intermediate",
            shape=(2,),
            name=out,
            module="",
            module_classes=(),
        )
        g.add_node(
            fn,
            kind="function",
            role="function",
            op="add",
            grad_fn="AddBackward0",
            name="AddBackward0",
            module=module,
            module_classes=classes,
        )
        for src in {tensors[a % len(tensors)], tensors[b % len(tensors)]}:
            g.add_edge(src, fn)
        g.add_edge(fn, out)
        tensors.append(out)
    return g
