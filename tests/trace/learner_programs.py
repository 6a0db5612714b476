"""Hypothesis strategies for programs of the kinds learners write, as source text.

A program builds leaves, runs one to three training iterations (a forward pass of scalar
expressions reusing leaves, broadcasting, reductions over dims, views and indexing, or an
``nn.Linear`` MLP), calls backward (plain, ``retain_graph`` twice, or ``autograd.grad``), and
updates its parameters under ``no_grad``, through ``.data`` / ``.grad.data``, or with an optimizer,
zeroing gradients one way or another (or forgetting to). Hooks, ``retain_grad``, NaN-producing ops
and ``detach()`` aliases are sprinkled in. Every tensor it makes is passed to ``keep(name, t)``;
at the end (also when it raises) it dumps each kept tensor's id, value and ``.grad`` to the file
named by ``sys.argv[1]``, read by ``read_dump``.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from hypothesis import strategies as st

PRELUDE = """\
import json, sys
import numpy as np
import torch

torch.manual_seed({seed})
_kept = {{}}
_results = []


def result(t, g):
    # What autograd.grad returned for input t (not a tensor of the trace: compared with t's
    # gradient at the end of that backward).
    _results.append({{"id": t._id, "value": np.asarray(g._data, dtype=np.float64).tolist()}})


def keep(name, t):
    _kept[name] = t
    return t


def _dump():
    # Engine internals, read without making any event: the program's own ids and numbers.
    out = {{}}
    for name, t in _kept.items():
        g = t._grad
        out[name] = {{
            "id": t._id,
            "value": np.asarray(t._data, dtype=np.float64).tolist(),
            "grad": None if g is None else np.asarray(g._data, dtype=np.float64).tolist(),
        }}
    with open(sys.argv[1], "w") as f:
        json.dump({{"tensors": out, "results": _results}}, f)


try:
"""
EPILOGUE = """\
finally:
    _dump()
"""

_FLOATS = st.floats(-2.0, 2.0, allow_nan=False, width=32).map(lambda x: round(x, 2))


def _literal(shape: tuple[int, ...], draw) -> str:
    n = int(np.prod(shape)) if shape else 1
    vals = draw(st.lists(_FLOATS, min_size=n, max_size=n))
    return repr(np.array(vals, dtype=float).reshape(shape).tolist())


class _Body:
    """Lines of the program's ``try:`` block, with a counter for fresh names."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.n = 0

    def fresh(self, stem: str) -> str:
        self.n += 1
        return f"{stem}{self.n}"

    def add(self, line: str, indent: int = 1) -> None:
        self.lines.append("    " * indent + line)

    def keep(self, name: str, expr: str, indent: int = 1) -> str:
        self.add(f'{name} = keep("{name}", {expr})', indent)
        return name


# -- forward passes --------------------------------------------------------------------------------
_UNARY = ("tanh", "exp", "sigmoid", "relu")


@st.composite
def _scalar_expr(draw, leaves: tuple[str, ...], depth: int = 3) -> str:
    if depth == 0 or draw(st.integers(0, 3)) == 0:
        return draw(st.sampled_from(leaves)) if draw(st.booleans()) else repr(draw(_FLOATS))
    kind = draw(st.integers(0, 6))
    a = draw(_scalar_expr(leaves, depth - 1))
    if kind <= 2:
        b = draw(_scalar_expr(leaves, depth - 1))
        op = "+-*"[kind]
        return f"({a} {op} {b})"
    if kind == 3:
        return f"torch.{draw(st.sampled_from(_UNARY))}(torch.as_tensor({a}))"
    if kind == 4:
        return f"(torch.as_tensor({a}) ** 2)"
    if kind == 5 and draw(st.integers(0, 3)) == 0:  # NaN (and its gradient) on purpose
        return f"torch.sqrt(torch.as_tensor({a}) - 5.0)"
    return f"({a} / (1.5 + torch.as_tensor({a}) ** 2))"  # kinds 5 and 6


