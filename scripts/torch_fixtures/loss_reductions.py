"""PyTorch's loss reductions to the last bit: ``nll_loss`` (and so ``cross_entropy`` on its
log-probabilities) adds its terms in an eight-level cascade of its own, and the elementwise losses
reduce with ``.mean()`` / ``.sum()``. Writes ``tests/fixtures/torch/loss_reductions.json``: each
case's recipe (seeded inputs, so the test rebuilds them with visgrad's PyTorch streams) and the
result's bytes in hex. The recipes take the library as an argument; the test runs them on visgrad.
"""

from __future__ import annotations

import json
from pathlib import Path

OUT = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "torch" / "loss_reductions.json"

LOSSES = (
    "nll",
    "nll_sum",
    "nll_weight",
    "nll_ignored",
    "nll_ignored_weight",
    "mse",
    "l1",
    "smooth_l1",
)


def run(lib, case):  # type: ignore[no-untyped-def]
    """The case's loss; the test calls this same recipe on visgrad."""
    F = lib.nn.functional  # noqa: N806 - PyTorch's own alias
    b, c, loss = case["batch"], case["classes"], case["loss"]
    lib.manual_seed(case["seed"])
    dt = getattr(lib, case["dtype"])
    x = lib.randn(b, c, dtype=dt) * 3
    y = lib.randint(0, c, (b,))
    w = lib.rand(c, dtype=dt) + 0.5
    if loss.startswith("nll_ignored"):
        y[::3] = -100
    if loss.startswith("nll"):
        weight = w if loss.endswith("weight") else None
        return F.nll_loss(x, y, weight=weight, reduction="sum" if loss == "nll_sum" else "mean")
    fn = {"mse": F.mse_loss, "l1": F.l1_loss, "smooth_l1": F.smooth_l1_loss}[loss]
    return fn(x, x * 0.3)


def cases():  # type: ignore[no-untyped-def]
    seed = 0
    for dtype in ("float32", "float64"):
        for batch in (1, 2, 5, 16, 17, 32, 100, 257, 1000, 4097):
            for classes in (3, 27):
                for loss in LOSSES:
                    seed += 1
                    yield {
                        "seed": seed,
                        "dtype": dtype,
                        "batch": batch,
                        "classes": classes,
                        "loss": loss,
                    }


def main() -> None:
    import torch

    out = []
    for case in cases():
        r = run(torch, case)
        out.append(dict(case, result=r.detach().numpy().tobytes().hex()))
    OUT.write_text(json.dumps({"torch": torch.__version__, "cases": out}) + "\n")


if __name__ == "__main__":
    main()
