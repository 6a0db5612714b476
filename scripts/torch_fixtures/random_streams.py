"""PyTorch's random streams: what seeded programs draw, bit for bit, and the state they leave.

Each case is source text run with ``torch`` bound to PyTorch here and to visgrad in the tests
(``tests/random/test_torch_streams.py``); it assigns ``out`` (a tensor, or a list of tensors and
numbers) and may ``print``. Recorded per case: every output's dtype, shape, the SHA-256 of its bytes
and its first values, what it printed, and the SHA-256 of the default generator's state afterwards
(so the words each sampler consumed are checked too).
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
from pathlib import Path

import numpy as np
import torch

OUT = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "torch" / "random_streams.json"

SEEDS = (0, 1, 6, 42, 2**32 + 7, 987654321)
SIZES = ("()", "1", "2", "3", "7", "15", "16", "17", "31", "32", "33", "100", "(4, 5)", "(3, 0)")


def _grid() -> dict[str, str]:
    cases = {}
    for seed in SEEDS:
        for size in SIZES:
            for dt in ("float32", "float64"):
                pre = f"torch.manual_seed({seed})\n"
                sz = f"{size}, dtype=torch.{dt}"
                cases[f"randn {seed} {size} {dt}"] = pre + f"out = torch.randn({sz})"
                cases[f"rand {seed} {size} {dt}"] = pre + f"out = torch.rand({sz})"
            shape = size if size.startswith("(") else f"({size},)"
            cases[f"randint {seed} {size}"] = (
                f"torch.manual_seed({seed})\nout = torch.randint(-5, 17, {shape})"
            )
    for seed in SEEDS:
        for n in (0, 1, 2, 5, 16, 17, 100, 1000):
            cases[f"randperm {seed} {n}"] = f"torch.manual_seed({seed})\nout = torch.randperm({n})"
    for n in (16, 100, 1000, 100000):
        cases[f"randn large {n}"] = f"torch.manual_seed(3)\nout = torch.randn({n})"
    return cases


PROGRAMS = {
    "readme": "torch.manual_seed(0)\nout = torch.randn(3)\nprint(out)",
    "linear 4 3 seed 6": (
        "torch.manual_seed(6)\nlin = torch.nn.Linear(4, 3)\nout = [lin.weight, lin.bias]\n"
        "print(lin.weight)\nprint(lin.bias)"
    ),
    "mlp layers": (
        "torch.manual_seed(1)\nm = torch.nn.Sequential(torch.nn.Linear(7, 20), torch.nn.ReLU(),"
        " torch.nn.Linear(20, 1))\nout = [p for p in m.parameters()]"
    ),
    "linear no bias and zero inputs": (
        "torch.manual_seed(2)\nout = [torch.nn.Linear(5, 2, bias=False).weight,"
        " torch.nn.Linear(0, 3).bias, torch.randn(2)]"
    ),
    "interleaved": (
        "torch.manual_seed(5)\nout = [torch.randn(3), torch.rand(2), torch.randn(1),"
        " torch.randint(0, 9, (4,)), torch.randn(20), torch.rand(1, dtype=torch.float64),"
        " torch.randn(3, dtype=torch.float64), torch.randperm(6), torch.randn(5)]"
    ),
    "normal cache across dtypes": (
        "torch.manual_seed(8)\na = torch.randn(1)\nb = torch.randn(1, dtype=torch.float64)\n"
        "c = torch.randn(16)\nd = torch.randn(1)\nout = [a, b, c, d]"
    ),
    "generator objects": (
        "g = torch.Generator().manual_seed(11)\nh = torch.Generator()\ntorch.manual_seed(4)\n"
        "out = [torch.randn(5, generator=g), torch.randn(5), torch.rand(3, generator=h),"
        " torch.randint(0, 100, (6,), generator=g), torch.randperm(9, generator=g),"
        " g.initial_seed(), h.initial_seed(), torch.initial_seed()]"
    ),
    "state round trip": (
        "torch.manual_seed(9)\ntorch.randn(3)\ns = torch.get_rng_state()\na = torch.randn(7)\n"
        "torch.set_rng_state(s)\nb = torch.randn(7)\ng = torch.Generator().manual_seed(1)\n"
        "g.set_state(s)\nc = torch.randn(7, generator=g)\nout = [s, a, b, c]"
    ),
    "state after seeding and after 624 words": (
        "torch.manual_seed(3)\ns0 = torch.get_rng_state()\ntorch.randint(0, 10, (624,))\n"
        "s1 = torch.get_rng_state()\ntorch.randint(0, 10, (1,))\nout = [s0, s1, torch.get_rng_state()]"
    ),
    "seed wraps and big seeds": (
        "out = []\nfor s in (-1, 2**63, 2**64 - 1, 2**32, 7.9):\n"
        "    torch.manual_seed(s)\n    out += [torch.initial_seed(), torch.rand(2)]"
    ),
    "uniform_ bounds": (
        "torch.manual_seed(12)\nout = [torch.empty(50).uniform_(-0.123, 0.456),"
        " torch.empty(50, dtype=torch.float64).uniform_(-3.3, 7.7), torch.empty(9).uniform_(2.5, 2.6)]"
    ),
    "normal_ mean std": (
        "torch.manual_seed(13)\nout = [torch.empty(5).normal_(0.3, 1.7), torch.empty(40).normal_(-2, 0.02),"
        " torch.empty(5, dtype=torch.float64).normal_(0.3, 1.7),"
        " torch.empty(40, dtype=torch.float64).normal_(1, 3)]"
    ),
    "views fill in memory order": (
        "torch.manual_seed(14)\na = torch.empty(4, 6)\na.t().uniform_(-1, 1)\nb = torch.empty(6, 5)\n"
        "b.t().normal_()\nc = torch.zeros(3, 8)\nc[:, ::2].normal_()\nout = [a, b, c]"
    ),
    "random_ ranges": (
        "torch.manual_seed(15)\nout = [torch.empty(6, dtype=torch.int64).random_(),"
        " torch.empty(6, dtype=torch.int32).random_(), torch.empty(6, dtype=torch.uint8).random_(),"
        " torch.empty(6, dtype=torch.int16).random_(), torch.empty(6, dtype=torch.int8).random_(),"
        " torch.empty(6, dtype=torch.bool).random_(), torch.empty(6).random_(),"
        " torch.empty(6, dtype=torch.float64).random_(),"
        " torch.empty(6, dtype=torch.int64).random_(-2**63, None),"
        " torch.empty(6, dtype=torch.int64).random_(5, None), torch.empty(6).random_(10),"
        " torch.empty(6, dtype=torch.int64).random_(-2**40, 2**40),"
        " torch.empty(6, dtype=torch.int64).random_(0, 2**28), torch.empty(6).random_(0, 2**28 - 1),"
        " torch.empty((), dtype=torch.int64).random_(), torch.randint(3, 10, (5,), dtype=torch.float32)]"
    ),
    "multinomial": (
        "torch.manual_seed(16)\np = torch.tensor([0.1, 0.2, 0.3, 0.4])\n"
        "out = [torch.multinomial(p, 1), torch.multinomial(p, 3), torch.multinomial(p, 4),"
        " torch.multinomial(p, 10, replacement=True), torch.multinomial(p, 1, replacement=True),"
        " torch.multinomial(torch.tensor([[1., 0., 2.], [0., 0., 5.]]), 2),"
        " torch.multinomial(torch.tensor([[1., 0., 2.], [3., 1., 5.]]), 6, True),"
        " torch.multinomial(torch.tensor([1., 2.], dtype=torch.float64), 5, True),"
        " p.multinomial(2)]"
    ),
    "multinomial many distributions": (
        "torch.manual_seed(17)\nout = []\nfor k in (2, 5, 27, 65):\n"
        "    w = torch.rand(4, k) ** 3\n"
        "    out += [torch.multinomial(w, 1), torch.multinomial(w, min(k, 3)),"
        " torch.multinomial(w, 20, replacement=True), torch.multinomial(w.softmax(-1)[0], 1)]"
    ),
    "bernoulli": (
        "torch.manual_seed(18)\np = torch.rand(20)\nout = [torch.bernoulli(p),"
        " torch.bernoulli(p.double()), torch.empty(20).bernoulli_(0.3), torch.bernoulli(p, 0.7),"
        " torch.empty(5, 4).bernoulli_(p[:4]), torch.zeros(3, dtype=torch.int64).bernoulli_(0.5),"
        " p.bernoulli()]"
    ),
    "exponential geometric cauchy log_normal": (
        "torch.manual_seed(19)\nout = [torch.empty(20).exponential_(), torch.empty(20).exponential_(2.5),"
        " torch.empty(7, dtype=torch.float64).exponential_(0.5), torch.empty(20).geometric_(0.3),"
        " torch.empty(5, dtype=torch.int64).geometric_(0.01), torch.empty(20).cauchy_(),"
        " torch.empty(9, dtype=torch.float64).cauchy_(1, 2), torch.randn(1), torch.empty(20).log_normal_(),"
        " torch.empty(3).log_normal_(0, 0.5), torch.randn(1)]"
    ),
    "normal tensor forms": (
        "torch.manual_seed(20)\nout = [torch.normal(torch.zeros(5), torch.ones(5) * 2),"
        " torch.normal(torch.arange(20.), 0.5), torch.normal(0.0, torch.arange(1., 18.)),"
        " torch.normal(2.0, 3.0, size=(20,)), torch.normal(torch.zeros(3, 1), torch.ones(4))]"
    ),
    "like forms": (
        "torch.manual_seed(21)\nx = torch.zeros(4, 5, dtype=torch.float64)\n"
        "out = [torch.rand_like(x), torch.randn_like(x), torch.randint_like(x, 10),"
        " torch.randint_like(x, -3, 3), torch.randn_like(torch.zeros(3))]"
    ),
    "dropout": (
        "F = torch.nn.functional\ntorch.manual_seed(22)\nx = torch.randn(40)\n"
        "d = torch.nn.Dropout(0.3)\nd.train()\na = d(x)\nd.eval()\nb = d(x)\n"
        "out = [a, b, F.dropout(x, 0.5), F.dropout(x, 0.0), F.dropout(x, 1.0),"
        " F.dropout(torch.full((4, 16), 3.3, dtype=torch.float64), 0.25),"
        " F.dropout2d(torch.ones(2, 6, 2, 2), 0.5), F.dropout1d(torch.ones(3, 5, 4), 0.4),"
        " F.dropout(x.clone(), 0.2, inplace=True)]"
    ),
    "init functions": (
        "import math\nI = torch.nn.init\ntorch.manual_seed(23)\nout = [I.uniform_(torch.empty(3, 5)),"
        " I.normal_(torch.empty(3, 5), 1, 2), I.xavier_uniform_(torch.empty(5, 7)),"
        " I.xavier_normal_(torch.empty(5, 7), gain=I.calculate_gain('tanh')),"
        " I.kaiming_uniform_(torch.empty(5, 7, 3), mode='fan_out', nonlinearity='relu'),"
        " I.kaiming_uniform_(torch.empty(4, 3), a=math.sqrt(5)),"
        " I.kaiming_normal_(torch.empty(8, 3)), I.kaiming_normal_(torch.empty(6, 2, 3), a=0.2,"
        " mode='fan_out', nonlinearity='leaky_relu'), I.trunc_normal_(torch.empty(30, 10), std=0.02),"
        " I.trunc_normal_(torch.empty(30, 10), mean=0.0, std=1.0, a=1.5, b=3.0),"
        " I.constant_(torch.empty(2, 2), 0.5), I.ones_(torch.empty(2)), I.zeros_(torch.empty(2)),"
        " I.eye_(torch.empty(2, 3)), I.dirac_(torch.empty(4, 2, 3)),"
        " I.sparse_(torch.empty(6, 4), 0.5), torch.randn(2),"
        " I.calculate_gain('leaky_relu', 0.2), I.calculate_gain('selu'), I.calculate_gain('conv2d')]"
    ),
    "init with generator": (
        "I = torch.nn.init\ntorch.manual_seed(24)\ng = torch.Generator().manual_seed(24)\n"
        "out = [I.uniform_(torch.empty(4), generator=g), I.kaiming_uniform_(torch.empty(3, 4), generator=g),"
        " I.trunc_normal_(torch.empty(20), generator=g), torch.randn(2, generator=g)]"
    ),
    "training linear regression": (
        "torch.manual_seed(0)\nX = torch.randn(64, 3)\ntrue_w = torch.tensor([[2.0], [-3.0], [0.5]])\n"
        "y = X @ true_w + 0.1 * torch.randn(64, 1)\nmodel = torch.nn.Linear(3, 1)\n"
        "opt = torch.optim.SGD(model.parameters(), lr=0.1)\nlosses = []\nfor step in range(20):\n"
        "    opt.zero_grad()\n    loss = torch.nn.functional.mse_loss(model(X), y)\n"
        "    loss.backward()\n    opt.step()\n    losses.append(loss.item())\n"
        "    if step % 5 == 0:\n        print(f'step {step}: loss {loss.item():.4f}')\n"
        "print(model.weight)\nout = [model.weight, model.bias, torch.tensor(losses)]"
    ),
    "training mlp with dropout": (
        "torch.manual_seed(3)\nm = torch.nn.Sequential(torch.nn.Linear(4, 16), torch.nn.ReLU(),"
        " torch.nn.Dropout(0.2), torch.nn.Linear(16, 3))\nx = torch.randn(32, 4)\n"
        "t = torch.randint(0, 3, (32,))\nopt = torch.optim.SGD(m.parameters(), lr=0.5)\nfor i in range(10):\n"
        "    opt.zero_grad()\n    loss = torch.nn.functional.cross_entropy(m(x), t)\n"
        "    loss.backward()\n    opt.step()\n    print(f'{loss.item():.4f}')\nout = [loss.detach()]"
    ),
    "float16": (
        "torch.manual_seed(25)\nh = torch.float16\nout = [torch.randn(5, dtype=h), torch.randn(40, dtype=h),"
        " torch.randn(16, dtype=h), torch.rand(10, dtype=h), torch.empty(20, dtype=h).uniform_(-1, 1),"
        " torch.empty(33, dtype=h).normal_(2, 0.5), torch.randn(3)]"
    ),
    "modules reset_parameters": (
        "torch.manual_seed(26)\nout = [p for m in (torch.nn.Linear(3, 2), torch.nn.Linear(17, 16))"
        " for p in m.parameters()]"
    ),
    "conv embedding norm init": (
        "torch.manual_seed(27)\nmods = (torch.nn.Conv2d(3, 16, 3), torch.nn.Conv1d(4, 8, 5),"
        " torch.nn.Embedding(10, 4, padding_idx=2), torch.nn.BatchNorm1d(5), torch.nn.LayerNorm(5),"
        " torch.nn.Conv2d(2, 4, 3, groups=2, bias=False))\nout = [p for m in mods for p in m.parameters()]"
    ),
    "linspace logspace arange": (
        "torch.manual_seed(0)\nout = [torch.linspace(-1.3, 7.1, 37), torch.linspace(0, 1, 10), torch.linspace(3, -2, 8,"
        " dtype=torch.float64), torch.linspace(0, 1, 1), torch.linspace(0, 1, 0),"
        " torch.linspace(-5, 5, steps=101), torch.logspace(-2, 3, 11), torch.logspace(0, 1, 7, base=2),"
        " torch.arange(0, 1, 0.1), torch.arange(-2.5, 3.3, 0.7), torch.arange(0.5, 10, 1.5,"
        " dtype=torch.float64), torch.arange(1, 2.0001, 0.25)]"
    ),
}


# Cases whose values agree to rounding only (compared with a tolerance, the state exactly):
# orthogonal_'s QR runs through another LAPACK than PyTorch's.
APPROX = {
    f"orthogonal {shape}": f"torch.manual_seed(1)\nout = torch.nn.init.orthogonal_(torch.empty{shape})"
    for shape in ((4, 6), (6, 4), (5, 5), (3, 2, 4), (20, 30), (64, 16))
}
APPROX["orthogonal gain"] = (
    "torch.manual_seed(2)\nout = torch.nn.init.orthogonal_(torch.empty(3, 7), gain=2.5)"
)


def _describe(v: object) -> dict[str, object]:
    if isinstance(v, torch.Tensor):
        a = v.detach().contiguous().numpy()
        head = [x.item() for x in a.ravel()[:6]]
        return {
            "dtype": str(a.dtype),
            "shape": list(a.shape),
            "sha256": hashlib.sha256(np.ascontiguousarray(a).tobytes()).hexdigest(),
            "head": [float(x) if isinstance(x, float) else int(x) for x in head],
        }
    return {"value": v}


def run(source: str) -> dict[str, object]:
    namespace: dict[str, object] = {"torch": torch}
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(compile(source, "<case>", "exec"), namespace)  # noqa: S102 - our own case text
    out = namespace["out"]
    outs = out if isinstance(out, list) else [out]
    state = torch.get_rng_state().numpy().tobytes()
    return {
        "source": source,
        "out": [_describe(v) for v in outs],
        "printed": printed.getvalue(),
        "state_sha256": hashlib.sha256(state).hexdigest(),
    }


def _with_values(result: dict[str, object], source: str) -> dict[str, object]:
    namespace: dict[str, object] = {"torch": torch}
    exec(compile(source, "<case>", "exec"), namespace)  # noqa: S102 - our own case text
    result["values"] = namespace["out"].numpy().ravel().tolist()  # type: ignore[union-attr]
    return result


def main() -> None:
    torch.set_num_threads(1)
    cases = {**_grid(), **PROGRAMS}
    data = {
        "torch_version": torch.__version__,
        "cases": {name: run(src) for name, src in cases.items()},
        "approx": {name: _with_values(run(src), src) for name, src in APPROX.items()},
    }
    OUT.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n")
    print(f"wrote {OUT} ({len(cases)} cases)")


if __name__ == "__main__":
    main()