def _scalar_forward(body: _Body, draw, leaves: tuple[str, ...], it: int) -> str:
    terms = [draw(_scalar_expr(leaves)) for _ in range(draw(st.integers(1, 3)))]
    # Every leaf is used, most of them several times.
    terms.append(" + ".join(f"{leaf} * {i + 2}" for i, leaf in enumerate(leaves)))
    parts = []
    for term in terms:
        parts.append(body.keep(body.fresh(f"s{it}_"), f"torch.as_tensor({term})"))
    return body.keep(f"loss{it}", " + ".join(parts))


# (expression template on {x}, input shape -> output shape or None when it does not apply)
def _tensor_ops() -> list[tuple[str, object]]:
    def ndim_at_least(k: int, f):
        return lambda s: f(s) if len(s) >= k else None

    return [
        ("{x} * {u}", lambda s: s if len(s) == 2 and s[0] == 3 else None),  # a (3, 1) column
        ("{x} + {v}", lambda s: s if s and s[-1] == 4 else None),  # a (4,) row
        ("{x}.sum(dim=0)", ndim_at_least(1, lambda s: s[1:])),
        ("{x}.mean(dim=-1, keepdim=True)", ndim_at_least(1, lambda s: (*s[:-1], 1))),
        ("{x}.t()", lambda s: s[::-1] if len(s) == 2 else None),
        ("{x}.reshape(-1)", lambda s: (int(np.prod(s)),) if s else None),
        ("{x}[0]", ndim_at_least(1, lambda s: s[1:] if s[0] > 0 else None)),
        ("{x}[..., 1:]", ndim_at_least(1, lambda s: (*s[:-1], s[-1] - 1) if s[-1] > 1 else None)),
        ("{x}.unsqueeze(0)", lambda s: (1, *s) if len(s) < 3 else None),
        ("torch.tanh({x})", lambda s: s),
        ("{x}.relu() * {x}", lambda s: s),
        ("({x} ** 2).sqrt()", lambda s: s),
        ("{x} @ {W}.t()", lambda s: (*s[:-1], 3) if s and s[-1] == 4 else None),
        ("{x}.std()", lambda s: () if s and int(np.prod(s)) > 1 else None),
        ("{x}.norm(dim=0)", ndim_at_least(1, lambda s: s[1:])),
    ]


def _tensor_forward(body: _Body, draw, it: int) -> str:
    """A chain of shape-checked ops from W (3, 4), reusing W, u (3, 1) and v (4,)."""
    ops = _tensor_ops()
    cur, shape = "W", (3, 4)
    for _ in range(draw(st.integers(2, 6))):
        usable = [(t, f(shape)) for t, f in ops if f(shape) is not None]
        tmpl, new_shape = draw(st.sampled_from(usable))
        cur = body.keep(body.fresh(f"h{it}_"), tmpl.format(x=cur, u="u", v="v", W="W"))
        shape = new_shape
    if draw(st.booleans()):
        body.add(f"{cur}.retain_grad()")
    if draw(st.integers(0, 4)) == 0:
        body.add(f"{cur}.register_hook(lambda g: g * 2)")
    if draw(st.integers(0, 4)) == 0:  # NaN/Inf on purpose
        cur = body.keep(body.fresh(f"h{it}_"), f"{cur} + torch.log({cur} - 100.0).sum() * 0")
    return body.keep(f"loss{it}", f"{cur}.sum() + (W * W).sum() * 0.1")


def _mlp_forward(body: _Body, it: int) -> str:
    out = body.keep(f"out{it}", "net(X)")
    return body.keep(f"loss{it}", f"(({out} - T) ** 2).mean()")


# -- backward, updates, zeroing --------------------------------------------------------------------
def _backward(body: _Body, draw, loss: str, params: str, it: int) -> None:
    kind = draw(st.sampled_from(["plain", "plain", "twice", "grad"]))
    if kind == "plain":
        body.add(f"{loss}.backward()")
    elif kind == "twice":
        body.add(f"{loss}.backward(retain_graph=True)")
        body.add(f"{loss}.backward()")
    else:
        body.add(f"_x{it} = [{params}][0]")
        body.add(f"_g{it} = torch.autograd.grad({loss}, [_x{it}], retain_graph=True)")
        body.add(f"result(_x{it}, _g{it}[0])")
        body.add(f"{loss}.backward()")


