"""PyTorch's ``torch.distributions`` (Categorical, Normal, Bernoulli): seeded samples, log
probabilities, entropies and their gradients, reprs, and validation error texts. Each case is a
snippet run with leaves ``p`` (probabilities), ``z`` (logits), ``mu``, ``s`` (scales) and leaves'
``requires_grad``; it sets ``out``. Writes ``tests/fixtures/torch/distributions.json``.
"""

from __future__ import annotations

import json
from pathlib import Path

import torch
import torch.distributions as D  # noqa: N812 - the usual alias

OUT = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "torch" / "distributions.json"
LEAVES = {
    "p": [[0.1, 0.2, 0.3, 0.4], [0.25, 0.25, 0.4, 0.1]],
    "z": [[1.5, -0.3, 0.2], [0.0, 2.0, -1.0]],
    "mu": [0.5, -1.0, 2.0],
    "s": [1.0, 0.5, 2.5],
    "q": [0.2, 0.7, 0.9],
}
CASES = {
    "categorical_sample_log_prob": "m = D.Categorical(probs=p); a = m.sample((5,)); "
    "out = (a, m.log_prob(a))",
    "categorical_logits": "m = D.Categorical(logits=z); a = m.sample(); "
    "out = (a, m.log_prob(a), m.probs, m.logits)",
    "categorical_entropy": "out = D.Categorical(logits=z).entropy()",
    "categorical_entropy_probs": "out = D.Categorical(probs=p).entropy()",
    "categorical_mode_mean": "m = D.Categorical(probs=p); out = (m.mode, m.mean)",
    "categorical_1d": "m = D.Categorical(probs=p[0]); a = m.sample((3, 2)); "
    "out = (a, m.log_prob(a))",
    "categorical_enumerate": "out = D.Categorical(logits=z).enumerate_support()",
    "reinforce_step": "m = D.Categorical(logits=z); a = m.sample(); "
    "out = (-m.log_prob(a) * torch.tensor([1.5, -0.5])).sum()",
    "normal_sample": "m = D.Normal(mu, s); out = m.sample((2,))",
    "normal_rsample": "m = D.Normal(mu, s); out = m.rsample((2,))",
    "normal_numbers": "m = D.Normal(0.0, 1.0); out = (m.sample((4,)), m.log_prob(torch.tensor(0.3)))",
    "normal_log_prob": "out = D.Normal(mu, s).log_prob(torch.tensor([0.1, -0.2, 3.0]))",
    "normal_entropy_cdf": "m = D.Normal(mu, s); out = (m.entropy(), m.cdf(torch.tensor(0.5)))",
    "normal_icdf": "out = D.Normal(mu, s).icdf(torch.tensor([0.1, 0.5, 0.9]))",
    "normal_moments": "m = D.Normal(mu, s); out = (m.mean, m.stddev, m.variance)",
    "bernoulli_sample": "m = D.Bernoulli(q); a = m.sample((2,)); out = (a, m.log_prob(a))",
    "bernoulli_logits": "m = D.Bernoulli(logits=z[0]); out = (m.sample(), m.probs, m.entropy())",
    "bernoulli_number": "m = D.Bernoulli(0.3); out = (m.sample((5,)), m.variance)",
}
REPRS = [
    "D.Categorical(probs=p)",
    "D.Categorical(logits=z)",
    "D.Normal(mu, s)",
    "D.Normal(0.0, 1.0)",
    "D.Bernoulli(q)",
    "D.Bernoulli(0.3)",
]
ERRORS = [
    "D.Normal(mu, -s)",
    "D.Categorical(probs=p, logits=z)",
    "D.Categorical()",
    "D.Categorical(probs=torch.tensor(0.5))",
    "D.Bernoulli(q + 1)",
    "D.Categorical(probs=p).log_prob(torch.tensor([0, 7]))",
    "D.Categorical(probs=p).log_prob(torch.tensor([0, 1, 2]))",
    "D.Bernoulli(q).log_prob(torch.tensor([0.5, 1.0, 0.0]))",
    "D.Normal(mu, s).log_prob(torch.ones(2))",
    "D.Normal(mu, 'x')",
    "torch.broadcast_tensors(torch.ones(2), torch.ones(3))",
    "torch.broadcast_tensors(torch.ones(2, 1), torch.ones(3), torch.ones(4, 1))",
    "torch.broadcast_shapes((2,), (3,))",
    "torch.broadcast_shapes((5, 1), (1, 4), (2, 1, 3))",
]
# broadcast_tensors (what broadcast_all uses) and broadcast_shapes: the shapes and graphs.
BROADCASTS = [
    "torch.broadcast_tensors(mu.view(3, 1), s)",
    "torch.broadcast_tensors(mu, s)",
    "torch.broadcast_tensors(p, torch.ones(3, 1, 4), mu.view(3, 1, 1))",
    "(torch.broadcast_shapes((3, 1), (4,), (2, 1, 1)),)",
    "(torch.broadcast_shapes(5, (1, 1)),)",
]


def _leaves() -> dict:
    return {k: torch.tensor(v, requires_grad=True) for k, v in LEAVES.items()}


def _rows(out: object) -> list:
    outs = out if isinstance(out, tuple) else (out,)
    return [{"dtype": str(o.dtype), "shape": list(o.shape), "values": o.tolist()} for o in outs]


def main() -> None:
    cases = {}
    for name, code in CASES.items():
        torch.manual_seed(7)
        env = {"torch": torch, "D": D, **_leaves()}
        exec(code, env)  # noqa: S102 - our fixed snippets
        outs = env["out"] if isinstance(env["out"], tuple) else (env["out"],)
        floats = [o for o in outs if o.requires_grad]
        if floats:
            sum(o.sum() for o in floats).backward()
        grads = {k: env[k].grad.tolist() for k in LEAVES if env[k].grad is not None}
        cases[name] = {"code": code, "outputs": _rows(env["out"]), "grads": grads}
    reprs = {code: repr(eval(code, {"torch": torch, "D": D, **_leaves()})) for code in REPRS}  # noqa: S307
    errors = {}
    for code in ERRORS:
        try:
            eval(code, {"torch": torch, "D": D, **_leaves()})  # noqa: S307
        except Exception as e:  # noqa: BLE001 - recording whatever PyTorch raises
            errors[code] = {"type": type(e).__name__, "message": str(e)}
        else:
            raise AssertionError(f"{code} did not raise")
    broadcasts = {}
    for code in BROADCASTS:
        outs = eval(code, {"torch": torch, **_leaves()})  # noqa: S307 - our fixed calls
        broadcasts[code] = [
            [list(o), None] if isinstance(o, torch.Size) else
            [list(o.shape), o.grad_fn.name() if o.grad_fn is not None else None]
            for o in outs
        ]  # fmt: skip
    doc = {"torch": torch.__version__, "leaves": LEAVES, "cases": cases, "reprs": reprs,
           "errors": errors, "broadcasts": broadcasts}  # fmt: skip
    OUT.write_text(json.dumps(doc, indent=1) + "\n")


if __name__ == "__main__":
    main()