def _update(body: _Body, draw, params: str, it: int) -> None:
    how = draw(st.sampled_from(["no_grad", "data", "optim", "inplace_method"]))
    zero = draw(st.sampled_from(["none", "zero_", "none_set", "data_zero", "optim"]))
    lr = draw(st.sampled_from(["0.1", "0.05"]))
    if how == "no_grad":
        body.add("with torch.no_grad():")
        body.add(f"for p in [{params}]:", 2)
        body.add("if p.grad is not None:", 3)
        body.add(f"p -= {lr} * p.grad", 4)
    elif how == "data":
        body.add(f"for p in [{params}]:")
        body.add("if p.grad is not None:", 2)
        body.add(f"p.data -= {lr} * p.grad.data", 3)
    elif how == "inplace_method":
        body.add("with torch.no_grad():")
        body.add(f"for p in [{params}]:", 2)
        body.add("if p.grad is not None:", 3)
        body.add(f"p.add_(p.grad, alpha=-{lr})", 4)
    else:
        body.add("opt.step()")
    if zero == "zero_":
        body.add(f"for p in [{params}]:")
        body.add("if p.grad is not None:", 2)
        body.add("p.grad.zero_()", 3)
    elif zero == "none_set":
        body.add(f"for p in [{params}]:")
        body.add("p.grad = None", 2)
    elif zero == "data_zero":
        body.add(f"for p in [{params}]:")
        body.add("if p.grad is not None:", 2)
        body.add("p.grad.data.zero_()", 3)
    elif zero == "optim":
        body.add("opt.zero_grad()")


def _aliases(body: _Body, draw, it: int) -> None:
    """Aliases a learner makes: a kept view, a detached copy written in place, .grad.data."""
    if draw(st.booleans()):
        body.keep(body.fresh(f"view{it}_"), "W.t()")
    if draw(st.booleans()):
        d = body.keep(body.fresh(f"det{it}_"), "W.detach()")
        if draw(st.booleans()):
            body.add(f"{d}.mul_(1.0)")  # writes W's memory, values unchanged: W stays valid
    if draw(st.booleans()):
        body.add("if W.grad is not None:")
        body.keep(body.fresh(f"gd{it}_"), "W.grad.data", 2)


@st.composite
def programs(draw) -> str:
    """The source of one learner program (see the module docstring)."""
    body = _Body()
    kind = draw(st.sampled_from(["scalar", "tensor", "mlp"]))
    if kind == "scalar":
        leaves = tuple(f"a{i}" for i in range(draw(st.integers(1, 3))))
        for leaf in leaves:
            body.keep(leaf, f"torch.tensor({draw(_FLOATS)}, requires_grad=True)")
        params = ", ".join(leaves)
    elif kind == "tensor":
        body.keep("W", f"torch.tensor({_literal((3, 4), draw)}, requires_grad=True)")
        body.keep("u", f"torch.tensor({_literal((3, 1), draw)})")
        body.keep("v", f"torch.tensor({_literal((4,), draw)}, requires_grad=True)")
        params = "W, v"
    else:
        body.keep("X", "torch.randn(5, 4)")
        body.keep("T", "torch.randn(5, 1)")
        body.add("net = torch.nn.Sequential(torch.nn.Linear(4, 3), torch.nn.Tanh(),")
        body.add("                          torch.nn.Linear(3, 1))")
        body.add("W = keep('W', net[0].weight)")
        body.add("keep('b2', net[2].bias)")
        params = "*net.parameters()"
    body.add(f"opt = torch.optim.SGD([{params}], lr=0.1)")
    for it in range(draw(st.integers(1, 3))):
        if kind == "scalar":
            loss = _scalar_forward(body, draw, leaves, it)
        elif kind == "tensor":
            loss = _tensor_forward(body, draw, it)
        else:
            loss = _mlp_forward(body, it)
        _backward(body, draw, loss, params, it)
        if kind != "scalar":
            _aliases(body, draw, it)
        _update(body, draw, params, it)
    seed = draw(st.integers(0, 2**16))
    return PRELUDE.format(seed=seed) + "\n".join(body.lines) + "\n" + EPILOGUE


def read_dump(path: Path) -> dict:
    """``{"tensors": name -> {id, value, grad}, "results": [{id, value}]}`` (arrays as lists)."""
    return json.loads(path.read_text())
